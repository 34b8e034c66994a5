/** The credits balance as a metric, and the low-credit signal (`CreditsLow`) below the threshold. */
import type { BalanceReport } from '../credits/balance-report';
import { METRICS } from './metric-names';
import { logger, metrics, MetricUnit } from './powertools';

export function observeBalance(report: BalanceReport): void {
  metrics.addMetric(METRICS.creditsRemaining, MetricUnit.Count, report.balance);
  if (report.low) {
    logger.warn('Credits below threshold', { balance: report.balance, threshold: report.threshold });
    metrics.addMetric(METRICS.creditsLow, MetricUnit.Count, 1);
  }
}
