/** Credits rules, pure: how many credits an event moved, and when a balance is low. */

/** Credits an event says it moved; the docs show 1, the development environment may show 0. */
export function creditsMoved(value: unknown, fallback = 1): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** Credits an `appointment.created` debits: `creditsUsed`, or `creditsConsumed` as some payloads name it. */
export function creditsDebited(object: Readonly<Record<string, unknown>>): number {
  return creditsMoved(object.creditsUsed ?? object.creditsConsumed);
}

/** Credits an `appointment.cancelled` refunds. */
export function creditsRefunded(object: Readonly<Record<string, unknown>>): number {
  return creditsMoved(object.creditsRefunded);
}

/** Where the amount of a cancellation's refund came from (shown on the cancel command's result). */
export type RefundSource = 'creditsRefunded' | 'creditsConsumed' | 'creditsUsed' | 'default';

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * Credits our cancellation gave back, from the appointment read after the DELETE (which answers 204 with no
 * body): `creditsRefunded` when MONCRENEAU reports it, else what the booking consumed (`creditsConsumed`, SDK
 * type; `creditsUsed`, event name) — a cancellation refunds the booking's cost (docs §3.7, §6) — else 1.
 */
export function refundOnCancel(appointment: unknown): { readonly credits: number; readonly from: RefundSource } {
  const object = typeof appointment === 'object' && appointment !== null ? (appointment as Readonly<Record<string, unknown>>) : {};
  for (const field of ['creditsRefunded', 'creditsConsumed', 'creditsUsed'] as const) {
    const value = object[field];
    if (isCount(value)) return { credits: value, from: field };
  }
  return { credits: 1, from: 'default' };
}

export function isLow(balance: number, threshold: number): boolean {
  return balance < threshold;
}
