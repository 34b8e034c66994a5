/**
 * Runs one logical API call: gate (global rate limit) → auth header → one HTTP attempt with its own
 * timeout → typed result or error → retry decision (policy + deadline) → jittered wait → again.
 * Exactly one forced key refresh on a 401 (rotation). Hooks observe every attempt.
 */
import { randomUUID } from 'node:crypto';
import { authHeaders, ApiKeyProvider } from './credentials';
import { Budget, resolveDeadline } from './deadline';
import type { ResolvedOptions } from './config';
import {
  AuthenticationError,
  DeadlineExceededError,
  GateRejectedError,
  MoncreneauError,
  NetworkError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  UnexpectedResponseError,
  errorFromResponse,
} from './errors';
import { backoffDelayMs, parseRateLimitHeaders, parseRetryAfter, serverDelayMs, shouldRetry } from './retry-policy';
import { TransportError, type HttpTransport, type HttpResponse } from './transport';
import type { CallOptions, HttpMethod, RequestGate, RequestObservation, RequestOutcome, RetryObservation } from './types';

export interface RequestSpec {
  readonly method: HttpMethod;
  /** Templated route (`/appointments/{id}`): used for metrics and filled from `params`. */
  readonly route: string;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  /** false = never retry when the server may have acted (POST /appointments). */
  readonly idempotent: boolean;
  /** Overrides retry.maxAttempts for this call (used by the create flow, which counts POSTs itself). */
  readonly maxAttempts?: number;
}

export interface ApiResponse<T> {
  readonly data: T;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly attempts: number;
}

export interface ExecutorDeps {
  readonly options: ResolvedOptions;
  readonly keys: ApiKeyProvider;
  readonly transport: HttpTransport;
  readonly gate?: RequestGate;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly newRequestId: () => string;
  readonly onRequest?: (o: RequestObservation) => void;
  readonly onRetry?: (o: RetryObservation) => void;
}

