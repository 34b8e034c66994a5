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

/** `Retry-After`: delta seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(headers: ResponseHeaders, nowMs: number): number | undefined {
  const raw = headers['retry-after']?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Unit of X-RateLimit-Reset — UNKNOWN in the docs (the header name itself is cut off, docs/moncreneau-api.md §5).
 * 'auto': > 1e12 → epoch ms, > 1e9 → epoch seconds, else seconds from now (GitHub uses epoch
 * seconds, IETF draft RateLimit-Reset uses delta seconds; both are told apart by magnitude).
 */
export type ResetUnit = 'auto' | 'epoch-seconds' | 'epoch-ms' | 'delta-seconds';

/** No reset is further away than the key's hourly window. */
const MAX_RESET_HORIZON_MS = 3_600_000;
/** Clocks closer than this are taken as in sync (the Date header only has whole seconds). */
const CLOCK_TOLERANCE_MS = 2_000;

export function parseRateLimitHeaders(headers: ResponseHeaders, nowMs: number, unit: ResetUnit = 'auto'): RateLimitInfo {
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
    if (resolved === 'delta-seconds') resetAtMs = nowMs + reset * 1000;
    else {
      const absoluteMs = resolved === 'epoch-ms' ? reset : reset * 1000;
      // An absolute reset is on the server's clock: translate it through the response's Date header so a
      // skewed clock (ours or theirs) cannot pause every instance by the skew. Never more than the hour window.
      // The Date header has second precision, so only a skew beyond that is corrected.
      const serverNow = Date.parse(headers['date'] ?? '');
      const skewed = Number.isFinite(serverNow) && Math.abs(serverNow - nowMs) > CLOCK_TOLERANCE_MS;
      const onOurClock = skewed ? nowMs + (absoluteMs - serverNow) : absoluteMs;
      resetAtMs = Math.min(Math.max(onOurClock, nowMs), nowMs + MAX_RESET_HORIZON_MS);
    }
  }
  return { limit: num('x-ratelimit-limit'), remaining: num('x-ratelimit-remaining'), resetAtMs };
}
