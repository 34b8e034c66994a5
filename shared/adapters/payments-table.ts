/**
 * Credit purchases in DynamoDB (table `payments`, key `pk`):
 *   `pay#<paymentId>`      the payment (shared/payments/types.ts); while PENDING it carries `openStatus`, which
 *                          puts it in the sparse `due` index (sorted by `deadlineAt`) that the deadline sweep reads
 *   `attempt#<commandId>`  our POST of a purchase command: SENDING → DONE (with the answer) | NOT_SENT
 *   `auto-recharge`        the automatic recharge's state (at most one purchase in flight)
 * Every status change is one conditional write on the status it was decided from; a SUCCESSFUL one puts the
 * ledger entry `payment#<paymentId>` and moves the balance in the same transaction (exactly once).
 * No phone number is stored in clear (only `phoneMasked`).
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PaymentReport } from '../moncreneau/payment-contract';
import type { AttemptState, AutoRechargeState, AutoRechargeStore, CreditWrite, PaymentStore, PurchaseAttempts } from '../payments/ports';
import type { PaymentMeta, PaymentRecord, PaymentStatus, PaymentTransition } from '../payments/types';
import { documentClient } from './aws-clients';
import type { CreditsLedger } from './credits-ledger';
import { isConditionFailure } from './dynamo-errors';
import { recentFromBuckets } from './recent-items';
import { transactWrite, type TransactItem } from './transactions';

const PAY = 'pay#';
const ATTEMPT = 'attempt#';
const AUTO = 'auto-recharge';
const OPEN = 'PENDING';

export const DUE_INDEX = 'due';
export const PAYMENTS_BY_MONTH_INDEX = 'byMonth';

type Ledger = Pick<CreditsLedger, 'paymentCreditItem' | 'balanceMoveItem'>;

export class PaymentsTable implements PaymentStore, PurchaseAttempts, AutoRechargeStore {
  private readonly db: DynamoDBDocumentClient;
  private readonly now: () => Date;

  constructor(
    private readonly tableName: string,
    private readonly ledger: Ledger,
    options: { db?: DynamoDBDocumentClient; now?: () => Date } = {},
  ) {
    this.db = options.db ?? documentClient();
    this.now = options.now ?? (() => new Date());
  }

  // ---- payments ----

  async get(paymentId: string): Promise<PaymentRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: PAY + paymentId }, ConsistentRead: true }));
    return out.Item ? toRecord(out.Item) : undefined;
  }

  async create(record: PaymentRecord, credit: boolean): Promise<{ kind: 'created'; credit: CreditWrite } | { kind: 'exists' }> {
    const put: TransactItem = {
      Put: {
        TableName: this.tableName,
        Item: {
          pk: PAY + record.paymentId,
          ...record,
          ...(credit ? { creditedAt: record.createdAt } : {}),
          month: record.createdAt.slice(0, 7),
          ...(record.status === OPEN ? { openStatus: OPEN } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    if (!credit) {
      try {
        await this.db.send(new PutCommand(put.Put!));
        return { kind: 'created', credit: 'not_credited' };
      } catch (error) {
        if (isConditionFailure(error)) return { kind: 'exists' };
        throw error;
      }
    }
    const failed = await this.transact([put, ...this.creditItems(record.paymentId, record.credits)]);
    if (!failed) return { kind: 'created', credit: 'credited' };
    if (failed[0]) return { kind: 'exists' };
    // The entry existed (credited before this record was made, e.g. by an operator's replay): never twice.
    const { creditedAt: _c, ...withoutCredit } = put.Put!.Item as Record<string, unknown>;
    return (await this.transact([{ Put: { ...put.Put!, Item: withoutCredit } }])) ? { kind: 'exists' } : { kind: 'created', credit: 'already_credited' };
  }

  async transition(
    paymentId: string,
    change: { from: PaymentStatus; to: PaymentStatus; transition: PaymentTransition; credit?: number; reconcile?: string },
  ): Promise<{ kind: 'done'; credit: CreditWrite } | { kind: 'conflict' }> {
    const update = (credit: boolean): TransactItem => {
      const at = change.transition.at;
      return {
        Update: {
          TableName: this.tableName,
          Key: { pk: PAY + paymentId },
          UpdateExpression:
            `SET #status = :to, updatedAt = :at, transitions = list_append(if_not_exists(transitions, :empty), :t)` +
            `${credit ? ', creditedAt = :at' : ''}${change.reconcile ? ', reconcile = :r' : ''} REMOVE openStatus`,
          ConditionExpression: 'attribute_exists(pk) AND #status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':to': change.to, ':from': change.from, ':at': at, ':t': [change.transition], ':empty': [], ...(change.reconcile ? { ':r': change.reconcile } : {}) },
        },
      };
    };
    if (change.credit === undefined) {
      return (await this.transact([update(false)])) ? { kind: 'conflict' } : { kind: 'done', credit: 'not_credited' };
    }
    const failed = await this.transact([update(true), ...this.creditItems(paymentId, change.credit)]);
    if (!failed) return { kind: 'done', credit: 'credited' };
    if (failed[0]) return { kind: 'conflict' };
    return (await this.transact([update(false)])) ? { kind: 'conflict' } : { kind: 'done', credit: 'already_credited' };
  }

  async flag(paymentId: string, reconcile: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: PAY + paymentId },
        UpdateExpression: 'SET reconcile = :r, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':r': reconcile, ':at': this.now().toISOString() },
      }),
    );
  }

  async annotate(paymentId: string, meta: PaymentMeta): Promise<void> {
    const fields: Record<string, string> = { origin: meta.origin, ...(meta.commandId ? { commandId: meta.commandId } : {}), ...(meta.reason ? { reason: meta.reason.slice(0, 200) } : {}), ...(meta.phoneMasked ? { phoneMasked: meta.phoneMasked } : {}) };
    const names = Object.keys(fields);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: PAY + paymentId },
          // `origin` is overwritten only while unknown; the others only where missing.
          UpdateExpression: `SET ${names.map((n, i) => `#f${i} = ${n === 'origin' ? `:v${i}` : `if_not_exists(#f${i}, :v${i})`}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND origin = :unknown',
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
          ExpressionAttributeValues: { ...Object.fromEntries(names.map((n, i) => [`:v${i}`, fields[n]])), ':unknown': 'unknown' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async due(now: Date, limit: number): Promise<PaymentRecord[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: DUE_INDEX,
        KeyConditionExpression: 'openStatus = :open AND deadlineAt <= :now',
        ExpressionAttributeValues: { ':open': OPEN, ':now': now.toISOString() },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(toRecord);
  }

  /** Most recent payments first (this month and the previous one). */
  async recent(limit = 10): Promise<PaymentRecord[]> {
    const now = this.now();
    const months = [0, 1].map((offset) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - offset, 1)).toISOString().slice(0, 7));
    return (await recentFromBuckets<Record<string, unknown>>(this.db, { tableName: this.tableName, indexName: PAYMENTS_BY_MONTH_INDEX, bucketAttribute: 'month' }, months, limit)).map(toRecord);
  }

  // ---- purchase attempts ----

  async begin(commandId: string): Promise<AttemptState> {
    const at = this.now().toISOString();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: ATTEMPT + commandId, state: 'SENDING', since: at },
          ConditionExpression: 'attribute_not_exists(pk) OR #state = :notSent',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':notSent': 'NOT_SENT' },
        }),
      );
      return { kind: 'begun' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const state = await this.attempt(commandId);
    if (!state || state.kind === 'begun') return this.begin(commandId); // it changed meanwhile: decide again
    return state;
  }

  async done(commandId: string, report: PaymentReport): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: ATTEMPT + commandId, state: 'DONE', report, since: this.now().toISOString() } }));
  }

  async notSent(commandId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: ATTEMPT + commandId },
        UpdateExpression: 'SET #state = :notSent',
        ConditionExpression: '#state = :sending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':notSent': 'NOT_SENT', ':sending': 'SENDING' },
      }),
    ).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  async attempt(commandId: string): Promise<AttemptState | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: ATTEMPT + commandId }, ConsistentRead: true }));
    const item = out.Item as { state?: string; since?: string; report?: PaymentReport } | undefined;
    if (!item) return undefined;
    if (item.state === 'DONE' && item.report) return { kind: 'done', report: item.report };
    if (item.state === 'SENDING') return { kind: 'sending', since: String(item.since) };
    return { kind: 'begun' }; // NOT_SENT: free to send
  }

  // ---- automatic recharge ----

  async read(): Promise<AutoRechargeState> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: AUTO }, ConsistentRead: true }));
    const item = (out.Item ?? {}) as Partial<AutoRechargeState>;
    return {
      consecutiveFailures: Number(item.consecutiveFailures ?? 0),
      ...(item.commandId ? { commandId: item.commandId, startedAt: item.startedAt } : {}),
      ...(item.stoppedAt ? { stoppedAt: item.stoppedAt, stoppedReason: item.stoppedReason } : {}),
      ...(item.lastOutcome ? { lastOutcome: item.lastOutcome } : {}),
    };
  }

  async claim(commandId: string, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: AUTO },
          UpdateExpression: 'SET commandId = :c, startedAt = :at, consecutiveFailures = if_not_exists(consecutiveFailures, :zero)',
          ConditionExpression: 'attribute_not_exists(commandId) AND attribute_not_exists(stoppedAt)',
          ExpressionAttributeValues: { ':c': commandId, ':at': at, ':zero': 0 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async settle(commandId: string, outcome: { failed: boolean; lastOutcome: string; stopAfter: number; at: string }): Promise<AutoRechargeState | undefined> {
    const current = await this.read();
    if (current.commandId !== commandId) return undefined;
    const failures = outcome.failed ? current.consecutiveFailures + 1 : 0;
    const stop = outcome.failed && failures >= outcome.stopAfter;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: AUTO },
          UpdateExpression: `SET consecutiveFailures = :n, lastOutcome = :o, settledAt = :at${stop ? ', stoppedAt = :at, stoppedReason = :why' : ''} REMOVE commandId, startedAt`,
          ConditionExpression: 'commandId = :c AND consecutiveFailures = :before',
          ExpressionAttributeValues: {
            ':n': failures,
            ':o': outcome.lastOutcome.slice(0, 300),
            ':at': outcome.at,
            ':c': commandId,
            ':before': current.consecutiveFailures,
            ...(stop ? { ':why': `${failures} consecutive failed purchases (last: ${outcome.lastOutcome.slice(0, 200)})` } : {}),
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return undefined; // settled by a concurrent sweep
      throw error;
    }
    return this.read();
  }

  async resume(reason: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: AUTO },
        UpdateExpression: 'SET consecutiveFailures = :zero, resumedAt = :at, resumedReason = :r REMOVE stoppedAt, stoppedReason',
        ExpressionAttributeValues: { ':zero': 0, ':at': at, ':r': reason.slice(0, 300) },
      }),
    );
  }

  private creditItems(paymentId: string, credits: number): TransactItem[] {
    return [this.ledger.paymentCreditItem(paymentId, credits, `purchase ${paymentId} SUCCESSFUL`), this.ledger.balanceMoveItem(credits)];
  }

  private transact(items: TransactItem[]): Promise<boolean[] | undefined> {
    return transactWrite(this.db, items);
  }
}

function toRecord(item: Record<string, unknown>): PaymentRecord {
  const { pk: _pk, month: _m, openStatus: _o, ...rest } = item;
  return { transitions: [], ...rest } as unknown as PaymentRecord;
}
