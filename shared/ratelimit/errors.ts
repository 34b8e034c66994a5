/** Errors of the global rate limiter. */

/** The earliest slot the limiter could give is after the caller's deadline: nothing was reserved. */
export class RateLimitDeadlineError extends Error {
  readonly code = 'RATE_LIMIT_DEADLINE';
  constructor(
    /** Epoch ms of the earliest possible slot. */
    readonly earliestSlot: number,
    readonly deadline: number,
    /** What holds the slot back: a rule name or "penalty" (server 429 / quota exhausted). */
    readonly limitedBy: string,
    now: number,
  ) {
    super(`Global rate limit (${limitedBy}): next slot in ${Math.max(0, earliestSlot - now)} ms, after the caller's deadline by ${earliestSlot - deadline} ms`);
    this.name = 'RateLimitDeadlineError';
  }
}

/** Too many concurrent writers kept winning the conditional write (should not happen at 100 req/min). */
export class RateLimiterContentionError extends Error {
  readonly code = 'RATE_LIMIT_CONTENTION';
  constructor(rounds: number) {
    super(`Global rate limiter: reservation lost ${rounds} conditional-write races in a row`);
    this.name = 'RateLimiterContentionError';
  }
}
