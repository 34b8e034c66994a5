import { parseRateLimitHeaders, parseRetryAfter } from '../../shared/moncreneau/client';
import { penaltyUntil, rateLimitGate, type PauseSignal, type RateLimiter } from '../../shared/ratelimit';

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

describe('server-imposed pauses are capped at one hour (Hardening: one 429 must not stop traffic for longer)', () => {
  const HOUR = 3_600_000;

  it('caps Retry-After given in seconds (a year) and as an HTTP date (2099)', () => {
    expect(parseRetryAfter({ 'retry-after': '31536000' }, now)).toBe(HOUR);
    expect(parseRetryAfter({ 'retry-after': 'Thu, 31 Dec 2099 23:59:59 GMT' }, now)).toBe(HOUR);
    expect(parseRetryAfter({ 'retry-after': '120' }, now)).toBe(120_000);
  });

  it('translates a Retry-After HTTP date through the response\'s Date header, like X-RateLimit-Reset', () => {
    // The server's clock is 46 minutes ahead of ours; it asks for 20 s.
    const serverNow = now + 46 * 60_000;
    const headers = { 'retry-after': new Date(serverNow + 20_000).toUTCString(), date: new Date(serverNow).toUTCString() };
    expect(parseRetryAfter(headers, now)).toBe(20_000);
  });

  it('caps a delta X-RateLimit-Reset too', () => {
    expect(parseRateLimitHeaders({ 'x-ratelimit-reset': '86400' }, now, 'delta-seconds').resetAtMs).toBe(now + HOUR);
  });

  it('penaltyUntil never pauses more than maxPauseMs (default one hour)', () => {
    const yearHeaders = { 'retry-after': '31536000' };
    expect(penaltyUntil(429, yearHeaders, parseRetryAfter(yearHeaders, now), now)).toBe(now + HOUR);
    // Even when the caller passes an uncapped delay (another executor, a test).
    expect(penaltyUntil(429, {}, 365 * 24 * HOUR, now)).toBe(now + HOUR);
    expect(penaltyUntil(429, { 'retry-after': '600' }, 600_000, now, { maxPauseMs: 60_000 })).toBe(now + 60_000);
    expect(penaltyUntil(429, {}, undefined, now, { maxPauseMs: 30_000 })).toBe(now + 30_000); // the 60 s default penalty too
    expect(penaltyUntil(200, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '7200' }, undefined, now, { resetHeaderUnit: 'delta-seconds' })).toBe(now + HOUR);
  });
});

describe('the gate sends the limiter a signal it can order (who may shorten a pause)', () => {
  function recordingLimiter() {
    const calls: Array<{ op: 'penalize' | 'resume'; until?: number; signal?: PauseSignal }> = [];
    const limiter: RateLimiter = {
      acquire: async () => ({ slot: 0, waitedMs: 0 }),
      penalize: async (until, signal) => void calls.push({ op: 'penalize', until, signal }),
      resume: async (signal) => void calls.push({ op: 'resume', signal }),
    };
    return { limiter, calls };
  }

  it('a 429 with a year-long Retry-After pauses one hour, with when and why', async () => {
    const { limiter, calls } = recordingLimiter();
    const headers = { 'retry-after': '31536000' };
    await rateLimitGate(limiter).onResponse?.({ status: 429, headers, retryAfterMs: parseRetryAfter(headers, now), receivedAt: now });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ op: 'penalize', until: now + 3_600_000 });
    expect(calls[0].signal).toMatchObject({ receivedAt: now, sentAfter: now - 32_000 });
    expect(calls[0].signal?.reason).toMatch(/429.*Retry-After.*31536000.*capped/);
  });

  it('a 2xx with X-RateLimit-Remaining above minRemaining asks the limiter to lift an older pause', async () => {
    const { limiter, calls } = recordingLimiter();
    const gate = rateLimitGate(limiter, { maxResponseAgeMs: 10_000 });
    await gate.onResponse?.({ status: 200, headers: { 'x-ratelimit-remaining': '5' }, receivedAt: now });
    await gate.onResponse?.({ status: 200, headers: {}, receivedAt: now }); // says nothing about the quota
    await gate.onResponse?.({ status: 404, headers: { 'x-ratelimit-remaining': '5' }, receivedAt: now }); // not a success
    expect(calls).toEqual([{ op: 'resume', signal: { receivedAt: now, sentAfter: now - 10_000, reason: expect.stringMatching(/HTTP 200.*X-RateLimit-Remaining 5/) } }]);
  });

  it('a limiter without resume() (an older implementation) is left alone', async () => {
    const penalized: number[] = [];
    const gate = rateLimitGate({ acquire: async () => ({ slot: 0, waitedMs: 0 }), penalize: async (until) => void penalized.push(until) });
    await expect(gate.onResponse?.({ status: 200, headers: { 'x-ratelimit-remaining': '5' }, receivedAt: now })).resolves.toBeUndefined();
    expect(penalized).toEqual([]);
  });
});
