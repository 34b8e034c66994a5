/** webhook-receiver: the secret, the queue, the limits from the environment → receiver logic → observer. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { secretSourceFromEnv } from '../adapters/secret-source';
import { sqsEnqueue } from '../adapters/webhook-queue';
import { intEnv, requiredEnv } from '../config/env';
import { FUNCTION_ENV } from '../config/function-env';
import { WEBHOOK_SECRET_LOCAL_ENV } from '../config/local-secrets';
import { observeReceipt } from '../observability/receiver-observer';
import { observeSecretProblem } from '../observability/secret-observer';
import type { EventParking } from '../webhooks/ports';
import { createReceiver } from '../webhooks/receiver';
import { traceAwsClients } from './aws';

const ENV = FUNCTION_ENV.webhookReceiver;

/**
 * The event store, loaded on the first event the queue refuses for good (rare): the receiver's cold
 * start then loads no DynamoDB client (the dynamic import keeps it out of module init, bundled or not).
 */
function lazyParking(tableName: string, retentionDays: number): EventParking {
  let store: Promise<EventParking> | undefined;
  const load = (): Promise<EventParking> =>
    import('../adapters/event-store').then(
      ({ EventStore }) => new EventStore(tableName, { leaseSeconds: 0, retentionDays }),
      (error: unknown) => {
        store = undefined; // try again on the next refusal
        throw error;
      },
    );
  return { park: async (event) => (await (store ??= load())).park(event) };
}

export function composeWebhookReceiver(env: NodeJS.ProcessEnv = process.env): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  traceAwsClients();
  const receive = createReceiver({
    secrets: secretSourceFromEnv(ENV.webhookSecretArn, WEBHOOK_SECRET_LOCAL_ENV, env, { onProblem: observeSecretProblem }),
    enqueue: sqsEnqueue(requiredEnv(ENV.eventsQueueUrl, env)),
    parking: lazyParking(requiredEnv(ENV.eventsTable, env), intEnv(ENV.eventRetentionDays, 30, env)),
    maxBodyBytes: intEnv(ENV.maxBodyBytes, 256 * 1024, env),
    maxEventAgeSeconds: intEnv(ENV.maxEventAgeSeconds, 0, env),
  });
  return async (event) => {
    const { response, receipt } = await receive(event);
    observeReceipt(receipt);
    return response;
  };
}
