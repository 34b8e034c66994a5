/** The health monitor's gauges: the credits balance (CreditsRemaining / CreditsLow), the stuck webhook events, the secrets' ages. */
import type { HealthReport } from '../monitoring/health';
import { observeBalance } from './credits-observer';
import { METRICS } from './metric-names';
import { countWith, logger, metrics, MetricUnit } from './powertools';

export function observeHealth(report: HealthReport): void {
  if (report.balance) observeBalance(report.balance);
  else logger.warn('Credits balance unknown: set it (npm run credits -- set N --reason …); the low-credit alarm stays in ALARM meanwhile');
  metrics.addMetric(METRICS.stuckWebhookEvents, MetricUnit.Count, report.stuck.total);
  if (report.stuck.total > 0) logger.warn('Webhook events unfinished past the threshold (npm run events)', { ...report.stuck });
  for (const { secret, ageDays } of report.secretAges) countWith(METRICS.secretAgeDays, { secret }, ageDays, MetricUnit.Count);
  if (report.secretAgesError) logger.error('Secret ages could not be read; SecretAgeDays not published this time', { error: report.secretAgesError as Error });
}
