/**
 * The global rate limiter as the client's gate sees it. The DynamoDB implementation lives in
 * shared/adapters/dynamo-rate-limiter.ts; the pure rule it enforces is sliding-log.ts.
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

export interface RateLimiter {
  /** Waits for a slot; throws RateLimitDeadlineError at once when the earliest slot is past `deadline`. */
  acquire(options?: { deadline?: number }): Promise<Grant>;
  /** Every instance waits until `untilEpochMs` (a 429, or the quota exhausted). */
  penalize(untilEpochMs: number): Promise<void>;
}
