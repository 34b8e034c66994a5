/** 429 RATE_LIMIT_EXCEEDED with X-RateLimit-* per key and hourly quota; windows driven by an injected clock. */
import { DEFAULT_ASSUMPTIONS } from '../../sandbox/defaults';
import { ApiError } from '../../sandbox/domain/errors';
import { HourlyRateLimiter } from '../../sandbox/domain/rate-limit';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { call } from './helpers';

const HOUR = 3_600_000;
// 10:15:00 UTC: the fixed window runs 10:00–11:00.
const T0 = Date.UTC(2030, 0, 7, 10, 15, 0);
let fakeNow = T0;
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, webhookUrl: null, now: () => fakeNow });
});
afterAll(() => sandbox.stop());

const get = (key: string) => call(sandbox.apiBaseUrl, 'GET', '/departments', { auth: 'none', headers: { 'X-API-Key': key } });

it('counts down X-RateLimit-Remaining, then answers 429 with the headers and Retry-After', async () => {
  const { key } = sandbox.control.createKey({ quotaPerHour: 3 });
  const remaining = [];
  for (let i = 0; i < 3; i += 1) {
    const res = await get(key);
    expect(res.status).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBe('3');
    remaining.push(res.headers['x-ratelimit-remaining']);
  }
  expect(remaining).toEqual(['2', '1', '0']);
  const limited = await get(key);
  expect(limited.status).toBe(429);
  expect(limited.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
  expect(limited.headers['x-ratelimit-limit']).toBe('3');
  expect(limited.headers['x-ratelimit-remaining']).toBe('0');
  expect(limited.headers['x-ratelimit-reset']).toBe(String((T0 - 15 * 60_000 + HOUR) / 1000)); // epoch seconds of 11:00
  expect(limited.headers['retry-after']).toBe(String(45 * 60));
});

it('quota is per key: another key is unaffected', async () => {
  const a = sandbox.control.createKey({ quotaPerHour: 1 }).key;
  const b = sandbox.control.createKey({ quotaPerHour: 1 }).key;
  expect((await get(a)).status).toBe(200);
  expect((await get(a)).status).toBe(429);
  expect((await get(b)).status).toBe(200);
});

it('a fixed hourly window: still limited at 10:59:59, fresh at 11:00:00', async () => {
  fakeNow = T0;
  const { key } = sandbox.control.createKey({ quotaPerHour: 2 });
  await get(key);
  await get(key);
  expect((await get(key)).status).toBe(429);
  fakeNow = T0 + 45 * 60_000 - 1000;
  expect((await get(key)).status).toBe(429);
  fakeNow = T0 + 45 * 60_000;
  const fresh = await get(key);
  expect(fresh.status).toBe(200);
  expect(fresh.headers['x-ratelimit-remaining']).toBe('1');
  fakeNow = T0;
});

it('rejected (429) and unauthenticated requests do not consume quota', async () => {
  fakeNow = T0 + 2 * HOUR;
  const { key } = sandbox.control.createKey({ quotaPerHour: 1 });
  await call(sandbox.apiBaseUrl, 'GET', '/departments', { auth: 'none' });
  expect((await get(key)).status).toBe(200);
  for (let i = 0; i < 3; i += 1) expect((await get(key)).status).toBe(429);
  fakeNow = T0 + 3 * HOUR;
  expect((await get(key)).headers['x-ratelimit-remaining']).toBe('0');
  fakeNow = T0;
});

it('the default key has the documented 1000/hour', async () => {
  const res = await call(sandbox.apiBaseUrl, 'GET', '/departments');
  expect(res.headers['x-ratelimit-limit']).toBe('1000');
});

describe('HourlyRateLimiter (unit, injected clock)', () => {
  it('reports Reset as seconds-until-reset when configured', () => {
    let now = Date.UTC(2030, 0, 1, 8, 59, 30);
    const limiter = new HourlyRateLimiter(() => now);
    const assumptions = { ...DEFAULT_ASSUMPTIONS, rateLimitResetUnit: 'delta-seconds' as const };
    expect(limiter.consume('k', 1, assumptions)['X-RateLimit-Reset']).toBe('30');
    let caught: unknown;
    try {
      limiter.consume('k', 1, assumptions);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).status).toBe(429);
    expect((caught as ApiError).headers['Retry-After']).toBe('30');
    now += 30_000;
    expect(limiter.consume('k', 1, assumptions)['X-RateLimit-Remaining']).toBe('0');
  });

  it('omits the headers on success when rateLimitHeadersOnSuccess is false', async () => {
    sandbox.control.setAssumptions({ rateLimitHeadersOnSuccess: false });
    try {
      const res = await call(sandbox.apiBaseUrl, 'GET', '/departments');
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    } finally {
      sandbox.control.setAssumptions({ rateLimitHeadersOnSuccess: true });
    }
  });
});
