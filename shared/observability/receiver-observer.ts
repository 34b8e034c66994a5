/** Logs and metrics for each webhook receipt. Never the body, the signature or the secret. */
import type { Receipt } from '../webhooks/receiver';
import { METRICS } from './metric-names';
import { countWith, logger, metrics, MetricUnit } from './powertools';

export function observeReceipt(receipt: Receipt): void {
  for (const problem of receipt.secretProblems ?? []) {
    logger.error('Webhook signing secret is misconfigured', { problem });
    metrics.addMetric(METRICS.webhookSecretProblem, MetricUnit.Count, 1);
  }
  if (receipt.secretMatched === 'previous_expired') logger.warn('Webhook signed with the previous secret after its window: refused (MONCRENEAU still uses the old secret?)');
  // Which secret verified each delivery: once `previous` is no longer counted, the old secret is unused.
  if (receipt.secretMatched) countWith(METRICS.webhookSecretMatched, { secret: receipt.secretMatched });
  switch (receipt.kind) {
    case 'accepted':
      logger.setCorrelationId(receipt.eventId);
      logger.appendKeys({ eventType: receipt.eventType });
      logger.info('Webhook accepted');
      metrics.addMetric(METRICS.webhooksReceived, MetricUnit.Count, 1);
      return;
    case 'parked':
      logger.setCorrelationId(receipt.eventId);
      logger.appendKeys({ eventType: receipt.eventType });
      logger.error('Webhook refused by the queue for good; parked in the event store (npm run events)', { code: receipt.cause.code, alreadyParked: receipt.duplicate });
      metrics.addMetric(METRICS.webhooksReceived, MetricUnit.Count, 1);
      metrics.addMetric(METRICS.webhooksParked, MetricUnit.Count, 1);
      return;
    case 'rejected':
      logger.warn('Webhook rejected', { reason: receipt.reason });
      countWith(METRICS.webhooksRejected, { reason: receipt.reason });
      return;
    case 'enqueue_failed':
      logger.error('Webhook could not be enqueued; answering 503 so MONCRENEAU retries', { error: receipt.error as Error });
      metrics.addMetric(METRICS.webhooksEnqueueFailed, MetricUnit.Count, 1);
      return;
    case 'secret_unavailable':
      logger.error('Webhook signing secret could not be read; answering 503 so MONCRENEAU retries', { error: receipt.error as Error });
      metrics.addMetric(METRICS.webhookSecretUnavailable, MetricUnit.Count, 1);
      return;
  }
}
