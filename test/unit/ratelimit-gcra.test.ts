/**
 * The rule behind the global limiter (shared/ratelimit/gcra.ts): randomized property checks that no
 * window ever holds more than its limit — for the pure rule, and for many limiter instances sharing one
 * (in-memory, atomically updated) item on a virtual clock with random DynamoDB latencies, clock skew,
 * deadlines and pauses — and a demonstration of why fixed windows are not enough.
 */
import { DynamoRateLimiter } from '../../shared/adapters/dynamo-rate-limiter';
import { applyPlan, maxInAnyWindow, planSlot, RateLimitDeadlineError, replayGrants, ruleTimings, type RateRule, type ScheduleState } from '../../shared/ratelimit';
import { fakeDynamo, VirtualClock } from './ratelimit-virtual';

/** Slots are exact to the µs in DynamoDB; JS reads them as doubles (±0.25 µs at today's epoch): compare in whole µs. */
const inUs = (instants: readonly number[]) => instants.map((t) => Math.round(t * 1000));

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Grants `nows` in order (commit order) through the pure rule; a grant whose slot is past its deadline writes nothing. */
function grantAll(rules: RateRule[], padding: number, requests: Array<{ now: number; pauseUntil?: number; deadline?: number }>): number[] {
  const timings = ruleTimings(rules, padding);
  let state: ScheduleState = { rules: [] };
  const slots: number[] = [];
  for (const r of requests) {
    if (r.pauseUntil !== undefined) state = { ...state, blockedUntil: Math.max(state.blockedUntil ?? 0, r.pauseUntil) };
    const plan = planSlot(state, timings, r.now);
    expect(plan.slot).toBeGreaterThanOrEqual(r.now);
    expect(plan.slot).toBeGreaterThanOrEqual(state.blockedUntil ?? Number.NEGATIVE_INFINITY);
    if (r.deadline !== undefined && plan.slot > r.deadline) continue;
    state = applyPlan(state, timings, plan);
    slots.push(plan.slot);
  }
  return slots;
}

describe('GCRA rule', () => {
  it('keeps every sliding window at or under its limit for random bursty arrivals (several rules, bursts, padding, pauses, deadlines, skewed clocks)', () => {
    for (let seed = 1; seed <= 60; seed += 1) {
      const random = lcg(seed);
      const minute = 1 + Math.floor(random() * 20);
      const hour = minute + Math.floor(random() * 40);
      const rules: RateRule[] = [
        { name: 'minute', limit: minute, windowMs: 1000 + Math.floor(random() * 1000), burst: 1 + Math.floor(random() * minute) },
        { name: 'hour', limit: hour, windowMs: 5000 + Math.floor(random() * 5000), burst: 1 + Math.floor(random() * hour) },
      ];
      const padding = Math.floor(random() * 50);
      let t = 0;
      const requests = Array.from({ length: 400 }, () => {
        t += random() < 0.7 ? 0 : Math.floor(random() * 400); // bursts and gaps
        return {
          now: t + Math.floor(random() * 200) - 100, // each instance's own clock: not monotone in commit order
          pauseUntil: random() < 0.01 ? t + Math.floor(random() * 3000) : undefined,
          deadline: random() < 0.2 ? t + Math.floor(random() * 2000) : undefined,
        };
      });
      const slots = grantAll(rules, padding, requests);
      for (const rule of rules) expect(maxInAnyWindow(inUs(slots), (rule.windowMs + padding) * 1000)).toBeLessThanOrEqual(rule.limit);
    }
  });

  it('is tight: with burst = limit a full burst goes at once and the next waits exactly one window; with burst 1 the slots are evenly spaced', () => {
    const full = grantAll([{ name: 'r', limit: 3, windowMs: 1000, burst: 3 }], 0, Array.from({ length: 4 }, () => ({ now: 0 })));
    expect(full).toEqual([0, 0, 0, 1000]);
    const even = grantAll([{ name: 'r', limit: 4, windowMs: 1000 }], 0, Array.from({ length: 5 }, () => ({ now: 0 })));
    expect(even).toEqual([0, 250, 500, 750, 1000]);
  });

  it('sustains limit − burst + 1 grants per window + padding under saturation', () => {
    for (const burst of [1, 2, 10]) {
      const rules: RateRule[] = [{ name: 'r', limit: 100, windowMs: 6000, burst }];
      const slots = grantAll(rules, 250, Array.from({ length: 2000 }, () => ({ now: 0 })));
      const last = slots[slots.length - 1];
      const perWindow = ((slots.length - burst) * 6250) / (last - slots[burst - 1]);
      expect(perWindow).toBeCloseTo(100 - burst + 1, 1);
      expect(maxInAnyWindow(slots, 6250)).toBe(100);
    }
  });

  it('fixed windows back to back would allow 2× the limit; GCRA does not', () => {
    const fixedWindowGrants = [900, 950, 999, 1000, 1001, 1050]; // 3 at the end of window 0, 3 at the start of window 1
    expect(maxInAnyWindow(fixedWindowGrants, 1000)).toBe(6);
    const slots = grantAll([{ name: 'r', limit: 3, windowMs: 1000, burst: 3 }], 0, fixedWindowGrants.map((now) => ({ now })));
    expect(maxInAnyWindow(slots, 1000)).toBe(3);
  });

  it('a schedule seeded from the previous sliding log keeps the bound across the switch', () => {
    for (let seed = 1; seed <= 30; seed += 1) {
      const random = lcg(seed);
      const limit = 2 + Math.floor(random() * 10);
      const rule: RateRule = { name: 'r', limit, windowMs: 1000, burst: 1 + Math.floor(random() * limit) };
      const rules = [rule];
      // A log the old limiter could have written: g[i] ≥ g[i − L] + W, arrivals bursty.
      const log: number[] = [];
      let t = 0;
      for (let i = 0; i < 40; i += 1) {
        t += random() < 0.6 ? 0 : Math.floor(random() * 300);
        log.push(Math.max(t, log.length ? log[log.length - 1] : t, log.length >= rule.limit ? log[log.length - rule.limit] + rule.windowMs : t));
      }
      const timings = ruleTimings(rules, 0);
      let state: ScheduleState = { rules: replayGrants(log, timings) };
      const slots: number[] = [];
      let now = log[log.length - 1] - Math.floor(random() * 1000); // the new instances' clocks may be behind
      for (let i = 0; i < 40; i += 1) {
        now += random() < 0.6 ? 0 : Math.floor(random() * 300);
        const plan = planSlot(state, timings, now);
        state = applyPlan(state, timings, plan);
        slots.push(plan.slot);
      }
      expect(maxInAnyWindow([...log, ...slots], rule.windowMs)).toBeLessThanOrEqual(rule.limit);
    }
  });
});

