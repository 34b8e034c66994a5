/**
 * The payment events (names and fields: shared/moncreneau/payment-contract.ts) as webhook appliers: each
 * drives the payment's state through applyPaymentReport, behind the pipeline's signature check and event-id
 * dedupe. Exactly once even past the dedupe (a replay, the same news under another event id): transitions
 * are conditional and the credit's ledger entry id is the payment's.
 */
import { PAYMENT_EVENT_TYPES, readPayment } from '../moncreneau/payment-contract';
import type { EventApplier } from '../webhooks/processor';
import { applyPaymentReport, type ApplyDeps } from './apply';

export function paymentAppliers(deps: ApplyDeps): Record<string, EventApplier> {
  const appliers: Record<string, EventApplier> = {};
  for (const type of PAYMENT_EVENT_TYPES) {
    appliers[type] = async (event) => {
      const read = readPayment(event.data.object, event.type);
      // Retrying cannot fix it, but failing keeps the event visible (npm run events, the DLQ) for an operator.
      if (!read.ok) throw new Error(`${event.type} ${event.id}: ${read.problem}`);
      const payment = await applyPaymentReport(deps, { paymentId: read.report.paymentId, status: read.report.status, report: read.report, source: 'webhook', ref: event.id });
      const credits = payment.credit === 'credited' || payment.credit === 'already_credited' ? payment.credit : undefined;
      return { outcome: `payment_${payment.result}`, ...(credits ? { credits } : {}), payment };
    };
  }
  return appliers;
}
