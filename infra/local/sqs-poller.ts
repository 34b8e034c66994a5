/**
 * A local stand-in for the Lambda SQS event source mapping: long-polls the queue, assembles batches
 * (up to batchSize, within maxBatchingWindowSeconds), invokes the function with a real SQSEvent,
 * deletes what succeeded and leaves the rest to reappear after the visibility timeout — the queue's
 * RedrivePolicy (implemented by the emulator) then moves them to the DLQ after maxReceiveCount.
 * `maxConcurrency` bounds concurrent batches, as the mapping's maximumConcurrency does. `paused` stands in
 * for a disabled mapping: while it says so, nothing is received (so no receive count is burnt).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { Invoke } from './invoke';
import { failedMessageIds, toEvent } from './sqs-event';

export interface SqsPollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  /** For logs. */
  readonly functionName: string;
  readonly invoke: Invoke<SQSEvent, unknown>;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly maxConcurrency: number;
  /** Interpret `batchItemFailures` (the wiring always sets it). Default true. */
  readonly reportBatchItemFailures?: boolean;
  /** Long-poll wait per ReceiveMessage; Lambda uses 20 s. stop() aborts a waiting receive. */
  readonly waitTimeSeconds?: number;
  /** Checked before each receive (e.g. the `webhookProcessing` flag is off); true = receive nothing for now. */
  readonly paused?: () => Promise<boolean>;
  /** How long to wait before checking `paused` again (default 1 s). */
  readonly pausedCheckMs?: number;
  readonly log?: (line: string) => void;
}

export interface SqsPoller {
  /** Stops receiving, waits for in-flight batches to finish (invoke + delete). */
  stop(): Promise<void>;
}

const SQS_MAX_RECEIVE = 10;
const ERROR_BACKOFF_MS = 1000;

export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  const log = options.log ?? ((line: string) => console.log(line));
  const abort = new AbortController();
  const waitTime = options.waitTimeSeconds ?? 20;
  const reportFailures = options.reportBatchItemFailures ?? true;
  const queueName = options.queueUrl.split('/').pop() ?? options.queueUrl;

  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const out = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(SQS_MAX_RECEIVE, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    return out.Messages ?? [];
  };

  /** One batch: a long poll, then (with a batching window) more receives until full or the window closes. */
  const collectBatch = async (): Promise<Message[]> => {
    const batch = await receive(options.batchSize, waitTime);
    if (batch.length === 0 || options.maxBatchingWindowSeconds <= 0) return batch;
    const windowEnds = Date.now() + options.maxBatchingWindowSeconds * 1000;
    while (batch.length < options.batchSize && !abort.signal.aborted) {
      const remaining = windowEnds - Date.now();
      if (remaining <= 0) break;
      try {
        batch.push(...(await receive(options.batchSize - batch.length, Math.min(20, Math.floor(remaining / 1000)))));
      } catch (error) {
        // Stopping (or a receive error) closes the window: deliver what was already received.
        if (!abort.signal.aborted) log(`SQS ${queueName}: receive failed (${(error as Error).message})`);
        break;
      }
    }
    return batch;
  };

  const deleteMessages = async (messages: readonly Message[]): Promise<void> => {
    for (let i = 0; i < messages.length; i += SQS_MAX_RECEIVE) {
      const chunk = messages.slice(i, i + SQS_MAX_RECEIVE);
      const out = await options.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: chunk.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle })) }),
      );
      for (const f of out.Failed ?? []) log(`SQS ${queueName}: delete failed (${f.Code}: ${f.Message}); the message will be redelivered`);
    }
  };

  const processBatch = async (messages: Message[]): Promise<void> => {
    const ids = messages.map((m) => m.MessageId ?? '');
    let failed: Set<string>;
    let reason: string | undefined;
    try {
      const response = await options.invoke(toEvent(messages, options.queueArn, options.region));
      ({ failed, reason } = reportFailures ? failedMessageIds(response, ids) : { failed: new Set<string>() });
    } catch (error) {
      // A function error fails the whole batch: nothing is deleted.
      failed = new Set(ids);
      reason = `function error: ${(error as Error).message}`;
    }
    await deleteMessages(messages.filter((m) => !failed.has(m.MessageId ?? '')));
    const summary = failed.size ? `, ${failed.size} failed${reason ? ` (${reason})` : ''}: left for redelivery` : '';
    log(`SQS ${queueName} → ${options.functionName}: batch of ${messages.length}${summary}`);
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      abort.signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });

  let pausedLogged = false;
  /** True while the poller should receive nothing; a failed check counts as "not paused", as a mapping's state does not depend on the flag store. */
  const isPaused = async (): Promise<boolean> => {
    if (!options.paused) return false;
    let paused: boolean;
    try {
      paused = await options.paused();
    } catch (error) {
      log(`SQS ${queueName}: pause check failed (${(error as Error).message}); receiving`);
      return false;
    }
    if (paused !== pausedLogged) log(`SQS ${queueName} → ${options.functionName}: ${paused ? 'paused (flag off): nothing is received' : 'resumed'}`);
    pausedLogged = paused;
    return paused;
  };

  const loop = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      if (await isPaused()) {
        await sleep(options.pausedCheckMs ?? 1000);
        continue;
      }
      let batch: Message[];
      try {
        batch = await collectBatch();
      } catch (error) {
        if (abort.signal.aborted) break;
        log(`SQS ${queueName}: receive failed (${(error as Error).message}); retrying`);
        await sleep(ERROR_BACKOFF_MS);
        continue;
      }
      if (batch.length === 0) continue;
      // Messages already received are processed even when stop() is called meanwhile.
      await processBatch(batch).catch((error: unknown) => log(`SQS ${queueName}: batch handling failed: ${(error as Error).message}`));
    }
  };

  const loops = Array.from({ length: Math.max(1, options.maxConcurrency) }, () => loop());
  return {
    stop: async () => {
      abort.abort();
      await Promise.all(loops);
    },
  };
}
