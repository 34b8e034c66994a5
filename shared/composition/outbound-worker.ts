/**
 * outbound-worker: command adapters, the ledger (reporting its balance after each movement), the
 * queue and its DLQ → worker logic → observer. Definitive failures are acknowledged after their
 * message went to the DLQ with the reason; transient ones are reported as batch item failures and
 * come back after a backoff (then the queue's redrive → DLQ).
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { OutboundQueue } from '../adapters/outbound-queue';
import { decodeCommandMessage } from '../commands/message';
import { createCommandWorker, RetryLaterError } from '../commands/worker';
import { intEnv, requiredEnv } from '../config/env';
import { FUNCTION_ENV, TUNING_ENV } from '../config/function-env';
import { reportingBalance } from '../credits/balance-report';
import { observeBalance } from '../observability/credits-observer';
import { logger } from '../observability/powertools';
import { observeOutcome } from '../observability/worker-observer';
import { traceAwsClients } from './aws';
import { paymentsFromEnv } from './payments';
import { commandsAdapters } from './commands';
import { sqsBatch } from './sqs-batch';

const ENV = FUNCTION_ENV.outboundWorker;

export function composeOutboundWorker(env: NodeJS.ProcessEnv = process.env): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  traceAwsClients();
  const { store, ledger, outbound, appointments, credits, outboundQueueUrl, refuseWhenNoCredits } = commandsAdapters(env);
  const { payments, apply } = paymentsFromEnv(env, ledger);
  const queue = new OutboundQueue(outboundQueueUrl, requiredEnv(ENV.outboundDlqUrl, env));
  const handleCommand = createCommandWorker({
    store,
    queue,
    outbound,
    ledger: reportingBalance(ledger, intEnv(ENV.lowCreditThreshold, 10, env), observeBalance),
    appointments,
    refuseWhenEmpty: refuseWhenNoCredits,
    purchases: { ...apply, client: credits, attempts: payments },
    pauseDelaySeconds: intEnv(TUNING_ENV.pauseDelaySeconds, 300, env),
    deadlineMarginMs: intEnv(TUNING_ENV.deadlineMarginMs, 3000, env),
    now: Date.now,
  });
  /** Seconds before the first retry of a transient failure (doubling after); 0 = leave it to the visibility timeout. */
  const retryBaseSeconds = intEnv(TUNING_ENV.retryBaseSeconds, 30, env);

  /** A transient failure comes back after a backoff, not after the full visibility timeout; best effort. */
  const retrySooner = async (record: SQSRecord): Promise<void> => {
    if (retryBaseSeconds === 0) return;
    try {
      const seconds = await queue.retryLater(record.receiptHandle, Number(record.attributes?.ApproximateReceiveCount ?? 1), retryBaseSeconds);
      logger.info('Command will be retried', { inSeconds: seconds });
    } catch (error) {
      logger.warn('Could not shorten the retry delay; the visibility timeout applies', { error: error as Error });
    }
  };

  const handleRecord = async (record: SQSRecord, context?: Context): Promise<void> => {
    const message = decodeCommandMessage(record.body);
    if (!message) {
      logger.error('Not a command message; acknowledged (a retry cannot fix it)', { messageId: record.messageId });
      return;
    }
    logger.setCorrelationId(message.commandId);
    const remainingTimeMs = (): number => context?.getRemainingTimeInMillis() ?? 60_000;
    try {
      observeOutcome(await handleCommand(message, { remainingTimeMs }), record);
    } catch (error) {
      if (error instanceof RetryLaterError) {
        observeOutcome(error.outcome, record);
        await retrySooner(record);
      } else logger.error('Command handling failed; SQS will redeliver', { commandId: message.commandId, receiveCount: record.attributes?.ApproximateReceiveCount, error: error as Error });
      throw error;
    }
  };
  return sqsBatch(handleRecord, { throwOnFullBatchFailure: false });
}
