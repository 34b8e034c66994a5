/** Provisions an isolated copy of the wiring's tables and queues on the emulators for one test file. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { stageConfig } from '../../infra/config/stages';
import { provision, type LocalResources } from '../../infra/local/provision';
import { wiring } from '../../infra/wiring';

export interface TestResources extends LocalResources {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  destroy(): void;
}

export async function testResources(options: { visibilityTimeoutSeconds?: number } = {}): Promise<TestResources> {
  // The global setup points the standard AWS_ENDPOINT_URL_* variables at the emulators.
  const dynamodb = new DynamoDBClient({});
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const resources = await provision(wiring(stageConfig('dev')), { dynamodb, sqs }, { namePrefix: `t${randomUUID().slice(0, 8)}-`, ...options });
  return { ...resources, dynamodb, sqs, destroy: () => (dynamodb.destroy(), sqs.destroy()) };
}
