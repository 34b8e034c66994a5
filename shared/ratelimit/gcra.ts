/**
 * The pure part of the global rate limiter: GCRA (the generic cell rate algorithm, i.e. a token bucket
 * kept as one timestamp per rule), parameterised so that it keeps a *sliding-window* limit exactly.
 *
 * Per rule (limit L, window W, burst b, padding P, W' = W + P):
 *     T = W' / (L − b + 1)   (emission interval, rounded up to the µs)      τ = (b − 1)·T   (burst tolerance)
 * State: `tat` (theoretical arrival time) and `free` = tat − τ (the earliest instant the rule allows next).
 * A grant gets the slot  s = max(now, pause end, free_r for every rule r)  and every rule advances
 *     tat_r ← max(tat_r, s) + T_r        free_r ← tat_r − τ_r.
 * Grants are committed one at a time (one DynamoDB item), so for grants j < k in commit order
 *     s_k ≥ free_k = tat_k − τ ≥ tat_{j+1} + (k − j − 1)·T − τ ≥ s_j + (k − j)·T − τ.
 * Any n grants whose slots lie in one half-open interval of length W' have a first (j) and a last (k) in
 * commit order with n ≤ k − j + 1 and (k − j)·T − τ ≤ s_k − s_j < W', so k − j < (W' + τ)/T ≤ L: n ≤ L.
 * Nothing assumes slots increase with commit order, so the instances' clocks need not agree for this bound;
 * clock skew and late release are what the padding P absorbs at the server (docs/moncreneau-client.md §5).
 *
 * Each grant is one guarded update: the client guesses which source sets the slot (now, the pause, or a
 * rule) and, per rule, whether its tat is ahead of the slot; the guard checks exactly that, so the update
 * (an increment of tat, or tat = slot + T) is the rule above whenever it is applied. Concurrent grants in
 * the same situation all succeed (increments commute); only a change of situation fails a guard.
 */

export interface RateRule {
  /** For errors and metrics, e.g. "per-minute". */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  /**
   * Grants that may leave back to back after a quiet spell (1 ≤ burst ≤ limit; default 1 = evenly spaced).
   * The window still never holds more than `limit`; each unit of burst above 1 costs 1/limit of the
   * sustained rate, which is (limit − burst + 1) per (window + padding).
   */
  readonly burst?: number;
}

/** A rule's GCRA parameters (ms, exact to the µs). */
export interface RuleTiming {
  readonly rule: RateRule;
  readonly burst: number;
  /** Emission interval T: sustained, one grant per T. */
  readonly periodMs: number;
  /** Burst tolerance τ = (burst − 1)·T. */
  readonly toleranceMs: number;
}

/** One rule's stored state; both undefined = the rule was never used (or its state expired). */
export interface RuleState {
  readonly tat?: number;
  readonly free?: number;
}

export interface ScheduleState {
  /** In the order of the timings. */
  readonly rules: readonly RuleState[];
  /** End of the shared pause (a 429), epoch ms. */
  readonly blockedUntil?: number;
}

export type Binding = { readonly kind: 'now' } | { readonly kind: 'pause' } | { readonly kind: 'rule'; readonly index: number };

export interface SlotPlan {
  readonly slot: number;
  /** What sets the slot. */
  readonly binding: Binding;
  /** Per rule: true = its tat is at or after the slot and advances from itself; false = it restarts from the slot. */
  readonly fromOwn: readonly boolean[];
}

const US = 1000;

export function ruleTimings(rules: readonly RateRule[], paddingMs = 0): RuleTiming[] {
  validateRules(rules);
  if (!(paddingMs >= 0)) throw new Error('paddingMs must be ≥ 0');
  return rules.map((rule) => {
    const burst = rule.burst ?? 1;
    const periodUs = Math.ceil(((rule.windowMs + paddingMs) * US) / (rule.limit - burst + 1));
    return { rule, burst, periodMs: periodUs / US, toleranceMs: ((burst - 1) * periodUs) / US };
  });
}

/** T − τ in ms, computed in whole µs so that it is written to DynamoDB without binary noise. */
export function advanceAfterTolerance(timing: RuleTiming): number {
  const periodUs = Math.round(timing.periodMs * US);
  return (periodUs - (timing.burst - 1) * periodUs) / US;
}

