/** Puts a verified webhook on the SQS queue, byte-for-byte, with its id and type as message attributes. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sqsClient } from './aws-clients';
import type { WebhookEvent } from '../moncreneau/webhook-event';

export type Enqueue = (rawBody: string, event: WebhookEvent) => Promise<void>;

export function sqsEnqueue(queueUrl: string, client: SQSClient = sqsClient()): Enqueue {
  return async (rawBody, event) => {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: rawBody,
        MessageAttributes: {
          eventId: { DataType: 'String', StringValue: event.id },
          eventType: { DataType: 'String', StringValue: event.type },
        },
      }),
    );
  };
}
