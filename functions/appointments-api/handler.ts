/**
 * appointments-api λ — IAM-signed callers: POST/PATCH/DELETE /appointments… accept a command
 * (202 + command id, executed by the outbound worker), GET /appointments… read MONCRENEAU
 * synchronously under the global rate limit, GET /commands/{id} answers a command's status.
 * Logs carry the command id as correlation id, never the beneficiary's name or the API key.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { OutboundQueue } from '../../shared/adapters/outbound-queue';
import { createAppointmentsApi } from '../../shared/commands/api';
import { boolEnv, commandsTableFromEnv, flagsFromEnv, ledgerFromEnv, rateLimitedClientFromEnv } from '../../shared/commands/env-deps';
import { countByType } from '../../shared/commands/observers';
import { intEnv, requiredEnv } from '../../shared/config/env';
import { errorResponse } from '../../shared/http/responses';
import { METRICS } from '../../shared/observability/metric-names';
import { logger, metrics } from '../../shared/observability/powertools';

/** Leave API Gateway's 29 s integration timeout this much room to send the answer. */
const RESPONSE_MARGIN_MS = 1000;

const api = createAppointmentsApi({
  store: commandsTableFromEnv(),
  queue: new OutboundQueue(requiredEnv('OUTBOUND_QUEUE_URL'), undefined),
  ledger: ledgerFromEnv(),
  outbound: flagsFromEnv(),
  appointments: rateLimitedClientFromEnv().appointments,
  newId: randomUUID,
  now: () => new Date(),
  retentionDays: intEnv('COMMAND_RETENTION_DAYS', 7),
  refuseWhenNoCredits: boolEnv('REFUSE_WHEN_NO_CREDITS', true),
  hooks: {
    onAccepted: (command, replayed, paused) => {
      logger.setCorrelationId(command.commandId);
      logger.info(replayed ? 'Command replayed for an Idempotency-Key' : 'Command accepted', { commandId: command.commandId, type: command.type, status: command.status, paused });
      countByType(replayed ? METRICS.commandsIdempotentReplay : METRICS.commandsAccepted, command.type);
    },
    onRefusedNoCredits: (balance) => {
      logger.warn('Create refused: no credits left in the ledger', { balance });
      countByType(METRICS.insufficientCredits, 'create', { source: 'local' });
    },
    onReadFailed: (error, answer) => {
      logger.warn('MONCRENEAU read failed', { statusCode: answer.statusCode, code: answer.code, errorName: (error as Error)?.name });
    },
  },
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event, context) => {
    try {
      return await api(event, { remainingTimeMs: () => context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS, requestId: context.awsRequestId });
    } catch (error) {
      // DynamoDB/SQS trouble: nothing half-done is lost (a retry with the same Idempotency-Key completes it).
      logger.error('Request failed', { error: error as Error, resource: event.resource, method: event.httpMethod });
      return errorResponse(503, 'SERVICE_UNAVAILABLE', 'Temporarily unable to handle the request; retry (with the same Idempotency-Key for writes)', undefined, { 'retry-after': '2' });
    }
  });
