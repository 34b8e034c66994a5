/**
 * The credits ledger as the logic sees it. MONCRENEAU offers no balance endpoint to API keys, so the
 * kit keeps its own; every movement is applied exactly once (see entries.ts). Implemented on DynamoDB
 * by the credits-ledger adapter (CreditsLedger).
 */
import type { BalanceSet, LedgerEntry, LedgerState } from './entries';

export type ReserveOutcome = 'reserved' | 'already_reserved';
/**
 * `confirmed`: the debit is covered by the held reservation; `webhook_debited_first`: the reservation went
 * back; `confirmed_uncovered`: the reservation was no longer held (released after a definitive failure, then
 * the redelivery booked anyway), so the booking is charged now.
 */
export type ConfirmOutcome = 'confirmed' | 'webhook_debited_first' | 'already_confirmed' | 'confirmed_uncovered';
/** `not_reserved`: nothing held — never reserved, or already settled by a confirmed booking. */
export type ReleaseOutcome = 'released' | 'not_reserved' | 'already_released';
export type DebitOutcome = 'debited' | 'already_debited';
export type RefundOutcome = 'refunded' | 'already_refunded';
export type SyncOutcome = BalanceSet['outcome'];
/** A SUCCESSFUL purchase's credits (entry `payment#<paymentId>`, written with the payment's transition). */
export type PurchaseCreditOutcome = 'credited' | 'already_credited';
/** What one movement did to the ledger; the `already_*` / `not_*` ones changed nothing. */
export type MovementOutcome = ReserveOutcome | ConfirmOutcome | ReleaseOutcome | DebitOutcome | RefundOutcome | SyncOutcome | PurchaseCreditOutcome;

/** Movements the logic makes. */
export interface Ledger {
  /** The balance, or null while unknown. */
  balance(): Promise<number | null>;
  /**
   * Holds one credit (balance −1, reserved +1); throws InsufficientCreditsLocalError when asked to refuse and
   * the known balance is below 1. Confirm and release settle it once (reserved −1 in the same transaction).
   */
  reserveForCommand(reservationId: string, options: { refuseWhenEmpty: boolean }): Promise<ReserveOutcome>;
  /** Our create succeeded: the debit is covered by the reservation, or the reservation goes back if the webhook debited first. */
  confirmBooking(reservationId: string, appointmentId: string): Promise<ConfirmOutcome>;
  releaseReservation(reservationId: string, reason: string): Promise<ReleaseOutcome>;
  /** An appointment's debit as its webhook reports it; a no-op if we (or an earlier delivery) recorded it. */
  debitAppointment(appointmentId: string, credits: number, source: string): Promise<DebitOutcome>;
  /** A cancelled appointment's refund, once, whether our command or its webhook reports it first. */
  refundAppointment(appointmentId: string, credits: number, source: string): Promise<RefundOutcome>;
  /**
   * MONCRENEAU told us what it holds (a 402 INSUFFICIENT_CREDITS' `available`): balance = available − reserved,
   * since the credits our commands in flight hold are not charged yet. `syncKey` makes it applied once
   * (`sync#<syncKey>`); without it every call is a new sync.
   */
  syncBalance(available: number, reason: string, syncKey?: string): Promise<SyncOutcome>;
}

/** What operators do on top (npm run credits). */
export interface LedgerAdmin extends Ledger {
  state(): Promise<LedgerState>;
  /** The dashboard's figure (what MONCRENEAU holds): same rule as syncBalance, balance = available − reserved. */
  setBalance(available: number, reason: string): Promise<BalanceSet>;
  adjust(delta: number, reason: string): Promise<void>;
  entry(entryId: string): Promise<LedgerEntry | undefined>;
  recent(limit?: number): Promise<LedgerEntry[]>;
}
