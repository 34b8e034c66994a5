/**
 * Plugs the global limiter into the MONCRENEAU client (its RequestGate): every HTTP attempt takes a
 * slot; responses feed back — a 429 pauses every instance until Retry-After / X-RateLimit-Reset,
 * X-RateLimit-Remaining ≤ `minRemaining` pauses until the reset, never longer than `maxPauseMs`
 * (one hour); a 2xx with quota left asks the limiter to lift an older pause. Each signal carries when
 * its response arrived and the earliest its request can have left, which decides whether it may
 * shorten a pause (see RateLimiter.penalize).
 */
import { MAX_ATTEMPT_TIMEOUT_MS } from '../moncreneau/client/config';
import { CLOCK_TOLERANCE_MS, MAX_SERVER_PAUSE_MS, parseRateLimitHeaders, parseRetryAfter, type ResetUnit } from '../moncreneau/client/retry-policy';
import type { RequestGate, ResponseHeaders } from '../moncreneau/client/types';
import type { PauseSignal, RateLimiter } from './ports';

export interface RateLimitGateOptions {
  /** Slot must leave at least this long before the client's cutoff for the attempt itself (default 1000 ms). */
  readonly minAttemptMs?: number;
  /** Pause when the server says this many requests remain (default 0: only when exhausted). */
  readonly minRemaining?: number;
  /** Pause after a 429 that gives no delay (default 60 s). */
  readonly defaultPenaltyMs?: number;
  readonly resetHeaderUnit?: ResetUnit;
  /** Longest pause one response can impose, whatever it asks for (default one hour, MAX_SERVER_PAUSE_MS). */
  readonly maxPauseMs?: number;
  /**
   * How old a response can be when it arrives — its request left at most this long before (default the
   * client's 30 s attempt-timeout cap + 2 s clock tolerance between instances). Sets PauseSignal.sentAfter.
   */
  readonly maxResponseAgeMs?: number;
}

/** What one response says about the shared pause: pause until `until`, or lift an older pause. */
export interface PauseDecision {
  readonly kind: 'pause' | 'lift';
  /** Epoch ms; for a lift, the response's arrival. */
  readonly until: number;
  /** For operators: the status and the header that decided it, with the server's value quoted. */
  readonly reason: string;
}

export function rateLimitGate(limiter: RateLimiter, options: RateLimitGateOptions = {}): RequestGate {
  const minAttemptMs = options.minAttemptMs ?? 1000;
  const maxResponseAgeMs = options.maxResponseAgeMs ?? MAX_ATTEMPT_TIMEOUT_MS + CLOCK_TOLERANCE_MS;
  if (options.maxPauseMs !== undefined && !(options.maxPauseMs > 0)) throw new Error('rateLimitGate: maxPauseMs must be > 0');
  if (!(maxResponseAgeMs >= 0)) throw new Error('rateLimitGate: maxResponseAgeMs must be ≥ 0');
  return {
    async acquire({ deadline }) {
      await limiter.acquire({ deadline: deadline === undefined ? undefined : deadline - minAttemptMs });
    },
    async onResponse({ status, headers, retryAfterMs, receivedAt }) {
      const decision = pauseDecision(status, headers, retryAfterMs, receivedAt, options);
      if (!decision) return;
      const signal: PauseSignal = { receivedAt, sentAfter: receivedAt - maxResponseAgeMs, reason: decision.reason };
      if (decision.kind === 'lift') await limiter.resume?.(signal);
      else if (decision.until > receivedAt) await limiter.penalize(decision.until, signal);
    },
  };
}

/** Pure: how long all instances should pause after this response (undefined = no pause). */
export function penaltyUntil(status: number, headers: ResponseHeaders, retryAfterMs: number | undefined, receivedAt: number, options: RateLimitGateOptions = {}): number | undefined {
  const decision = pauseDecision(status, headers, retryAfterMs, receivedAt, options);
  return decision?.kind === 'pause' ? decision.until : undefined;
}

/** Pure: what this response says about the shared pause (undefined = nothing). Never a pause beyond maxPauseMs. */
export function pauseDecision(status: number, headers: ResponseHeaders, retryAfterMs: number | undefined, receivedAt: number, options: RateLimitGateOptions = {}): PauseDecision | undefined {
  const maxPauseMs = options.maxPauseMs ?? MAX_SERVER_PAUSE_MS;
  // Parsed without the cap, then capped here, so the reason can say the server asked for more.
  const info = parseRateLimitHeaders(headers, receivedAt, options.resetHeaderUnit ?? 'auto', Number.POSITIVE_INFINITY);
  const capped = (until: number, why: string): PauseDecision =>
    until > receivedAt + maxPauseMs ? { kind: 'pause', until: receivedAt + maxPauseMs, reason: `${why} (capped at ${Math.round(maxPauseMs / 1000)} s)` } : { kind: 'pause', until, reason: why };
  const reset = `X-RateLimit-Reset ${quoted(headers['x-ratelimit-reset'])}`;
  if (status === 429) {
    const retryAfter = parseRetryAfter(headers, receivedAt, Number.POSITIVE_INFINITY) ?? retryAfterMs;
    if (retryAfter !== undefined) return capped(receivedAt + retryAfter, `429 Retry-After ${headers['retry-after'] ? quoted(headers['retry-after']) : `${retryAfter} ms`}`);
    if (info.resetAtMs !== undefined) return capped(info.resetAtMs, `429 ${reset}`);
    return capped(receivedAt + (options.defaultPenaltyMs ?? 60_000), '429 without Retry-After or X-RateLimit-Reset (default pause)');
  }
  const minRemaining = options.minRemaining ?? 0;
  if (info.remaining === undefined) return undefined;
  if (info.remaining <= minRemaining) return info.resetAtMs === undefined ? undefined : capped(info.resetAtMs, `HTTP ${status} X-RateLimit-Remaining ${info.remaining}, ${reset}`);
  if (status >= 200 && status < 300) return { kind: 'lift', until: receivedAt, reason: `HTTP ${status} with X-RateLimit-Remaining ${info.remaining}` };
  return undefined;
}

/** A server-supplied header value, short and printable, for a reason string stored and shown to operators. */
function quoted(value: string | undefined): string {
  return JSON.stringify((value ?? '').trim().slice(0, 64));
}
