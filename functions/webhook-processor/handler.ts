/**
 * webhook-processor λ — SQS webhook-events → dedupe by event id → apply → partial batch response.
 * Failed records are reported individually (ReportBatchItemFailures) so one bad event never makes
 * SQS redeliver the good ones; after maxReceiveCount the queue moves it to the DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { AppointmentsTable } from '../../shared/adapters/appointments-table';
import { CreditsLedger } from '../../shared/adapters/credits-ledger';
import { EventStore } from '../../shared/adapters/event-store';
import { intEnv, requiredEnv } from '../../shared/config/env';
import { reportCreditsBalance } from '../../shared/observability/credits';
import { METRICS } from '../../shared/observability/metric-names';
import { logger, metrics, MetricUnit } from '../../shared/observability/powertools';
import { appointmentAppliers } from '../../shared/webhooks/appliers';
import { EventInProgressError, createRecordProcessor } from '../../shared/webhooks/processor';

const events = new EventStore(requiredEnv('EVENTS_TABLE_NAME'), {
  leaseSeconds: intEnv('PROCESSING_LEASE_SECONDS', 30),
  retentionDays: intEnv('EVENT_RETENTION_DAYS', 30),
});
const lowCreditThreshold = intEnv('LOW_CREDIT_THRESHOLD', 10);
const processRecord = createRecordProcessor({
  claims: events,
  appliers: appointmentAppliers(new AppointmentsTable(requiredEnv('APPOINTMENTS_TABLE_NAME')), {
    ledger: new CreditsLedger(requiredEnv('LEDGER_TABLE_NAME')),
    onBalance: (balance) => reportCreditsBalance(balance, lowCreditThreshold),
  }),
});
const batch = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord): Promise<void> {
  const ids = { eventId: record.messageAttributes?.eventId?.stringValue, messageId: record.messageId };
  try {
    const result = await processRecord(record);
    const keys = { eventId: result.eventId, eventType: result.eventType, messageId: record.messageId };
    if (result.kind === 'duplicate') {
      logger.info('Duplicate event acknowledged', keys);
      metrics.addMetric(METRICS.webhooksDuplicate, MetricUnit.Count, 1);
      return;
    }
    if (result.kind === 'unknown_type') {
      logger.warn('Unknown event type recorded and acknowledged', keys);
      metrics.addMetric(METRICS.webhooksUnknownType, MetricUnit.Count, 1);
      return;
    }
    logger.info('Event processed', { ...keys, outcome: result.outcome });
    metrics.addMetric(METRICS.webhooksProcessed, MetricUnit.Count, 1);
    if (!result.outcome.startsWith('already_applied')) metrics.addMetric(METRICS.appointmentEventsApplied, MetricUnit.Count, 1);
    const sent = Number(record.attributes?.SentTimestamp);
    if (Number.isFinite(sent)) metrics.addMetric(METRICS.webhookProcessingLagMs, MetricUnit.Milliseconds, Math.max(0, Date.now() - sent));
  } catch (error) {
    if (error instanceof EventInProgressError) {
      logger.info('Event in progress elsewhere; leaving it for redelivery', ids);
    } else {
      logger.error('Event processing failed; SQS will retry, then the DLQ', { ...ids, receiveCount: record.attributes?.ApproximateReceiveCount, error: error as Error });
      metrics.addMetric(METRICS.webhooksFailed, MetricUnit.Count, 1);
    }
    throw error;
  }
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event, context) => processPartialResponse(event, handleRecord, batch, { context }));
