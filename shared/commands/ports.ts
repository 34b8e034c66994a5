/**
 * What the command logic needs from the outside world, as interfaces: the command store, the queue,
 * the feature flags and the MONCRENEAU client are injected (adapters in shared/adapters; the credits
 * ledger's port is shared/credits/ports.ts), so the logic is tested with fakes and has no AWS imports.
 */
import type { AppointmentsResource } from '../moncreneau/client/resources/appointments';
import type { CommandError, CommandRecord, CommandResult } from './types';

export interface IdempotencyRecord {
  readonly key: string;
  readonly commandId: string;
  readonly fingerprint: string;
  /**
   * When its command record expires (epoch seconds). The key itself lives longer (it is claimed with a
   * later TTL), so a key whose command is gone after this instant is known to be expired, not in flight.
   */
  readonly commandExpiresAt: number;
}

export type StartRunOutcome =
  | { readonly kind: 'started'; readonly command: CommandRecord }
  | { readonly kind: 'terminal'; readonly command: CommandRecord }
  /** Another delivery holds the command (lease not expired): leave this one for redelivery. */
  | { readonly kind: 'leased' }
  | { readonly kind: 'missing' };

export interface CommandStore {
  get(commandId: string): Promise<CommandRecord | undefined>;
  /** Put if absent; false when a command with that id already exists. */
  create(command: CommandRecord): Promise<boolean>;
  markEnqueued(commandId: string): Promise<void>;
  /**
   * Conditional put of `idem#<key>` with its own TTL `expiresAt` (later than `record.commandExpiresAt`);
   * on conflict returns the record that was there first.
   */
  claimIdempotencyKey(record: IdempotencyRecord, expiresAt: number): Promise<{ readonly claimed: true } | { readonly claimed: false; readonly existing: IdempotencyRecord }>;
  getIdempotencyKey(key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * RUNNING, attempts + 1, lease until `leaseUntil` — only if not terminal and no live lease.
   * `rerunFailure` = n: also allowed from FAILED when the command has exactly n failures (a DLQ replay).
   */
  startRun(commandId: string, options: { readonly leaseUntil: number; readonly rerunFailure?: number }): Promise<StartRunOutcome>;
  /** PAUSED (kill switch) unless terminal; releases any lease. */
  pause(commandId: string, reason: string): Promise<void>;
  succeed(commandId: string, result: CommandResult): Promise<void>;
  /** FAILED with the reason; returns the new failure count. */
  fail(commandId: string, error: CommandError): Promise<number>;
  /** RETRYING with lastError; releases the lease so the redelivery can start at once. */
  retrying(commandId: string, lastError: CommandError): Promise<void>;
}

export interface CommandQueue {
  /** `rerunFailure` keeps a DLQ replay's marker when a paused replay is re-sent. */
  enqueue(commandId: string, options?: { readonly delaySeconds?: number; readonly rerunFailure?: number; readonly phone?: string }): Promise<void>;
  /** A definitive failure, with its reason as message attributes; a redrive replays it. */
  toDeadLetter(commandId: string, failure: { readonly reason: string; readonly errorCode: string; readonly failures: number }): Promise<void>;
}

export interface OutboundSwitch {
  /** The `outboundWrites` flag (enabled when absent), cached briefly. */
  outboundWrites(): Promise<{ readonly enabled: boolean; readonly reason?: string }>;
}

export type AppointmentsPort = Pick<AppointmentsResource, 'createDetailed' | 'get' | 'listPage' | 'iterate' | 'cancel' | 'update'>;
