/**
 * The local stack as a preflight target: its emulators, its sandbox, its secrets from the environment
 * (.env / .env.example, as `npm start` loads them) and its alarms evaluated like `npm run alarms` does.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { evaluateAll } from '../../../infra/alarm-evaluator';
import { alarmSpecs } from '../../../infra/alarms';
import type { StageConfig } from '../../../infra/config/stages';
import { LOCAL_CREDENTIALS } from '../../../infra/local/emulators';
import { readDatapoints } from '../../../infra/local/metrics-sink';
import type { LocalResources } from '../../../infra/local/provision';
import { sampleQueues } from '../../../infra/local/queue-metrics';
import { wiring } from '../../../infra/wiring';
import { dataAnswers } from './data-probe';
import type { StageProbe } from './probe';

export interface LocalTarget {
  readonly config: StageConfig;
  readonly region: string;
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  readonly resources: LocalResources;
  readonly webhookUrl?: string;
  /** The sandbox's API base URL (what the local functions call). */
  readonly moncreneauBaseUrl: string;
  readonly metricsFile?: string;
  /** Where the local secrets come from (the functions' environment). */
  readonly env: NodeJS.ProcessEnv;
}

export function localProbe(target: LocalTarget): StageProbe & { destroy(): void } {
  const w = wiring(target.config);
  const common = { region: target.region, credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: target.dynamoEndpoint });
  const sqs = new SQSClient({ ...common, endpoint: target.sqsEndpoint });
  return {
    kind: 'local',
    label: 'local stack',
    config: target.config,
    wiring: w,
    moncreneauBaseUrl: target.moncreneauBaseUrl,
    async secret(key) {
      return Object.fromEntries(Object.entries(w.secrets[key].localEnv).map(([field, envName]) => [field, target.env[envName] ?? '']));
    },
    secretHistory: async () => undefined,
    webhookUrl: async () => target.webhookUrl,
    pointInTimeRecovery: async () => undefined,
    async alarms() {
      const now = Date.now();
      const points = [...(target.metricsFile ? readDatapoints(target.metricsFile) : []), ...(await sampleQueues(target.sqsEndpoint, w, target.resources, now))];
      // Deployed, each alarm notifies its severity's topic (test/infra/alarms.test.ts); locally `npm run alarms` shows them.
      return evaluateAll(alarmSpecs(target.config), points, { now }).map((r) => ({ id: r.spec.id, state: r.state, actions: 1 }));
    },
    pageSubscribers: async () => undefined,
    ...dataAnswers({ dynamodb, sqs, tables: target.resources.tables, queueUrl: async (key) => target.resources.queues[key].url }),
    destroy() {
      dynamodb.destroy();
      sqs.destroy();
    },
  };
}
