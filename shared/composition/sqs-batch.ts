/**
 * Partial batch responses for SQS consumers: one bad record never makes SQS redeliver the good ones. In
 * a module of its own so that functions without a queue source do not load Powertools batch.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Runs `handleRecord` for each record (concurrently); a throw marks that record failed (batch item failure).
 * One BatchProcessor per invocation: it keeps the batch's state, and the local runtime may run two
 * invocations of one function at once (Lambda never does within an instance).
 */
export function sqsBatch(handleRecord: (record: SQSRecord, context?: Context) => Promise<void>, options: { throwOnFullBatchFailure?: boolean } = {}) {
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), { context, ...options });
}
