/**
 * What every SDK client of a function instance shares: explicit limits, and one hook told of each
 * client when it is created (the composition roots use it to trace the clients a function really
 * builds — so a function never loads an SDK client it does not use just to trace it).
 */

/**
 * Explicit limits instead of the SDK's defaults (no request timeout at all): a call to an AWS service
 * in-region answers in milliseconds, so a socket silent for seconds is dead — fail it and let the
 * standard retry mode (3 attempts, jittered backoff, retry quotas) try again, well inside every
 * function's timeout (receiver 10 s: 3 × 2 s + backoff).
 */
export const AWS_CLIENT_LIMITS = {
  maxAttempts: 3,
  retryMode: 'standard',
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
} as const;

/** Any SDK v3 client (what Tracer.captureAWSv3Client takes). */
export type AnyAwsClient = { readonly middlewareStack: unknown; readonly config: unknown };

const created: AnyAwsClient[] = [];
const listeners: Array<(client: AnyAwsClient) => void> = [];

/** Called by each client factory once, when it builds its client. */
export function announceClient<C extends AnyAwsClient>(client: C): C {
  created.push(client);
  for (const listener of listeners) listener(client);
  return client;
}

/** `listener` sees every client created so far and every one created later. */
export function onEachClient(listener: (client: AnyAwsClient) => void): void {
  listeners.push(listener);
  for (const client of created) listener(client);
}
