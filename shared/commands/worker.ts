/**
 * The outbound worker's decision for one `{commandId}` message:
 *   missing / already finished        → ack (duplicate delivery)
 *   kill switch off                   → PAUSED, same message re-sent with a delay, ack (no receive count burnt)
 *   held by a concurrent delivery     → retry later (batch item failure)
 *   otherwise RUNNING → execute:
 *     success                         → SUCCEEDED (+ result)
 *     definitive failure              → FAILED, message to the DLQ with its reason, ack
 *     transient failure               → RETRYING (+ lastError), batch item failure → SQS redelivers
 * Throwing is reserved for "retry this message"; the handler turns it into a batch item failure.
 */
import type { CallOptions } from '../moncreneau/client/types';
import { executeCommand, type ExecuteDeps, type Execution } from './execute';
import type { CommandMessage } from './message';
import type { CommandQueue, CommandStore, OutboundSwitch } from './ports';
import { isTerminal, type CommandRecord } from './types';

export interface WorkerDeps extends ExecuteDeps {
  readonly store: CommandStore;
  readonly queue: CommandQueue;
  readonly outbound: OutboundSwitch;
  /** Delay before a paused command is looked at again (SQS DelaySeconds, ≤ 900). */
  readonly pauseDelaySeconds: number;
  /** Kept back from the Lambda's remaining time to record the outcome after the MONCRENEAU call. */
  readonly deadlineMarginMs: number;
  readonly now: () => number;
}

export interface WorkerInvocation {
  readonly remainingTimeMs: () => number;
}

export type WorkerOutcome =
  | { readonly kind: 'missing' }
  | { readonly kind: 'duplicate'; readonly command: CommandRecord }
  | { readonly kind: 'paused'; readonly command: CommandRecord; readonly reason?: string }
  | { readonly kind: 'leased' }
  | { readonly kind: 'executed'; readonly command: CommandRecord; readonly execution: Execution };

/** Thrown so the batch processor reports the message as failed and SQS redelivers it. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly outcome: WorkerOutcome,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

export function createCommandWorker(deps: WorkerDeps) {
  return async function handleCommand(message: CommandMessage, inv: WorkerInvocation): Promise<WorkerOutcome> {
    const command = await deps.store.get(message.commandId);
    if (!command) return { kind: 'missing' };
    const rerun = message.rerunFailure !== undefined && command.status === 'FAILED' && command.failures === message.rerunFailure;
    if (isTerminal(command.status) && !rerun) return { kind: 'duplicate', command };

    const flag = await deps.outbound.outboundWrites();
    if (!flag.enabled) {
      if (!rerun) await deps.store.pause(command.commandId, flag.reason ?? 'outbound writes paused');
      await deps.queue.enqueue(command.commandId, { delaySeconds: deps.pauseDelaySeconds, ...(rerun ? { rerunFailure: message.rerunFailure } : {}), ...(message.phone ? { phone: message.phone } : {}) });
      return { kind: 'paused', command, reason: flag.reason };
    }

    const started = await deps.store.startRun(command.commandId, {
      leaseUntil: deps.now() + Math.max(0, inv.remainingTimeMs()),
      ...(rerun ? { rerunFailure: message.rerunFailure } : {}),
    });
    if (started.kind === 'missing') return { kind: 'missing' };
    if (started.kind === 'terminal') return { kind: 'duplicate', command: started.command };
    if (started.kind === 'leased') throw new RetryLaterError(`Command ${command.commandId} is being executed by another delivery`, { kind: 'leased' });

    const running = started.command;
    const call: CallOptions = { remainingTimeMs: () => inv.remainingTimeMs() - deps.deadlineMarginMs, requestId: running.commandId };
    const execution = await executeCommand(deps, running, call, message.phone);
    const outcome: WorkerOutcome = { kind: 'executed', command: running, execution };
    switch (execution.kind) {
      case 'succeeded':
        await deps.store.succeed(running.commandId, execution.result);
        return outcome;
      case 'definitive': {
        // Dead-letter first: if recording FAILED then fails, the redelivery re-runs rather than losing the DLQ copy.
        const failures = running.failures + 1;
        await deps.queue.toDeadLetter(running.commandId, { reason: execution.error.message, errorCode: execution.error.code, failures });
        await deps.store.fail(running.commandId, execution.error);
        return outcome;
      }
      case 'transient':
        await deps.store.retrying(running.commandId, execution.error);
        throw new RetryLaterError(`Command ${running.commandId} failed transiently (${execution.error.code}); SQS will redeliver`, outcome);
    }
  };
}