export class RequestExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  now(): number {
    return this.deps.now();
  }

  newRequestId(): string {
    return this.deps.newRequestId();
  }

  /** Sleeps `ms` unless that would leave no room for one more attempt before the deadline. */
  async waitWithin(ms: number, budget: Budget, cause: MoncreneauError): Promise<void> {
    if (!budget.fits(ms, this.deps.options.minAttemptMs)) throw deadlineError(budget, ms, cause);
    if (ms > 0) await this.deps.sleep(ms);
  }

  budgetFor(call: CallOptions | undefined): Budget {
    return new Budget(resolveDeadline(call, this.deps.now()), this.deps.options.safetyMarginMs, this.deps.now);
  }

  async execute<T>(spec: RequestSpec, call?: CallOptions, budget: Budget = this.budgetFor(call)): Promise<ApiResponse<T>> {
    const { options } = this.deps;
    const policy = spec.maxAttempts === undefined ? options.retry : { ...options.retry, maxAttempts: spec.maxAttempts };
    const requestId = call?.requestId ?? this.deps.newRequestId();
    const url = buildUrl(options.baseUrl, spec);
    let attempt = 0; // policy-counted attempts
    let httpAttempt = 0; // every request sent, including the post-401 one (for observability)
    let refreshedKey = false;
    let previousDelay: number | undefined;

    for (;;) {
      attempt += 1;
      httpAttempt += 1;
      // Checked before and after the gate: its wait (global rate limit) consumes the same budget.
      // It rejects by itself when its next slot is past the cutoff. `attempts` = requests really sent.
      if (budget.remainingMs() < options.minAttemptMs) throw withAttempts(deadlineError(budget, 0), attempt - 1);
      await this.passGate(spec, budget, requestId).catch((e: MoncreneauError) => {
        throw withAttempts(e, attempt - 1);
      });
      if (budget.remainingMs() < options.minAttemptMs) throw withAttempts(deadlineError(budget, 0), attempt - 1);
      // After a forced refresh the source's cache already holds the new key.
      const key = await this.deps.keys.key();

      const timeoutMs = Math.min(options.attemptTimeoutMs, budget.remainingMs());
      const cutByDeadline = timeoutMs < options.attemptTimeoutMs;
      const result = await this.attemptOnce(spec, url, key, requestId, timeoutMs, httpAttempt);
      if (result.ok) return { ...result.ok, data: result.ok.data as T, attempts: attempt };
      const error = result.error;
      error.attempts = attempt;

      // Rotation: the cached key may be the revoked one. One forced refresh; retry only if it changed.
      if (error instanceof AuthenticationError && !refreshedKey) {
        refreshedKey = true;
        const fresh = await this.deps.keys.key(true);
        if (fresh !== key) {
          attempt -= 1; // the rotation retry does not spend the 5xx/timeout retry budget
          continue;
        }
      }
      // The attempt was cut short by the overall deadline, not by its own timeout: say so.
      if (error instanceof TimeoutError && cutByDeadline) throw deadlineError(budget, 0, error);
      if (!shouldRetry(error, attempt, policy, spec.idempotent)) throw error;

      const serverDelay = serverDelayMs(error, this.deps.now());
      const backoff = backoffDelayMs(attempt, policy, this.deps.random, previousDelay);
      // 429: never earlier than the server asked; a little jitter so instances do not return together.
      const delay = serverDelay !== undefined ? serverDelay + Math.round(this.deps.random() * Math.min(1000, serverDelay * 0.1)) : backoff;
      previousDelay = delay;
      if (!budget.fits(delay, options.minAttemptMs)) throw deadlineError(budget, delay, error);
      this.safely(() => this.deps.onRetry?.({ method: spec.method, route: spec.route, attempt: httpAttempt, delayMs: delay, errorCode: error.code, status: error.status }));
      if (delay > 0) await this.deps.sleep(delay);
    }
  }

  private async passGate(spec: RequestSpec, budget: Budget, requestId: string): Promise<void> {
    if (!this.deps.gate) return;
    try {
      await this.deps.gate.acquire({ method: spec.method, route: spec.route, deadline: budget.cutoff });
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new GateRejectedError({ code: 'GATE_REJECTED', message: `${spec.method} ${spec.route} not sent: ${detail}`, requestId, cause });
    }
  }

  /** One HTTP attempt → parsed success or typed error; observed either way. */
  private async attemptOnce(
    spec: RequestSpec,
    url: URL,
    key: string,
    requestId: string,
    timeoutMs: number,
    httpAttempt: number,
  ): Promise<{ ok: Omit<ApiResponse<unknown>, 'attempts'>; error?: undefined } | { ok?: undefined; error: MoncreneauError }> {
    const { options } = this.deps;
    const started = this.deps.now();
    let response: HttpResponse;
    try {
      response = await this.deps.transport.send({
        method: spec.method,
        url,
        timeoutMs,
        headers: {
          accept: 'application/json',
          'user-agent': options.userAgent,
          'x-request-id': requestId,
          ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...authHeaders(options.authScheme, key),
        },
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      });
    } catch (thrown) {
      // The response arrived but could not be read (e.g. RESPONSE_TOO_LARGE): an answer, observed like one.
      if (thrown instanceof MoncreneauError) {
        this.observe({ method: spec.method, route: spec.route, status: thrown.status, durationMs: this.deps.now() - started, attempt: httpAttempt, outcome: outcomeOf(thrown), requestId, errorCode: thrown.code });
        return { error: thrown };
      }
      if (!(thrown instanceof TransportError)) throw thrown;
      const init = { code: thrown.kind === 'timeout' ? 'TIMEOUT' : 'NETWORK_ERROR', message: `${spec.method} ${spec.route}: ${thrown.message}`, requestId, requestSent: thrown.requestSent };
      const error = thrown.kind === 'timeout' ? new TimeoutError(init) : new NetworkError(init);
      this.observe({ method: spec.method, route: spec.route, durationMs: this.deps.now() - started, attempt: httpAttempt, outcome: outcomeOf(error), requestId, errorCode: error.code });
      return { error };
    }
    const durationMs = this.deps.now() - started;
    // Prefer the server's id (it is what MONCRENEAU support can search for); ours otherwise.
    const serverRequestId = response.headers['x-request-id'] || requestId;
    const receivedAt = this.deps.now();
    const retryAfterMs = parseRetryAfter(response.headers, receivedAt);
    await this.feedback(response, retryAfterMs, receivedAt);

    let error: MoncreneauError;
    if (response.status >= 200 && response.status < 300) {
      const parsed = parseSuccessBody(response, spec, serverRequestId);
      if (!(parsed instanceof MoncreneauError)) {
        this.observe({ method: spec.method, route: spec.route, status: response.status, durationMs, attempt: httpAttempt, outcome: 'success', requestId: serverRequestId });
        return { ok: { data: parsed.value, status: response.status, headers: response.headers, requestId: serverRequestId } };
      }
      error = parsed;
    } else {
      error = errorFromResponse({
        status: response.status,
        bodyText: response.bodyText,
        headers: response.headers,
        requestId: serverRequestId,
        secrets: [key],
        retryAfterMs,
        rateLimit: parseRateLimitHeaders(response.headers, receivedAt, options.resetHeaderUnit),
      });
    }
    this.observe({ method: spec.method, route: spec.route, status: response.status, durationMs, attempt: httpAttempt, outcome: outcomeOf(error), requestId: serverRequestId, errorCode: error.code });
    return { error };
  }

  private async feedback(response: HttpResponse, retryAfterMs: number | undefined, receivedAt: number): Promise<void> {
    const gate = this.deps.gate;
    if (!gate?.onResponse) return;
    try {
      await gate.onResponse({ status: response.status, headers: response.headers, retryAfterMs, receivedAt });
    } catch {
      // Feedback is best effort: a limiter hiccup must not fail a call that got its answer.
    }
  }

  private observe(o: RequestObservation): void {
    this.safely(() => this.deps.onRequest?.(o));
  }

  private safely(hook: () => void): void {
    try {
      hook();
    } catch {
      // Observability hooks must never change the outcome of a call.
    }
  }
}

