/**
 * Builds the `SQSEvent` the Lambda SQS event source delivers, from ReceiveMessage output, and
 * interprets the handler's partial batch response exactly as Lambda does.
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

export function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const record: SQSRecord = {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    // All system attributes the queue returned (incl. AWSTraceHeader, FIFO fields when present).
    attributes: { ...(message.Attributes ?? {}) } as unknown as SQSRecordAttributes,
    messageAttributes: toLambdaAttributes(message.MessageAttributes ?? {}),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

/** The Lambda shape: camelCase, binary as base64, list fields always present (and empty). */
function toLambdaAttributes(attributes: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, a] of Object.entries(attributes)) {
    out[name] = {
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: Buffer.from(a.BinaryValue).toString('base64') } : {}),
      stringListValues: a.StringListValues ?? [],
      binaryListValues: (a.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: a.DataType ?? 'String',
    } as SQSMessageAttributes[string];
  }
  return out;
}

export function toEvent(messages: readonly Message[], queueArn: string, region: string): SQSEvent {
  return { Records: messages.map((m) => toRecord(m, queueArn, region)) };
}

/**
 * Message ids that failed, per Lambda's ReportBatchItemFailures rules:
 * success = null/empty response, missing/null/empty `batchItemFailures`;
 * whole batch failed = a response that is not an object, or any item whose itemIdentifier is
 * missing, empty or not a message of this batch.
 */
export function failedMessageIds(response: unknown, batchIds: readonly string[]): { failed: Set<string>; reason?: string } {
  const all = (reason: string): { failed: Set<string>; reason: string } => ({ failed: new Set(batchIds), reason });
  if (response === null || response === undefined) return { failed: new Set() };
  if (typeof response !== 'object' || Array.isArray(response)) return all('response is not an object');
  const items = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (items === undefined || items === null) return { failed: new Set() };
  if (!Array.isArray(items)) return all('batchItemFailures is not a list');
  const failed = new Set<string>();
  for (const item of items) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !batchIds.includes(id)) return all(`invalid itemIdentifier ${JSON.stringify(id)}`);
    failed.add(id);
  }
  return { failed };
}
