/**
 * Logs and metrics for each worker outcome (one place, so the handler stays thin). Only ids, codes
 * and statuses are logged — never the beneficiary's name.
 */
import type { SQSRecord } from 'aws-lambda';
import { METRICS } from './metric-names';
import { logger, metrics, MetricUnit } from './powertools';

/** The client's code when the API key secret has no usable `apiKey` field (misnamed, empty). */
export const API_KEY_UNUSABLE = 'CLIENT_CONFIGURATION';
import { countByType } from './moncreneau-observer';
import type { WorkerOutcome } from '../commands/worker';
import { observePayment } from './payments-observer';

const APPOINTMENT_METRIC = { create: METRICS.appointmentsCreated, update: METRICS.appointmentsUpdated, cancel: METRICS.appointmentsCancelled, purchase: undefined } as const;

export function observeOutcome(outcome: WorkerOutcome, record: Pick<SQSRecord, 'messageId' | 'attributes'>): void {
  const base = { messageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount };
  switch (outcome.kind) {
    case 'missing':
      logger.warn('Command not found (expired or never stored); acknowledged', base);
      return;
    case 'duplicate':
      logger.info('Command already finished; duplicate delivery acknowledged', { ...base, commandId: outcome.command.commandId, status: outcome.command.status });
      countByType(METRICS.commandsDuplicate, outcome.command.type);
      return;
    case 'leased':
      logger.info('Command is being executed by another delivery; left for redelivery', base);
      return;
    case 'paused':
      logger.warn('Outbound writes paused: command re-queued with a delay', { ...base, commandId: outcome.command.commandId, reason: outcome.reason });
      countByType(METRICS.commandsPaused, outcome.command.type);
      return;
    case 'executed':
      break;
  }
  const { command, execution } = outcome;
  const keys = { ...base, commandId: command.commandId, type: command.type, attempts: command.attempts };
  if (execution.kind === 'succeeded') {
    const result = execution.result;
    const ids = 'appointment' in result ? { appointmentId: result.appointment.id } : 'payment' in result ? { paymentId: result.payment.paymentId, paymentStatus: result.payment.status } : { appointmentId: result.appointmentId };
    logger.info('Command succeeded', { ...keys, ...ids, outcome: result.outcome, ledger: execution.ledger });
    countByType(METRICS.commandsSucceeded, command.type);
    const appointmentMetric = APPOINTMENT_METRIC[command.type];
    if (appointmentMetric && result.outcome !== 'already_cancelled') countByType(appointmentMetric, command.type);
    if (execution.payment) observePayment(execution.payment);
    return;
  }
  if (execution.kind === 'definitive') {
    if (execution.insufficientCredits) countByType(METRICS.insufficientCredits, command.type, { source: execution.insufficientCredits });
    logger.error('Command failed definitively; sent to the DLQ with its reason', { ...keys, errorCode: execution.error.code, status: execution.error.status, reason: execution.error.message });
    countByType(METRICS.commandsFailed, command.type);
    return;
  }
  if (execution.error.code === API_KEY_UNUSABLE) metrics.addMetric(METRICS.secretProblems, MetricUnit.Count, 1);
  logger.warn('Command failed transiently; SQS will redeliver', { ...keys, errorCode: execution.error.code, status: execution.error.status, reason: execution.error.message });
  countByType(METRICS.commandsRetrying, command.type);
}
