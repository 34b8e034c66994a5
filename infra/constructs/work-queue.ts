/**
 * One SQS queue from a wiring `QueueSpec`: SQS-managed encryption, TLS-only access policy, and
 * the redrive policy to its dead-letter queue. The DLQ must be built first and passed in.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueSpec } from '../wiring';

export interface WorkQueueProps {
  readonly spec: QueueSpec;
  readonly queueName: string;
  /** The already-built queue that `spec.deadLetter.queue` names, if any. */
  readonly deadLetterQueue?: IQueue;
  readonly retainData: boolean;
}

export class WorkQueue extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const { spec } = props;
    if (spec.deadLetter && !props.deadLetterQueue) {
      throw new Error(`Queue ${spec.name}: dead-letter queue ${spec.deadLetter.queue} must be built before it`);
    }

    this.queue = new Queue(this, 'Queue', {
      queueName: props.queueName,
      // SSE-SQS: encrypted at rest with no KMS key to pay for or to grant to every producer/consumer.
      encryption: QueueEncryption.SQS_MANAGED,
      // Adds a queue policy denying any request not made over TLS (cdk-nag SQS4).
      enforceSSL: true,
      maxMessageSizeBytes: spec.maxMessageBytes,
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(spec.retentionSeconds),
      deadLetterQueue:
        spec.deadLetter && props.deadLetterQueue
          ? { queue: props.deadLetterQueue, maxReceiveCount: spec.deadLetter.maxReceiveCount }
          : undefined,
      // In prod a queue may hold events not yet applied (or dead letters awaiting redrive).
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
