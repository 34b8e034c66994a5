/** webhook-processor λ — SQS webhook-events: dedupe by event id, apply, partial batch response. Built in shared/composition/webhook-processor.ts. */
import type { SQSEvent, SQSBatchResponse } from 'aws-lambda';
import { composeWebhookProcessor } from '../../shared/composition/webhook-processor';
import { lambdaHandler } from '../../shared/composition/lambda';

export const handler = lambdaHandler<SQSEvent, SQSBatchResponse>(composeWebhookProcessor());
