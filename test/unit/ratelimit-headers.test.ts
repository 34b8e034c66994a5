import { parseRateLimitHeaders } from '../../shared/moncreneau/client';

const now = Date.parse('2026-11-28T10:00:00Z');

describe('X-RateLimit-Reset (unit UNKNOWN in the docs)', () => {
  it('reads deltas relative to now', () => {
    expect(parseRateLimitHeaders({ 'x-ratelimit-reset': '30' }, now).resetAtMs).toBe(now + 30_000);
  });

  it('translates an absolute reset through the server\'s Date header, so clock skew cannot stretch the pause', () => {
    // The server's clock is 46 minutes ahead of ours; its reset is 20 s after its own "now".
    const serverNow = now + 46 * 60_000;
    const headers = { 'x-ratelimit-reset': String(Math.floor((serverNow + 20_000) / 1000)), date: new Date(serverNow).toUTCString() };
    expect(parseRateLimitHeaders(headers, now).resetAtMs).toBe(now + 20_000);
  });

  it('without a Date header, trusts the absolute value but never pauses beyond the hourly window', () => {
    expect(parseRateLimitHeaders({ 'x-ratelimit-reset': String(Math.floor(now / 1000) + 10) }, now).resetAtMs).toBe(now + 10_000);
    expect(parseRateLimitHeaders({ 'x-ratelimit-reset': String(Math.floor(now / 1000) + 86_400) }, now).resetAtMs).toBe(now + 3_600_000);
    expect(parseRateLimitHeaders({ 'x-ratelimit-reset': String(now + 5000) }, now, 'epoch-ms').resetAtMs).toBe(now + 5000);
  });
});
