/**
 * SDK clients shared by a function instance (created once, reused while warm). Adapters take a client
 * in their constructor and default to these, so a composition root or a test can pass its own.
 * Each service's client lives in its own module (sqs-client.ts, secrets-manager-client.ts, DynamoDB
 * here) so that a function bundles and loads only the SDK clients it uses; this module re-exports the
 * other two for callers that want all of them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { announceClient, AWS_CLIENT_LIMITS } from './aws-client-limits';

export { AWS_CLIENT_LIMITS } from './aws-client-limits';
export { secretsManagerClient } from './secrets-manager-client';
export { sqsClient } from './sqs-client';

let dynamodb: DynamoDBClient | undefined;

export function dynamoDbClient(): DynamoDBClient {
  dynamodb ??= announceClient(new DynamoDBClient({ ...AWS_CLIENT_LIMITS }));
  return dynamodb;
}

/** Plain JS values in and out; undefined fields dropped, class instances (Sets aside) stored as maps. */
export function documentClient(client: DynamoDBClient = dynamoDbClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } });
}
