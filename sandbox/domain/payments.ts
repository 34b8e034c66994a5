/**
 * The assumed credit purchase (docs/moncreneau-api.md §7): POST a number of credits → a PENDING Orange Money
 * payment → SUCCESSFUL (credits added) or FAILED after a delay, or no answer at all. Transitions are
 * monotonic: only a PENDING payment can settle, and it settles once.
 */
import type { DomainContext } from './context';
import { ApiError, invalidValue } from './errors';
import { paymentView } from './payloads';
import type { ApiKey, Payment, PaymentOutcome } from './types';
import { asBody, integerField, phoneField } from './validate';

export const MAX_CREDITS_PER_PURCHASE = 10_000;

export function startPurchase(
  ctx: DomainContext,
  key: ApiKey,
  rawBody: unknown,
  options: { delayMs: number; token: string },
): Payment {
  const body = asBody(rawBody);
  const status = ctx.assumptions.invalidValueStatus;
  const credits = integerField(body, 'credits', status, true) as number;
  if (credits > MAX_CREDITS_PER_PURCHASE) throw invalidValue(status, 'credits', credits, `must be <= ${MAX_CREDITS_PER_PURCHASE}`);
  const phone = phoneField(body, status);
  const seq = ctx.store.nextId('payment');
  const outcome = ctx.assumptions.paymentOutcome;
  const now = ctx.clock.now();
  const payment: Payment = {
    id: `pay_${seq}${options.token}`,
    organizationId: key.organizationId,
    status: 'PENDING',
    amount: credits * ctx.assumptions.pricePerCredit,
    currency: ctx.assumptions.currency,
    credits,
    provider: 'ORANGE_MONEY',
    reference: `OM-${ctx.clock.isoNow().slice(0, 10).replace(/-/g, '')}-${String(seq).padStart(6, '0')}`,
    phone,
    createdAt: ctx.clock.isoNow(),
    settleAt: outcome === 'NO_ANSWER' ? null : now + options.delayMs,
    plannedOutcome: outcome,
    settledAt: null,
  };
  ctx.store.state.payments.push(payment);
  ctx.store.save();
  ctx.emit('payment.pending', paymentView(payment));
  return payment;
}

export function findPayment(ctx: DomainContext, id: string, organizationId: number): Payment {
  const found = ctx.store.state.payments.find((p) => p.id === id);
  if (!found) throw new ApiError(404, 'PAYMENT_NOT_FOUND', `Payment ${id} not found`, { id });
  if (found.organizationId !== organizationId) {
    throw new ApiError(403, 'ORGANIZATION_MISMATCH', `Payment ${id} belongs to another organization`, { id });
  }
  return found;
}

/** Applies the provider's answer. SUCCESSFUL reloads the credits exactly once. */
export function settlePayment(ctx: DomainContext, payment: Payment, outcome: Exclude<PaymentOutcome, 'NO_ANSWER'>): Payment {
  if (payment.status !== 'PENDING') {
    throw new ApiError(409, 'PAYMENT_ALREADY_SETTLED', `Payment ${payment.id} is already ${payment.status}`, { id: payment.id });
  }
  payment.status = outcome;
  payment.settledAt = ctx.clock.isoNow();
  payment.settleAt = null;
  if (outcome === 'SUCCESSFUL') ctx.store.organization(payment.organizationId).credits += payment.credits;
  ctx.store.save();
  ctx.emit(outcome === 'SUCCESSFUL' ? 'payment.successful' : 'payment.failed', paymentView(payment));
  return payment;
}
