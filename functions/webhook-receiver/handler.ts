/**
 * webhook-receiver λ — API Gateway POST /webhooks/moncreneau.
 * Verifies the HMAC on the raw body, enqueues to SQS, answers in milliseconds.
 * Never logs the body, the signature or the secret.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { secretSourceFromEnv } from '../../shared/adapters/secret-source';
import { sqsEnqueue } from '../../shared/adapters/webhook-queue';
import { intEnv, requiredEnv } from '../../shared/config/env';
import { WEBHOOK_SECRET_LOCAL_ENV } from '../../shared/config/local-secrets';
import { METRICS } from '../../shared/observability/metric-names';
import { logger, metrics, MetricUnit } from '../../shared/observability/powertools';
import { createReceiver } from '../../shared/webhooks/receiver';

const receive = createReceiver({
  secrets: secretSourceFromEnv('WEBHOOK_SECRET_ARN', WEBHOOK_SECRET_LOCAL_ENV),
  enqueue: sqsEnqueue(requiredEnv('EVENTS_QUEUE_URL')),
  maxBodyBytes: intEnv('MAX_BODY_BYTES', 256 * 1024),
  maxEventAgeSeconds: intEnv('MAX_EVENT_AGE_SECONDS', 0),
  onRejected: (reason) => {
    logger.warn('Webhook rejected', { reason });
    const single = metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric(METRICS.webhooksRejected, MetricUnit.Count, 1);
  },
  onAccepted: (eventId, eventType) => {
    logger.setCorrelationId(eventId);
    logger.appendKeys({ eventType });
    logger.info('Webhook accepted');
    metrics.addMetric(METRICS.webhooksReceived, MetricUnit.Count, 1);
  },
  onEnqueueFailed: (error) => {
    logger.error('Webhook could not be enqueued; answering 503 so MONCRENEAU retries', { error: error as Error });
    metrics.addMetric(METRICS.webhooksEnqueueFailed, MetricUnit.Count, 1);
  },
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => receive(event));