/**
 * The slot for the next grant, what sets it, and how each rule advances. The slot is `now` unless the pause
 * or a rule's free slot is later — or merely at or after `earliest` (≤ now): taking a rule's free slot a
 * little before `now` is just as valid for the bound (any slot ≥ every free slot is), and it lets concurrent
 * grants from instances whose clocks or answer times differ by a little all be increments of the same rule.
 */
export function planSlot(state: ScheduleState, timings: readonly RuleTiming[], now: number, earliest = now): SlotPlan {
  let latest = Number.NEGATIVE_INFINITY;
  let binding: Binding = { kind: 'now' };
  timings.forEach((_, index) => {
    const free = state.rules[index]?.free;
    if (free !== undefined && free > latest) {
      latest = free;
      binding = { kind: 'rule', index };
    }
  });
  if (state.blockedUntil !== undefined && state.blockedUntil > latest) {
    latest = state.blockedUntil;
    binding = { kind: 'pause' };
  }
  if (!(latest >= Math.min(earliest, now))) binding = { kind: 'now' };
  const slot = binding.kind === 'now' ? now : latest;
  return { slot, binding, fromOwn: fromOwnAt(state, timings, slot) };
}

function fromOwnAt(state: ScheduleState, timings: readonly RuleTiming[], slot: number): boolean[] {
  return timings.map((_, index) => {
    const tat = state.rules[index]?.tat;
    return tat !== undefined && tat >= slot;
  });
}

/** The state after granting `plan` (what the guarded update writes). */
export function applyPlan(state: ScheduleState, timings: readonly RuleTiming[], plan: SlotPlan): ScheduleState {
  return {
    blockedUntil: state.blockedUntil,
    rules: timings.map((timing, index) => {
      const own = state.rules[index]?.tat;
      const base = plan.fromOwn[index] && own !== undefined ? own : plan.slot;
      return { tat: base + timing.periodMs, free: base + advanceAfterTolerance(timing) };
    }),
  };
}

/** For errors and metrics: the rule name, "penalty" (a server-imposed pause), or "order" (nothing holds it back but the scheduling lead). */
export function limitedBy(plan: SlotPlan, timings: readonly RuleTiming[]): string {
  if (plan.binding.kind === 'pause') return 'penalty';
  if (plan.binding.kind === 'rule') return timings[plan.binding.index].rule.name;
  return 'order';
}

/**
 * Runs a sliding log of past grant instants (the previous limiter's item) through GCRA, so that a schedule
 * seeded from it keeps the bound across the switch: the chain above holds for the replayed grants too.
 */
export function replayGrants(grants: readonly number[], timings: readonly RuleTiming[]): RuleState[] {
  const sorted = [...grants].filter(Number.isFinite).sort((a, b) => a - b);
  return timings.map((timing) => {
    let tat: number | undefined;
    for (const g of sorted) tat = Math.max(tat ?? g, g) + timing.periodMs;
    return tat === undefined ? {} : { tat, free: tat - timing.toleranceMs };
  });
}

/** Largest number of instants inside any half-open interval [t, t + windowMs). For tests and the benchmark. */
export function maxInAnyWindow(instants: readonly number[], windowMs: number): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end] - sorted[start] >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

export function validateRules(rules: readonly RateRule[]): void {
  if (rules.length === 0) throw new Error('At least one rate rule is required');
  const windows = new Set<number>();
  for (const r of rules) {
    if (!Number.isInteger(r.limit) || r.limit < 1) throw new Error(`Rate rule ${r.name}: limit must be an integer ≥ 1`);
    if (!Number.isFinite(r.windowMs) || r.windowMs <= 0) throw new Error(`Rate rule ${r.name}: windowMs must be > 0`);
    const burst = r.burst ?? 1;
    if (!Number.isInteger(burst) || burst < 1 || burst > r.limit) throw new Error(`Rate rule ${r.name}: burst must be an integer between 1 and the limit`);
    if (windows.has(r.windowMs)) throw new Error(`Rate rule ${r.name}: another rule has the same window (keep the stricter one)`);
    windows.add(r.windowMs);
  }
}
