/**
 * Logs and metrics for what happened to a payment (whoever applied it: webhook processor, payments sweeper,
 * outbound worker). Counted on the write that made the transition, so a duplicate report counts nothing.
 * Payment ids, statuses and credits only: no phone number (only its mask is ever stored).
 */
import { paymentSignals, type PaymentApplied } from '../payments/apply';
import { METRICS } from './metric-names';
import { logger, metrics, MetricUnit } from './powertools';

export function observePayment(applied: PaymentApplied): void {
  const keys = {
    paymentId: applied.paymentId,
    reported: applied.reported,
    source: applied.source,
    result: applied.result,
    ...(applied.from !== undefined ? { from: applied.from } : {}),
    ...(applied.to ? { to: applied.to } : {}),
    ...(applied.credits !== undefined ? { credits: applied.credits } : {}),
    ...(applied.credit ? { ledger: applied.credit } : {}),
    ...(applied.origin ? { origin: applied.origin } : {}),
    ...(applied.commandId ? { commandId: applied.commandId } : {}),
  };
  const signals = paymentSignals(applied);
  if (signals.succeeded) metrics.addMetric(METRICS.paymentsSucceeded, MetricUnit.Count, 1);
  if (signals.failed) metrics.addMetric(METRICS.paymentsFailed, MetricUnit.Count, 1);
  if (signals.expired) metrics.addMetric(METRICS.paymentsExpired, MetricUnit.Count, 1);
  if (signals.reconcile) {
    metrics.addMetric(METRICS.paymentsNeedingReconciliation, MetricUnit.Count, 1);
    logger.error('Payment needs reconciliation (docs/runbook.md#paymentsneedingreconciliation)', { ...keys, reconcile: applied.reconcile });
  } else if (signals.failed || signals.expired) {
    logger.error(signals.failed ? 'Payment FAILED: no credits added' : 'Payment EXPIRED: no answer by the deadline, no credits added', keys);
  } else {
    logger.info(signals.succeeded ? 'Payment SUCCESSFUL: credits added' : 'Payment report applied', keys);
  }
}
