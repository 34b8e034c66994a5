import { DescribeTableCommand, DescribeTimeToLiveCommand, paginateListTables } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { STAGES } from '../../infra/config/stages';
import { wiring, type QueueKey, type TableKey } from '../../infra/wiring';
import { localClients, type LocalClients } from '../../infra/local/clients';
import { localName, provision } from '../../infra/local/provision';
import { emulatorsFromEnv, uniquePrefix } from '../support/local-helpers';

const w = wiring(STAGES.dev);
const prefix = uniquePrefix('prov');
let clients: LocalClients;

beforeAll(() => {
  clients = localClients(emulatorsFromEnv());
});
afterAll(() => clients.destroy());

describe('provision (local)', () => {
  it('creates exactly the wiring tables with their keys, GSIs and TTL', async () => {
    const resources = await provision(w, clients, { namePrefix: prefix });
    expect(Object.keys(resources.tables).sort()).toEqual(Object.keys(w.tables).sort());
    // ListTables pages by 100 and the suite creates many tables on the shared emulator: read every page.
    const listed: string[] = [];
    for await (const page of paginateListTables({ client: clients.dynamodb }, {})) listed.push(...(page.TableNames ?? []).filter((n) => n.startsWith(prefix)));
    listed.sort();
    expect(listed).toEqual(Object.values(w.tables).map((t) => localName(w, t.name, prefix)).sort());

    for (const key of Object.keys(w.tables) as TableKey[]) {
      const spec = w.tables[key];
      const name = resources.tables[key];
      expect(name).toBe(`${prefix}${w.prefix}-${spec.name}`);
      const table = (await clients.dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table;
      expect(table?.KeySchema).toEqual([
        { AttributeName: spec.partitionKey.name, KeyType: 'HASH' },
        ...(spec.sortKey ? [{ AttributeName: spec.sortKey.name, KeyType: 'RANGE' }] : []),
      ]);
      const types = Object.fromEntries((table?.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
      expect(types[spec.partitionKey.name]).toBe(spec.partitionKey.type);
      // DynamoDB lists a table's indexes in no particular order: compare them by name.
      const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
      expect((table?.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName, g.KeySchema]).sort(byName)).toEqual(
        (spec.globalIndexes ?? [])
          .map((g) => [g.indexName, [{ AttributeName: g.partitionKey.name, KeyType: 'HASH' }, ...(g.sortKey ? [{ AttributeName: g.sortKey.name, KeyType: 'RANGE' }] : [])]])
          .sort(byName),
      );
      const ttl = (await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription;
      if (spec.timeToLiveAttribute) expect(ttl).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: spec.timeToLiveAttribute });
      else expect(ttl?.TimeToLiveStatus).not.toBe('ENABLED');
    }
  });

  it('creates exactly the wiring queues with their attributes and redrive policy', async () => {
    const resources = await provision(w, clients, { namePrefix: prefix });
    const urls = (await clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? [];
    expect(urls.map((u) => u.split('/').pop()).sort()).toEqual(Object.values(w.queues).map((q) => localName(w, q.name, prefix)).sort());

    for (const key of Object.keys(w.queues) as QueueKey[]) {
      const spec = w.queues[key];
      const queue = resources.queues[key];
      const attributes = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] }))).Attributes ?? {};
      expect(attributes.QueueArn).toBe(queue.arn);
      expect(attributes.VisibilityTimeout).toBe(String(spec.visibilityTimeoutSeconds)); // no override: the wiring value
      expect(attributes.MessageRetentionPeriod).toBe(String(spec.retentionSeconds));
      if (spec.deadLetter) {
        expect(JSON.parse(attributes.RedrivePolicy ?? '{}')).toEqual({
          deadLetterTargetArn: resources.queues[spec.deadLetter.queue].arn,
          maxReceiveCount: spec.deadLetter.maxReceiveCount,
        });
      } else {
        expect(attributes.RedrivePolicy).toBeUndefined();
      }
    }
  });

  it('is idempotent and applies a visibility-timeout override to existing queues', async () => {
    const first = await provision(w, clients, { namePrefix: prefix });
    const second = await provision(w, clients, { namePrefix: prefix, visibilityTimeoutSeconds: 2 });
    expect(second).toEqual(first);
    for (const queue of Object.values(second.queues)) {
      const attributes = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['VisibilityTimeout'] }))).Attributes;
      expect(attributes?.VisibilityTimeout).toBe('2');
    }
  });
});
