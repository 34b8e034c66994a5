/**
 * Global rate limiter shared by every Lambda instance through one DynamoDB item per limiter.
 *
 * Design — GCRA with guarded atomic updates (shared/ratelimit/gcra.ts states the rule and proves the bound):
 *  - Item `ratelimit#<name>`: per rule `tat_<windowMs>` (theoretical arrival time) and `free_<windowMs>` (the
 *    earliest slot the rule allows next); the shared pause `blockedUntil` with `signalAt` (when the response
 *    that set it arrived), `reason`, `setAt`, and after an operator's clear `clearedAt`, `clearedBy`,
 *    `clearReason`, `clearedUntil`; for operators `granted` (a counter), `lastSlot`, `lastAt`; `expiresAt` (TTL).
 *  - acquire(): ONE UpdateItem per grant in the common case. The instance guesses, from what it last saw,
 *    which source sets the slot — now (+ a lead), the pause, or a rule's `free` — and per rule whether its
 *    `tat` is ahead of the slot. The ConditionExpression checks exactly that guess (and the caller's deadline);
 *    the UpdateExpression then applies GCRA with DynamoDB arithmetic (`tat = tat + T` or `tat = <slot> + T`)
 *    and records the slot in `lastSlot`, returned with ReturnValues ALL_NEW. Under load every instance
 *    makes the same guess ("the rule's queue sets the slot"), so concurrent grants are increments that all
 *    succeed: there is no read-modify-write race. A failed guard returns the item (ALL_OLD) and the next
 *    attempt uses it; a caller whose slot would pass its deadline is rejected from it and writes nothing.
 *  - Reservations of one instance go one at a time, in arrival order (FIFO).
 *  - A caller released more than paddingMs/2 after its slot gives the slot up (it stays consumed: safe) and
 *    queues again, so every request leaves within half a padding of its slot.
 *  - penalize() / resume() / clearPause() are conditional updates of the same item (the pause rules are
 *    unchanged); every grant written after a pause is at or after its end. A caller that slept past a pause
 *    written meanwhile re-reads it before going (recheckPenalty).
 *  - The previous limiter's sliding log (`grants`, `version` on the same key) is replayed into the schedule
 *    on first contact, so the switch keeps the bound; its `#penalty` item's pause is carried over.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { RateLimitDeadlineError, RateLimiterContentionError } from '../ratelimit/errors';
import type { Grant, PauseSignal, RateLimiter, RejectionObservation, ThrottleObservation } from '../ratelimit/ports';
import {
  advanceAfterTolerance,
  limitedBy,
  planSlot,
  replayGrants,
  ruleTimings,
  type Binding,
  type RateRule,
  type RuleState,
  type RuleTiming,
  type ScheduleState,
  type SlotPlan,
} from '../ratelimit/gcra';
import { documentClient } from './aws-clients';
import { isConditionFailure } from './dynamo-errors';

export interface DynamoRateLimiterOptions {
  readonly tableName: string;
  /** Limiter key (one per API key / environment), e.g. "moncreneau-prod". */
  readonly name: string;
  readonly rules: readonly RateRule[];
  /** Added to every window to absorb late release, send jitter and clock skew between instances (default 250 ms). */
  readonly paddingMs?: number;
  /** Give up after this many failed guards in a row for one reservation (default 50). */
  readonly maxRounds?: number;
  /** A caller that waited at least this long for its slot may re-read the pause before it goes (default 200 ms). */
  readonly recheckPenaltyAfterMs?: number;
  /**
   * When that re-read happens (one read): 'after-pause' (default) while this instance has seen a pause in force
   * or ended within the last hour — the server is at its quota's edge and 429s come in runs; 'always' after
   * every such wait (one more request per grant under load).
   */
  readonly recheckPenalty?: 'always' | 'after-pause';
  /** No slot is reserved further ahead than this, deadline or not (default one day). */
  readonly maxAheadMs?: number;
  readonly db?: DynamoDBDocumentClient;
  readonly onThrottle?: (o: ThrottleObservation) => void;
  readonly onReject?: (o: RejectionObservation) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The pause as stored (epoch ms), for operators and tests. */
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

/** One rule's schedule as stored, for operators and tests. */
export interface RuleScheduleView {
  readonly windowMs: number;
  /** The configured rule with this window, if any. */
  readonly rule?: RateRule;
  /** GCRA's theoretical arrival time; undefined = not used yet (or expired). */
  readonly tat?: number;
  /** The earliest slot this rule allows next. */
  readonly free?: number;
}

