/**
 * Moves messages from a dead-letter queue back to its source queue.
 * In AWS: SQS StartMessageMoveTask (server-side, rate-controlled, resumable).
 * On emulators without that API: receive → send (body and attributes unchanged) → delete, in batches;
 * a message is deleted from the DLQ only after it was accepted by the source queue, so none is lost.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface RedriveResult {
  readonly mode: 'move-task' | 'copy';
  readonly moved?: number;
  readonly taskHandle?: string;
}

export async function startMoveTask(sqs: SQSClient, dlqArn: string, sourceArn: string, maxPerSecond?: number): Promise<RedriveResult> {
  const out = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: sourceArn, MaxNumberOfMessagesPerSecond: maxPerSecond }));
  return { mode: 'move-task', taskHandle: out.TaskHandle };
}

export async function copyBack(sqs: SQSClient, dlqUrl: string, sourceUrl: string, limit = Number.POSITIVE_INFINITY): Promise<RedriveResult> {
  let moved = 0;
  while (moved < limit) {
    const batch = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, limit - moved),
        WaitTimeSeconds: 0,
        VisibilityTimeout: 30,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = batch.Messages ?? [];
    if (messages.length === 0) break;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: sourceUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '', MessageAttributes: m.MessageAttributes })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const toDelete = messages.flatMap((m, i) => (ok.has(String(i)) && m.ReceiptHandle ? [{ Id: String(i), ReceiptHandle: m.ReceiptHandle }] : []));
    if (toDelete.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: toDelete }));
    moved += toDelete.length;
    if (toDelete.length < messages.length) throw new Error(`${messages.length - toDelete.length} message(s) could not be re-sent; they stay in the DLQ`);
  }
  return { mode: 'copy', moved };
}
