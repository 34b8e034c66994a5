/**
 * The one handler shape every function uses: middy with the Powertools logger context, EMF metrics
 * flushed per invocation and an X-Ray segment (active in Lambda only). SQS consumers add sqsBatch
 * (sqs-batch.ts, apart so that the other functions do not load Powertools batch).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from '../observability/powertools';

export function lambdaHandler<E, R>(handle: (event: E, context: Context) => Promise<R>) {
  return middy<E, R>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(handle);
}
