/**
 * The limit must hold where it matters — at MONCRENEAU — not only in the limiter's log. A slow
 * conditional write (cold partition, GC pause, throttled retry) used to release a caller long after its
 * slot, putting L + 1 requests in one window at the server. Found by `npm run bench:ratelimit`.
 *
 * Runs on a virtual clock: the limiter's `now` and `sleep` are injected, and the slow write advances
 * virtual time instead of waiting, so every instant below is exact and the run is deterministic.
 */
import { DynamoRateLimiter } from '../../shared/adapters/dynamo-rate-limiter';
import { maxInAnyWindow } from '../../shared/ratelimit';

/**
 * Discrete-event clock. `sleep` parks the caller on a timer; `run` lets every promise chain progress
 * until all of them are parked (the microtask queue is empty), then jumps to the earliest timer
 * (ties in the order they were set) and wakes that one sleeper, and so on until the work settles.
 */
class VirtualClock {
  private t: number;
  private seq = 0;
  private readonly timers: Array<{ at: number; seq: number; wake: () => void }> = [];

  constructor(start: number) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, wake });
    });

  /** `maxWakeups` turns a livelock (e.g. every release late, so every slot given up) into a failure, not a hang. */
  async run<T>(work: Promise<T>, maxWakeups = 1000): Promise<T> {
    let settled = false;
    work.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let wakeups = 0; ; wakeups += 1) {
      // setImmediate runs only once every pending microtask (every promise continuation) has run.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (settled) return work;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) throw new Error('virtual clock: the work is blocked on something other than sleep()');
      if (wakeups >= maxWakeups) throw new Error(`virtual clock: still running after ${maxWakeups} wake-ups`);
      this.t = next.at;
      next.wake();
    }
  }
}

/** A DynamoDB document client stand-in whose first write is slow (400 ms of virtual time); everything else as DynamoDB does it. */
function slowFirstWriteDb(clock: VirtualClock) {
  const items = new Map<string, Record<string, unknown>>();
  let puts = 0;
  return {
    async send(cmd: { constructor: { name: string }; input: Record<string, never> }) {
      const input = cmd.input as unknown as { Key?: { pk: string }; Item?: { pk: string; version: number }; ConditionExpression?: string; ExpressionAttributeValues?: Record<string, number> };
      if (cmd.constructor.name === 'GetCommand') return { Item: items.get(input.Key!.pk) };
      if (cmd.constructor.name === 'PutCommand') {
        puts += 1;
        if (puts === 1) await clock.sleep(400);
        const current = items.get(input.Item!.pk) as { version?: number } | undefined;
        const ok = input.ConditionExpression === 'attribute_not_exists(pk)' ? current === undefined : current?.version === input.ExpressionAttributeValues?.[':v'];
        if (!ok) throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
        items.set(input.Item!.pk, input.Item!);
      }
      return {};
    },
  };
}

describe('rate limiter release timing', () => {
  it('never releases a caller more than padding/2 after its slot, so the server sees ≤ L per window', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 21, 14, 30));
    const paddingMs = 250;
    const limiter = new DynamoRateLimiter({
      tableName: 't',
      name: 'release-delay',
      rules: [{ name: 'r', limit: 3, windowMs: 1000 }],
      paddingMs,
      db: slowFirstWriteDb(clock) as never,
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
        await take(); // alone: its first write is the slow one
        await Promise.all([take(), take(), take()]); // queued together: they share the limiter's writes
      })(),
    );

    expect(released).toHaveLength(4);
    for (const r of released) {
      expect(r.at).toBeGreaterThanOrEqual(r.slot); // never early: the log counted it at its slot
      expect(r.at - r.slot).toBeLessThanOrEqual(paddingMs / 2); // exact: no timer granularity to allow for
    }
    expect(maxInAnyWindow(released.map((r) => r.at), 1000)).toBeLessThanOrEqual(3);
    expect(limiter.lateReleases).toBeGreaterThanOrEqual(1); // the slow write's slot was given up, not used late
  });
});
