/**
 * Global rate limiter shared by every Lambda instance through one DynamoDB table.
 *
 * Design — a sliding log of reserved slots (see sliding-log.ts for the invariant and its proof):
 *  - Item `<name>`: `grants` (sorted epoch-ms slots, pruned), `version` (optimistic lock), `expiresAt` (TTL).
 *  - Item `<name>#penalty`: `blockedUntil` set by penalize() (a 429, or X-RateLimit-Remaining = 0),
 *    with `signalAt` (when the response that set it arrived), `reason` and `setAt`; a later end always
 *    extends it, an earlier one replaces it only from a signal whose request left after `signalAt`
 *    (penalize(), resume()). clearPause() (the operator's `npm run ratelimit -- clear`) ends it and
 *    records `clearedAt`, `clearedBy`, `clearReason`, `clearedUntil`.
 *  - acquire(): read both items (strongly consistent), compute the earliest slot for each waiting
 *    caller of this instance in FIFO order, then write the new log with `version = :read` as the
 *    condition. A lost race re-reads and recomputes, so two instances can never both take a slot
 *    the other's write would forbid. Each caller then sleeps until its slot.
 *  - Slots are handed out in commit order and are non-decreasing, so callers are served in the order
 *    their reservations were committed: FIFO within an instance (one batch per write), and across
 *    instances by reservation time (a loser of a write race re-tries within milliseconds).
 *  - A caller whose slot would be after its deadline is rejected at once and reserves nothing.
 *  - After waiting, a caller re-reads the penalty; if a penalty now covers it, its slot is abandoned
 *    (it stays in the log: over-counting is safe) and it queues again after the penalty.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { RateLimitDeadlineError, RateLimiterContentionError } from '../ratelimit/errors';
import type { Grant, PauseSignal, RateLimiter, RejectionObservation, ThrottleObservation } from '../ratelimit/ports';
import { earliestSlot, pruneGrants, validateRules, type RateRule } from '../ratelimit/sliding-log';
import { documentClient } from './aws-clients';
import { isConditionFailure } from './dynamo-errors';

export interface DynamoRateLimiterOptions {
  readonly tableName: string;
  /** Limiter key (one per API key / environment), e.g. "moncreneau-prod". */
  readonly name: string;
  readonly rules: readonly RateRule[];
  /** Added to every window to absorb send jitter and clock skew between instances (default 250 ms). */
  readonly paddingMs?: number;
  /** Waiters reserved per conditional write (default 25). */
  readonly maxBatch?: number;
  /** Give up after this many lost write races in a row (default 50). */
  readonly maxRounds?: number;
  /** Re-check the penalty after waking if the wait was at least this long (default 200 ms). */
  readonly recheckPenaltyAfterMs?: number;
  readonly db?: DynamoDBDocumentClient;
  readonly onThrottle?: (o: ThrottleObservation) => void;
  readonly onReject?: (o: RejectionObservation) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Waiter {
  readonly deadline?: number;
  readonly enqueuedAt: number;
  readonly resolve: (slot: { slot: number; readAt: number }) => void;
  readonly reject: (error: unknown) => void;
}

const DAY_MS = 86_400_000;

/** The penalty item as stored (epoch ms), for operators and tests. */
export interface PauseState {
  /** Every instance waits until then; 0 = never set. */
  readonly blockedUntil: number;
  /** When the response that set it arrived (a shortening signal's request must leave after this). */
  readonly signalAt?: number;
  readonly reason?: string;
  /** When it was written. */
  readonly setAt?: number;
  /** The last operator clear: when, who, why, and the end it removed. */
  readonly clearedAt?: number;
  readonly clearedBy?: string;
  readonly clearReason?: string;
  readonly clearedUntil?: number;
}

const REASON_NAMES = { '#reason': 'reason' };
const ttlSeconds = (untilMs: number) => Math.ceil((untilMs + DAY_MS) / 1000);

/** The current log as returned by a failed conditional write (marshalled or not, depending on the client layer). */
function logFromFailedWrite(error: unknown): { grants: number[]; version: number } | undefined {
  const raw = (error as { Item?: Record<string, unknown> }).Item;
  if (!raw) return undefined;
  const item = (raw.version && typeof raw.version === 'object' ? unmarshall(raw as Record<string, AttributeValue>) : raw) as { grants?: unknown[]; version?: unknown };
  if (!Array.isArray(item.grants)) return undefined;
  return { grants: item.grants.map(Number), version: Number(item.version ?? 0) };
}


