/**
 * Webhook event records in DynamoDB: deduplication by MONCRENEAU `event.id` (never the SQS message
 * id: every redelivery is a new message), the raw event for inspection and replay, and its status.
 *
 * claim() is one conditional write: it succeeds for a new event, a FAILED one, or one whose
 * PROCESSING lease has expired (the worker that held it crashed). A COMPLETED event is a duplicate;
 * a PROCESSING one under a live lease is being handled concurrently and must be retried later.
 */
import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StuckEvents, UnfinishedEvents } from '../monitoring/ports';
import type { BodyEncoding, ClaimInput, ClaimResult, Completion, EventClaims, EventParking, ParkedEvent } from '../webhooks/ports';
import { documentClient } from './aws-clients';
import { recentFromBuckets } from './recent-items';
import { isConditionFailure } from './dynamo-errors';
import type { TransactItem } from './transactions';

/** PARKED: verified and acknowledged, but refused by the queue (see the receiver); an operator replays it. */
export type EventStatus = 'PROCESSING' | 'COMPLETED' | 'FAILED' | 'PARKED';

export interface EventRecord {
  readonly eventId: string;
  readonly eventType: string;
  readonly created: string;
  readonly status: EventStatus;
  readonly receivedAt: string;
  readonly day: string;
  readonly attempts: number;
  readonly duplicates?: number;
  /** What applying it did (the mirror's outcome), or `ignored_unknown_type`. */
  readonly outcome?: Completion['outcome'];
  /** The ledger movement it made, if any. */
  readonly creditsOutcome?: string;
  readonly lastError?: string;
  readonly completedAt?: string;
  /** The body as queued: text, or base64 when `rawEncoding` says so (see shared/webhooks/queue-body.ts). */
  readonly raw: string;
  readonly rawEncoding?: BodyEncoding;
  /** Why the queue refused it (PARKED only), and how many deliveries were parked. */
  readonly parkReason?: string;
  readonly parkedDeliveries?: number;
  readonly expiresAt: number;
}

/** Placeholder → attribute for finish(); DynamoDB rejects unused names, so each call passes only those it uses. */
const FINISH_NAMES: Readonly<Record<string, string>> = {
  '#status': 'status',
  '#owner': 'owner',
  '#lease': 'leaseUntil',
  '#outcome': 'outcome',
  '#credits': 'creditsOutcome',
  '#completedAt': 'completedAt',
  '#lastError': 'lastError',
  '#failedAt': 'failedAt',
};

