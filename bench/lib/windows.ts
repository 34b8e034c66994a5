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

/**
 * Sustained rate (per second) independent of where the run starts and stops: k·limit instants over
 * the time they took, counted back from the last one (k = as many whole "limit"s as were observed).
 * A limiter that repeats its pattern every period P gives exactly limit / P. Undefined with ≤ limit instants.
 */
export function sustainedRate(instants: readonly number[], limit: number): number | undefined {
  const sorted = [...instants].sort((a, b) => a - b);
  const k = Math.floor((sorted.length - 1) / limit);
  if (k < 1) return undefined;
  const last = sorted[sorted.length - 1];
  const span = last - sorted[sorted.length - 1 - k * limit];
  return span > 0 ? (k * limit * 1000) / span : undefined;
}

/** Instants within [from, to). */
export function countBetween(instants: readonly number[], from: number, to: number): number {
  return instants.filter((t) => t >= from && t < to).length;
}
