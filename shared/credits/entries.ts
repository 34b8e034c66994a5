/**
 * The ledger's entries. Every movement has a deterministic entry id, so applying the same movement
 * twice (a redelivered webhook, a retried command) is a no-op; the ids also make our own bookings and
 * their webhooks meet on the same entry instead of counting twice. Pure.
 */
export const BALANCE_ID = 'balance';

export type EntryKind = 'reserve' | 'release' | 'appointment-debit' | 'appointment-refund' | 'payment-credit' | 'sync' | 'manual-set' | 'manual-adjust';

export const entryIds = {
  /** One credit held for a create command before MONCRENEAU is called. */
  reserve: (reservationId: string) => `reserve#${reservationId}`,
  /** Returns a reservation: the create failed definitively, or the webhook debited first. */
  release: (reservationId: string) => `release#${reservationId}`,
  /** The debit of an appointment: by its webhook (amount −n) or covered by our reservation (amount 0). */
  appointmentDebit: (appointmentId: string) => `appt-debit#${appointmentId}`,
  /** The refund of a cancelled appointment, by our command or its webhook, whichever comes first. */
  appointmentRefund: (appointmentId: string) => `appt-refund#${appointmentId}`,
  /** The credits a SUCCESSFUL purchase added, once, whichever report (webhook, poll, replay) came first. */
  payment: (paymentId: string) => `payment#${paymentId}`,
  /**
   * A balance MONCRENEAU reported: `sync#402#<reservationId>` for a 402 on that reservation (a replay of
   * the same answer cannot overwrite later movements), a random one otherwise. Operator sets and
   * adjustments are unique events, not idempotent movements.
   */
  sync: (unique: string) => `sync#${unique}`,
  manualSet: (unique: string) => `manual-set#${unique}`,
  manualAdjust: (unique: string) => `manual#${unique}`,
} as const;

export interface LedgerEntry {
  readonly entryId: string;
  readonly kind: EntryKind;
  /** Change to the balance (0 for a debit covered by a reservation; absent for absolute sets). */
  readonly amount?: number;
  /** For `sync` / `manual-set`: the balance it set (= `available` − `reserved`). */
  readonly setTo?: number;
  /** For `sync` / `manual-set`: what MONCRENEAU holds (a 402's `available`, the dashboard figure). */
  readonly available?: number;
  /** For `sync` / `manual-set`: credits reserved by commands in flight at that moment, not yet charged by MONCRENEAU. */
  readonly reserved?: number;
  /** For `reserve`: true while the credit is held (set by the reservation, removed when it is settled). */
  readonly held?: boolean;
  /** For `reserve`: how the reservation was settled, once (by the same transaction that settled it). */
  readonly settledAs?: 'confirmed' | 'released';
  readonly settledAt?: string;
  readonly reason: string;
  readonly createdAt: string;
  readonly coveredBy?: string;
  /** For an appointment debit our command charged itself (−1) because its reservation was no longer held. */
  readonly chargedBy?: string;
}

export interface LedgerState {
  /** null while the balance has never been set: nothing is refused then. */
  readonly balance: number | null;
  /** Credits held by reservations not yet settled (commands in flight); already deducted from `balance`. */
  readonly reserved: number;
  readonly updatedAt?: string;
}

/** What an absolute set did: `setTo` = `available` − `reserved` (the credits in flight stay deducted). */
export interface BalanceSet {
  readonly outcome: 'synced' | 'already_synced';
  readonly available: number;
  readonly reserved: number;
  readonly setTo: number;
}
