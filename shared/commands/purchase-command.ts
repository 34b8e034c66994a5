/**
 * A credit purchase as a command request, built the same way by the API (POST /credits/purchases), the
 * operator command (npm run credits -- purchase) and the automatic recharge. The payer phone is masked in
 * the stored payload and travels in clear only in the queue message; the fingerprint hashes it.
 */
import { PAYMENT_CONTRACT } from '../moncreneau/payment-contract';
import { isPhone, maskPhone } from '../payments/types';
import type { AcceptRequest } from './accept';
import { requestFingerprint } from './fingerprint';
import type { FieldProblem, Validated } from './validation';

export interface PurchaseInput {
  readonly credits: number;
  readonly phone?: string;
  readonly reason?: string;
}

export const MAX_REASON_LENGTH = 200;

export function purchaseRequest(input: PurchaseInput & { readonly origin: 'api' | 'cli' | 'auto' }, idempotencyKey?: string): AcceptRequest {
  const reason = input.reason?.trim() || `purchase through the ${input.origin}`;
  return {
    payload: () => ({ type: 'purchase', credits: input.credits, origin: input.origin, reason, ...(input.phone ? { phoneMasked: maskPhone(input.phone) } : {}) }),
    fingerprint: requestFingerprint({ type: 'purchase', body: { credits: input.credits, phone: input.phone ?? null, reason } }),
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    ...(input.phone ? { message: { phone: input.phone } } : {}),
  };
}

/** POST /credits/purchases body: `credits` 1–10000, optional `phone` (+ and 8–15 digits), optional `reason`. */
export function validatePurchase(body: unknown): Validated<PurchaseInput> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, problems: [{ field: '(body)', problem: 'must be a JSON object' }] };
  const b = body as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const credits = b.credits;
  if (credits === undefined || credits === null) problems.push({ field: 'credits', problem: 'is required' });
  else if (typeof credits !== 'number' || !Number.isSafeInteger(credits) || credits < 1 || credits > PAYMENT_CONTRACT.maxCredits) {
    problems.push({ field: 'credits', problem: `must be a whole number from 1 to ${PAYMENT_CONTRACT.maxCredits}` });
  }
  // The value is never echoed back: it is personal data.
  if (b.phone != null && !isPhone(b.phone)) problems.push({ field: 'phone', problem: 'must be + followed by 8 to 15 digits (e.g. +224…)' });
  if (b.reason != null && (typeof b.reason !== 'string' || b.reason.length > MAX_REASON_LENGTH)) problems.push({ field: 'reason', problem: `must be a string of at most ${MAX_REASON_LENGTH} characters` });
  for (const field of Object.keys(b)) if (!['credits', 'phone', 'reason'].includes(field)) problems.push({ field, problem: 'is not a known field' });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { credits: credits as number, ...(b.phone != null ? { phone: b.phone as string } : {}), ...(b.reason != null ? { reason: b.reason as string } : {}) } };
}