function withAttempts<E extends MoncreneauError>(error: E, attempts: number): E {
  error.attempts = attempts;
  return error;
}

function outcomeOf(error: MoncreneauError): RequestOutcome {
  if (error instanceof TimeoutError) return 'timeout';
  if (error instanceof NetworkError) return 'network_error';
  if (error instanceof RateLimitedError) return 'rate_limited';
  if (error instanceof AuthenticationError) return 'auth_error';
  if (error instanceof ServerError) return 'server_error';
  if (error instanceof UnexpectedResponseError) return 'unexpected_response';
  return 'client_error';
}

function deadlineError(budget: Budget, wantedDelayMs: number, lastError?: MoncreneauError): DeadlineExceededError {
  const remaining = Math.max(0, Math.round(budget.remainingMs()));
  const why = lastError ? ` after ${lastError.code}${lastError.status ? ` (HTTP ${lastError.status})` : ''}` : '';
  const error = new DeadlineExceededError({
    code: 'DEADLINE_EXCEEDED',
    message: `Deadline would be exceeded${why}: ${remaining} ms left before the safety margin${wantedDelayMs ? `, ${wantedDelayMs} ms wait needed` : ''}`,
    requestId: lastError?.requestId,
    lastError,
  });
  error.attempts = lastError?.attempts ?? 0;
  return error;
}

function parseSuccessBody(response: HttpResponse, spec: RequestSpec, requestId: string): { value: unknown } | MoncreneauError {
  if (response.status === 204 || response.bodyText.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(response.bodyText) };
  } catch {
    return new UnexpectedResponseError({
      status: response.status,
      code: 'UNEXPECTED_RESPONSE',
      message: `${spec.method} ${spec.route}: HTTP ${response.status} body is not JSON (${response.headers['content-type'] ?? 'no content type'})`,
      requestId,
    });
  }
}

export function buildUrl(base: URL, spec: Pick<RequestSpec, 'route' | 'params' | 'query'>): URL {
  const path = spec.route.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = spec.params?.[name];
    if (value === undefined) throw new Error(`Missing path parameter ${name} for ${spec.route}`);
    return encodeURIComponent(String(value));
  });
  const url = new URL(base.toString());
  url.pathname = `${base.pathname}${path}`;
  for (const [name, value] of Object.entries(spec.query ?? {})) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  return url;
}

export const defaultRequestId = (): string => randomUUID();
