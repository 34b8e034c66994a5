/** Logs and metrics for each appointments-API request. Never the beneficiary's name or the API key. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiOutcome } from '../commands/api';
import { METRICS } from './metric-names';
import { countByType } from './moncreneau-observer';
import { logger, metrics, MetricUnit } from './powertools';
import { API_KEY_UNUSABLE } from './worker-observer';

export function observeApiOutcome(outcome: ApiOutcome): void {
  switch (outcome.kind) {
    case 'accepted': {
      const { command, replayed, paused } = outcome;
      logger.setCorrelationId(command.commandId);
      logger.info(replayed ? 'Command replayed for an Idempotency-Key' : 'Command accepted', { commandId: command.commandId, type: command.type, status: command.status, paused });
      countByType(replayed ? METRICS.commandsIdempotentReplay : METRICS.commandsAccepted, command.type);
      return;
    }
    case 'refused_no_credits':
      logger.warn('Create refused: no credits left in the ledger', { balance: outcome.balance });
      countByType(METRICS.insufficientCredits, 'create', { source: 'local' });
      return;
    case 'read_failed':
      if ((outcome.error as { code?: string })?.code === API_KEY_UNUSABLE) metrics.addMetric(METRICS.secretProblems, MetricUnit.Count, 1);
      logger.warn('MONCRENEAU read failed', { statusCode: outcome.answer.statusCode, code: outcome.answer.code, errorName: (outcome.error as Error)?.name });
      return;
    case 'key_expired':
      logger.warn('Retry with an expired Idempotency-Key refused (410); nothing created', { commandId: outcome.commandId, expiredAt: outcome.expiredAt });
      metrics.addMetric(METRICS.commandsIdempotencyExpired, MetricUnit.Count, 1);
      return;
    case 'answered':
      return;
  }
}

/** DynamoDB/SQS trouble while handling a request: the caller gets a 503 and may retry. */
export function observeApiFailure(error: unknown, event: Pick<APIGatewayProxyEvent, 'resource' | 'httpMethod'>): void {
  logger.error('Request failed', { error: error as Error, resource: event.resource, method: event.httpMethod });
}
