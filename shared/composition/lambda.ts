/**
 * The one handler shape every function uses: middy with the Powertools logger context, EMF metrics
 * flushed per invocation and an X-Ray segment (active in Lambda only). SQS consumers report partial
 * batch failures, so one bad record never makes SQS redeliver the good ones.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metrics, tracer } from '../observability/powertools';

export function lambdaHandler<E, R>(handle: (event: E, context: Context) => Promise<R>) {
  return middy<E, R>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(handle);
}

/** Runs `handleRecord` for each record; a throw marks that record failed (batch item failure). */
export function sqsBatch(handleRecord: (record: SQSRecord, context?: Context) => Promise<void>, options: { throwOnFullBatchFailure?: boolean } = {}) {
  const batch = new BatchProcessor(EventType.SQS);
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => processPartialResponse(event, handleRecord, batch, { context, ...options });
}
