/**
 * Edge composition for the two command functions: the adapters and the rate-limited MONCRENEAU
 * client built from the environment the wiring gives them (infra/wiring.ts). The only file under
 * shared/commands that touches AWS-backed adapters; the logic modules get these injected.
 *
 * Optional tuning variables (not in the wiring; defaults are the production values, tests lower them):
 *   MONCRENEAU_RETRY_BASE_DELAY_MS (2000)  OUTBOUND_PAUSE_DELAY_SECONDS (300)
 *   OUTBOUND_DEADLINE_MARGIN_MS (3000)     FLAGS_CACHE_TTL_MS (15000)   RATE_LIMIT_NAME (moncreneau)
 */
import { CommandsTable } from '../adapters/commands-table';
import { CreditsLedger } from '../adapters/credits-ledger';
import { FeatureFlags } from '../adapters/feature-flags';
import { documentClient } from '../adapters/appointments-table';
import { intEnv, requiredEnv } from '../config/env';
import type { MoncreneauClient } from '../moncreneau/client/client';
import { MONCRENEAU_ENV, moncreneauClientFromEnv } from '../moncreneau/client/from-env';
import { DynamoRateLimiter, moncreneauRules, rateLimitGate, RATE_LIMIT_ENV } from '../ratelimit';
import { onLocalThrottle, onLocalThrottleRejected, onMoncreneauRequest, onMoncreneauRetry } from './observers';

export const COMMANDS_ENV = {
  retryBaseDelayMs: 'MONCRENEAU_RETRY_BASE_DELAY_MS',
  pauseDelaySeconds: 'OUTBOUND_PAUSE_DELAY_SECONDS',
  deadlineMarginMs: 'OUTBOUND_DEADLINE_MARGIN_MS',
  flagCacheMs: 'FLAGS_CACHE_TTL_MS',
} as const;

export function boolEnv(name: string, fallback: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new Error(`Environment variable ${name} must be "true" or "false", got "${raw}"`);
}

/** One limiter per API key, shared with every instance of both functions through the rateLimits table. */
export function rateLimitedClientFromEnv(env: NodeJS.ProcessEnv = process.env): MoncreneauClient {
  const limiter = new DynamoRateLimiter({
    tableName: requiredEnv(RATE_LIMIT_ENV.tableName, env),
    name: env[RATE_LIMIT_ENV.name] || 'moncreneau',
    rules: moncreneauRules(intEnv(RATE_LIMIT_ENV.perMinute, 100, env), intEnv(RATE_LIMIT_ENV.perHour, 1000, env)),
    db: documentClient(),
    onThrottle: onLocalThrottle,
    onReject: onLocalThrottleRejected,
  });
  return moncreneauClientFromEnv(
    {
      gate: rateLimitGate(limiter),
      retry: { maxAttempts: intEnv(MONCRENEAU_ENV.maxAttempts, 3, env), baseDelayMs: intEnv(COMMANDS_ENV.retryBaseDelayMs, 2000, env) },
      onRequest: onMoncreneauRequest,
      onRetry: onMoncreneauRetry,
    },
    env,
  );
}

export function commandsTableFromEnv(env: NodeJS.ProcessEnv = process.env): CommandsTable {
  return new CommandsTable(requiredEnv('COMMANDS_TABLE_NAME', env));
}

export function ledgerFromEnv(env: NodeJS.ProcessEnv = process.env): CreditsLedger {
  return new CreditsLedger(requiredEnv('LEDGER_TABLE_NAME', env));
}

export function flagsFromEnv(env: NodeJS.ProcessEnv = process.env): FeatureFlags {
  return new FeatureFlags(requiredEnv('FLAGS_TABLE_NAME', env), { cacheMs: intEnv(COMMANDS_ENV.flagCacheMs, 15_000, env) });
}
