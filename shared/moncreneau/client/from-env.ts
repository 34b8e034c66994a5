/**
 * Edge wiring: builds a client from the environment. In Lambda the key comes from Secrets Manager
 * (MONCRENEAU_API_KEY_SECRET_ARN, JSON field `apiKey`, cached and force-refreshed once on a 401);
 * locally from MONCRENEAU_API_KEY. Only this file touches the AWS SDK (via secret-source).
 */
import { intEnv } from '../../config/env';
import { secretSourceFromEnv } from '../../adapters/secret-source';
import { createMoncreneauClient, type MoncreneauClient } from './client';
import type { AuthScheme, MoncreneauClientOptions } from './config';
import { ConfigurationError } from './errors';
import type { ResetUnit } from './retry-policy';

export const MONCRENEAU_ENV = {
  baseUrl: 'MONCRENEAU_BASE_URL',
  secretArn: 'MONCRENEAU_API_KEY_SECRET_ARN',
  localKey: 'MONCRENEAU_API_KEY',
  authScheme: 'MONCRENEAU_AUTH_SCHEME',
  attemptTimeoutMs: 'MONCRENEAU_TIMEOUT_MS',
  maxAttempts: 'MONCRENEAU_MAX_ATTEMPTS',
  cacheTtlMs: 'MONCRENEAU_CACHE_TTL_MS',
  resetUnit: 'MONCRENEAU_RATELIMIT_RESET_UNIT',
} as const;

export function moncreneauClientFromEnv(overrides: Partial<MoncreneauClientOptions> = {}, env: NodeJS.ProcessEnv = process.env): MoncreneauClient {
  const scheme = (env[MONCRENEAU_ENV.authScheme] ?? 'x-api-key').toLowerCase();
  if (scheme !== 'x-api-key' && scheme !== 'bearer') throw new ConfigurationError(`${MONCRENEAU_ENV.authScheme} must be "x-api-key" or "bearer"`);
  const resetUnit = env[MONCRENEAU_ENV.resetUnit] as ResetUnit | undefined;
  if (resetUnit !== undefined && !['auto', 'epoch-seconds', 'epoch-ms', 'delta-seconds'].includes(resetUnit)) {
    throw new ConfigurationError(`${MONCRENEAU_ENV.resetUnit} must be auto, epoch-seconds, epoch-ms or delta-seconds`);
  }
  return createMoncreneauClient({
    keySource: secretSourceFromEnv(MONCRENEAU_ENV.secretArn, { apiKey: MONCRENEAU_ENV.localKey }, env),
    baseUrl: env[MONCRENEAU_ENV.baseUrl] || undefined,
    authScheme: scheme as AuthScheme,
    attemptTimeoutMs: intEnv(MONCRENEAU_ENV.attemptTimeoutMs, 10_000, env),
    retry: { maxAttempts: intEnv(MONCRENEAU_ENV.maxAttempts, 3, env) },
    cacheTtlMs: intEnv(MONCRENEAU_ENV.cacheTtlMs, 5 * 60_000, env),
    resetHeaderUnit: resetUnit,
    ...overrides,
  });
}
