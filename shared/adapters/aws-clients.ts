/**
 * SDK clients shared by a function instance (created once, reused while warm). Adapters take a client
 * in their constructor and default to these, so a composition root or a test can pass its own.
 * SQS: the client's own endpoint is used even when a QueueUrl names another host, so that
 * AWS_ENDPOINT_URL_SQS (local emulator) is honoured; in AWS both are the regional endpoint.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Explicit limits instead of the SDK's defaults (no request timeout at all): a call to an AWS service
 * in-region answers in milliseconds, so a socket silent for seconds is dead — fail it and let the
 * standard retry mode (3 attempts, jittered backoff, retry quotas) try again, well inside every
 * function's timeout (receiver 10 s: 3 × 2 s + backoff).
 */
export const AWS_CLIENT_LIMITS = {
  maxAttempts: 3,
  retryMode: 'standard',
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
} as const;

let sqs: SQSClient | undefined;
let dynamodb: DynamoDBClient | undefined;
let secretsManager: SecretsManagerClient | undefined;

export function sqsClient(): SQSClient {
  sqs ??= new SQSClient({ ...AWS_CLIENT_LIMITS, useQueueUrlAsEndpoint: false });
  return sqs;
}

export function dynamoDbClient(): DynamoDBClient {
  dynamodb ??= new DynamoDBClient({ ...AWS_CLIENT_LIMITS });
  return dynamodb;
}

export function secretsManagerClient(): SecretsManagerClient {
  secretsManager ??= new SecretsManagerClient({ ...AWS_CLIENT_LIMITS });
  return secretsManager;
}

/** Plain JS values in and out; undefined fields dropped, class instances (Sets aside) stored as maps. */
export function documentClient(client: DynamoDBClient = dynamoDbClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } });
}
