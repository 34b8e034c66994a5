/**
 * The credits ledger (shared/credits/ports.ts) in DynamoDB: one `balance` item plus one item per
 * movement. Each movement is a transaction (entry put, conditional on its deterministic id being new,
 * + balance update), hence applied exactly once.
 *
 * The balance is "unknown" until an operator sets it (`npm run credits -- set N`) or MONCRENEAU tells us
 * (a 402 carries the available credits); while unknown, movements are still recorded but nothing is refused.
 *
 * Outstanding reservations: the balance item also counts `reserved`, the credits held by create commands in
 * flight (reserved here, not charged by MONCRENEAU yet). A reservation entry carries `held: true` until the
 * transaction that confirms or releases it removes it (condition `held = true`), decrementing `reserved` in
 * that same transaction — so each reservation is counted out exactly once. An absolute set (a 402's
 * `available`, the operator's dashboard figure) sets `balance = available − reserved`.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { BALANCE_ID, entryIds, type BalanceSet, type EntryKind, type LedgerEntry, type LedgerState } from '../credits/entries';
import { InsufficientCreditsLocalError } from '../credits/errors';
import type { ConfirmOutcome, DebitOutcome, LedgerAdmin, RefundOutcome, ReleaseOutcome, ReserveOutcome, SyncOutcome } from '../credits/ports';
import { documentClient } from './aws-clients';
import { recentFromBuckets } from './recent-items';
import { transactWrite, type TransactItem } from './transactions';

type TransactItems = TransactItem[];

/** Every movement touches the one balance item, so concurrent transactions conflict; they are retried. */
/** An absolute set reads `reserved`, then writes on condition it did not change; re-read this many times at most. */
const SET_ROUNDS = 10;