function namesUsedIn(expression: string, names: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries((expression.match(/#\w+/g) ?? []).map((placeholder) => [placeholder, names[placeholder]]));
}

/** The `status` of a record as a conditional write's refusal returns it (DynamoDB's wire format) or as read. */
export function statusOf(item: Record<string, unknown> | undefined): EventStatus | undefined {
  const status = item?.status as string | { S?: string } | undefined;
  return (typeof status === 'string' ? status : status?.S) as EventStatus | undefined;
}

/** What the recent-events index holds (infra/wiring.ts `byDay` include list): no personal data. */
export type EventSummary = Pick<EventRecord, 'eventId' | 'eventType' | 'created' | 'status' | 'receivedAt' | 'day' | 'attempts' | 'duplicates' | 'outcome' | 'creditsOutcome' | 'lastError' | 'parkReason'>;

export class EventStore implements EventClaims, EventParking, UnfinishedEvents {
  constructor(
    private readonly tableName: string,
    private readonly options: { leaseSeconds: number; retentionDays: number; now?: () => number },
    private readonly db: DynamoDBDocumentClient = documentClient(),
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  async claim(input: ClaimInput): Promise<ClaimResult> {
    const now = this.now();
    const nowIso = new Date(now).toISOString();
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { eventId: input.eventId },
          // Every attribute through a placeholder: several (raw, day, owner, status…) are DynamoDB reserved words.
          UpdateExpression:
            'SET #status = :processing, #lease = :lease, #owner = :owner, #type = :type, #created = :created, ' +
            '#raw = if_not_exists(#raw, :raw), #encoding = if_not_exists(#encoding, :encoding), #receivedAt = if_not_exists(#receivedAt, :now), #day = if_not_exists(#day, :day), #expires = :expires ' +
            'ADD #attempts :one',
          ConditionExpression: 'attribute_not_exists(eventId) OR #status = :failed OR (#status = :processing AND #lease < :nowMs)',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#lease': 'leaseUntil',
            '#owner': 'owner',
            '#type': 'eventType',
            '#created': 'created',
            '#raw': 'raw',
            '#encoding': 'rawEncoding',
            '#receivedAt': 'receivedAt',
            '#day': 'day',
            '#expires': 'expiresAt',
            '#attempts': 'attempts',
          },
          ExpressionAttributeValues: {
            ':processing': 'PROCESSING',
            ':failed': 'FAILED',
            ':lease': now + this.options.leaseSeconds * 1000,
            ':nowMs': now,
            ':owner': input.owner,
            ':type': input.eventType,
            ':created': input.created,
            ':raw': input.raw.body,
            ':encoding': input.raw.encoding,
            ':now': nowIso,
            ':day': nowIso.slice(0, 10),
            ':expires': Math.floor(now / 1000) + this.options.retentionDays * 86_400,
            ':one': 1,
          },
          // The old values, not the new ones: a new event returns nothing (its raw body is what this delivery
          // carries, no need to read it back); a retried one returns its previous attempts.
          ReturnValues: 'UPDATED_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'claimed', attempt: Number(out.Attributes?.attempts ?? 0) + 1 };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The record as it was, returned with the refusal (no second request); read it if the store did not.
      const status = statusOf((error as { Item?: Record<string, unknown> }).Item) ?? (await this.get(input.eventId))?.status;
      if (status === 'COMPLETED') {
        await this.recordDuplicate(input.eventId);
        return { kind: 'duplicate' };
      }
      return { kind: 'in_progress' };
    }
  }

  /**
   * A first delivery's record written COMPLETED at once, as a transaction item, for a caller that commits
   * it together with the event's effects (the webhook processor's one-write path): the record a claim and
   * a completion would leave (attempts 1, the raw body, its day and expiry, the outcome), conditional on
   * the event being unknown — any existing record (completed, processing, failed, parked) cancels the write
   * and is returned with the cancellation (`ALL_OLD`), so that the claim path takes over.
   */
  completedItem(input: Omit<ClaimInput, 'owner'>, completion: Completion): TransactItem {
    const now = this.now();
    const nowIso = new Date(now).toISOString();
    const credits = 'credits' in completion ? completion.credits : undefined;
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          eventId: input.eventId,
          eventType: input.eventType,
          created: input.created,
          status: 'COMPLETED',
          raw: input.raw.body,
          rawEncoding: input.raw.encoding,
          receivedAt: nowIso,
          day: nowIso.slice(0, 10),
          attempts: 1,
          outcome: completion.outcome,
          ...(credits ? { creditsOutcome: credits } : {}),
          completedAt: nowIso,
          expiresAt: Math.floor(now / 1000) + this.options.retentionDays * 86_400,
        },
        ConditionExpression: 'attribute_not_exists(eventId)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  async complete(eventId: string, owner: string, completion: Completion): Promise<boolean> {
    const credits = 'credits' in completion ? completion.credits : undefined;
    // A replayed event may have recorded a ledger movement before: the newest completion is the truth.
    const update = credits
      ? 'SET #status = :completed, #outcome = :outcome, #credits = :credits, #completedAt = :now REMOVE #lease, #lastError'
      : 'SET #status = :completed, #outcome = :outcome, #completedAt = :now REMOVE #lease, #lastError, #credits';
    return this.finish(eventId, owner, update, {
      ':completed': 'COMPLETED',
      ':outcome': completion.outcome,
      ...(credits ? { ':credits': credits } : {}),
      ':now': new Date(this.now()).toISOString(),
    });
  }

  async park(event: ParkedEvent): Promise<'parked' | 'already_known'> {
    const now = this.now();
    const nowIso = new Date(now).toISOString();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { eventId: event.eventId },
          UpdateExpression:
            'SET #status = :parked, #type = :type, #created = :created, #raw = :raw, #encoding = :encoding, #reason = :reason, ' +
            '#receivedAt = if_not_exists(#receivedAt, :now), #day = if_not_exists(#day, :day), #expires = :expires, #attempts = if_not_exists(#attempts, :zero) ' +
            'ADD #parked :one',
          // An event already queued once (processing or done) is not parked over: the queue has it.
          ConditionExpression: 'attribute_not_exists(eventId) OR #status = :parked',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#type': 'eventType',
            '#created': 'created',
            '#raw': 'raw',
            '#encoding': 'rawEncoding',
            '#reason': 'parkReason',
            '#receivedAt': 'receivedAt',
            '#day': 'day',
            '#expires': 'expiresAt',
            '#attempts': 'attempts',
            '#parked': 'parkedDeliveries',
          },
          ExpressionAttributeValues: {
            ':parked': 'PARKED',
            ':type': event.eventType,
            ':created': event.created,
            ':raw': event.body.body,
            ':encoding': event.body.encoding,
            ':reason': event.reason.slice(0, 1000),
            ':now': nowIso,
            ':day': nowIso.slice(0, 10),
            ':expires': Math.floor(now / 1000) + this.options.retentionDays * 86_400,
            ':zero': 0,
            ':one': 1,
          },
        }),
      );
      return 'parked';
    } catch (error) {
      if (isConditionFailure(error)) return 'already_known';
      throw error;
    }
  }

  /** Releases the claim so that the next delivery (SQS retry or DLQ replay) can try again. */
  async fail(eventId: string, owner: string, error: string): Promise<boolean> {
    return this.finish(eventId, owner, 'SET #status = :failed, #lastError = :error, #failedAt = :now REMOVE #lease', {
      ':failed': 'FAILED',
      ':error': error.slice(0, 1000),
      ':now': new Date(this.now()).toISOString(),
    });
  }

  /**
   * Makes a finished event claimable again (status FAILED), so that re-sending its raw body processes it
   * anew — e.g. an event stored as an unknown type before its applier existed. Appliers stay idempotent
   * (the appointments mirror refuses an event id it already applied), so a replay never applies twice.
   * Refused while the event is being processed.
   */
  async reopen(eventId: string, reason: string): Promise<EventRecord> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { eventId },
          UpdateExpression: 'SET #status = :failed, #lastError = :reason, #failedAt = :now',
          ConditionExpression: 'attribute_exists(eventId) AND #status <> :processing',
          ExpressionAttributeNames: { '#status': 'status', '#lastError': 'lastError', '#failedAt': 'failedAt' },
          ExpressionAttributeValues: { ':failed': 'FAILED', ':processing': 'PROCESSING', ':reason': reason.slice(0, 1000), ':now': new Date(this.now()).toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as EventRecord;
    } catch (error) {
      if (isConditionFailure(error)) throw new Error(`Event ${eventId} does not exist or is being processed right now`);
      throw error;
    }
  }

  /**
   * The status of each of `eventIds` the store knows (strongly consistent: a record just reopened for a
   * replay reads FAILED, not COMPLETED); unknown ones are absent — as are, after a few tries, keys the
   * store left unprocessed (callers treat "absent" as "not known yet" and keep their conditional write).
   */
  async statuses(eventIds: readonly string[]): Promise<Map<string, EventStatus>> {
    const found = new Map<string, EventStatus>();
    for (let i = 0; i < eventIds.length; i += 100) {
      let keys: Array<Record<string, unknown>> | undefined = eventIds.slice(i, i + 100).map((eventId) => ({ eventId }));
      for (let attempt = 0; keys && keys.length > 0 && attempt < 3; attempt++) {
        const out: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ProjectionExpression: 'eventId, #status', ExpressionAttributeNames: { '#status': 'status' }, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) found.set(String(item.eventId), item.status as EventStatus);
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  async get(eventId: string): Promise<EventRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { eventId }, ConsistentRead: true }));
    return out.Item as EventRecord | undefined;
  }

  /** Most recent first, from the `byDay` index (today, then earlier days, up to `days`): summaries, never the raw body. */
  async recent(limit = 50, days = 2): Promise<EventSummary[]> {
    const dayList = Array.from({ length: days }, (_, d) => new Date(this.now() - d * 86_400_000).toISOString().slice(0, 10));
    return recentFromBuckets<EventSummary>(this.db, { tableName: this.tableName, indexName: 'byDay', bucketAttribute: 'day' }, dayList, limit);
  }

  /**
   * Unfinished events received before `olderThan`, over the last `days` days of the `byDay` index: one
   * query per day, counting only (the index holds no body). COMPLETED ones are filtered out server-side.
   */
  async countStuck(olderThan: Date, days: number): Promise<StuckEvents> {
    const counts = { processing: 0, failed: 0, parked: 0 };
    const cutoff = olderThan.toISOString();
    for (let d = 0; d < days; d++) {
      const day = new Date(this.now() - d * 86_400_000).toISOString().slice(0, 10);
      let start: Record<string, unknown> | undefined;
      do {
        const out = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'byDay',
            KeyConditionExpression: '#day = :day AND #receivedAt < :cutoff',
            FilterExpression: '#status <> :completed',
            ProjectionExpression: '#status',
            ExpressionAttributeNames: { '#day': 'day', '#receivedAt': 'receivedAt', '#status': 'status' },
            ExpressionAttributeValues: { ':day': day, ':cutoff': cutoff, ':completed': 'COMPLETED' },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) {
          if (item.status === 'PROCESSING') counts.processing += 1;
          else if (item.status === 'FAILED') counts.failed += 1;
          else if (item.status === 'PARKED') counts.parked += 1;
        }
        start = out.LastEvaluatedKey;
      } while (start);
    }
    return counts;
  }

  /** Counts one more delivery of a COMPLETED event. */
  async recordDuplicate(eventId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { eventId },
        UpdateExpression: 'ADD #duplicates :one',
        ExpressionAttributeNames: { '#duplicates': 'duplicates' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  private async finish(eventId: string, owner: string, update: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { eventId },
          UpdateExpression: update,
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: namesUsedIn(`${update} #owner`, FINISH_NAMES),
          ExpressionAttributeValues: { ...values, ':owner': owner },
        }),
      );
      return true;
    } catch (error) {
      // The lease expired and another attempt took over: it will finish the work.
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
