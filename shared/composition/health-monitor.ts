/** health-monitor: the ledger, the event store, the secrets' versions → health check → observer (CreditsRemaining, StuckWebhookEvents, SecretAgeDays). */
import { CreditsLedger } from '../adapters/credits-ledger';
import { EventStore } from '../adapters/event-store';
import { SecretsManagerAges } from '../adapters/secret-ages';
import { intEnv, requiredEnv } from '../config/env';
import { FUNCTION_ENV } from '../config/function-env';
import { checkHealth } from '../monitoring/health';
import { observeHealth } from '../observability/health-observer';
import { traceAwsClients } from './aws';

const ENV = FUNCTION_ENV.healthMonitor;

export function composeHealthMonitor(env: NodeJS.ProcessEnv = process.env): () => Promise<void> {
  traceAwsClients();
  const retentionDays = intEnv(ENV.eventRetentionDays, 30, env);
  // Locally there is no Secrets Manager (no ARN): no age is published.
  const watched = Object.fromEntries(
    [['apiKey', env[ENV.apiKeySecretArn]], ['webhookSecret', env[ENV.webhookSecretArn]]].filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
  const deps = {
    ledger: new CreditsLedger(requiredEnv(ENV.ledgerTable, env)),
    events: new EventStore(requiredEnv(ENV.eventsTable, env), { leaseSeconds: 0, retentionDays }),
    secrets: new SecretsManagerAges(watched),
    lowCreditThreshold: intEnv(ENV.lowCreditThreshold, 10, env),
    stuckAfterMs: intEnv(ENV.stuckEventMinutes, 30, env) * 60_000,
    // Two days cover anything stuck since the previous runs; older failures were already counted then.
    sweepDays: Math.min(2, retentionDays),
    now: Date.now,
  };
  return async () => observeHealth(await checkHealth(deps));
}
