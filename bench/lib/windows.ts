/** Sliding-window figures over event instants, for the rate-limit benchmark. */

export interface DensestWindow {
  /** Largest number of instants inside one half-open interval [start, start + windowMs). */
  readonly count: number;
  /** Where that interval starts (the first instant in it); NaN when there are no instants. */
  readonly start: number;
}

/** Two pointers over the sorted instants: every densest interval can be slid to start at an instant. */
export function densestWindow(instants: readonly number[], windowMs: number): DensestWindow {
  const sorted = [...instants].sort((a, b) => a - b);
  let best: DensestWindow = { count: 0, start: Number.NaN };
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while (sorted[last] - sorted[first] >= windowMs) first += 1;
    if (last - first + 1 > best.count) best = { count: last - first + 1, start: sorted[first] };
  }
  return best;
}

/** Counts in consecutive windows [from + i·windowMs, from + (i+1)·windowMs) up to `to` (the last one may be shorter). */
export function perWindowCounts(instants: readonly number[], from: number, to: number, windowMs: number): number[] {
  const counts: number[] = [];
  for (let t = from; t < to; t += windowMs) counts.push(countBetween(instants, t, Math.min(to, t + windowMs)));
  return counts;
}

/** Instants within [from, to). */
export function countBetween(instants: readonly number[], from: number, to: number): number {
  return instants.filter((t) => t >= from && t < to).length;
}
