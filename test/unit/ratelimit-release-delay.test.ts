/**
 * The limit must hold where it matters — at MONCRENEAU — not only in the limiter's log. A slow
 * conditional write (cold partition, GC pause, throttled retry) used to release a caller long after its
 * slot, putting L + 1 requests in one window at the server. Found by `npm run bench:ratelimit`.
 */
import { DynamoRateLimiter, maxInAnyWindow } from '../../shared/ratelimit';

/** A DynamoDB document client stand-in whose first write is slow (400 ms); everything else as DynamoDB does it. */
function slowFirstWriteDb() {
  const items = new Map<string, Record<string, unknown>>();
  let puts = 0;
  return {
    async send(cmd: { constructor: { name: string }; input: Record<string, never> }) {
      const input = cmd.input as unknown as { Key?: { pk: string }; Item?: { pk: string; version: number }; ConditionExpression?: string; ExpressionAttributeValues?: Record<string, number> };
      if (cmd.constructor.name === 'GetCommand') return { Item: items.get(input.Key!.pk) };
      if (cmd.constructor.name === 'PutCommand') {
        puts += 1;
        if (puts === 1) await new Promise((r) => setTimeout(r, 400));
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
    const limiter = new DynamoRateLimiter({ tableName: 't', name: 'release-delay', rules: [{ name: 'r', limit: 3, windowMs: 1000 }], paddingMs: 250, db: slowFirstWriteDb() as never });
    const released: Array<{ slot: number; at: number }> = [];
    const take = async () => {
      const grant = await limiter.acquire();
      released.push({ slot: grant.slot, at: Date.now() });
    };
    await take();
    await Promise.all([take(), take(), take()]);
    for (const r of released) expect(r.at - r.slot).toBeLessThanOrEqual(125 + 20); // + timer granularity
    expect(maxInAnyWindow(released.map((r) => r.at), 1000)).toBeLessThanOrEqual(3);
    expect(limiter.lateReleases).toBeGreaterThanOrEqual(1); // the slow write's slot was given up, not used late
  });
});
