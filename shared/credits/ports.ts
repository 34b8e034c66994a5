/**
 * The credits ledger as the logic sees it. MONCRENEAU offers no balance endpoint to API keys, so the
 * kit keeps its own; every movement is applied exactly once (see entries.ts). Implemented on DynamoDB
 * by the credits-ledger adapter (CreditsLedger).
 */
import type { LedgerEntry, LedgerState } from './entries';

export type ReserveOutcome = 'reserved' | 'already_reserved';
export type ConfirmOutcome = 'confirmed' | 'webhook_debited_first' | 'already_confirmed';
export type ReleaseOutcome = 'released' | 'not_reserved' | 'already_released';
export type DebitOutcome = 'debited' | 'already_debited';
export type RefundOutcome = 'refunded' | 'already_refunded';
/** What one movement did to the ledger; the `already_*` / `not_*` ones changed nothing. */
export type MovementOutcome = ReserveOutcome | ConfirmOutcome | ReleaseOutcome | DebitOutcome | RefundOutcome;

/** Movements the logic makes. */
export interface Ledger {
  /** The balance, or null while unknown. */
  balance(): Promise<number | null>;
  /** Holds one credit; throws InsufficientCreditsLocalError when asked to refuse and the known balance is below 1. */
  reserveForCommand(reservationId: string, options: { refuseWhenEmpty: boolean }): Promise<ReserveOutcome>;
  /** Our create succeeded: the debit is covered by the reservation, or the reservation goes back if the webhook debited first. */
  confirmBooking(reservationId: string, appointmentId: string): Promise<ConfirmOutcome>;
  releaseReservation(reservationId: string, reason: string): Promise<ReleaseOutcome>;
  /** An appointment's debit as its webhook reports it; a no-op if we (or an earlier delivery) recorded it. */
  debitAppointment(appointmentId: string, credits: number, source: string): Promise<DebitOutcome>;
  /** A cancelled appointment's refund, once, whether our command or its webhook reports it first. */
  refundAppointment(appointmentId: string, credits: number, source: string): Promise<RefundOutcome>;
  /** MONCRENEAU told us the balance (a 402's `available`): it is the truth. */
  syncBalance(value: number, reason: string): Promise<void>;
}

/** What operators do on top (npm run credits). */
export interface LedgerAdmin extends Ledger {
  state(): Promise<LedgerState>;
  setBalance(value: number, reason: string): Promise<void>;
  adjust(delta: number, reason: string): Promise<void>;
  entry(entryId: string): Promise<LedgerEntry | undefined>;
  recent(limit?: number): Promise<LedgerEntry[]>;
}
