/**
 * Credits ledger rules, pure. Every movement has a deterministic entry id, so applying the same
 * movement twice (a redelivered webhook, a retried command) is a no-op; the ids also make our own
 * bookings and their webhooks meet on the same entry instead of counting twice.
 */
export const BALANCE_ID = 'balance';

export type EntryKind = 'reserve' | 'release' | 'appointment-debit' | 'appointment-refund' | 'sync' | 'manual-set' | 'manual-adjust';

export const entryIds = {
  /** One credit held for a create command before MONCRENEAU is called. */
  reserve: (commandId: string) => `reserve#${commandId}`,
  /** Returns a reservation: the create failed definitively, or the webhook debited first. */
  release: (commandId: string) => `release#${commandId}`,
  /** The debit of an appointment: by its webhook (amount −n) or covered by our reservation (amount 0). */
  appointmentDebit: (appointmentId: string) => `appt-debit#${appointmentId}`,
  /** The refund of a cancelled appointment, by our command or its webhook, whichever comes first. */
  appointmentRefund: (appointmentId: string) => `appt-refund#${appointmentId}`,
} as const;

/** Credits an event says it moved; the docs show 1, the development environment may show 0. */
export function creditsMoved(value: unknown, fallback = 1): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

export function isLow(balance: number, threshold: number): boolean {
  return balance < threshold;
}
