/**
 * webhook-processor: event store, appointments mirror, ledger, payments → batch logic (one write for first
 * deliveries, claim → apply → complete for the rest) → observer; the balance reported once per batch.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { AppointmentsTable } from '../adapters/appointments-table';
import { CreditsLedger } from '../adapters/credits-ledger';
import { EventStore } from '../adapters/event-store';
import { OneWriteStore } from '../adapters/one-write';
import { intEnv, requiredEnv } from '../config/env';
import { FUNCTION_ENV } from '../config/function-env';
import { balanceReport, changesBalance } from '../credits/balance-report';
import { observeBalance } from '../observability/credits-observer';
import { observeRecord, observeRecordFailure } from '../observability/processor-observer';
import { logger } from '../observability/powertools';
import { paymentAppliers } from '../payments/webhook';
import { appointmentAppliers, appointmentPlanner } from '../webhooks/appliers';
import { createBatchProcessor } from '../webhooks/batch';
import { createRecordProcessor, type RecordOutcome } from '../webhooks/processor';
import { traceAwsClients } from './aws';
import { paymentsFromEnv } from './payments';
import { sqsBatch } from './sqs-batch';

const ENV = FUNCTION_ENV.webhookProcessor;

const movedCredits = (outcome: RecordOutcome): boolean => outcome.kind === 'processed' && outcome.credits !== undefined && changesBalance(outcome.credits);

export function composeWebhookProcessor(env: NodeJS.ProcessEnv = process.env): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  traceAwsClients();
  const events = new EventStore(requiredEnv(ENV.eventsTable, env), {
    leaseSeconds: intEnv(ENV.processingLeaseSeconds, 30, env),
    retentionDays: intEnv(ENV.eventRetentionDays, 30, env),
  });
  const mirror = new AppointmentsTable(requiredEnv(ENV.appointmentsTable, env), { retentionDays: intEnv(ENV.appointmentRetentionDays, 400, env) });
  const ledger = new CreditsLedger(requiredEnv(ENV.ledgerTable, env));
  const threshold = intEnv(ENV.lowCreditThreshold, 10, env);
  // Payment events go step by step (claim → apply → complete): their effects are conditional transitions.
  const appliers = { ...appointmentAppliers(mirror, ledger), ...paymentAppliers(paymentsFromEnv(env, ledger).apply) };
  const processBatch = createBatchProcessor({
    processRecord: createRecordProcessor({ claims: events, appliers }),
    appliers,
    plan: appointmentPlanner({ credits: true }),
    oneWrite: new OneWriteStore({ events, mirror, ledger }),
  });

  /** The balance after the batch's movements: one read per batch, not one per movement (the metric is a gauge). */
  const reportBalance = async (): Promise<void> => {
    try {
      const balance = await ledger.balance();
      if (balance !== null) observeBalance(balanceReport(balance, threshold));
    } catch (error) {
      // The movements are committed; the next batch (or the health monitor) reports the balance.
      logger.warn('Credits balance could not be read after the batch; CreditsRemaining not reported this time', { error: error as Error });
    }
  };

  return async (event, context) => {
    const outcomes = processBatch(event.Records);
    let moved = false;
    const handle = sqsBatch(async (record: SQSRecord) => {
      try {
        const outcome = await outcomes.get(record.messageId)!;
        moved ||= movedCredits(outcome);
        observeRecord(outcome, record);
      } catch (error) {
        observeRecordFailure(error, record);
        throw error;
      }
    });
    try {
      return await handle(event, context);
    } finally {
      if (moved) await reportBalance();
    }
  };
}
