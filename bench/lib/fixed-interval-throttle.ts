/**
 * The baseline of the rate-limit benchmark: a per-process limiter with the semantics of p-throttle's
 * default (non-strict) mode, as in the checklist's `pThrottle({ limit, interval })` example. At most
 * `limit` calls start per `interval`, counted in back-to-back fixed intervals that begin at the first
 * call after an idle interval. It knows nothing of other processes: N instances allow N × limit.
 * (No dependency: the algorithm is p-throttle's `windowedDelay`, re-implemented.)
 */
export interface FixedIntervalThrottle {
  /** Milliseconds the caller must wait before starting; the call is counted now (like p-throttle). */
  reserve(): number;
}

export function fixedIntervalThrottle(options: { limit: number; interval: number; now?: () => number }): FixedIntervalThrottle {
  const { limit, interval } = options;
  const now = options.now ?? Date.now;
  let currentTick = 0;
  let activeCount = 0;
  return {
    reserve() {
      const t = now();
      if (t - currentTick > interval) {
        activeCount = 1;
        currentTick = t;
        return 0;
      }
      if (activeCount < limit) activeCount += 1;
      else {
        currentTick += interval;
        activeCount = 1;
      }
      return Math.max(0, currentTick - t);
    },
  };
}
