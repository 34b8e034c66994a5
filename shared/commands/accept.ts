/**
 * Accepting a write: store the command, enqueue `{commandId}`, answer at once (the worker calls
 * MONCRENEAU later). With an Idempotency-Key the first request claims `idem#<key>` by a conditional
 * put; any later request with that key gets the same command (never a second booking), or a
 * conflict if its request differs. A crash between the key claim and the command put, or a failed
 * enqueue, is repaired by the next request with the same key.
 */
import type { CommandQueue, CommandStore, IdempotencyRecord } from './ports';
import type { CommandPayload, CommandRecord } from './types';

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
}

export type AcceptOutcome =
  | { readonly kind: 'accepted'; readonly command: CommandRecord; readonly replayed: boolean }
  | { readonly kind: 'key_reused'; readonly commandId: string };

export async function acceptCommand(deps: AcceptDeps, request: AcceptRequest): Promise<AcceptOutcome> {
  const key = request.idempotencyKey;
  if (key !== undefined) {
    const existing = await deps.store.getIdempotencyKey(key);
    if (existing) return replay(deps, request, existing);
  }
  const commandId = deps.newId();
  if (key !== undefined) {
    const claim = await deps.store.claimIdempotencyKey({ key, commandId, fingerprint: request.fingerprint }, expiresAt(deps));
    if (!claim.claimed) return replay(deps, request, claim.existing);
  }
  const command = await createAndEnqueue(deps, request, commandId);
  return { kind: 'accepted', command, replayed: false };
}

async function replay(deps: AcceptDeps, request: AcceptRequest, existing: IdempotencyRecord): Promise<AcceptOutcome> {
  if (existing.fingerprint !== request.fingerprint) return { kind: 'key_reused', commandId: existing.commandId };
  const command = await deps.store.get(existing.commandId);
  if (!command) {
    // The first request claimed the key but its command is not stored (crash, or still in flight).
    return { kind: 'accepted', command: await createAndEnqueue(deps, request, existing.commandId), replayed: true };
  }
  if (command.status === 'QUEUED' && !command.enqueuedAt) {
    // The first request's enqueue failed (it answered 503): this retry completes it. A duplicate
    // message is harmless (the worker leases the command and acknowledges finished ones).
    await enqueue(deps, command.commandId);
  }
  return { kind: 'accepted', command, replayed: true };
}

async function createAndEnqueue(deps: AcceptDeps, request: AcceptRequest, commandId: string): Promise<CommandRecord> {
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
    expiresAt: expiresAt(deps),
    ...(request.idempotencyKey !== undefined ? { idempotencyKey: request.idempotencyKey } : {}),
  };
  if (!(await deps.store.create(command))) {
    // A concurrent request with the same key stored it first; it enqueues it.
    return (await deps.store.get(commandId)) ?? command;
  }
  await enqueue(deps, commandId);
  return { ...command, enqueuedAt: deps.now().toISOString() };
}

async function enqueue(deps: AcceptDeps, commandId: string): Promise<void> {
  await deps.queue.enqueue(commandId);
  await deps.store.markEnqueued(commandId);
}

function expiresAt(deps: AcceptDeps): number {
  return Math.floor(deps.now().getTime() / 1000) + deps.retentionDays * 86_400;
}
