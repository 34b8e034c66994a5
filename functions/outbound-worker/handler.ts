/** outbound-worker λ — SQS outbound-commands (batch 1): execute a command against MONCRENEAU under the global rate limit. Built in shared/composition/outbound-worker.ts. */
import type { SQSEvent, SQSBatchResponse } from 'aws-lambda';
import { composeOutboundWorker } from '../../shared/composition/outbound-worker';
import { lambdaHandler } from '../../shared/composition/lambda';

export const handler = lambdaHandler<SQSEvent, SQSBatchResponse>(composeOutboundWorker());
