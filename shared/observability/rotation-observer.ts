/** Logs and metrics for each rotation step. Never a secret value. */
import type { RotationOutcome } from '../rotation/rotation';
import { METRICS } from './metric-names';
import { countWith, logger } from './powertools';

export function observeRotation(outcome: RotationOutcome): void {
  const keys = { secret: outcome.secret, step: outcome.step };
  if (outcome.kind === 'done') {
    logger.info('Rotation step done', { ...keys, result: outcome.result });
    if (outcome.result === 'promoted') countWith(METRICS.secretRotated, { secret: outcome.secret });
    return;
  }
  logger.error(`Rotation step failed: ${outcome.message}`, { ...keys, reason: outcome.reason });
  const secret = outcome.secret ?? 'unknown';
  if (outcome.reason === 'nothing_staged') countWith(METRICS.rotationNothingStaged, { secret });
  else countWith(METRICS.rotationFailed, { secret });
}
