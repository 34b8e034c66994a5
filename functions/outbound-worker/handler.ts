/**
 * outbound-worker λ — SQS outbound-commands (batch 1) → execute the command against MONCRENEAU.
 * Definitive failures are acknowledged after their message went to the DLQ with the reason;
 * transient ones are reported as batch item failures so SQS redelivers (then its redrive → DLQ).
 * The command id is the correlation id of every log line; names and keys are never logged.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { OutboundQueue } from '../../shared/adapters/outbound-queue';
import { boolEnv, COMMANDS_ENV, commandsTableFromEnv, flagsFromEnv, ledgerFromEnv, rateLimitedClientFromEnv } from '../../shared/commands/env-deps';
import { decodeCommandMessage } from '../../shared/commands/message';
import { observeOutcome } from '../../shared/commands/worker-observer';
import { createCommandWorker, RetryLaterError } from '../../shared/commands/worker';
import { intEnv, requiredEnv } from '../../shared/config/env';
import { logger, metrics } from '../../shared/observability/powertools';

const queue = new OutboundQueue(requiredEnv('OUTBOUND_QUEUE_URL'), requiredEnv('OUTBOUND_DLQ_URL'));
const handleCommand = createCommandWorker({
  store: commandsTableFromEnv(),
  queue,
  outbound: flagsFromEnv(),
  ledger: ledgerFromEnv(),
  appointments: rateLimitedClientFromEnv().appointments,
  refuseWhenEmpty: boolEnv('REFUSE_WHEN_NO_CREDITS', true),
  pauseDelaySeconds: intEnv(COMMANDS_ENV.pauseDelaySeconds, 300),
  deadlineMarginMs: intEnv(COMMANDS_ENV.deadlineMarginMs, 3000),
  now: Date.now,
});
const batch = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord, context?: Context): Promise<void> {
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
}

/** Seconds before the first retry of a transient failure (doubling after); 0 = leave it to the visibility timeout. */
const retryBaseSeconds = intEnv('OUTBOUND_RETRY_BASE_SECONDS', 30);

/** A transient failure comes back after a backoff, not after the full visibility timeout; best effort. */
async function retrySooner(record: SQSRecord): Promise<void> {
  if (retryBaseSeconds === 0) return;
  try {
    const seconds = await queue.retryLater(record.receiptHandle, Number(record.attributes?.ApproximateReceiveCount ?? 1), retryBaseSeconds);
    logger.info('Command will be retried', { inSeconds: seconds });
  } catch (error) {
    logger.warn('Could not shorten the retry delay; the visibility timeout applies', { error: error as Error });
  }
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event, context) => processPartialResponse(event, handleRecord, batch, { context, throwOnFullBatchFailure: false }));
