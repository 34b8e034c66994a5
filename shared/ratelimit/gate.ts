/**
 * Plugs the global limiter into the MONCRENEAU client (its RequestGate): every HTTP attempt takes a
 * slot; responses feed back — a 429 pauses every instance until Retry-After / X-RateLimit-Reset,
 * and X-RateLimit-Remaining ≤ `minRemaining` pauses until the reset.
 */
import { parseRateLimitHeaders, type ResetUnit } from '../moncreneau/client/retry-policy';
import type { RequestGate, ResponseHeaders } from '../moncreneau/client/types';
import type { RateLimiter } from './ports';

export interface RateLimitGateOptions {
  /** Slot must leave at least this long before the client's cutoff for the attempt itself (default 1000 ms). */
  readonly minAttemptMs?: number;
  /** Pause when the server says this many requests remain (default 0: only when exhausted). */
  readonly minRemaining?: number;
  /** Pause after a 429 that gives no delay (default 60 s). */
  readonly defaultPenaltyMs?: number;
  readonly resetHeaderUnit?: ResetUnit;
}

export function rateLimitGate(limiter: RateLimiter, options: RateLimitGateOptions = {}): RequestGate {
  const minAttemptMs = options.minAttemptMs ?? 1000;
  return {
    async acquire({ deadline }) {
      await limiter.acquire({ deadline: deadline === undefined ? undefined : deadline - minAttemptMs });
    },
    async onResponse({ status, headers, retryAfterMs, receivedAt }) {
      const until = penaltyUntil(status, headers, retryAfterMs, receivedAt, options);
      if (until !== undefined && until > receivedAt) await limiter.penalize(until);
    },
  };
}

/** Pure: how long all instances should pause after this response (undefined = no pause). */
export function penaltyUntil(status: number, headers: ResponseHeaders, retryAfterMs: number | undefined, receivedAt: number, options: RateLimitGateOptions = {}): number | undefined {
  const info = parseRateLimitHeaders(headers, receivedAt, options.resetHeaderUnit ?? 'auto');
  if (status === 429) {
    if (retryAfterMs !== undefined) return receivedAt + retryAfterMs;
    return info.resetAtMs ?? receivedAt + (options.defaultPenaltyMs ?? 60_000);
  }
  if (info.remaining !== undefined && info.remaining <= (options.minRemaining ?? 0) && info.resetAtMs !== undefined) return info.resetAtMs;
  return undefined;
}
