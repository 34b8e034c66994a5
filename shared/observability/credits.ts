/** The credits balance as a metric, and the low-credit signal the alarm and on-call rely on. */
import { isLow } from '../domain/credits';
import { METRICS } from './metric-names';
import { logger, metrics, MetricUnit } from './powertools';

export function reportCreditsBalance(balance: number, threshold: number): void {
  metrics.addMetric(METRICS.creditsRemaining, MetricUnit.Count, balance);
  if (isLow(balance, threshold)) {
    logger.warn('Credits below threshold', { balance, threshold });
    metrics.addMetric(METRICS.creditsLow, MetricUnit.Count, 1);
  }
}
