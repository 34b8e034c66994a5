/**
 * Client options, their defaults and validation. Pure. Every UNKNOWN of the API docs that changes
 * behaviour is an option here (auth header, reset-header unit, lookup date narrowing, retried PATCH).
 */
import { ConfigurationError } from './errors';
import { DEFAULT_RETRY_POLICY, type ResetUnit, type RetryPolicy } from './retry-policy';
import type { HttpTransport } from './transport';
import type { Appointment, CallOptions, CreateAppointmentRequest, KeySource, RequestGate, RequestObservation, RetryObservation } from './types';

export const DEFAULT_BASE_URL = 'https://mc-prd.duckdns.org/api/v1';
/** Checklist §3: "Request timeout configured (30s max)". */
export const MAX_ATTEMPT_TIMEOUT_MS = 30_000;

/** `X-API-Key` is what the docs' examples and all four SDKs send; Bearer is in the docs' prose (docs/moncreneau-api.md §2.1). */
export type AuthScheme = 'x-api-key' | 'bearer';

/** Custom "does this appointment already exist?" for creates whose outcome is unknown. */
export type LookupExisting = (request: CreateAppointmentRequest, call: CallOptions) => Promise<Appointment | undefined>;

export interface MoncreneauClientOptions {
  /** Where the key comes from (field `apiKey`): SecretsManagerSource in AWS, EnvironmentSource locally. */
  readonly keySource: KeySource;
  readonly keyField?: string;
  readonly baseUrl?: string;
  readonly authScheme?: AuthScheme;
  /** Per attempt, ≤ 30 000 (default 10 000: the docs target < 200 ms latency, 30 s is the cap). */
  readonly attemptTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Stop this long before the caller's deadline (default 1000 ms). */
  readonly safetyMarginMs?: number;
  /** Do not start an attempt with less time than this left (default 1000 ms). */
  readonly minAttemptMs?: number;
  /** Departments and availability cache TTL (default 5 min; 0 disables). */
  readonly cacheTtlMs?: number;
  readonly resetHeaderUnit?: ResetUnit;
  /** ASSUMED PATCH sets absolute values, so repeating it is harmless: retried like a GET (default true). */
  readonly retryUpdates?: boolean;
  /** Narrow the lookup-before-retry with startDate/endDate = the day of dateTime (format UNKNOWN: default false). */
  readonly lookupByDate?: boolean;
  readonly lookupExisting?: LookupExisting;
  /** Upper bound on pages fetched by listAll/iterate (guards against a server ignoring `page`). */
  readonly maxPages?: number;
  readonly userAgent?: string;
  readonly gate?: RequestGate;
  readonly onRequest?: (observation: RequestObservation) => void;
  readonly onRetry?: (observation: RetryObservation) => void;
  // Test seams
  readonly transport?: HttpTransport;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly newRequestId?: () => string;
}

export interface ResolvedOptions {
  readonly baseUrl: URL;
  readonly keyField: string;
  readonly authScheme: AuthScheme;
  readonly attemptTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly safetyMarginMs: number;
  readonly minAttemptMs: number;
  readonly cacheTtlMs: number;
  readonly resetHeaderUnit: ResetUnit;
  readonly retryUpdates: boolean;
  readonly lookupByDate: boolean;
  readonly maxPages: number;
  readonly userAgent: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** HTTPS only (checklist §3), except plain HTTP to a loopback sandbox. No credentials/query in the URL. */
export function validateBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError('MONCRENEAU base URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ConfigurationError(`MONCRENEAU base URL must use https (plain http is allowed for loopback sandboxes only), got ${url.protocol}//${url.host}`);
  }
  // Keys travel in headers only; a URL with credentials or a query would end up in logs.
  if (url.username || url.password) throw new ConfigurationError('MONCRENEAU base URL must not contain credentials');
  if (url.search || url.hash) throw new ConfigurationError('MONCRENEAU base URL must not contain a query or fragment');
  // Keep the /api/v1 prefix when joining paths (the PHP SDK's RFC 3986 pitfall, docs/moncreneau-api.md §11 #26).
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) throw new ConfigurationError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  return value;
}

export function resolveOptions(options: MoncreneauClientOptions): ResolvedOptions {
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) throw new ConfigurationError('retry.maxAttempts must be an integer ≥ 1');
  positive('retry.baseDelayMs', retry.baseDelayMs, true);
  positive('retry.maxDelayMs', retry.maxDelayMs, true);
  const attemptTimeoutMs = positive('attemptTimeoutMs', options.attemptTimeoutMs ?? 10_000);
  if (attemptTimeoutMs > MAX_ATTEMPT_TIMEOUT_MS) throw new ConfigurationError(`attemptTimeoutMs must be ≤ ${MAX_ATTEMPT_TIMEOUT_MS}`);
  return {
    baseUrl: validateBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL),
    keyField: options.keyField ?? 'apiKey',
    authScheme: options.authScheme ?? 'x-api-key',
    attemptTimeoutMs,
    retry,
    safetyMarginMs: positive('safetyMarginMs', options.safetyMarginMs ?? 1000, true),
    minAttemptMs: positive('minAttemptMs', options.minAttemptMs ?? 1000, true),
    cacheTtlMs: positive('cacheTtlMs', options.cacheTtlMs ?? 5 * 60_000, true),
    resetHeaderUnit: options.resetHeaderUnit ?? 'auto',
    retryUpdates: options.retryUpdates ?? true,
    lookupByDate: options.lookupByDate ?? false,
    maxPages: options.maxPages ?? 1000,
    userAgent: options.userAgent ?? 'moncreneau-golive-kit/0.1 (+node)',
  };
}
