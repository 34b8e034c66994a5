/** Puts a verified webhook on the SQS queue, byte-for-byte, with its id and type as message attributes. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Enqueue } from '../webhooks/ports';
import { sqsClient } from './aws-clients';

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
