/** A secret that cannot be read or parsed: one log line (with its kind) and one metric `SecretProblems` (the alarm sums it). */
import type { SecretProblem } from '../webhooks/ports';
import { METRICS } from './metric-names';
import { logger, metrics, MetricUnit } from './powertools';

export function observeSecretProblem(problem: SecretProblem): void {
  const keys = { secret: problem.secret, kind: problem.kind, servingLastGoodForMs: problem.servingLastGoodForMs, errorName: (problem.error as Error)?.name };
  if (problem.servingLastGoodForMs) logger.warn('Secret could not be read; serving the last good value meanwhile', keys);
  else logger.error('Secret could not be read or parsed', keys);
  metrics.addMetric(METRICS.secretProblems, MetricUnit.Count, 1);
}
