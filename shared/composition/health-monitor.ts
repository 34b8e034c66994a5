/** health-monitor: the ledger and the event store → health check → observer (CreditsRemaining, StuckWebhookEvents). */
import { CreditsLedger } from '../adapters/credits-ledger';
import { EventStore } from '../adapters/event-store';
import { intEnv, requiredEnv } from '../config/env';
import { FUNCTION_ENV } from '../config/function-env';
import { checkHealth } from '../monitoring/health';
import { observeHealth } from '../observability/health-observer';
import { traceAwsClients } from './aws';

const ENV = FUNCTION_ENV.healthMonitor;

export function composeHealthMonitor(env: NodeJS.ProcessEnv = process.env): () => Promise<void> {
  traceAwsClients();
  const retentionDays = intEnv(ENV.eventRetentionDays, 30, env);
  const deps = {
    ledger: new CreditsLedger(requiredEnv(ENV.ledgerTable, env)),
    events: new EventStore(requiredEnv(ENV.eventsTable, env), { leaseSeconds: 0, retentionDays }),
    lowCreditThreshold: intEnv(ENV.lowCreditThreshold, 10, env),
    stuckAfterMs: intEnv(ENV.stuckEventMinutes, 30, env) * 60_000,
    // Two days cover anything stuck since the previous runs; older failures were already counted then.
    sweepDays: Math.min(2, retentionDays),
    now: Date.now,
  };
  return async () => observeHealth(await checkHealth(deps));
}
