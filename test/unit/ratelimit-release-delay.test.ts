/**
 * The limit must hold where it matters — at MONCRENEAU — not only in the limiter's schedule. A slow
 * update (cold partition, GC pause, throttled retry) used to release a caller long after its slot,
 * putting L + 1 requests in one window at the server. Found by `npm run bench:ratelimit`.
 *
 * Runs on a virtual clock: the limiter's `now` and `sleep` are injected, and the slow update advances
 * virtual time instead of waiting, so every instant below is exact and the run is deterministic.
 */
import { DynamoRateLimiter } from '../../shared/adapters/dynamo-rate-limiter';
import { maxInAnyWindow } from '../../shared/ratelimit';
import { fakeDynamo, VirtualClock } from './ratelimit-virtual';

describe('rate limiter release timing', () => {
  it('never releases a caller more than padding/2 after its slot, so the server sees ≤ L per window', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 21, 14, 30));
    const paddingMs = 250;
    // The first update answers 400 ms of virtual time after it was applied: its slot (now + lead) has passed by then.
    const db = fakeDynamo({ clock, latency: (kind, n) => ({ before: 0, after: kind === 'update' && n === 1 ? 400 : 0 }) });
    const limiter = new DynamoRateLimiter({
      tableName: 't',
      name: 'release-delay',
      rules: [{ name: 'r', limit: 3, windowMs: 1000 }],
      paddingMs,
      db: db as never,
      now: clock.now,
      sleep: clock.sleep,
    });
    const released: Array<{ slot: number; at: number }> = [];
    const take = async () => {
      const grant = await limiter.acquire();
      released.push({ slot: grant.slot, at: clock.now() });
    };
    await clock.run(
      (async () => {
        await take(); // alone: its first update is the slow one
        await Promise.all([take(), take(), take()]); // queued together: reserved one after the other, in order
      })(),
    );

    expect(released).toHaveLength(4);
    for (const r of released) {
      expect(r.at).toBeGreaterThanOrEqual(r.slot); // never early: the schedule counted it at its slot
      expect(r.at - r.slot).toBeLessThanOrEqual(paddingMs / 2); // exact: no timer granularity to allow for
    }
    expect(maxInAnyWindow(released.map((r) => r.at), 1000)).toBeLessThanOrEqual(3);
    expect(limiter.lateReleases).toBeGreaterThanOrEqual(1); // the slow update's slot was given up, not used late
    // The slot given up stays consumed: 5 grants written for 4 requests sent.
    expect(db.items.get('ratelimit#release-delay')?.granted).toBe(5);
  });
});
