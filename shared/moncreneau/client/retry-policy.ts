/**
 * When and how long to wait before another attempt. Pure (random and clock are parameters).
 * Docs: retry 5xx, network errors and timeouts; max 3 attempts; backoff 2 s, 4 s, 8 s (docs/moncreneau-api.md §4.4,
 * checklist §4). 429 waits for the server's delay. Jitter spreads instances that failed together.
 */
import { MoncreneauError, RateLimitedError, type RateLimitInfo } from './errors';
import type { ResponseHeaders } from './types';

export type JitterMode = 'full' | 'equal' | 'decorrelated' | 'none';

export interface RetryPolicy {
  /** Total attempts including the first (docs: 3). */
  readonly maxAttempts: number;
  /** Base of the exponential series: retry n waits around base·2^(n-1) → 2 s, 4 s, 8 s. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * full: uniform [0, base_n] (AWS "full jitter", best at de-synchronising instances);
   * equal: [base_n/2, base_n]; decorrelated: uniform [base, min(max, 3·previous)]; none: base_n.
   */
  readonly jitter: JitterMode;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 2000, maxDelayMs: 16_000, jitter: 'full' };

/** Un-jittered delay before retry number `retry` (1-based): 2000, 4000, 8000, 16000 … capped. */
export function baseDelayMs(retry: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
}

/** Jittered delay before retry `retry`; `previousDelayMs` feeds decorrelated jitter. `random()` ∈ [0,1). */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number, previousDelayMs?: number): number {
  const base = baseDelayMs(retry, policy);
  const r = Math.min(Math.max(random(), 0), 1);
  switch (policy.jitter) {
    case 'none':
      return base;
    case 'equal':
      return Math.round(base / 2 + (r * base) / 2);
    case 'decorrelated': {
      const upper = Math.min(policy.maxDelayMs, Math.max(policy.baseDelayMs, 3 * (previousDelayMs ?? policy.baseDelayMs)));
      return Math.round(policy.baseDelayMs + r * (upper - policy.baseDelayMs));
    }
    case 'full':
      return Math.round(r * base);
  }
}

/**
 * Whether the failure of attempt `attempt` deserves another attempt.
 * `idempotent=false` (POST /appointments): never when the server may have acted (outcome unknown);
 * a request that provably never left (connection refused) or a 429 is safe to resend.
 */
export function shouldRetry(error: MoncreneauError, attempt: number, policy: RetryPolicy, idempotent: boolean): boolean {
  if (attempt >= policy.maxAttempts || !error.retryable) return false;
  return idempotent || !error.outcomeUnknown;
}

/** Delay the server asks for on a 429, from Retry-After, else X-RateLimit-Reset. */
export function serverDelayMs(error: MoncreneauError, nowMs: number): number | undefined {
  if (!(error instanceof RateLimitedError)) return undefined;
  if (error.retryAfterMs !== undefined) return error.retryAfterMs;
  if (error.rateLimit.resetAtMs !== undefined) return Math.max(0, error.rateLimit.resetAtMs - nowMs);
  return undefined;
}

/**
 * No server-imposed delay is longer than this (the key's hourly window): a `Retry-After` of a year or a
 * reset in 2099 pauses one hour, then the next response decides again (docs/moncreneau-client.md §5).
 */
export const MAX_SERVER_PAUSE_MS = 3_600_000;

/**
 * `Retry-After`: delta seconds or an HTTP date (RFC 9110 §10.2.3), as ms from `nowMs`, at most `maxMs`.
 * An HTTP date is on the server's clock: it is translated through the response's Date header.
 */
export function parseRetryAfter(headers: ResponseHeaders, nowMs: number, maxMs = MAX_SERVER_PAUSE_MS): number | undefined {
  const raw = headers['retry-after']?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.min(Math.round(Number(raw) * 1000), maxMs);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, onOurClock(at, headers, nowMs) - nowMs), maxMs);
}

/**
 * Unit of X-RateLimit-Reset — UNKNOWN in the docs (the header name itself is cut off, docs/moncreneau-api.md §5).
 * 'auto': > 1e12 → epoch ms, > 1e9 → epoch seconds, else seconds from now (GitHub uses epoch
 * seconds, IETF draft RateLimit-Reset uses delta seconds; both are told apart by magnitude).
 */
export type ResetUnit = 'auto' | 'epoch-seconds' | 'epoch-ms' | 'delta-seconds';

/** Clocks closer than this are taken as in sync (the Date header only has whole seconds). */
export const CLOCK_TOLERANCE_MS = 2_000;

/**
 * An absolute instant on the server's clock, on ours: translated through the response's Date header so a
 * skewed clock (ours or theirs) cannot pause every instance by the skew. The Date header has second
 * precision, so only a skew beyond CLOCK_TOLERANCE_MS is corrected; without a Date header it is trusted.
 */
function onOurClock(serverInstantMs: number, headers: ResponseHeaders, nowMs: number): number {
  const serverNow = Date.parse(headers['date'] ?? '');
  const skewed = Number.isFinite(serverNow) && Math.abs(serverNow - nowMs) > CLOCK_TOLERANCE_MS;
  return skewed ? nowMs + (serverInstantMs - serverNow) : serverInstantMs;
}

/** `resetAtMs` is never more than `maxMs` after `nowMs` (default one hour), whatever the unit. */
export function parseRateLimitHeaders(headers: ResponseHeaders, nowMs: number, unit: ResetUnit = 'auto', maxMs = MAX_SERVER_PAUSE_MS): RateLimitInfo {
  const num = (name: string) => {
    const raw = headers[name]?.trim();
    if (!raw) return undefined;
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  };
  const reset = num('x-ratelimit-reset');
  let resetAtMs: number | undefined;
  if (reset !== undefined) {
    const resolved = unit === 'auto' ? (reset > 1e12 ? 'epoch-ms' : reset > 1e9 ? 'epoch-seconds' : 'delta-seconds') : unit;
    // An absolute reset is on the server's clock (translated through Date); either way never beyond maxMs.
    const at = resolved === 'delta-seconds' ? nowMs + reset * 1000 : onOurClock(resolved === 'epoch-ms' ? reset : reset * 1000, headers, nowMs);
    resetAtMs = Math.min(Math.max(at, nowMs), nowMs + maxMs);
  }
  return { limit: num('x-ratelimit-limit'), remaining: num('x-ratelimit-remaining'), resetAtMs };
}
