/**
 * Typed errors, one class per documented code family (docs/moncreneau-api.md §4). Every error carries status, code,
 * message, details and the request id, and says whether a retry is allowed (`retryable`) and whether
 * the server may have acted on the request anyway (`outcomeUnknown`, which matters for POST).
 * Pure: no I/O. Secrets are scrubbed from anything the server echoes (the docs' own example echoes
 * `"value": "Bearer mk_xxx"` in `details`).
 */
import type { ResponseHeaders } from './types';

export interface ErrorInit {
  readonly status?: number;
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly requestId?: string;
  readonly cause?: unknown;
}

export class MoncreneauError extends Error {
  readonly status?: number;
  readonly code: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly requestId?: string;
  /** Attempts (policy-counted) made by the call that failed; set by the executor. */
  attempts = 1;
  /** A retry of the same request may succeed. */
  get retryable(): boolean {
    return false;
  }
  /** The server may have processed the request although we saw no success (timeout after sending, 5xx…). */
  get outcomeUnknown(): boolean {
    return false;
  }

  constructor(init: ErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId;
  }
}

/** 400 / 422: INVALID_REQUEST, MISSING_REQUIRED_FIELD, INVALID_FIELD_VALUE, INVALID_DATE_TIME… */
export class ValidationError extends MoncreneauError {}
/** 401: MISSING_API_KEY, INVALID_API_KEY, EXPIRED_API_KEY, INVALID_TOKEN_FORMAT. */
export class AuthenticationError extends MoncreneauError {}
/** 403: INSUFFICIENT_SCOPE, ORGANIZATION_MISMATCH, DEPARTMENT_ACCESS_DENIED. */
export class ForbiddenError extends MoncreneauError {}
/** 404: APPOINTMENT_NOT_FOUND, DEPARTMENT_NOT_FOUND, USER_NOT_FOUND. */
export class NotFoundError extends MoncreneauError {}

/** 409: SLOT_NOT_AVAILABLE, DUPLICATE_APPOINTMENT. */
export class ConflictError extends MoncreneauError {
  get isDuplicate(): boolean {
    return this.code === 'DUPLICATE_APPOINTMENT';
  }
}

/** 402: INSUFFICIENT_CREDITS, CREDIT_CHECK_FAILED, PAYMENT_REQUIRED. */
export class InsufficientCreditsError extends MoncreneauError {
  /** Credits left according to the server (`details.available`), when it says so. */
  readonly available?: number;
  readonly required?: number;
  constructor(init: ErrorInit) {
    super(init);
    this.available = numberField(init.details, 'available');
    this.required = numberField(init.details, 'required');
  }
}

export interface RateLimitInfo {
  readonly limit?: number;
  readonly remaining?: number;
  /** X-RateLimit-Reset converted to epoch ms. */
  readonly resetAtMs?: number;
}

/** 429: RATE_LIMIT_EXCEEDED, TOO_MANY_REQUESTS. Retryable after `retryAfterMs`. */
export class RateLimitedError extends MoncreneauError {
  readonly retryAfterMs?: number;
  readonly rateLimit: RateLimitInfo;
  constructor(init: ErrorInit & { retryAfterMs?: number; rateLimit?: RateLimitInfo }) {
    super(init);
    this.retryAfterMs = init.retryAfterMs;
    this.rateLimit = init.rateLimit ?? {};
  }
  override get retryable(): boolean {
    return true;
  }
}

/** 5xx (including an HTML 502 page from a proxy). */
export class ServerError extends MoncreneauError {
  override get retryable(): boolean {
    return true;
  }
  override get outcomeUnknown(): boolean {
    return true;
  }
}

/** Any other non-2xx status (3xx, 405, 410…): not retried. */
export class UnexpectedStatusError extends MoncreneauError {}

/** 2xx whose body is not what the endpoint returns (not JSON, wrong shape). */
export class UnexpectedResponseError extends MoncreneauError {}

/** Connection refused/reset, DNS, TLS, broken body. `requestSent` = the whole request reached the socket. */
export class NetworkError extends MoncreneauError {
  readonly requestSent: boolean;
  constructor(init: ErrorInit & { requestSent: boolean }) {
    super(init);
    this.requestSent = init.requestSent;
  }
  override get retryable(): boolean {
    return true;
  }
  override get outcomeUnknown(): boolean {
    return this.requestSent;
  }
}

/** One attempt exceeded its own timeout (≤ 30 s). */
export class TimeoutError extends NetworkError {}

/** The overall budget (deadline / Lambda remaining time minus the safety margin) is spent. */
export class DeadlineExceededError extends MoncreneauError {
  /** The failure that made us want another attempt, if any. */
  readonly lastError?: MoncreneauError;
  constructor(init: ErrorInit & { lastError?: MoncreneauError }) {
    super({ ...init, cause: init.cause ?? init.lastError });
    this.lastError = init.lastError;
  }
  /** Not now, but a later invocation (SQS redelivery) may succeed. */
  override get retryable(): boolean {
    return false;
  }
  override get outcomeUnknown(): boolean {
    return this.lastError?.outcomeUnknown ?? false;
  }
}