describe('many limiter instances sharing one item (virtual clock, in-memory DynamoDB)', () => {
  it('no window at the server holds more than L, whatever the latencies, skews, deadlines and pauses; about one update per grant', async () => {
    for (let seed = 1; seed <= 8; seed += 1) {
      const random = lcg(seed * 7919);
      const clock = new VirtualClock(Date.UTC(2026, 0, 21, 14, 30));
      const paddingMs = 250;
      const rules: RateRule[] =
        seed % 2 === 0
          ? [{ name: 'w', limit: 20, windowMs: 2000 }]
          : [
              { name: 'per-minute', limit: 10, windowMs: 1000, burst: 4 },
              { name: 'per-hour', limit: 30, windowMs: 6000, burst: 8 },
            ];
      // Mostly fast answers, sometimes slow ones (up to 600 ms: their slots are given up).
      const db = fakeDynamo({ clock, latency: () => ({ before: Math.floor(random() * 20), after: random() < 0.03 ? Math.floor(random() * 600) : Math.floor(random() * 30) }) });
      const instances = Array.from({ length: 10 }, () => {
        const skew = Math.floor(random() * 60) - 30; // ±30 ms: a spread of 60 ms, within what the padding's other half absorbs
        const limiter = new DynamoRateLimiter({ tableName: 't', name: 'sim', rules, paddingMs, db: db as never, now: () => clock.now() + skew, sleep: clock.sleep });
        return { limiter, skew };
      });
      const arrivals: number[] = [];
      const slots: number[] = [];
      let rejected = 0;
      const end = clock.now() + 20_000;
      await clock.run(
        Promise.all(
          instances.map(async ({ limiter }, i) => {
            while (clock.now() < end) {
              if (i === 0 && random() < 0.02) await limiter.penalize(clock.now() + Math.floor(random() * 1500));
              try {
                const deadline = random() < 0.3 ? clock.now() + Math.floor(random() * 3000) : undefined;
                const grant = await limiter.acquire({ deadline });
                slots.push(grant.slot);
                arrivals.push(clock.now() + Math.floor(random() * 20)); // network transit to the server: 0–20 ms
              } catch (error) {
                if (!(error instanceof RateLimitDeadlineError)) throw error;
                rejected += 1;
              }
              await clock.sleep(Math.floor(random() * 50)); // the request itself
            }
          }),
        ),
        200_000,
      );
      expect(arrivals.length).toBeGreaterThan(50);
      for (const rule of rules) {
        expect(maxInAnyWindow(inUs(slots), (rule.windowMs + paddingMs) * 1000)).toBeLessThanOrEqual(rule.limit); // the ledger (own clocks)
        expect(maxInAnyWindow(arrivals, rule.windowMs)).toBeLessThanOrEqual(rule.limit); // at the server (true time)
      }
      const late = instances.reduce((n, x) => n + x.limiter.lateReleases, 0);
      const updates = db.stats.updates;
      // Every attempt (grant, slot given up, rejection) costs about one update; failed guards are the exception.
      expect(updates).toBeLessThanOrEqual(2 * (slots.length + late + rejected));
      expect(rejected).toBeGreaterThanOrEqual(0);
    }
  });
});
