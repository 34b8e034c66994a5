/**
 * The MONCRENEAU client built from the environment the wiring gives a function. In Lambda the key
 * comes from Secrets Manager (MONCRENEAU_API_KEY_SECRET_ARN, JSON field `apiKey`, cached and
 * force-refreshed once on a 401); locally from MONCRENEAU_API_KEY. Every HTTP attempt passes the
 * global rate limiter, one per API key, shared with every instance through the rateLimits table.
 */
import { DynamoRateLimiter } from '../adapters/dynamo-rate-limiter';
import { secretSourceFromEnv } from '../adapters/secret-source';
import { intEnv, requiredEnv } from '../config/env';
import { MONCRENEAU_CALLER_ENV, TUNING_ENV } from '../config/function-env';
import { API_KEY_LOCAL_ENV } from '../config/local-secrets';
import { createMoncreneauClient, type MoncreneauClient } from '../moncreneau/client/client';
import type { AuthScheme, MoncreneauClientOptions } from '../moncreneau/client/config';
import { ConfigurationError } from '../moncreneau/client/errors';
import type { ResetUnit } from '../moncreneau/client/retry-policy';
import { observeSecretProblem } from '../observability/secret-observer';
import { onLocalThrottle, onLocalThrottleRejected, onMoncreneauRequest, onMoncreneauRetry } from '../observability/moncreneau-observer';
import { moncreneauRules, rateLimitGate } from '../ratelimit';

const ENV = MONCRENEAU_CALLER_ENV;

export function moncreneauClientFromEnv(overrides: Partial<MoncreneauClientOptions> = {}, env: NodeJS.ProcessEnv = process.env): MoncreneauClient {
  const scheme = (env[ENV.authScheme] ?? 'x-api-key').toLowerCase();
  if (scheme !== 'x-api-key' && scheme !== 'bearer') throw new ConfigurationError(`${ENV.authScheme} must be "x-api-key" or "bearer"`);
  const resetUnit = env[TUNING_ENV.resetUnit] as ResetUnit | undefined;
  if (resetUnit !== undefined && !['auto', 'epoch-seconds', 'epoch-ms', 'delta-seconds'].includes(resetUnit)) {
    throw new ConfigurationError(`${TUNING_ENV.resetUnit} must be auto, epoch-seconds, epoch-ms or delta-seconds`);
  }
  return createMoncreneauClient({
    keySource: secretSourceFromEnv(ENV.apiKeySecretArn, API_KEY_LOCAL_ENV, env, { onProblem: observeSecretProblem }),
    baseUrl: env[ENV.baseUrl] || undefined,
    authScheme: scheme as AuthScheme,
    attemptTimeoutMs: intEnv(TUNING_ENV.attemptTimeoutMs, 10_000, env),
    retry: { maxAttempts: intEnv(TUNING_ENV.maxAttempts, 3, env) },
    cacheTtlMs: intEnv(TUNING_ENV.cacheTtlMs, 5 * 60_000, env),
    resetHeaderUnit: resetUnit,
    ...overrides,
  });
}

export function rateLimitedClientFromEnv(env: NodeJS.ProcessEnv = process.env): MoncreneauClient {
  const limiter = new DynamoRateLimiter({
    tableName: requiredEnv(ENV.rateLimitTable, env),
    name: env[TUNING_ENV.rateLimitName] || 'moncreneau',
    rules: moncreneauRules(intEnv(ENV.ratePerMinute, 100, env), intEnv(ENV.ratePerHour, 1000, env)),
    onThrottle: onLocalThrottle,
    onReject: onLocalThrottleRejected,
  });
  return moncreneauClientFromEnv(
    {
      gate: rateLimitGate(limiter),
      retry: { maxAttempts: intEnv(TUNING_ENV.maxAttempts, 3, env), baseDelayMs: intEnv(TUNING_ENV.retryBaseDelayMs, 2000, env) },
      onRequest: onMoncreneauRequest,
      onRetry: onMoncreneauRetry,
    },
    env,
  );
}