/** A reservation made before the `reserved` counter existed: neither held nor settled (never counted). */
function isUncounted(reservation: LedgerEntry): boolean {
  return reservation.held === undefined && reservation.settledAs === undefined;
}

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
    const item = out.Item as { balance?: number; known?: boolean; reserved?: number; updatedAt?: string } | undefined;
    return { balance: item?.known ? Number(item.balance ?? 0) : null, reserved: Number(item?.reserved ?? 0), updatedAt: item?.updatedAt };
  }

  /** The balance, or null while unknown. */
  async balance(): Promise<number | null> {
    return (await this.state()).balance;
  }

  /** Holds one credit for a create command (balance −1, reserved +1); refuses when the known balance is below 1 (if asked to). */
  async reserveForCommand(commandId: string, options: { refuseWhenEmpty: boolean }): Promise<ReserveOutcome> {
    const failed = await this.transact([
      this.putEntry(entryIds.reserve(commandId), 'reserve', { amount: -1, held: true, reason: `command ${commandId}` }),
      this.moveBalance(-1, { reserved: 1, condition: options.refuseWhenEmpty ? 'attribute_not_exists(known) OR known = :false OR balance >= :one' : undefined }),
    ]);
    if (!failed) return 'reserved';
    if (failed[0]) return 'already_reserved';
    throw new InsufficientCreditsLocalError((await this.balance()) ?? 0);
  }

  /**
   * Our create succeeded: record the appointment's debit as covered by the reservation and settle it
   * (reserved −1; the balance already moved at the reservation). If its `appointment.created` webhook
   * debited first, give the reservation back instead (never twice). If the reservation is no longer held
   * (released after a definitive failure, then a redelivery booked anyway), the booking is charged now.
   */
  async confirmBooking(commandId: string, appointmentId: string): Promise<ConfirmOutcome> {
    const debitId = entryIds.appointmentDebit(appointmentId);
    const reserveId = entryIds.reserve(commandId);
    const failed = await this.transact([
      this.putEntry(debitId, 'appointment-debit', { amount: 0, coveredBy: reserveId, reason: `booked by command ${commandId}` }),
      this.settle(reserveId, 'confirmed'),
      this.moveBalance(0, { reserved: -1 }),
    ]);
    if (!failed) return 'confirmed';
    if (failed[0]) {
      const existing = await this.entry(debitId);
      if (existing?.coveredBy === reserveId || existing?.chargedBy === reserveId) return 'already_confirmed';
      await this.releaseReservation(commandId, `appointment ${appointmentId} was debited by its webhook first`);
      return 'webhook_debited_first';
    }
    const reservation = await this.entry(reserveId);
    if (!reservation) throw new Error(`No reservation for command ${commandId}: reserve before booking`);
    if (isUncounted(reservation)) {
      // Reserved before the counter existed: covered, settled, `reserved` untouched (it never counted it).
      const legacy = await this.transact([
        this.putEntry(debitId, 'appointment-debit', { amount: 0, coveredBy: reserveId, reason: `booked by command ${commandId}` }),
        this.settle(reserveId, 'confirmed', { uncounted: true }),
      ]);
      return legacy ? this.confirmBooking(commandId, appointmentId) : 'confirmed';
    }
    const charged = await this.transact([
      this.putEntry(debitId, 'appointment-debit', { amount: -1, chargedBy: reserveId, reason: `booked by command ${commandId}; its reservation was already ${reservation.settledAs}` }),
      this.moveBalance(-1),
    ]);
    if (!charged) return 'confirmed_uncovered';
    const existing = await this.entry(debitId);
    return existing?.coveredBy === reserveId || existing?.chargedBy === reserveId ? 'already_confirmed' : 'webhook_debited_first';
  }

  /** Returns a held reservation (definitive failure, or the webhook debited first): balance +1, reserved −1. */
  async releaseReservation(commandId: string, reason: string): Promise<ReleaseOutcome> {
    const reserveId = entryIds.reserve(commandId);
    const failed = await this.transact([
      this.putEntry(entryIds.release(commandId), 'release', { amount: 1, reason }),
      this.settle(reserveId, 'released'),
      this.moveBalance(1, { reserved: -1 }),
    ]);
    if (!failed) return 'released';
    if (failed[0]) return 'already_released';
    const reservation = await this.entry(reserveId);
    if (!reservation || !isUncounted(reservation)) return 'not_reserved';
    const legacy = await this.transact([
      this.putEntry(entryIds.release(commandId), 'release', { amount: 1, reason }),
      this.settle(reserveId, 'released', { uncounted: true }),
      this.moveBalance(1),
    ]);
    if (!legacy) return 'released';
    return legacy[0] ? 'already_released' : 'not_reserved';
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

  /**
   * An appointment's debit or refund as transaction items, for a caller that commits it together with other
   * writes (the webhook processor's one-write path): the entry, conditional on its deterministic id being new.
   * The balance moves by balanceMoveItem in the same transaction (once for several movements).
   */
  appointmentEntryItem(kind: 'debit' | 'refund', appointmentId: string, credits: number, source: string): TransactItem {
    return kind === 'debit'
      ? this.putEntry(entryIds.appointmentDebit(appointmentId), 'appointment-debit', { amount: -credits, reason: source })
      : this.putEntry(entryIds.appointmentRefund(appointmentId), 'appointment-refund', { amount: credits, reason: source });
  }

  /**
   * A SUCCESSFUL purchase's credit as a transaction item (entry `payment#<paymentId>`, conditional on being
   * new), for the payments store, which commits it with the payment's transition and balanceMoveItem.
   */
  paymentCreditItem(paymentId: string, credits: number, reason: string): TransactItem {
    return this.putEntry(entryIds.payment(paymentId), 'payment-credit', { amount: credits, reason });
  }

  /** The balance item's update by `delta`, as a transaction item (see appointmentEntryItem). */
  balanceMoveItem(delta: number): TransactItem {
    return this.moveBalance(delta);
  }

  /** MONCRENEAU told us what it holds (a 402's `available`): balance = available − reserved; once per `syncKey`. */
  async syncBalance(available: number, reason: string, syncKey?: string): Promise<SyncOutcome> {
    return (await this.setAbsolute('sync', available, reason, syncKey)).outcome;
  }

  /** An operator sets the balance read in the dashboard (what MONCRENEAU holds): balance = available − reserved. */
  async setBalance(available: number, reason: string): Promise<BalanceSet> {
    return this.setAbsolute('manual-set', available, reason);
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

  /**
   * One transaction: the entry (with `available`, `reserved`, `setTo`) and the balance, on condition that
   * `reserved` is still the value read — a reservation settled or made meanwhile makes it re-read.
   */
  private async setAbsolute(kind: 'sync' | 'manual-set', available: number, reason: string, syncKey?: string): Promise<BalanceSet> {
    if (!Number.isInteger(available) || available < 0) throw new Error('A balance is a whole number of credits ≥ 0');
    const entryId = kind === 'manual-set' ? entryIds.manualSet(randomUUID()) : entryIds.sync(syncKey ?? randomUUID());
    for (let round = 1; ; round++) {
      const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { entryId: BALANCE_ID }, ConsistentRead: true }));
      const read = (out.Item as { reserved?: number } | undefined)?.reserved;
      // Never negative by construction; clamped anyway so that a bad counter can only make us cautious.
      const reserved = Math.max(0, Number(read ?? 0));
      const setTo = available - reserved;
      const failed = await this.transact([
        this.putEntry(entryId, kind, { setTo, available, reserved, reason }),
        {
          Update: {
            TableName: this.tableName,
            Key: { entryId: BALANCE_ID },
            UpdateExpression: 'SET balance = :v, known = :true, updatedAt = :now',
            ConditionExpression: read === undefined ? 'attribute_not_exists(reserved)' : 'reserved = :read',
            ExpressionAttributeValues: { ':v': setTo, ':true': true, ':now': this.now().toISOString(), ...(read === undefined ? {} : { ':read': read }) },
          },
        },
      ]);
      if (!failed) return { outcome: 'synced', available, reserved, setTo };
      if (failed[0]) {
        const first = await this.entry(entryId);
        return { outcome: 'already_synced', available: first?.available ?? available, reserved: first?.reserved ?? 0, setTo: first?.setTo ?? setTo };
      }
      if (round >= SET_ROUNDS) throw new Error(`The reserved credits kept changing: the balance was not set after ${round} attempts`);
    }
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

  /** The balance item: balance += delta, and reserved += options.reserved when given. */
  private moveBalance(delta: number, options: { reserved?: number; condition?: string } = {}): TransactItems[number] {
    const { reserved, condition } = options;
    return {
      Update: {
        TableName: this.tableName,
        Key: { entryId: BALANCE_ID },
        UpdateExpression: `SET balance = if_not_exists(balance, :zero) + :delta, updatedAt = :now${reserved ? ', reserved = if_not_exists(reserved, :zero) + :reserved' : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeValues: {
          ':zero': 0,
          ':delta': delta,
          ':now': this.now().toISOString(),
          ...(reserved ? { ':reserved': reserved } : {}),
          ...(condition ? { ':false': false, ':one': 1 } : {}),
        },
      },
    };
  }

  /**
   * Settles a reservation entry once: only while it is held (or, `uncounted`, for one made before the
   * counter existed and not settled yet). Fails its condition otherwise, cancelling the whole movement.
   */
  private settle(reserveId: string, as: 'confirmed' | 'released', options: { uncounted?: boolean } = {}): TransactItems[number] {
    return {
      Update: {
        TableName: this.tableName,
        Key: { entryId: reserveId },
        UpdateExpression: 'SET settledAs = :as, settledAt = :now REMOVE held',
        ConditionExpression: options.uncounted
          ? 'attribute_exists(entryId) AND attribute_not_exists(held) AND attribute_not_exists(settledAs)'
          : 'held = :true',
        ExpressionAttributeValues: { ':as': as, ':now': this.now().toISOString(), ...(options.uncounted ? {} : { ':true': true }) },
      },
    };
  }

  private transact(items: TransactItems): Promise<boolean[] | undefined> {
    return transactWrite(this.db, items);
  }
}
