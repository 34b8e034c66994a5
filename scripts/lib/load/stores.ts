/**
 * What the load runs read back, straight from the emulators (never through the fault proxy, never from
 * the kit's own counters): the event store, the appointments mirror, the credits ledger and a DLQ.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fromQueueBody } from '../../../shared/webhooks/queue-body';

async function scanAll(db: DynamoDBDocumentClient, table: string, projection: string, names: Record<string, string>): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ProjectionExpression: projection, ExpressionAttributeNames: names, ExclusiveStartKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

export interface EventRow {
  readonly status: string;
  /** Deliveries the kit counted as duplicates on this record (shown beside our own figure, as a cross-check). */
  readonly duplicates: number;
}

export async function readEventStore(db: DynamoDBDocumentClient, table: string): Promise<Map<string, EventRow>> {
  const rows = await scanAll(db, table, '#id, #status, #dup', { '#id': 'eventId', '#status': 'status', '#dup': 'duplicates' });
  return new Map(rows.map((r) => [String(r.eventId), { status: String(r.status), duplicates: Number(r.duplicates ?? 0) }]));
}

export interface MirrorRow {
  readonly status?: string;
  readonly version: number;
  readonly appliedEventIds: ReadonlySet<string>;
}

export async function readMirror(db: DynamoDBDocumentClient, table: string): Promise<Map<string, MirrorRow>> {
  const rows = await scanAll(db, table, '#id, #status, #version, #applied', { '#id': 'appointmentId', '#status': 'status', '#version': 'version', '#applied': 'appliedEventIds' });
  return new Map(
    rows.map((r) => [String(r.appointmentId), { status: r.status as string | undefined, version: Number(r.version ?? 0), appliedEventIds: new Set([...((r.appliedEventIds as Set<string> | undefined) ?? [])].map(String)) }]),
  );
}

export interface LedgerRows {
  /** The balance item's figure (null while never set). */
  readonly balance: number | null;
  readonly reserved: number;
  /** entryId → amount (absent for absolute sets). */
  readonly entries: ReadonlyMap<string, { readonly kind: string; readonly amount?: number; readonly held?: boolean }>;
}

export async function readLedger(db: DynamoDBDocumentClient, table: string): Promise<LedgerRows> {
  const rows = await scanAll(db, table, '#id, #kind, #amount, #held, #balance, #known, #reserved', {
    '#id': 'entryId',
    '#kind': 'kind',
    '#amount': 'amount',
    '#held': 'held',
    '#balance': 'balance',
    '#known': 'known',
    '#reserved': 'reserved',
  });
  const balanceItem = rows.find((r) => r.entryId === 'balance');
  const entries = new Map(
    rows.filter((r) => r.entryId !== 'balance').map((r) => [String(r.entryId), { kind: String(r.kind), ...(r.amount === undefined ? {} : { amount: Number(r.amount) }), ...(r.held ? { held: true } : {}) }]),
  );
  return { balance: balanceItem?.known ? Number(balanceItem.balance ?? 0) : null, reserved: Number(balanceItem?.reserved ?? 0), entries };
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }));
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
}

/**
 * The bodies in a DLQ, each message read once: received with a short visibility timeout, so that they are
 * visible again moments later for a redrive. `decode` turns a body into what the report keys on.
 */
export async function peekQueue<T>(sqs: SQSClient, queueUrl: string, decode: (body: string) => T | undefined): Promise<T[]> {
  const seen = new Map<string, T | undefined>();
  const expected = await queueDepth(sqs, queueUrl);
  for (let round = 0; round < 200 && seen.size < expected; round++) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 2, MessageAttributeNames: ['All'] }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) await new Promise((r) => setTimeout(r, 250));
    for (const m of messages) {
      if (!m.MessageId || seen.has(m.MessageId)) continue;
      seen.set(m.MessageId, decode(fromQueueBody(m.Body ?? '', m.MessageAttributes?.bodyEncoding?.StringValue).toString('utf8')));
    }
  }
  return [...seen.values()].filter((v): v is T => v !== undefined);
}

/** The event id a webhook body carries, if it is JSON with one. */
export function eventIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
