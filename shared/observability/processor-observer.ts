/** Logs and metrics for each webhook record the processor handled, or failed to. */
import type { SQSRecord } from 'aws-lambda';
import { EventInProgressError, type RecordOutcome } from '../webhooks/processor';
import { METRICS } from './metric-names';
import { observePayment } from './payments-observer';
import { logger, metrics, MetricUnit } from './powertools';

type RecordKeys = Pick<SQSRecord, 'messageId' | 'attributes' | 'messageAttributes'>;

export function observeRecord(result: RecordOutcome, record: RecordKeys, now: number = Date.now()): void {
  const keys = { eventId: result.eventId, eventType: result.eventType, messageId: record.messageId };
  switch (result.kind) {
    case 'duplicate':
      logger.info('Duplicate event acknowledged', keys);
      metrics.addMetric(METRICS.webhooksDuplicate, MetricUnit.Count, 1);
      return;
    case 'unknown_type':
      logger.warn('Unknown event type recorded and acknowledged', keys);
      metrics.addMetric(METRICS.webhooksUnknownType, MetricUnit.Count, 1);
      return;
    case 'processed': {
      logger.info('Event processed', { ...keys, outcome: result.outcome, ...(result.credits ? { credits: result.credits } : {}) });
      metrics.addMetric(METRICS.webhooksProcessed, MetricUnit.Count, 1);
      if (result.payment) observePayment(result.payment);
      else if (result.outcome !== 'already_applied') metrics.addMetric(METRICS.appointmentEventsApplied, MetricUnit.Count, 1);
      const sent = Number(record.attributes?.SentTimestamp);
      if (Number.isFinite(sent)) metrics.addMetric(METRICS.webhookProcessingLagMs, MetricUnit.Milliseconds, Math.max(0, now - sent));
      return;
    }
  }
}

export function observeRecordFailure(error: unknown, record: RecordKeys): void {
  const ids = { eventId: record.messageAttributes?.eventId?.stringValue, messageId: record.messageId };
  if (error instanceof EventInProgressError) {
    logger.info('Event in progress elsewhere; leaving it for redelivery', ids);
    return;
  }
  logger.error('Event processing failed; SQS will retry, then the DLQ', { ...ids, receiveCount: record.attributes?.ApproximateReceiveCount, error: error as Error });
  metrics.addMetric(METRICS.webhooksFailed, MetricUnit.Count, 1);
}
