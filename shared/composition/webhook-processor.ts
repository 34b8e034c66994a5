/** webhook-processor: event store, appointments mirror, ledger (reporting its balance) → processor logic → observer. */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { AppointmentsTable } from '../adapters/appointments-table';
import { CreditsLedger } from '../adapters/credits-ledger';
import { EventStore } from '../adapters/event-store';
import { intEnv, requiredEnv } from '../config/env';
import { FUNCTION_ENV } from '../config/function-env';
import { reportingBalance } from '../credits/balance-report';
import { observeBalance } from '../observability/credits-observer';
import { observeRecord, observeRecordFailure } from '../observability/processor-observer';
import { appointmentAppliers } from '../webhooks/appliers';
import { createRecordProcessor } from '../webhooks/processor';
import { traceAwsClients } from './aws';
import { sqsBatch } from './lambda';

const ENV = FUNCTION_ENV.webhookProcessor;

export function composeWebhookProcessor(env: NodeJS.ProcessEnv = process.env): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  traceAwsClients();
  const events = new EventStore(requiredEnv(ENV.eventsTable, env), {
    leaseSeconds: intEnv(ENV.processingLeaseSeconds, 30, env),
    retentionDays: intEnv(ENV.eventRetentionDays, 30, env),
  });
  const ledger = reportingBalance(new CreditsLedger(requiredEnv(ENV.ledgerTable, env)), intEnv(ENV.lowCreditThreshold, 10, env), observeBalance);
  const processRecord = createRecordProcessor({
    claims: events,
    appliers: appointmentAppliers(new AppointmentsTable(requiredEnv(ENV.appointmentsTable, env), { retentionDays: intEnv(ENV.appointmentRetentionDays, 400, env) }), ledger),
  });
  return sqsBatch(async (record: SQSRecord) => {
    try {
      observeRecord(await processRecord(record), record);
    } catch (error) {
      observeRecordFailure(error, record);
      throw error;
    }
  });
}
