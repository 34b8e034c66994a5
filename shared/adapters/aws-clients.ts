/**
 * SDK clients shared by a function instance (created once, reused while warm).
 * SQS: the client's own endpoint is used even when a QueueUrl names another host, so that
 * AWS_ENDPOINT_URL_SQS (local emulator) is honoured; in AWS both are the regional endpoint.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

let sqs: SQSClient | undefined;
let dynamodb: DynamoDBClient | undefined;

export function sqsClient(): SQSClient {
  sqs ??= new SQSClient({ useQueueUrlAsEndpoint: false });
  return sqs;
}

export function dynamoDbClient(): DynamoDBClient {
  dynamodb ??= new DynamoDBClient({});
  return dynamodb;
}
