/**
 * Maps a failed synchronous read (GET /appointments…) to the caller's HTTP answer: MONCRENEAU's own
 * 4xx keep their meaning, anything that is worth retrying later (429, 5xx, network, timeouts, our
 * rate limiter) becomes 503 with Retry-After. Never a stack trace. Pure.
 */
import {
  AuthenticationError,
  DeadlineExceededError,
  ForbiddenError,
  GateRejectedError,
  MoncreneauError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../moncreneau/client/errors';

export interface HttpError {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

const DEFAULT_RETRY_AFTER_SECONDS = 5;

export function readErrorResponse(error: unknown): HttpError {
  if (!(error instanceof MoncreneauError)) {
    return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Unexpected error; see the function logs' };
  }
  if (error instanceof NotFoundError) return { statusCode: 404, code: error.code, message: error.message };
  if (error instanceof ValidationError) return { statusCode: 400, code: error.code, message: error.message };
  if (error instanceof ForbiddenError) return { statusCode: 403, code: error.code, message: error.message };
  if (error instanceof AuthenticationError) {
    return { statusCode: 502, code: 'UPSTREAM_AUTH_FAILED', message: 'MONCRENEAU refused the kit\'s API key; the operator must check it' };
  }
  if (error instanceof RateLimitedError) {
    return { statusCode: 503, code: 'UPSTREAM_RATE_LIMITED', message: 'MONCRENEAU rate limit reached; retry later', retryAfterSeconds: seconds(error.retryAfterMs) };
  }
  if (error instanceof GateRejectedError) {
    return { statusCode: 503, code: 'RATE_LIMITED', message: 'The global MONCRENEAU rate limit has no slot in time; retry later', retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS };
  }
  if (error.retryable || error.outcomeUnknown || error instanceof DeadlineExceededError) {
    return { statusCode: 503, code: 'UPSTREAM_UNAVAILABLE', message: `MONCRENEAU is not answering correctly (${error.code}); retry later`, retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS };
  }
  return { statusCode: 502, code: 'UPSTREAM_ERROR', message: `MONCRENEAU answered ${error.status ?? 'unexpectedly'} (${error.code})` };
}

function seconds(ms: number | undefined): number {
  return ms === undefined ? DEFAULT_RETRY_AFTER_SECONDS : Math.max(1, Math.ceil(ms / 1000));
}
