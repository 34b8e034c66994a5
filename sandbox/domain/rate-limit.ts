/**
 * Per-key hourly quota. Assumed: a fixed window aligned on the UTC hour (the docs give no window
 * type); only authenticated requests count, and a rejected (429) request does not consume quota.
 */
import type { SandboxAssumptions } from '../defaults';
import { ApiError } from './errors';

const HOUR_MS = 3_600_000;

interface Window {
  start: number;
  count: number;
}

export class HourlyRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number) {}

  /** Counts one request; returns the headers to send, or throws 429 RATE_LIMIT_EXCEEDED. */
  consume(key: string, quota: number, assumptions: SandboxAssumptions): Record<string, string> {
    const now = this.now();
    const start = Math.floor(now / HOUR_MS) * HOUR_MS;
    let window = this.windows.get(key);
    if (!window || window.start !== start) {
      window = { start, count: 0 };
      this.windows.set(key, window);
    }
    const end = start + HOUR_MS;
    const secondsLeft = Math.max(1, Math.ceil((end - now) / 1000));
    const reset = assumptions.rateLimitResetUnit === 'epoch-seconds' ? Math.floor(end / 1000) : secondsLeft;
    if (window.count >= quota) {
      throw new ApiError(
        429,
        'RATE_LIMIT_EXCEEDED',
        `Rate limit of ${quota} requests per hour exceeded`,
        { limit: quota, window: 'hour' },
        {
          'X-RateLimit-Limit': String(quota),
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(reset),
          'Retry-After': String(secondsLeft),
        },
      );
    }
    window.count += 1;
    return {
      'X-RateLimit-Limit': String(quota),
      'X-RateLimit-Remaining': String(quota - window.count),
      'X-RateLimit-Reset': String(reset),
    };
  }

  reset(): void {
    this.windows.clear();
  }
}
