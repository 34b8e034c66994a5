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

export function isLow(balance: number, threshold: number): boolean {
  return balance < threshold;
}
