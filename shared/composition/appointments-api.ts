/** appointments-api: command adapters and the rate-limited client → API logic → observer; AWS trouble → 503. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { OutboundQueue } from '../adapters/outbound-queue';
import { createAppointmentsApi } from '../commands/api';
import { intEnv } from '../config/env';
import { FUNCTION_ENV } from '../config/function-env';
import { errorResponse } from '../http/responses';
import { observeApiFailure, observeApiOutcome } from '../observability/api-observer';
import { traceAwsClients } from './aws';
import { commandsAdapters } from './commands';

const ENV = FUNCTION_ENV.appointmentsApi;
/** Leave API Gateway's 29 s integration timeout this much room to send the answer. */
const RESPONSE_MARGIN_MS = 1000;

export function composeAppointmentsApi(env: NodeJS.ProcessEnv = process.env): (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> {
  traceAwsClients();
  const { store, ledger, outbound, appointments, outboundQueueUrl, refuseWhenNoCredits } = commandsAdapters(env);
  const api = createAppointmentsApi({
    store,
    queue: new OutboundQueue(outboundQueueUrl, undefined),
    ledger,
    outbound,
    appointments,
    newId: randomUUID,
    now: () => new Date(),
    retentionDays: intEnv(ENV.commandRetentionDays, 7, env),
    refuseWhenNoCredits,
  });
  return async (event, context) => {
    try {
      const { response, outcome } = await api(event, { remainingTimeMs: () => context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS, requestId: context.awsRequestId });
      observeApiOutcome(outcome);
      return response;
    } catch (error) {
      // DynamoDB/SQS trouble: nothing half-done is lost (a retry with the same Idempotency-Key completes it).
      observeApiFailure(error, event);
      return errorResponse(503, 'SERVICE_UNAVAILABLE', 'Temporarily unable to handle the request; retry (with the same Idempotency-Key for writes)', undefined, { 'retry-after': '2' });
    }
  };
}
