/** The health monitor's gauges: the credits balance (CreditsRemaining / CreditsLow) and the stuck webhook events. */
import type { HealthReport } from '../monitoring/health';
import { observeBalance } from './credits-observer';
import { METRICS } from './metric-names';
import { logger, metrics, MetricUnit } from './powertools';

export function observeHealth(report: HealthReport): void {
  if (report.balance) observeBalance(report.balance);
  else logger.warn('Credits balance unknown: set it (npm run credits -- set N --reason …); the low-credit alarm stays in ALARM meanwhile');
  metrics.addMetric(METRICS.stuckWebhookEvents, MetricUnit.Count, report.stuck.total);
  if (report.stuck.total > 0) logger.warn('Webhook events unfinished past the threshold (npm run events)', { ...report.stuck });
}
