/** Logs and metrics of one payments-sweeper run: each deadline outcome, the automatic recharge and its stop gauge. */
import type { SweepReport } from '../payments/sweep';
import { METRICS } from './metric-names';
import { observePayment } from './payments-observer';
import { logger, metrics, MetricUnit } from './powertools';

export function observeSweep(report: SweepReport): void {
  if ('error' in report.deadline) logger.error('Payment deadline sweep failed; the next run retries', { error: report.deadline.error as Error });
  else {
    for (const outcome of report.deadline) {
      if (outcome.pollError) logger.warn('Payment poll at the deadline failed; expired anyway (a late SUCCESSFUL is still credited)', { paymentId: outcome.applied.paymentId, pollError: outcome.pollError });
      observePayment(outcome.applied);
    }
  }
  const auto = report.autoRecharge;
  if ('error' in auto) {
    logger.error('Automatic recharge failed; the next run retries', { error: auto.error as Error });
    return;
  }
  if (auto.settled) {
    const { settled } = auto;
    const log = settled.failed ? logger.warn.bind(logger) : logger.info.bind(logger);
    log('Automatic recharge purchase settled', { commandId: settled.commandId, failed: settled.failed, outcome: settled.outcome, consecutiveFailures: settled.consecutiveFailures });
    if (settled.stoppedNow) logger.error('Automatic recharge STOPPED after consecutive failures (docs/runbook.md#autorechargestopped)', { consecutiveFailures: settled.consecutiveFailures, reason: auto.state.stoppedReason });
  }
  if (auto.started) {
    logger.info('Automatic recharge started a purchase', { ...auto.started });
    metrics.addMetric(METRICS.autoRechargeStarted, MetricUnit.Count, 1);
  }
  // A gauge every run: 1 while enabled and stopped, so the alarm stays in ALARM until resumed (or disabled).
  metrics.addMetric(METRICS.autoRechargeStopped, MetricUnit.Count, auto.enabled && auto.stopped ? 1 : 0);
}