export interface LimiterView {
  /** Every stored rule schedule (configured rules first), by window. */
  readonly rules: readonly RuleScheduleView[];
  /** Grants handed out since the item was created. */
  readonly granted: number;
  /** The last slot handed out and when it was reserved. */
  readonly lastSlot?: number;
  readonly lastAt?: number;
  readonly pause: PauseState;
}

interface Reservation {
  readonly slot: number;
  /** When the reservation was sent (this instance's clock). */
  readonly sentAt: number;
  readonly binding: Binding;
  /** A rule put the slot after now + lead. */
  readonly heldBack: boolean;
}

interface Waiter {
  readonly deadline?: number;
  readonly resolve: (r: Reservation) => void;
  readonly reject: (error: unknown) => void;
}

type Item = Record<string, unknown>;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const EMPTY: ScheduleState = { rules: [] };
const REASON_NAMES = { '#reason': 'reason' };

const num = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The item handed back by a failed conditional write (marshalled or not, depending on the client layer). */
function itemFromFailure(error: unknown): Item | undefined {
  const raw = (error as { Item?: Record<string, unknown> }).Item;
  if (!raw) return undefined;
  const pk = raw.pk as { S?: unknown } | undefined;
  return pk && typeof pk === 'object' && 'S' in pk ? (unmarshall(raw as Record<string, AttributeValue>) as Item) : raw;
}

function pauseOf(item: Item | undefined): PauseState {
  const i = item ?? {};
  return {
    blockedUntil: num(i.blockedUntil) ?? 0,
    signalAt: num(i.signalAt),
    reason: str(i.reason),
    setAt: num(i.setAt),
    clearedAt: num(i.clearedAt),
    clearedBy: str(i.clearedBy),
    clearReason: str(i.clearReason),
    clearedUntil: num(i.clearedUntil),
  };
}

export class DynamoRateLimiter implements RateLimiter {
  private readonly db: DynamoDBDocumentClient;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly paddingMs: number;
  private readonly timings: readonly RuleTiming[];
  private readonly longestWindowMs: number;
  private readonly queue: Waiter[] = [];
  private pumping = false;
  /** Recent send-to-answer time of a reservation update, applied or not (moving average), for the scheduling lead. */
  private commitMs = 0;
  private answers = 0;
  /** The schedule as this instance last saw it (any answer from DynamoDB), and when. */
  private seen: ScheduleState | undefined;
  private seenAt = 0;
  /** The last reservation was held back by this rule (a queue): guess it still is (see guess()). */
  private queuedOn: number | undefined;
  /** Grants given up because they were released more than paddingMs/2 after their slot (diagnostics). */
  lateReleases = 0;
  /** Guarded updates whose guess the item did not match, so the reservation went round again (diagnostics: lost races). */
  guardMisses = 0;
  /** blockedUntil as this instance last read or wrote it: resume() writes only when it knows of a pause. */
  private knownBlockedUntil = 0;
  /** The latest pause end this instance has seen (recheckPenalty 'after-pause'). */
  private lastPauseEnd = 0;

