/** Public surface of the typed MONCRENEAU client. The env/Secrets Manager wiring is in ./from-env. */
export * from './types';
export * from './errors';
export { DEFAULT_BASE_URL, MAX_ATTEMPT_TIMEOUT_MS, validateBaseUrl, isLoopbackHost, type AuthScheme, type LookupExisting, type MoncreneauClientOptions, type ResolvedOptions } from './config';
export { DEFAULT_RETRY_POLICY, backoffDelayMs, baseDelayMs, parseRateLimitHeaders, parseRetryAfter, type JitterMode, type ResetUnit, type RetryPolicy } from './retry-policy';
export { NodeHttpTransport, TransportError, type HttpTransport, type HttpRequest, type HttpResponse } from './transport';
export { MoncreneauClient, createMoncreneauClient } from './client';
export { PAGE_SIZE, sameBooking } from './resources/appointments';
