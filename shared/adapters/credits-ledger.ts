/**
 * The credits ledger (shared/credits/ports.ts) in DynamoDB: one `balance` item plus one item per
 * movement. Each movement is a transaction (entry put, conditional on its deterministic id being new,
 * + balance update), hence applied exactly once.
 *
 * The balance is "unknown" until an operator sets it (`npm run credits -- set N`) or MONCRENEAU tells us
 * (a 402 carries the available credits); while unknown, movements are still recorded but nothing is refused.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { BALANCE_ID, entryIds, type EntryKind, type LedgerEntry, type LedgerState } from '../credits/entries';
import { InsufficientCreditsLocalError } from '../credits/errors';
import type { ConfirmOutcome, DebitOutcome, LedgerAdmin, RefundOutcome, ReleaseOutcome, ReserveOutcome } from '../credits/ports';
import { documentClient } from './aws-clients';
import { recentFromBuckets } from './recent-items';

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** The cancellation reason codes of a cancelled transaction, in item order (undefined for other errors). */
function cancellationCodes(error: unknown): Array<string | undefined> | undefined {
  if (!(error instanceof TransactionCanceledException) && (error as { name?: string })?.name !== 'TransactionCanceledException') return undefined;
  return ((error as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code);
}

/** Every movement touches the one balance item, so concurrent transactions conflict; they are retried. */
const CONFLICT_RETRIES = 8;

export class CreditsLedger implements LedgerAdmin {
  private readonly db: DynamoDBDocumentClient;
  private readonly now: () => Date;

  constructor(
    readonly tableName: string,
    options: { now?: () => Date; db?: DynamoDBDocumentClient } = {},
  ) {
    this.db = options.db ?? documentClient();
    this.now = options.now ?? (() => new Date());
  }

  async state(): Promise<LedgerState> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { entryId: BALANCE_ID }, ConsistentRead: true }));
    const item = out.Item as { balance?: number; known?: boolean; updatedAt?: string } | undefined;
    return { balance: item?.known ? Number(item.balance ?? 0) : null, updatedAt: item?.updatedAt };
  }

  /** The balance, or null while unknown. */
  async balance(): Promise<number | null> {
    return (await this.state()).balance;
  }

  /** Holds one credit for a create command; refuses when the known balance is below 1 (if asked to). */
  async reserveForCommand(commandId: string, options: { refuseWhenEmpty: boolean }): Promise<ReserveOutcome> {
    const failed = await this.transact([
      this.putEntry(entryIds.reserve(commandId), 'reserve', { amount: -1, reason: `command ${commandId}` }),
      this.moveBalance(-1, options.refuseWhenEmpty ? 'attribute_not_exists(known) OR known = :false OR balance >= :one' : undefined),
    ]);
    if (!failed) return 'reserved';
    if (failed[0]) return 'already_reserved';
    throw new InsufficientCreditsLocalError((await this.balance()) ?? 0);
  }

  /**
   * Our create succeeded: record the appointment's debit as covered by the reservation. If its
   * `appointment.created` webhook debited first, give the reservation back instead (never twice).
   */
  async confirmBooking(commandId: string, appointmentId: string): Promise<ConfirmOutcome> {
    const debitId = entryIds.appointmentDebit(appointmentId);
    const reserveId = entryIds.reserve(commandId);
    const failed = await this.transact([
      this.putEntry(debitId, 'appointment-debit', { amount: 0, coveredBy: reserveId, reason: `booked by command ${commandId}` }),
      { ConditionCheck: { TableName: this.tableName, Key: { entryId: reserveId }, ConditionExpression: 'attribute_exists(entryId)' } },
    ]);
    if (!failed) return 'confirmed';
    if (failed[1]) throw new Error(`No reservation for command ${commandId}: reserve before booking`);
    const existing = await this.entry(debitId);
    if (existing?.coveredBy === reserveId) return 'already_confirmed';
    await this.releaseReservation(commandId, `appointment ${appointmentId} was debited by its webhook first`);
    return 'webhook_debited_first';
  }

  /** Returns a reservation (definitive failure, or the webhook debited first). */
  async releaseReservation(commandId: string, reason: string): Promise<ReleaseOutcome> {
    const failed = await this.transact([
      this.putEntry(entryIds.release(commandId), 'release', { amount: 1, reason }),
      { ConditionCheck: { TableName: this.tableName, Key: { entryId: entryIds.reserve(commandId) }, ConditionExpression: 'attribute_exists(entryId)' } },
      this.moveBalance(1),
    ]);
    if (!failed) return 'released';
    return failed[0] ? 'already_released' : 'not_reserved';
  }

  /** An appointment's debit as its webhook reports it; a no-op if we (or an earlier delivery) recorded it. */
  async debitAppointment(appointmentId: string, credits: number, source: string): Promise<DebitOutcome> {
    const failed = await this.transact([
      this.putEntry(entryIds.appointmentDebit(appointmentId), 'appointment-debit', { amount: -credits, reason: source }),
      this.moveBalance(-credits),
    ]);
    return failed ? 'already_debited' : 'debited';
  }

  /** A cancelled appointment's refund, once, whether our command or its webhook reports it first. */
  async refundAppointment(appointmentId: string, credits: number, source: string): Promise<RefundOutcome> {
    const failed = await this.transact([
      this.putEntry(entryIds.appointmentRefund(appointmentId), 'appointment-refund', { amount: credits, reason: source }),
      this.moveBalance(credits),
    ]);
    return failed ? 'already_refunded' : 'refunded';
  }

  /** MONCRENEAU told us the balance (e.g. a 402's `available`): it is the truth. */
  async syncBalance(value: number, reason: string): Promise<void> {
    await this.setAbsolute('sync', value, reason);
  }

  /** An operator sets the balance read in the dashboard. */
  async setBalance(value: number, reason: string): Promise<void> {
    await this.setAbsolute('manual-set', value, reason);
  }

  /** An operator corrects the balance by a delta, with a reason. */
  async adjust(delta: number, reason: string): Promise<void> {
    if (!Number.isInteger(delta) || delta === 0) throw new Error('An adjustment is a non-zero whole number of credits');
    await this.transact([this.putEntry(entryIds.manualAdjust(randomUUID()), 'manual-adjust', { amount: delta, reason }), this.moveBalance(delta)]);
  }

  async entry(entryId: string): Promise<LedgerEntry | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { entryId }, ConsistentRead: true }));
    return out.Item as LedgerEntry | undefined;
  }

  /** Most recent movements first (this month and the previous one). */
  async recent(limit = 20): Promise<LedgerEntry[]> {
    const now = this.now();
    const months = [0, 1].map((offset) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - offset, 1)).toISOString().slice(0, 7));
    return recentFromBuckets<LedgerEntry>(this.db, { tableName: this.tableName, indexName: 'byMonth', bucketAttribute: 'month' }, months, limit);
  }

  private async setAbsolute(kind: 'sync' | 'manual-set', value: number, reason: string): Promise<void> {
    if (!Number.isInteger(value) || value < 0) throw new Error('A balance is a whole number of credits ≥ 0');
    const now = this.now().toISOString();
    await this.transact([
      this.putEntry(kind === 'sync' ? entryIds.sync(randomUUID()) : entryIds.manualSet(randomUUID()), kind, { setTo: value, reason }),
      {
        Update: {
          TableName: this.tableName,
          Key: { entryId: BALANCE_ID },
          UpdateExpression: 'SET balance = :v, known = :true, updatedAt = :now',
          ExpressionAttributeValues: { ':v': value, ':true': true, ':now': now },
        },
      },
    ]);
  }

  private putEntry(entryId: string, kind: EntryKind, fields: Omit<LedgerEntry, 'entryId' | 'kind' | 'createdAt'>): TransactItems[number] {
    const createdAt = this.now().toISOString();
    return {
      Put: {
        TableName: this.tableName,
        Item: { entryId, kind, ...fields, createdAt, month: createdAt.slice(0, 7) },
        ConditionExpression: 'attribute_not_exists(entryId)',
      },
    };
  }

  private moveBalance(delta: number, condition?: string): TransactItems[number] {
    return {
      Update: {
        TableName: this.tableName,
        Key: { entryId: BALANCE_ID },
        UpdateExpression: 'SET balance = if_not_exists(balance, :zero) + :delta, updatedAt = :now',
        ConditionExpression: condition,
        ExpressionAttributeValues: {
          ':zero': 0,
          ':delta': delta,
          ':now': this.now().toISOString(),
          ...(condition ? { ':false': false, ':one': 1 } : {}),
        },
      },
    };
  }

  /** Runs a transaction; undefined on success, else which items failed their condition. */
  private async transact(items: TransactItems): Promise<boolean[] | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        return undefined;
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        const failed = codes.map((c) => c === 'ConditionalCheckFailed');
        if (failed.some(Boolean)) return failed;
        if (!codes.includes('TransactionConflict') || attempt >= CONFLICT_RETRIES) throw error;
        // Jittered backoff, 10–20 ms doubling: the competing transaction is usually done by then.
        await new Promise((resolve) => setTimeout(resolve, (5 + Math.random() * 5) * 2 ** attempt));
      }
    }
  }
}
