/**
 * One purchase command, executed by the outbound worker under the global rate limit: POST the purchase once,
 * record the PENDING payment (its deadline starts), and say what happened. MONCRENEAU documents no
 * idempotency for a purchase, so the POST is never sent twice: the attempt is marked SENDING before it goes
 * out, and an execution that finds it SENDING (an earlier one crashed or timed out after sending) does not
 * send again — it fails with PURCHASE_OUTCOME_UNKNOWN, and the payment, if MONCRENEAU made one, still
 * reaches the ledger through its webhooks (recorded with origin `unknown`).
 */
import { MoncreneauError, UnexpectedResponseError } from '../moncreneau/client/errors';
import type { CallOptions } from '../moncreneau/client/types';
import { readPayment, type PaymentReport } from '../moncreneau/payment-contract';
import { applyPaymentReport, type ApplyDeps, type PaymentApplied } from './apply';
import type { PurchaseAttempts, PurchasePort } from './ports';
import type { PaymentOrigin } from './types';

export interface PurchaseDeps extends ApplyDeps {
  readonly client: Pick<PurchasePort, 'purchase'>;
  readonly attempts: PurchaseAttempts;
}

export interface PurchaseOrder {
  readonly commandId: string;
  readonly credits: number;
  readonly origin: PaymentOrigin;
  readonly reason: string;
  readonly phoneMasked?: string;
}

export type PurchaseRun =
  /** `again`: an earlier execution had already started it (a redelivery): nothing was sent this time. */
  | { readonly kind: 'started'; readonly report: PaymentReport; readonly applied: PaymentApplied; readonly again: boolean }
  /** MONCRENEAU answered no, or the request was never sent: classify `error` like any failed call. */
  | { readonly kind: 'not_started'; readonly error: unknown }
  | { readonly kind: 'outcome_unknown'; readonly message: string; readonly cause?: unknown }
  /** The command asked for a payer phone that this message no longer carries (a DLQ replay): never guessed. */
  | { readonly kind: 'phone_unavailable' };

export async function executePurchase(deps: PurchaseDeps, order: PurchaseOrder, phone: string | undefined, call: CallOptions): Promise<PurchaseRun> {
  const attempt = await deps.attempts.begin(order.commandId);
  if (attempt.kind === 'done') return { kind: 'started', report: attempt.report, applied: await record(deps, order, attempt.report), again: true };
  if (attempt.kind === 'sending') {
    return {
      kind: 'outcome_unknown',
      message: `An earlier execution sent this purchase at ${attempt.since} without recording the answer; it is not sent again (it could be paid twice). If MONCRENEAU started a payment, its webhooks record it (npm run credits); otherwise purchase again.`,
    };
  }
  if (order.phoneMasked && !phone) {
    await deps.attempts.notSent(order.commandId);
    return { kind: 'phone_unavailable' };
  }
  let answer: unknown;
  try {
    answer = await deps.client.purchase({ credits: order.credits, ...(phone ? { phone } : {}) }, call);
  } catch (error) {
    if (error instanceof UnexpectedResponseError || (error instanceof MoncreneauError && error.outcomeUnknown)) {
      return { kind: 'outcome_unknown', message: `POST purchase outcome unknown after ${error.code}: not sent again (it could be paid twice). If MONCRENEAU started a payment, its webhooks record it.`, cause: error };
    }
    await deps.attempts.notSent(order.commandId);
    return { kind: 'not_started', error };
  }
  const read = readPayment(answer);
  if (!read.ok) return { kind: 'outcome_unknown', message: `MONCRENEAU accepted the purchase but its answer is unreadable (${read.problem}); its webhooks will record the payment` };
  await deps.attempts.done(order.commandId, read.report);
  return { kind: 'started', report: read.report, applied: await record(deps, order, read.report), again: false };
}

/** The payment as the POST answered it (normally PENDING), with who started it and why; idempotent. */
function record(deps: PurchaseDeps, order: PurchaseOrder, report: PaymentReport): Promise<PaymentApplied> {
  return applyPaymentReport(deps, {
    paymentId: report.paymentId,
    status: report.status,
    report,
    source: 'purchase',
    ref: `command ${order.commandId}`,
    meta: { origin: order.origin, commandId: order.commandId, reason: order.reason, ...(order.phoneMasked ? { phoneMasked: order.phoneMasked } : {}) },
  });
}
