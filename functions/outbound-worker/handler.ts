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

const handleCommand = createCommandWorker({
  store: commandsTableFromEnv(),
  queue: new OutboundQueue(requiredEnv('OUTBOUND_QUEUE_URL'), requiredEnv('OUTBOUND_DLQ_URL')),
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
    if (error instanceof RetryLaterError) observeOutcome(error.outcome, record);
    else logger.error('Command handling failed; SQS will redeliver', { commandId: message.commandId, receiveCount: record.attributes?.ApproximateReceiveCount, error: error as Error });
    throw error;
  }
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event, context) => processPartialResponse(event, handleRecord, batch, { context, throwOnFullBatchFailure: false }));
