/**
 * The outbound commands queue and its DLQ (SQS). A definitive failure is sent to the DLQ by the
 * worker itself, with `reason` / `errorCode` / `commandId` message attributes, so an operator sees
 * why without opening the command; a redrive (copyBack / StartMessageMoveTask) replays it.
 */
import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CommandQueue } from '../commands/ports';
import { encodeCommandMessage } from '../commands/message';
import { sqsClient } from './sqs-client';

/** SQS DelaySeconds maximum. */
export const MAX_DELAY_SECONDS = 900;
const MAX_ATTRIBUTE_CHARS = 1000;

export class OutboundQueue implements CommandQueue {
  constructor(
    private readonly queueUrl: string,
    private readonly dlqUrl: string | undefined,
    private readonly sqs: SQSClient = sqsClient(),
  ) {}

  async enqueue(commandId: string, options: { delaySeconds?: number; rerunFailure?: number; phone?: string } = {}): Promise<void> {
    const delay = options.delaySeconds === undefined ? undefined : Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(options.delaySeconds)));
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: encodeCommandMessage({ commandId, rerunFailure: options.rerunFailure, phone: options.phone }),
        DelaySeconds: delay,
        MessageAttributes: { commandId: { DataType: 'String', StringValue: commandId } },
      }),
    );
  }

  /**
   * Brings a transiently failed message back sooner than the queue's visibility timeout (6 × the
   * worker's timeout, ~9 min): exponential from 30 s by receive count, capped at 15 min.
   */
  async retryLater(receiptHandle: string, receiveCount: number, baseSeconds = 30): Promise<number> {
    const seconds = retryDelaySeconds(receiveCount, baseSeconds);
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
    return seconds;
  }

  async toDeadLetter(commandId: string, failure: { reason: string; errorCode: string; failures: number }): Promise<void> {
    if (!this.dlqUrl) throw new Error('OUTBOUND_DLQ_URL is not configured: cannot dead-letter a definitive failure');
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.dlqUrl,
        MessageBody: encodeCommandMessage({ commandId, rerunFailure: failure.failures }),
        MessageAttributes: {
          commandId: { DataType: 'String', StringValue: commandId },
          reason: { DataType: 'String', StringValue: failure.reason.slice(0, MAX_ATTRIBUTE_CHARS) || failure.errorCode },
          errorCode: { DataType: 'String', StringValue: failure.errorCode },
        },
      }),
    );
  }
}

/** base, 2×base, 4×base … (30 s, 60 s, 120 s by default) after the 1st, 2nd, 3rd … transient failure, at most MAX_DELAY_SECONDS. */
export function retryDelaySeconds(receiveCount: number, baseSeconds = 30): number {
  return Math.min(MAX_DELAY_SECONDS, baseSeconds * 2 ** Math.max(0, receiveCount - 1));
}
