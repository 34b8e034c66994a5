/**
 * Puts a verified webhook on the SQS queue, byte for byte (base64 when SQS could not carry it as is,
 * flagged by the `bodyEncoding` attribute), with its id and type as message attributes. Errors that
 * no retry can fix (the message's content or size) become QueueRefusedError, so the receiver parks the
 * event instead of answering 503 forever; throttling, 5xx and network trouble stay retryable.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QueueRefusedError, type Enqueue } from '../webhooks/ports';
import { sqsClient } from './sqs-client';

/** SQS error codes that describe the message itself: the same message will be refused every time. */
const MESSAGE_REFUSALS = new Set(['InvalidMessageContents', 'InvalidParameterValue', 'InvalidAttributeValue', 'InvalidAttributeName', 'MessageTooLong']);

export function sqsEnqueue(queueUrl: string, client: SQSClient = sqsClient()): Enqueue {
  return async ({ eventId, eventType, body }) => {
    try {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body.body,
          MessageAttributes: {
            eventId: { DataType: 'String', StringValue: eventId },
            eventType: { DataType: 'String', StringValue: eventType },
            ...(body.encoding === 'base64' ? { bodyEncoding: { DataType: 'String', StringValue: 'base64' } } : {}),
          },
        }),
      );
    } catch (error) {
      const code = sqsErrorCodes(error).find((c) => MESSAGE_REFUSALS.has(c));
      if (code) throw new QueueRefusedError(`SQS refused the message: ${code}`, code);
      throw error;
    }
  };
}

/**
 * The error's code in every spelling SQS uses (the JSON protocol's `__type` with a namespace, the
 * query-compatible `AWS.SimpleQueueService.` prefix, the bare name); none for a service-side fault.
 */
function sqsErrorCodes(error: unknown): string[] {
  const e = error as { name?: string; Code?: string; __type?: string; $fault?: string };
  if (e?.$fault !== 'client') return [];
  return [e.name, e.Code, e.__type].filter((c): c is string => typeof c === 'string').map((c) => c.split('#').pop()!.replace(/^AWS\.SimpleQueueService\./, ''));
}
