/**
 * The pure part of the global rate limiter: a sliding log of grant instants, shared by all
 * instances through one DynamoDB item.
 *
 * Invariant kept for every rule (limit L, window W, padding P, W' = W + P), over the sorted grants g:
 *     g[i] ≥ g[i − L] + W'   for every i ≥ L
 * i.e. any L + 1 consecutive grants span at least W', so no half-open interval of length W' (hence
 * none of length W) contains more than L grants. A new grant is placed at the earliest instant that
 * keeps the invariant and is not before the previous grant (grants are handed out in order).
 * Two fixed windows back to back cannot happen here: there are no windows, only the log.
 */

export interface RateRule {
  /** For errors and metrics, e.g. "per-minute". */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

/** Earliest instant ≥ floor (and ≥ the last grant) that keeps the invariant for every rule. */
export function earliestSlot(grants: readonly number[], rules: readonly RateRule[], floor: number, paddingMs = 0): number {
  let slot = Math.max(floor, grants.length ? grants[grants.length - 1] : Number.NEGATIVE_INFINITY);
  for (const rule of rules) {
    if (grants.length >= rule.limit) slot = Math.max(slot, grants[grants.length - rule.limit] + rule.windowMs + paddingMs);
  }
  return slot;
}

/**
 * Drops grants that can no longer constrain a slot ≥ now: older than the longest window, or beyond
 * the largest limit counted from the end (only g[n − L] is ever consulted). Safe by construction.
 */
export function pruneGrants(grants: readonly number[], rules: readonly RateRule[], now: number, paddingMs = 0): number[] {
  const longest = Math.max(...rules.map((r) => r.windowMs)) + paddingMs;
  const largest = Math.max(...rules.map((r) => r.limit));
  const recent = grants.filter((g) => g > now - longest);
  return recent.slice(Math.max(0, recent.length - largest));
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
  for (const r of rules) {
    if (!Number.isInteger(r.limit) || r.limit < 1) throw new Error(`Rate rule ${r.name}: limit must be an integer ≥ 1`);
    if (!Number.isFinite(r.windowMs) || r.windowMs <= 0) throw new Error(`Rate rule ${r.name}: windowMs must be > 0`);
  }
}