/**
 * POST /appointments failed in a way that may have created the appointment, and the client could
 * not establish whether it did (no externalUserId / lookup hook, or the lookup itself failed).
 * Do NOT blindly retry: reconcile first (webhook `appointment.created`, list by externalUserId).
 */
export class CreateOutcomeUnknownError extends MoncreneauError {
  readonly lastError: MoncreneauError;
  constructor(init: ErrorInit & { lastError: MoncreneauError }) {
    super({ ...init, cause: init.cause ?? init.lastError });
    this.lastError = init.lastError;
  }
  override get outcomeUnknown(): boolean {
    return true;
  }
}

/**
 * The request gate (global rate limiter) refused or failed before anything was sent — e.g. its
 * next slot is after the deadline (`cause` is the limiter's RateLimitDeadlineError). Not sent, so
 * never an unknown outcome by itself; retry later (SQS redelivery).
 */
export class GateRejectedError extends MoncreneauError {}

/** Local misconfiguration (bad base URL, missing key): never retried. */
export class ConfigurationError extends MoncreneauError {
  constructor(message: string) {
    super({ code: 'CLIENT_CONFIGURATION', message });
  }
}

// ---------------------------------------------------------------------------------------------
// Building an error from an HTTP response

const KEY_PATTERN = /\bmk_[A-Za-z0-9_-]+/g;

/** Removes API keys (the known one and anything shaped like `mk_…`) from text the server echoes. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  return out.replace(KEY_PATTERN, 'mk_[REDACTED]');
}

function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets, depth + 1)]));
}

function numberField(details: Readonly<Record<string, unknown>> | undefined, field: string): number | undefined {
  const value = details?.[field];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface ParsedErrorBody {
  readonly code?: string;
  readonly message?: string;
  readonly details?: Record<string, unknown>;
  /** 'envelope' = documented `{error:{…}}`; 'flat' = `{code,message}`; 'other' = anything else. */
  readonly shape: 'envelope' | 'flat' | 'other';
}

/** Never throws: HTML, empty bodies, arrays, `{error:"text"}` all become a ParsedErrorBody. */
export function parseErrorBody(bodyText: string): ParsedErrorBody {
  let parsed: unknown;
  try {
    parsed = bodyText.trim() === '' ? undefined : JSON.parse(bodyText);
  } catch {
    return { shape: 'other' };
  }
  if (!isRecord(parsed)) return { shape: 'other' };
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  if (isRecord(parsed.error)) {
    const e = parsed.error;
    return { shape: 'envelope', code: text(e.code), message: text(e.message), details: isRecord(e.details) ? e.details : undefined };
  }
  if (text(parsed.code) || text(parsed.message) || text(parsed.error)) {
    return {
      shape: 'flat',
      code: text(parsed.code),
      message: text(parsed.message) ?? text(parsed.error),
      details: isRecord(parsed.details) ? parsed.details : undefined,
    };
  }
  return { shape: 'other' };
}

export interface ResponseErrorInput {
  readonly status: number;
  readonly bodyText: string;
  readonly headers: ResponseHeaders;
  readonly requestId?: string;
  /** Values to scrub from message/details (the API key in use). */
  readonly secrets?: readonly string[];
  readonly retryAfterMs?: number;
  readonly rateLimit?: RateLimitInfo;
}

const FALLBACK_CODES: Readonly<Record<number, string>> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHORIZED',
  402: 'INSUFFICIENT_CREDITS',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'INVALID_REQUEST',
  429: 'RATE_LIMIT_EXCEEDED',
};

/** Maps a non-2xx response to its typed error. */
export function errorFromResponse(input: ResponseErrorInput): MoncreneauError {
  const { status } = input;
  const body = parseErrorBody(input.bodyText);
  const secrets = input.secrets ?? [];
  const code = body.code ?? FALLBACK_CODES[status] ?? (status >= 500 ? 'SERVER_ERROR' : `HTTP_${status}`);
  const contentType = input.headers['content-type'];
  let details = body.details ? (redactValue(body.details, secrets) as Record<string, unknown>) : undefined;
  if (body.shape === 'other' && input.bodyText.trim() !== '') {
    // Keep a short, scrubbed excerpt of a non-JSON body (an HTML proxy page) for diagnosis.
    details = { contentType, bodyExcerpt: redactSecrets(input.bodyText.slice(0, 200), secrets) };
  }
  const message = redactSecrets(body.message ?? `HTTP ${status}${body.shape === 'other' ? ` (${contentType ?? 'no content type'}, not the JSON error envelope)` : ''}`, secrets);
  const init: ErrorInit = { status, code, message, details, requestId: input.requestId };
  if (status === 400 || status === 422) return new ValidationError(init);
  if (status === 401) return new AuthenticationError(init);
  if (status === 402) return new InsufficientCreditsError(init);
  if (status === 403) return new ForbiddenError(init);
  if (status === 404) return new NotFoundError(init);
  if (status === 409) return new ConflictError(init);
  if (status === 429) return new RateLimitedError({ ...init, retryAfterMs: input.retryAfterMs, rateLimit: input.rateLimit });
  if (status >= 500) return new ServerError(init);
  return new UnexpectedStatusError(init);
}
