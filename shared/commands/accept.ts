/**
 * Accepting a write: store the command, enqueue `{commandId}`, answer at once (the worker calls
 * MONCRENEAU later). With an Idempotency-Key the first request claims `idem#<key>` by a conditional
 * put; any later request with that key gets the same command (never a second booking), or a
 * conflict if its request differs. A crash between the key claim and the command put, or a failed
 * enqueue, is repaired by the next request with the same key.
 *
 * Expiry: the command record lives `retentionDays`; its key `retentionDays + IDEMPOTENCY_KEY_GRACE_DAYS`
 * (DynamoDB TTL never deletes early, but late and in any order). The key records when its command
 * expires: a retry that finds the key but not the command after that instant is refused
 * (`key_expired`), never turned into a new command; before it, the command is missing only because
 * the first request has not stored it yet (or crashed), and the retry repairs it.
 */
import type { CommandQueue, CommandStore, IdempotencyRecord } from './ports';
import type { CommandPayload, CommandRecord } from './types';

/**
 * How long an Idempotency-Key outlives its command (days). Longer than DynamoDB TTL's usual deletion
 * lag (a few days), and as long as SQS's longest retention (14 days), so that a caller's queued
 * retries meet a clear 410 rather than a forgotten key. A stage setting candidate.
 */
export const IDEMPOTENCY_KEY_GRACE_DAYS = 14;

const DAY_SECONDS = 86_400;

export interface AcceptDeps {
  readonly store: CommandStore;
  readonly queue: CommandQueue;
  readonly newId: () => string;
  readonly now: () => Date;
  readonly retentionDays: number;
}

export interface AcceptRequest {
  /** Built from the command id (a create's default externalUserId derives from it). */
  readonly payload: (commandId: string) => CommandPayload;
  readonly fingerprint: string;
  readonly idempotencyKey?: string;
  /** Travels in the queue message only, never stored (a purchase's payer phone). */
  readonly message?: { readonly phone?: string };
}

export type AcceptOutcome =
  | { readonly kind: 'accepted'; readonly command: CommandRecord; readonly replayed: boolean }
  | { readonly kind: 'key_reused'; readonly commandId: string }
  /** The key's command record expired and is gone: nothing can be replayed, nothing new is created. */
  | { readonly kind: 'key_expired'; readonly commandId: string; readonly expiredAt: string };

export async function acceptCommand(deps: AcceptDeps, request: AcceptRequest): Promise<AcceptOutcome> {
  const key = request.idempotencyKey;
  if (key !== undefined) {
    const existing = await deps.store.getIdempotencyKey(key);
    if (existing) return replay(deps, request, existing);
  }
  const commandId = deps.newId();
  const commandExpiresAt = expiresAt(deps);
  if (key !== undefined) {
    const claim = await deps.store.claimIdempotencyKey({ key, commandId, fingerprint: request.fingerprint, commandExpiresAt }, commandExpiresAt + IDEMPOTENCY_KEY_GRACE_DAYS * DAY_SECONDS);
    if (!claim.claimed) return replay(deps, request, claim.existing);
  }
  const command = await createAndEnqueue(deps, request, commandId, commandExpiresAt);
  return { kind: 'accepted', command, replayed: false };
}

async function replay(deps: AcceptDeps, request: AcceptRequest, existing: IdempotencyRecord): Promise<AcceptOutcome> {
  if (existing.fingerprint !== request.fingerprint) return { kind: 'key_reused', commandId: existing.commandId };
  const command = await deps.store.get(existing.commandId);
  if (!command) {
    if (deps.now().getTime() >= existing.commandExpiresAt * 1000) {
      // Its record expired and TTL deleted it: re-creating it would run (book) a second time.
      return { kind: 'key_expired', commandId: existing.commandId, expiredAt: new Date(existing.commandExpiresAt * 1000).toISOString() };
    }
    // The first request claimed the key but its command is not stored (crash, or still in flight).
    // Same expiry as the key recorded, so the key still outlives it.
    return { kind: 'accepted', command: await createAndEnqueue(deps, request, existing.commandId, existing.commandExpiresAt), replayed: true };
  }
  if (command.status === 'QUEUED' && !command.enqueuedAt) {
    // The first request's enqueue failed (it answered 503): this retry completes it. A duplicate
    // message is harmless (the worker leases the command and acknowledges finished ones).
    await enqueue(deps, command.commandId, request);
  }
  return { kind: 'accepted', command, replayed: true };
}

async function createAndEnqueue(deps: AcceptDeps, request: AcceptRequest, commandId: string, commandExpiresAt: number): Promise<CommandRecord> {
  const now = deps.now().toISOString();
  const payload = request.payload(commandId);
  const command: CommandRecord = {
    commandId,
    type: payload.type,
    payload,
    status: 'QUEUED',
    attempts: 0,
    failures: 0,
    createdAt: now,
    updatedAt: now,
    expiresAt: commandExpiresAt,
    ...(request.idempotencyKey !== undefined ? { idempotencyKey: request.idempotencyKey } : {}),
  };
  if (!(await deps.store.create(command))) {
    // A concurrent request with the same key stored it first; it enqueues it.
    return (await deps.store.get(commandId)) ?? command;
  }
  await enqueue(deps, commandId, request);
  return { ...command, enqueuedAt: deps.now().toISOString() };
}

async function enqueue(deps: AcceptDeps, commandId: string, request: AcceptRequest): Promise<void> {
  if (request.message?.phone) await deps.queue.enqueue(commandId, { phone: request.message.phone });
  else await deps.queue.enqueue(commandId);
  await deps.store.markEnqueued(commandId);
}

function expiresAt(deps: AcceptDeps): number {
  return Math.floor(deps.now().getTime() / 1000) + deps.retentionDays * DAY_SECONDS;
}
