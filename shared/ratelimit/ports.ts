/**
 * The global rate limiter as the client's gate sees it. The DynamoDB implementation lives in
 * shared/adapters/dynamo-rate-limiter.ts; the pure rule it enforces is gcra.ts.
 */

export interface Grant {
  /** The reserved instant (epoch ms); the caller was released at or after it. */
  readonly slot: number;
  /** Time spent waiting in acquire(), reservation included. */
  readonly waitedMs: number;
}

export interface ThrottleObservation {
  readonly limiter: string;
  readonly waitedMs: number;
  /** 'rate' = held back by a rule; 'penalty' = by a server-imposed pause. */
  readonly reason: 'rate' | 'penalty';
}

export interface RejectionObservation {
  readonly limiter: string;
  readonly limitedBy: string;
  readonly wouldWaitMs: number;
}

/**
 * A server response that sets, shortens or lifts the shared pause, placed in time so that responses seen by
 * different instances can be ordered (epoch ms, on the receiving instance's clock).
 */
export interface PauseSignal {
  /** When the response arrived: the server produced it no later than this. */
  readonly receivedAt: number;
  /**
   * Its request left no earlier than this, so the server produced it after this instant. The gate does
   * not know the exact send time and uses receivedAt minus the longest possible attempt (+ clock tolerance).
   */
  readonly sentAfter: number;
  /** Why, for operators (`npm run ratelimit -- show`), e.g. `429 Retry-After "120"`. */
  readonly reason: string;
}

export interface RateLimiter {
  /** Waits for a slot; throws RateLimitDeadlineError at once when the earliest slot is past `deadline`. */
  acquire(options?: { deadline?: number }): Promise<Grant>;
  /**
   * Every instance waits until `untilEpochMs` (a 429, or the quota exhausted). A later end always extends
   * the pause. With a `signal`, an earlier end also replaces the pause — but only when the response that
   * set it was received before this signal's request left (stored receivedAt < `signal.sentAfter`): the
   * server said it later, so a stale response racing a fresh 429 cannot shorten it. Without a signal a
   * pause is never shortened.
   */
  penalize(untilEpochMs: number, signal?: PauseSignal): Promise<void>;
  /** The server accepts requests again (a 2xx with quota left): lifts the pause, under penalize()'s rule. */
  resume?(signal: PauseSignal): Promise<void>;
}
