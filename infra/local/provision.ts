/**
 * Creates every table and queue of the wiring on the emulators, generically (a new wiring entry
 * is provisioned without touching this file). Idempotent: existing resources are kept and their
 * mutable settings (queue attributes, TTL) brought in line.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { physicalName, queueOrder, type KeyAttribute, type QueueKey, type QueueSpec, type TableKey, type TableSpec, type Wiring } from '../wiring';

export interface LocalQueue {
  readonly url: string;
  readonly arn: string;
}

export interface LocalResources {
  readonly tables: Readonly<Record<TableKey, string>>;
  readonly queues: Readonly<Record<QueueKey, LocalQueue>>;
}

export interface ProvisionOptions {
  /**
   * Prepended to every physical name (`<namePrefix>moncreneau-dev-…`) so test runs sharing one
   * emulator do not see each other's resources. Default: none.
   */
  readonly namePrefix?: string;
  /**
   * Overrides every queue's visibility timeout. Locally a short value (e.g. 5 s) makes a failed
   * message come back quickly; deployed queues (CDK) always use the wiring value
   * (6 × the consumer's timeout, AWS guidance). Default: the wiring value.
   */
  readonly visibilityTimeoutSeconds?: number | ((queue: QueueKey) => number);
}

/** Physical name of a wiring resource in local mode. */
export function localName(w: Wiring, name: string, namePrefix = ''): string {
  return `${namePrefix}${physicalName(w, name)}`;
}

export async function provision(
  w: Wiring,
  clients: { readonly dynamodb: DynamoDBClient; readonly sqs: SQSClient },
  options: ProvisionOptions = {},
): Promise<LocalResources> {
  const tableEntries = await Promise.all(
    entries(w.tables).map(async ([key, spec]) => [key, await ensureTable(clients.dynamodb, localName(w, spec.name, options.namePrefix), spec)] as const),
  );
  const queues = await ensureQueues(w, clients.sqs, options);
  return { tables: Object.fromEntries(tableEntries) as Record<TableKey, string>, queues };
}

function entries<K extends string, V>(record: Readonly<Record<K, V>>): Array<[K, V]> {
  return Object.entries(record) as Array<[K, V]>;
}

// ---- DynamoDB -------------------------------------------------------------------------------

function keySchema(pk: KeyAttribute, sk?: KeyAttribute): KeySchemaElement[] {
  return [{ AttributeName: pk.name, KeyType: 'HASH' }, ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : [])];
}

function attributeDefinitions(spec: TableSpec): AttributeDefinition[] {
  const all = [spec.partitionKey, spec.sortKey, ...(spec.globalIndexes ?? []).flatMap((g) => [g.partitionKey, g.sortKey])];
  const byName = new Map<string, AttributeDefinition>();
  for (const a of all) if (a) byName.set(a.name, { AttributeName: a.name, AttributeType: a.type });
  return [...byName.values()];
}

async function tableExists(client: DynamoDBClient, name: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

/** Creates the table `spec` describes under `name` (if absent), with its GSIs and TTL — as the stack does. */
export async function ensureTable(client: DynamoDBClient, name: string, spec: TableSpec): Promise<string> {
  if (!(await tableExists(client, name))) {
    await client
      .send(
        new CreateTableCommand({
          TableName: name,
          // On-demand, like the deployed tables; DynamoDB Local ignores capacity anyway.
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: attributeDefinitions(spec),
          KeySchema: keySchema(spec.partitionKey, spec.sortKey),
          GlobalSecondaryIndexes: spec.globalIndexes?.length
            ? spec.globalIndexes.map((g) => ({
                IndexName: g.indexName,
                KeySchema: keySchema(g.partitionKey, g.sortKey),
                Projection: g.include ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...g.include] } : { ProjectionType: 'ALL' },
              }))
            : undefined,
        }),
      )
      .catch((error: unknown) => {
        // Two provisioners racing on one emulator: the other one won, which is fine.
        if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
      });
  }
  if (spec.timeToLiveAttribute) await ensureTtl(client, name, spec.timeToLiveAttribute);
  return name;
}

async function ensureTtl(client: DynamoDBClient, table: string, attribute: string): Promise<void> {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
  const description = current.TimeToLiveDescription;
  // Re-enabling an enabled TTL is a ValidationException on DynamoDB, so only act on a difference.
  if (description?.TimeToLiveStatus === 'ENABLED' && description.AttributeName === attribute) return;
  await client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: attribute } }));
}

// ---- SQS ------------------------------------------------------------------------------------

async function ensureQueues(w: Wiring, client: SQSClient, options: ProvisionOptions): Promise<Record<QueueKey, LocalQueue>> {
  const done = {} as Record<QueueKey, LocalQueue>;
  for (const key of queueOrder(w)) {
    const spec = w.queues[key];
    done[key] = await ensureQueue(client, localName(w, spec.name, options.namePrefix), queueAttributes(key, spec, done, options));
  }
  return done;
}

function queueAttributes(key: QueueKey, spec: QueueSpec, created: Readonly<Partial<Record<QueueKey, LocalQueue>>>, options: ProvisionOptions): Record<string, string> {
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(localVisibility(options, key) ?? spec.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(spec.retentionSeconds),
    MaximumMessageSize: String(spec.maxMessageBytes),
  };
  if (spec.deadLetter) {
    const target = created[spec.deadLetter.queue];
    if (!target) throw new Error(`Dead-letter queue ${spec.deadLetter.queue} not provisioned yet`);
    attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: target.arn, maxReceiveCount: spec.deadLetter.maxReceiveCount });
  }
  return attributes;
}

async function ensureQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<LocalQueue> {
  let url = await existingQueueUrl(client, name);
  if (url) {
    // CreateQueue with different attributes fails (QueueNameExists): update in place instead.
    await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  } else {
    url = (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl;
  }
  if (!url) throw new Error(`SQS emulator returned no URL for queue ${name}`);
  const arn = (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS emulator returned no ARN for queue ${name}`);
  return { url, arn };
}

async function existingQueueUrl(client: SQSClient, name: string): Promise<string | undefined> {
  try {
    return (await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (error instanceof QueueDoesNotExist || (error as { name?: string }).name === 'QueueDoesNotExist') return undefined;
    throw error;
  }
}

function localVisibility(options: ProvisionOptions, key: QueueKey): number | undefined {
  const v = options.visibilityTimeoutSeconds;
  return typeof v === 'function' ? v(key) : v;
}
