/**
 * The instance's SQS client (created once, reused while warm), in a module of its own so that a
 * function that does not use SQS does not load it. The client's own endpoint is used even when a
 * QueueUrl names another host, so that AWS_ENDPOINT_URL_SQS (local emulator) is honoured; in AWS
 * both are the regional endpoint.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { announceClient, AWS_CLIENT_LIMITS } from './aws-client-limits';

let sqs: SQSClient | undefined;

export function sqsClient(): SQSClient {
  sqs ??= announceClient(new SQSClient({ ...AWS_CLIENT_LIMITS, useQueueUrlAsEndpoint: false }));
  return sqs;
}