  constructor(private readonly options: DynamoRateLimiterOptions) {
    this.paddingMs = options.paddingMs ?? 250;
    this.timings = ruleTimings(options.rules, this.paddingMs);
    this.longestWindowMs = Math.max(...options.rules.map((r) => r.windowMs));
    this.db = options.db ?? documentClient();
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => sleepMs(ms));
  }

  get name(): string {
    return this.options.name;
  }

  /**
   * How far ahead of the request a free slot is scheduled, so that the update has usually answered by the
   * slot and the caller leaves on time: 1.5 × the recent answer time, capped at 2 s (a later answer is caught by
   * the release check: within half a padding the caller still goes, beyond it gives the slot up); half a padding
   * before the first answer. Under load slots are set by the rules and the lead costs nothing; an idle caller
   * waits about one update's time.
   */
  private leadMs(): number {
    if (this.paddingMs === 0) return 0;
    // No answer measured yet (a new instance: cold connection, maybe every instance starting at once): half a padding.
    return this.answers === 0 ? this.paddingMs / 2 : Math.min(2000, this.commitMs * 1.5);
  }

  /**
   * The earliest (relative to the request) that a slot already set by the pause or a rule may be and still be
   * taken, even before now + lead: with padding, as long as the answer, expected after the recent answer time,
   * comes no more than half a padding after it; without padding (no release check), one answer time back.
   * Overlapping the lead this way means that grants sent at about the same time by several instances can all
   * be increments of the same rule instead of racing for "now".
   */
  private earliestLeadMs(): number {
    return this.paddingMs === 0 ? -this.commitMs : Math.min(this.leadMs(), this.commitMs - this.paddingMs / 2);
  }

  /**
   * Moving average from an optimistic start (0): one slow answer — a cold connection, or DynamoDB busy with
   * every instance's first request at once — must not make the next grants leave a gap before their slots
   * (a lead that is too short costs at most a slot given up; one too long leaves capacity unused).
   */
  private observeCommit(ms: number): void {
    this.answers += 1;
    this.commitMs = 0.8 * this.commitMs + 0.2 * ms;
  }

  /** Resolves when the caller may send one request; rejects with RateLimitDeadlineError if that is after `deadline`. */
  async acquire(options: { deadline?: number } = {}): Promise<Grant> {
    const started = this.now();
    let penalized = false;
    let heldBack = false;
    for (;;) {
      const reservation = await new Promise<Reservation>((resolve, reject) => {
        this.queue.push({ deadline: options.deadline, resolve, reject });
        void this.pump();
      });
      if (reservation.binding.kind === 'pause') penalized = true;
      heldBack ||= reservation.heldBack;
      const { slot } = reservation;
      const wait = slot - this.now();
      if (wait > 0) await this.sleep(wait);
      // Released too long after our slot (a slow update, a busy event loop), the request would reach the
      // server outside the padding the bound allows for: give the slot up (it stays consumed, which is safe)
      // and queue again. With no padding there is no slack to protect (the schedule alone is the guarantee).
      if (this.paddingMs > 0 && this.now() - slot > this.paddingMs / 2) {
        this.lateReleases += 1;
        continue;
      }
      // A pause written by another instance while we slept voids our slot.
      if (this.shouldRecheck(reservation)) {
        const { blockedUntil } = pauseOf(await this.readItem());
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

  private shouldRecheck(r: Reservation): boolean {
    if (r.slot - r.sentAt < (this.options.recheckPenaltyAfterMs ?? 200)) return false;
    return (this.options.recheckPenalty ?? 'after-pause') === 'always' || this.lastPauseEnd > r.slot - HOUR_MS;
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
    const values = { ':until': until, ':ttl': this.ttl(until), ':reason': (signal?.reason ?? 'penalize() without a signal').slice(0, 200), ':now': now };
    const set = 'SET blockedUntil = :until, expiresAt = :ttl, #reason = :reason, setAt = :now';
    const written =
      // 1. Start or extend the pause; this signal's time is kept unless a newer one is stored.
      (await this.updatePause(`${set}, signalAt = :at`, '(attribute_not_exists(blockedUntil) OR blockedUntil < :until) AND (attribute_not_exists(signalAt) OR signalAt <= :at)', { ...values, ':at': at })) ||
      // 2. Extend with an older signal: the newer signalAt stays (it is what a shortening must beat).
      (await this.updatePause(set, 'attribute_not_exists(blockedUntil) OR blockedUntil < :until', values)) ||
      // 3. Shorten: only a signal the server sent after the one that set the pause.
      (signal !== undefined &&
        (await this.updatePause(`${set}, signalAt = :at`, 'blockedUntil > :until AND signalAt < :sentAfter', { ...values, ':at': at, ':sentAfter': Math.floor(signal.sentAfter) })));
    if (written) this.knownBlockedUntil = until;
  }

  /**
   * The server accepts requests again (a 2xx with quota left): ends the pause at `signal.receivedAt`, under
   * penalize()'s rule. Writes only when this instance knows of a pause beyond it (no write per response).
   */
  async resume(signal: PauseSignal): Promise<void> {
    const at = Math.floor(signal.receivedAt);
    if (this.knownBlockedUntil <= at) return;
    const written = await this.updatePause(
      'SET blockedUntil = :at, expiresAt = :ttl, #reason = :reason, setAt = :now, signalAt = :at',
      'blockedUntil > :at AND signalAt < :sentAfter',
      { ':at': at, ':ttl': this.ttl(at), ':reason': signal.reason.slice(0, 200), ':now': this.now(), ':sentAfter': Math.floor(signal.sentAfter) },
    );
    if (written) this.knownBlockedUntil = at;
  }

  /**
   * The operator's override (`npm run ratelimit -- clear`): ends the pause now and records who, why and
   * when on the item. Writes nothing when no pause is in force; fails if the pause changed since it was read.
   */
  async clearPause(by: string, reason: string): Promise<{ cleared: boolean; at: number; previous: PauseState }> {
    const previous = pauseOf(await this.readItem());
    const at = this.now();
    if (previous.blockedUntil <= at) return { cleared: false, at, previous };
    const cleared = await this.updatePause(
      'SET blockedUntil = :at, expiresAt = :ttl, clearedAt = :at, clearedBy = :by, clearReason = :why, clearedUntil = :was',
      'blockedUntil = :was',
      { ':at': at, ':ttl': this.ttl(at), ':by': by, ':why': reason, ':was': previous.blockedUntil },
    );
    if (!cleared) throw new Error('the pause changed while it was being cleared (a new server signal): look at it again and retry');
    this.knownBlockedUntil = at;
    return { cleared: true, at, previous };
  }

  /** The schedule and the pause with when and why it was set or cleared (`npm run ratelimit -- show`). */
  async inspect(): Promise<LimiterView> {
    const item = (await this.readItem()) ?? {};
    const windows = new Set<number>(this.timings.map((t) => t.rule.windowMs));
    for (const key of Object.keys(item)) {
      const m = /^tat_(\d+)$/.exec(key);
      if (m) windows.add(Number(m[1]));
    }
    const rules = [...windows].map((windowMs) => ({
      windowMs,
      rule: this.options.rules.find((r) => r.windowMs === windowMs),
      tat: num(item[`tat_${windowMs}`]),
      free: num(item[`free_${windowMs}`]),
    }));
    return { rules, granted: num(item.granted) ?? 0, lastSlot: num(item.lastSlot), lastAt: num(item.lastAt), pause: pauseOf(item) };
  }

  /** Current state, for diagnostics and tests. */
  async snapshot(): Promise<{ rules: RuleScheduleView[]; granted: number; lastSlot?: number; blockedUntil: number }> {
    const view = await this.inspect();
    return { rules: view.rules.filter((r) => r.rule !== undefined), granted: view.granted, lastSlot: view.lastSlot, blockedUntil: view.pause.blockedUntil };
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let waiter = this.queue.shift(); waiter; waiter = this.queue.shift()) {
        try {
          waiter.resolve(await this.reserve(waiter.deadline));
        } catch (error) {
          waiter.reject(error);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * The guess for the next grant. Fresh knowledge (an answer from DynamoDB this reservation) gives the exact
   * plan. Otherwise, if this instance's last reservation queued behind a rule, other instances have most
   * likely granted since at the same pace: the guess projects every rule forward by the grants that fit in
   * the time elapsed (one per period of the rule it queued on), so the rule with the longest period takes
   * over as it does under sustained load. Only the shape of the guess matters — the guard checks it against
   * the item and the update uses the item's own values.
   */
  private guess(now: number, earliest: number, fresh: boolean): SlotPlan {
    const state = this.seen ?? EMPTY;
    if (fresh || this.queuedOn === undefined) return planSlot(state, this.timings, now, earliest);
    const grants = Math.max(1, (now - this.seenAt) / this.timings[this.queuedOn].periodMs);
    const projected: ScheduleState = {
      blockedUntil: state.blockedUntil,
      rules: state.rules.map((r, i) => {
        const ahead = grants * this.timings[i].periodMs;
        return { tat: r.tat === undefined ? undefined : r.tat + ahead, free: r.free === undefined ? undefined : r.free + ahead };
      }),
    };
    return planSlot(projected, this.timings, now, earliest);
  }

  /** One grant: guarded updates until one applies, or a rejection from the item as it is. */
  private async reserve(deadline: number | undefined): Promise<Reservation> {
    const maxRounds = this.options.maxRounds ?? 50;
    let fresh = false;
    for (let round = 1; ; round += 1) {
      const sentAt = this.now();
      const now = Math.ceil(sentAt + this.leadMs()); // whole ms: every stored instant is exact to the µs
      const earliest = sentAt + this.earliestLeadMs();
      const limit = Math.min(deadline ?? Number.POSITIVE_INFINITY, sentAt + (this.options.maxAheadMs ?? DAY_MS));
      const known = planSlot(this.seen ?? EMPTY, this.timings, now, earliest);
      // Rejected without a write: nothing fits before the deadline, or the item just read says the slot is
      // past it, or a rule's free slot as last seen already is (it only ever moves forward).
      if (now > limit || (known.slot > limit && (fresh || known.binding.kind === 'rule'))) throw this.rejection(known, now, limit, deadline);
      const guess = this.guess(now, earliest, fresh);
      try {
        const item = await this.update(this.reservationUpdate(guess, now, earliest, limit));
        this.observeCommit(this.now() - sentAt);
        this.learn(item);
        this.queuedOn = guess.binding.kind === 'rule' ? guess.binding.index : undefined;
        const slot = num(item.lastSlot) ?? guess.slot;
        return { slot, sentAt, binding: guess.binding, heldBack: guess.binding.kind === 'rule' && slot > now };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        this.observeCommit(this.now() - sentAt);
        const item = itemFromFailure(error) ?? (await this.readItem());
        this.learn(item);
        fresh = true;
        if (item && Array.isArray(item.grants)) {
          await this.seedFromSlidingLog(item);
          continue;
        }
        // A guard that failed on the deadline is the answer (the next round rejects without writing); any other is a miss.
        if (planSlot(this.seen ?? EMPTY, this.timings, now, earliest).slot <= limit) this.guardMisses += 1;
        if (round >= maxRounds) throw new RateLimiterContentionError(round);
      }
    }
  }

  private rejection(plan: SlotPlan, now: number, limit: number, deadline: number | undefined): RateLimitDeadlineError {
    const slot = Math.max(plan.slot, now);
    const by = plan.slot > now ? limitedBy(plan, this.timings) : 'order';
    this.safely(() => this.options.onReject?.({ limiter: this.name, limitedBy: by, wouldWaitMs: slot - this.now() }));
    return new RateLimitDeadlineError(slot, deadline ?? limit, by, this.now());
  }

  /**
   * The guarded update for `plan`: the condition holds exactly when the plan's binding sets the slot (and it
   * is within `limit`) and each rule's tat is on the planned side of it; the update is then GCRA's step.
   */
  private reservationUpdate(plan: SlotPlan, now: number, earliest: number, limit: number) {
    const names: Record<string, string> = { '#bu': 'blockedUntil', '#grants': 'grants' };
    const values: Record<string, unknown> = { ':one': 1, ':ttl': this.ttl(now), ':at': this.now() };
    const b = plan.binding;
    const slot = b.kind === 'now' ? ':now' : b.kind === 'pause' ? '#bu' : `#f${b.index}`;
    const cond = ['attribute_not_exists(#grants)'];
    const set = [`lastSlot = ${slot}`, 'lastAt = :at', 'expiresAt = :ttl'];
    this.timings.forEach((t, i) => {
      names[`#t${i}`] = `tat_${t.rule.windowMs}`;
      names[`#f${i}`] = `free_${t.rule.windowMs}`;
    });
    // The binding source is the largest of the pause end and every rule's free slot, and at or after `earliest`;
    // or now, when none is later.
    if (b.kind === 'now') values[':now'] = now;
    else {
      cond.push(`${slot} >= :min`);
      values[':min'] = earliest;
    }
    if (b.kind !== 'now' && Number.isFinite(limit)) {
      cond.push(`${slot} <= :limit`);
      values[':limit'] = limit;
    }
    if (b.kind !== 'pause') cond.push(`(attribute_not_exists(#bu) OR #bu <= ${slot})`);
    this.timings.forEach((_, i) => {
      if (!(b.kind === 'rule' && b.index === i)) cond.push(`(attribute_not_exists(#f${i}) OR #f${i} <= ${slot})`);
    });
    // Each rule: tat ← max(tat, slot) + T, free ← tat − τ, as an increment or a restart from the slot.
    this.timings.forEach((t, i) => {
      const advance = advanceAfterTolerance(t);
      if (plan.fromOwn[i]) {
        cond.push(`#t${i} >= ${slot}`);
        set.push(`#t${i} = #t${i} + :T${i}`, `#f${i} = #t${i} + :U${i}`);
        values[`:T${i}`] = t.periodMs;
        values[`:U${i}`] = advance;
      } else if (b.kind === 'now') {
        cond.push(`(attribute_not_exists(#t${i}) OR #t${i} <= :now)`);
        set.push(`#t${i} = :T${i}`, `#f${i} = :U${i}`);
        values[`:T${i}`] = (Math.round(now * 1000) + Math.round(t.periodMs * 1000)) / 1000;
        values[`:U${i}`] = (Math.round(now * 1000) + Math.round(advance * 1000)) / 1000;
      } else {
        cond.push(`(attribute_not_exists(#t${i}) OR #t${i} <= ${slot})`);
        set.push(`#t${i} = ${slot} + :T${i}`, `#f${i} = ${slot} + :U${i}`);
        values[`:T${i}`] = t.periodMs;
        values[`:U${i}`] = advance;
      }
    });
    return {
      UpdateExpression: `SET ${set.join(', ')} ADD granted :one`,
      ConditionExpression: cond.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  /**
   * The item still holds the previous limiter's sliding log: replay it into the schedule (gcra.ts,
   * replayGrants) and drop it, conditional on the log's version so that no grant of an old instance is
   * lost; the old instances' writes fail from then on (no version to match), so they fail closed. A pause
   * in force in the old `#penalty` item is carried over.
   */
  private async seedFromSlidingLog(item: Item): Promise<void> {
    const grants = (item.grants as unknown[]).map(Number);
    const seeded = replayGrants(grants, this.timings);
    const names: Record<string, string> = { '#grants': 'grants', '#version': 'version' };
    const values: Record<string, unknown> = { ':ttl': this.ttl(this.now()) };
    const set = ['expiresAt = :ttl'];
    seeded.forEach((s: RuleState, i) => {
      if (s.tat === undefined || s.free === undefined) return;
      const w = this.timings[i].rule.windowMs;
      names[`#t${i}`] = `tat_${w}`;
      names[`#f${i}`] = `free_${w}`;
      values[`:t${i}`] = s.tat;
      values[`:f${i}`] = s.free;
      set.push(`#t${i} = :t${i}`, `#f${i} = :f${i}`);
    });
    const version = num(item.version);
    if (version !== undefined) values[':v'] = version;
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: this.itemKey() },
          UpdateExpression: `SET ${set.join(', ')} REMOVE #grants, #version`,
          ConditionExpression: `attribute_exists(#grants) AND ${version === undefined ? 'attribute_not_exists(#version)' : '#version = :v'}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      this.learn(out.Attributes);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      this.learn(await this.readItem()); // another instance seeded it, or an old one wrote first: look again
      return;
    }
    const legacy = await this.db.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: `${this.itemKey()}#penalty` }, ConsistentRead: true }));
    const pause = pauseOf(legacy.Item);
    if (pause.blockedUntil > this.now()) {
      // sentAfter 0: carried over, it extends the pause but can never shorten one.
      await this.penalize(pause.blockedUntil, { receivedAt: pause.signalAt ?? pause.setAt ?? this.now(), sentAfter: 0, reason: `${pause.reason ?? 'pause'} (carried over from the previous limiter)` });
    }
  }

  /** Remembers what an answer from DynamoDB says about the schedule and the pause. */
  private learn(item: Item | undefined): void {
    const i = item ?? {};
    this.seen = {
      rules: this.timings.map((t) => ({ tat: num(i[`tat_${t.rule.windowMs}`]), free: num(i[`free_${t.rule.windowMs}`]) })),
      blockedUntil: num(i.blockedUntil),
    };
    this.seenAt = this.now();
    this.knownBlockedUntil = num(i.blockedUntil) ?? 0;
    this.lastPauseEnd = Math.max(this.lastPauseEnd, this.knownBlockedUntil);
  }

  private itemKey(): string {
    return `ratelimit#${this.options.name}`;
  }

  /** TTL: two days after the later of now and `until`, plus the longest window (a slot is never more than a day ahead). */
  private ttl(until: number): number {
    return Math.ceil((Math.max(this.now(), until) + this.longestWindowMs + 2 * DAY_MS) / 1000);
  }

  private async readItem(): Promise<Item | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: this.itemKey() }, ConsistentRead: true }));
    this.learn(out.Item);
    return out.Item;
  }

  private async update(input: { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> }): Promise<Item> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: { pk: this.itemKey() },
        ...input,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return (out.Attributes ?? {}) as Item;
  }

  /** One conditional update of the pause; false when the condition did not hold. */
  private async updatePause(update: string, condition: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: this.itemKey() },
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ExpressionAttributeNames: update.includes('#reason') ? REASON_NAMES : undefined,
          ReturnValues: 'ALL_NEW',
        }),
      );
      this.learn(out.Attributes);
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  private safely(hook: () => void): void {
    try {
      hook();
    } catch {
      // Metrics hooks never change the limiter's behaviour.
    }
  }
}
