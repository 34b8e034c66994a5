import type { SQSRecord } from 'aws-lambda';
import type { Message } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';

/** An SQS record as Lambda delivers it, for a given body (a fresh message id per delivery, as SQS does). */
export function sqsRecord(body: string, receiveCount = 1): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-3:000000000000:test',
    awsRegion: 'eu-west-3',
  };
}

export function recordFromMessage(m: Message): SQSRecord {
  return { ...sqsRecord(m.Body ?? '', Number(m.Attributes?.ApproximateReceiveCount ?? 1)), messageId: m.MessageId ?? randomUUID(), receiptHandle: m.ReceiptHandle ?? '' };
}
