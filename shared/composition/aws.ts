/**
 * The instance's AWS SDK clients, traced: each DynamoDB/SQS/Secrets Manager call is an X-Ray subsegment.
 * Clients are traced as they are created (shared/adapters/aws-client-limits.ts), so a function loads
 * only the SDK clients it uses — tracing does not pull the others in.
 */
import { onEachClient } from '../adapters/aws-client-limits';
import { tracer } from '../observability/powertools';

let traced = false;

export function traceAwsClients(): void {
  if (traced) return;
  traced = true;
  onEachClient((client) => tracer.captureAWSv3Client(client as Parameters<typeof tracer.captureAWSv3Client>[0]));
}
