/** The instance's AWS SDK clients, traced: each DynamoDB/SQS/Secrets Manager call is an X-Ray subsegment. */
import { dynamoDbClient, secretsManagerClient, sqsClient } from '../adapters/aws-clients';
import { tracer } from '../observability/powertools';

let traced = false;

export function traceAwsClients(): void {
  if (traced) return;
  traced = true;
  tracer.captureAWSv3Client(dynamoDbClient());
  tracer.captureAWSv3Client(sqsClient());
  tracer.captureAWSv3Client(secretsManagerClient());
}
