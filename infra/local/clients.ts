/**
 * SDK clients for the local runtime itself (provisioning, pollers). They point at the emulators
 * explicitly rather than through AWS_ENDPOINT_URL_*: the runtime may be embedded in a process whose
 * environment points elsewhere, and fauxqs queue URLs (sqs.<region>.localhost) must never be used
 * as the request endpoint.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from './emulators';

export interface EmulatorEndpoints {
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  readonly region: string;
}

export interface LocalClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  destroy(): void;
}

export function localClients(endpoints: EmulatorEndpoints): LocalClients {
  const common = { region: endpoints.region, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 } as const;
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamoEndpoint });
  const sqs = new SQSClient({ ...common, endpoint: endpoints.sqsEndpoint });
  return {
    dynamodb,
    sqs,
    destroy: () => {
      dynamodb.destroy();
      sqs.destroy();
    },
  };
}
