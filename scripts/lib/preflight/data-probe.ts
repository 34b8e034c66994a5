/** The answers that read the stage's own tables the same way locally and on AWS (DynamoDB, SQS). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../../../shared/adapters/aws-clients';
import { CreditsLedger } from '../../../shared/adapters/credits-ledger';
import { EventStore } from '../../../shared/adapters/event-store';
import { FeatureFlags } from '../../../shared/adapters/feature-flags';
import { FLAG_NAMES } from '../../../shared/config/flags';
import type { QueueKey, TableKey } from '../../../infra/wiring';
import type { StageProbe } from './probe';

export function dataAnswers(input: {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  tables: Readonly<Record<TableKey, string>>;
  queueUrl: (key: QueueKey) => Promise<string>;
}): Pick<StageProbe, 'queueDepth' | 'eventStatus' | 'creditsBalance' | 'flags'> {
  const db = documentClient(input.dynamodb);
  // Reading only: the lease and retention settings do not matter here.
  const events = new EventStore(input.tables.events, { leaseSeconds: 30, retentionDays: 1 }, db);
  return {
    async queueDepth(key) {
      const out = await input.sqs.send(new GetQueueAttributesCommand({ QueueUrl: await input.queueUrl(key), AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    },
    eventStatus: async (eventId) => (await events.get(eventId))?.status,
    creditsBalance: () => new CreditsLedger(input.tables.ledger, { db }).balance(),
    async flags() {
      const flags = new FeatureFlags(input.tables.flags, { db, cacheMs: 0 });
      const names = new Set([...FLAG_NAMES, ...(await flags.list()).map((f) => f.name)]);
      // `get` applies each flag's default when it was never set.
      const states = await Promise.all([...names].sort().map((name) => flags.get(name)));
      return states.map((f) => ({ name: f.name, enabled: f.enabled }));
    },
  };
}
