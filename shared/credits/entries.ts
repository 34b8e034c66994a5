/**
 * The ledger's entries. Every movement has a deterministic entry id, so applying the same movement
 * twice (a redelivered webhook, a retried command) is a no-op; the ids also make our own bookings and
 * their webhooks meet on the same entry instead of counting twice. Pure.
 */
export const BALANCE_ID = 'balance';

export type EntryKind = 'reserve' | 'release' | 'appointment-debit' | 'appointment-refund' | 'sync' | 'manual-set' | 'manual-adjust';

export const entryIds = {
  /** One credit held for a create command before MONCRENEAU is called. */
  reserve: (reservationId: string) => `reserve#${reservationId}`,
  /** Returns a reservation: the create failed definitively, or the webhook debited first. */
  release: (reservationId: string) => `release#${reservationId}`,
  /** The debit of an appointment: by its webhook (amount −n) or covered by our reservation (amount 0). */
  appointmentDebit: (appointmentId: string) => `appt-debit#${appointmentId}`,
  /** The refund of a cancelled appointment, by our command or its webhook, whichever comes first. */
  appointmentRefund: (appointmentId: string) => `appt-refund#${appointmentId}`,
  /** Absolute sets and operator adjustments are unique events, not idempotent movements. */
  sync: (unique: string) => `sync#${unique}`,
  manualSet: (unique: string) => `manual-set#${unique}`,
  manualAdjust: (unique: string) => `manual#${unique}`,
} as const;

export interface LedgerEntry {
  readonly entryId: string;
  readonly kind: EntryKind;
  /** Change to the balance (0 for a debit covered by a reservation; absent for absolute sets). */
  readonly amount?: number;
  /** For `sync` / `manual-set`: the balance it set. */
  readonly setTo?: number;
  readonly reason: string;
  readonly createdAt: string;
  readonly coveredBy?: string;
}

export interface LedgerState {
  /** null while the balance has never been set: nothing is refused then. */
  readonly balance: number | null;
  readonly updatedAt?: string;
}