export class DynamoRateLimiter implements RateLimiter {
  private readonly db: DynamoDBDocumentClient;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly paddingMs: number;
  private readonly queue: Waiter[] = [];
  private pumping = false;
  /** Recent time from reading the log to committing a write (moving average), for the scheduling lead (how far ahead slots are handed out). */
  private commitMs = 0;
  /** Grants given up because they were released more than paddingMs/2 after their slot (diagnostics). */
  lateReleases = 0;
  /** blockedUntil as this instance last read or wrote it: resume() writes only when it knows of a pause. */
  private knownBlockedUntil = 0;

  constructor(private readonly options: DynamoRateLimiterOptions) {
    validateRules(options.rules);
    this.db = options.db ?? documentClient();
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => sleepMs(ms));
    this.paddingMs = options.paddingMs ?? 250;
  }

  /**
   * How far ahead of the read a slot is scheduled, so that the conditional write has usually committed
   * by the slot and the caller leaves on time: at least half the padding (the other half absorbs network
   * jitter), more when writes are slow or contended (capped at 2 s). At saturation slots are set by the
   * log's spacing, so the lead costs no throughput; an idle caller waits about one write's time.
   */
  private leadMs(): number {
    return this.paddingMs === 0 ? 0 : Math.max(this.paddingMs / 2, Math.min(2000, this.commitMs * 1.5));
  }

  private observeCommit(ms: number): void {
    this.commitMs = this.commitMs === 0 ? ms : 0.8 * this.commitMs + 0.2 * ms;
  }

  get name(): string {
    return this.options.name;
  }

  /** Resolves when the caller may send one request; rejects with RateLimitDeadlineError if that is after `deadline`. */
  async acquire(options: { deadline?: number } = {}): Promise<Grant> {
    const started = this.now();
    let penalized = false;
    let heldBack = false;
    for (;;) {
      const { slot, readAt } = await new Promise<{ slot: number; readAt: number }>((resolve, reject) => {
        this.queue.push({ deadline: options.deadline, enqueuedAt: this.now(), resolve, reject });
        void this.pump();
      });
      heldBack ||= slot > readAt + this.leadMs() + 1; // a rule or a penalty held us back
      const wait = slot - this.now();
      if (wait > 0) await this.sleep(wait);
      // Released too long after our slot (a slow or contended write), the request would land in a
      // window the log did not count it in: give the slot up (it stays counted, which is safe) and queue again.
      // With no padding there is no slack to protect (the log alone is the guarantee): no check.
      if (this.paddingMs > 0 && this.now() - slot > this.paddingMs / 2) {
        this.lateReleases += 1;
        continue;
      }
      // A penalty written by another instance while we slept voids our slot.
      if (slot - readAt >= (this.options.recheckPenaltyAfterMs ?? 200)) {
        const blockedUntil = await this.readPenalty();
        if (blockedUntil > this.now()) {
          penalized = true;
          continue;
        }
      }
      const waitedMs = this.now() - started;
      if (heldBack || penalized) this.safely(() => this.options.onThrottle?.({ limiter: this.name, waitedMs, reason: penalized ? 'penalty' : 'rate' }));
      return { slot, waitedMs };
    }
  }

  /**
   * Makes every instance hold off until `untilEpochMs` (a 429, or the quota is used up). A later end always
   * extends the pause; an earlier one replaces it only with a `signal` whose request left after the stored
   * signal arrived (`signalAt < signal.sentAfter`). Without a signal a pause is never shortened.
   */
  async penalize(untilEpochMs: number, signal?: PauseSignal): Promise<void> {
    const now = this.now();
    const until = Math.ceil(untilEpochMs);
    const at = Math.floor(signal?.receivedAt ?? now);
    const values = { ':until': until, ':ttl': ttlSeconds(until), ':reason': (signal?.reason ?? 'penalize() without a signal').slice(0, 200), ':now': now };
    const set = 'SET blockedUntil = :until, expiresAt = :ttl, #reason = :reason, setAt = :now';
    const written =
      // 1. Start or extend the pause; this signal's time is kept unless a newer one is stored.
      (await this.updatePenalty(`${set}, signalAt = :at`, '(attribute_not_exists(blockedUntil) OR blockedUntil < :until) AND (attribute_not_exists(signalAt) OR signalAt <= :at)', { ...values, ':at': at })) ||
      // 2. Extend with an older signal: the newer signalAt stays (it is what a shortening must beat).
      (await this.updatePenalty(set, 'attribute_not_exists(blockedUntil) OR blockedUntil < :until', values)) ||
      // 3. Shorten: only a signal the server sent after the one that set the pause.
      (signal !== undefined &&
        (await this.updatePenalty(`${set}, signalAt = :at`, 'blockedUntil > :until AND signalAt < :sentAfter', { ...values, ':at': at, ':sentAfter': Math.floor(signal.sentAfter) })));
    if (written) this.knownBlockedUntil = until;
  }

  /**
   * The server accepts requests again (a 2xx with quota left): ends the pause at `signal.receivedAt`, under
   * penalize()'s rule. Writes only when this instance knows of a pause beyond it (no write per response).
   */
  async resume(signal: PauseSignal): Promise<void> {
    const at = Math.floor(signal.receivedAt);
    if (this.knownBlockedUntil <= at) return;
    const written = await this.updatePenalty(
      'SET blockedUntil = :at, expiresAt = :ttl, #reason = :reason, setAt = :now, signalAt = :at',
      'blockedUntil > :at AND signalAt < :sentAfter',
      { ':at': at, ':ttl': ttlSeconds(at), ':reason': signal.reason.slice(0, 200), ':now': this.now(), ':sentAfter': Math.floor(signal.sentAfter) },
    );
    if (written) this.knownBlockedUntil = at;
  }

  /**
   * The operator's override (`npm run ratelimit -- clear`): ends the pause now and records who, why and
   * when on the item. Writes nothing when no pause is in force; fails if the pause changed since it was read.
   */
  async clearPause(by: string, reason: string): Promise<{ cleared: boolean; at: number; previous: PauseState }> {
    const previous = await this.readPenaltyState();
    const at = this.now();
    if (previous.blockedUntil <= at) return { cleared: false, at, previous };
    const cleared = await this.updatePenalty(
      'SET blockedUntil = :at, expiresAt = :ttl, clearedAt = :at, clearedBy = :by, clearReason = :why, clearedUntil = :was',
      'blockedUntil = :was',
      { ':at': at, ':ttl': ttlSeconds(at), ':by': by, ':why': reason, ':was': previous.blockedUntil },
    );
    if (!cleared) throw new Error('the pause changed while it was being cleared (a new server signal): look at it again and retry');
    this.knownBlockedUntil = at;
    return { cleared: true, at, previous };
  }

  /** The log and the pause with when and why it was set or cleared (`npm run ratelimit -- show`). */
  async inspect(): Promise<{ grants: number[]; version: number; pause: PauseState }> {
    const [log, pause] = await Promise.all([this.readLog(), this.readPenaltyState()]);
    return { ...log, pause };
  }

  /** Current state, for diagnostics and tests. */
  async snapshot(): Promise<{ grants: number[]; version: number; blockedUntil: number }> {
    const [log, blockedUntil] = await Promise.all([this.readLog(), this.readPenalty()]);
    return { ...log, blockedUntil };
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch ?? 25);
        try {
          await this.reserve(batch);
        } catch (error) {
          for (const waiter of batch) waiter.reject(error);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** One conditional write reserves slots for the whole batch, in queue order. */
  private async reserve(batch: Waiter[]): Promise<void> {
    const rules = this.options.rules;
    const maxRounds = this.options.maxRounds ?? 50;
    let seen: { grants: number[]; version: number } | undefined;
    let blockedUntil = 0;
    for (let round = 1; ; round += 1) {
      // A lost race hands back the winner's log (ALL_OLD), so only the first round reads it; the
      // penalty is re-read every few rounds (it changes rarely, and acquire() re-checks it anyway).
      const [log, penalty] = await Promise.all([seen ?? this.readLog(), round === 1 || round % 4 === 0 ? this.readPenalty() : blockedUntil]);
      blockedUntil = penalty;
      const readAt = this.now();
      let grants = pruneGrants(log.grants, rules, readAt, this.paddingMs);
      const floor = Math.max(readAt + this.leadMs(), blockedUntil);
      const decisions: Array<{ waiter: Waiter; slot: number; rejected?: string }> = [];
      for (const waiter of batch) {
        const slot = earliestSlot(grants, rules, floor, this.paddingMs);
        if (waiter.deadline !== undefined && slot > waiter.deadline) {
          decisions.push({ waiter, slot, rejected: this.limitedBy(grants, blockedUntil, readAt) });
          continue; // reserves nothing: later waiters with longer deadlines are not held back by it
        }
        grants = [...grants, slot];
        decisions.push({ waiter, slot });
      }
      const granted = decisions.filter((d) => d.rejected === undefined);
      if (granted.length > 0) {
        try {
          await this.writeLog(pruneGrants(grants, rules, readAt, this.paddingMs), log.version);
          this.observeCommit(this.now() - readAt);
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          seen = logFromFailedWrite(error);
          if (round >= maxRounds) throw new RateLimiterContentionError(round);
          await this.sleep(2 + Math.random() * 10 * Math.min(round, 5)); // de-synchronise racing instances
          continue;
        }
      }
      for (const d of decisions) {
        if (d.rejected === undefined) d.waiter.resolve({ slot: d.slot, readAt });
        else {
          this.safely(() => this.options.onReject?.({ limiter: this.name, limitedBy: d.rejected as string, wouldWaitMs: d.slot - readAt }));
          d.waiter.reject(new RateLimitDeadlineError(d.slot, d.waiter.deadline as number, d.rejected, readAt));
        }
      }
      return;
    }
  }

  private limitedBy(grants: readonly number[], blockedUntil: number, now: number): string {
    let best = { name: 'penalty', until: blockedUntil };
    for (const rule of this.options.rules) {
      if (grants.length >= rule.limit) {
        const until = grants[grants.length - rule.limit] + rule.windowMs + this.paddingMs;
        if (until > best.until) best = { name: rule.name, until };
      }
    }
    return best.until > now ? best.name : 'order';
  }

  private logKey(): string {
    return `ratelimit#${this.options.name}`;
  }

  private penaltyKey(): string {
    return `ratelimit#${this.options.name}#penalty`;
  }

  private async readLog(): Promise<{ grants: number[]; version: number }> {
    const out = await this.db.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: this.logKey() }, ConsistentRead: true }));
    const item = out.Item as { grants?: number[]; version?: number } | undefined;
    return { grants: (item?.grants ?? []).map(Number), version: Number(item?.version ?? 0) };
  }

  private async readPenalty(): Promise<number> {
    return (await this.readPenaltyState()).blockedUntil;
  }

  private async readPenaltyState(): Promise<PauseState> {
    const out = await this.db.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: this.penaltyKey() }, ConsistentRead: true }));
    const item = (out.Item ?? {}) as Record<string, unknown>;
    const num = (v: unknown) => (v === undefined ? undefined : Number(v));
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const state: PauseState = {
      blockedUntil: Number(item.blockedUntil ?? 0),
      signalAt: num(item.signalAt),
      reason: str(item.reason),
      setAt: num(item.setAt),
      clearedAt: num(item.clearedAt),
      clearedBy: str(item.clearedBy),
      clearReason: str(item.clearReason),
      clearedUntil: num(item.clearedUntil),
    };
    this.knownBlockedUntil = state.blockedUntil;
    return state;
  }

  /** One conditional update of the penalty item; false when the condition did not hold. */
  private async updatePenalty(update: string, condition: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: this.penaltyKey() },
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ExpressionAttributeNames: update.includes('#reason') ? REASON_NAMES : undefined,
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  private async writeLog(grants: number[], readVersion: number): Promise<void> {
    const longest = Math.max(...this.options.rules.map((r) => r.windowMs));
    const last = grants.length ? grants[grants.length - 1] : this.now();
    await this.db.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: { pk: this.logKey(), grants, version: readVersion + 1, expiresAt: Math.ceil((last + longest + DAY_MS) / 1000) },
        ConditionExpression: readVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ExpressionAttributeValues: readVersion === 0 ? undefined : { ':v': readVersion },
      }),
    );
  }

  private safely(hook: () => void): void {
    try {
      hook();
    } catch {
      // Metrics hooks never change the limiter's behaviour.
    }
  }
}
