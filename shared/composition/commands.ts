/** What both command functions build the same way: the command store, the ledger, the kill switch, the client. */
import { CommandsTable } from '../adapters/commands-table';
import { CreditsLedger } from '../adapters/credits-ledger';
import { FeatureFlags } from '../adapters/feature-flags';
import { boolEnv, intEnv, requiredEnv } from '../config/env';
import { COMMANDS_ENV, TUNING_ENV } from '../config/function-env';
import { rateLimitedClientFromEnv } from './moncreneau-client';

export function commandsAdapters(env: NodeJS.ProcessEnv) {
  const client = rateLimitedClientFromEnv(env);
  return {
    store: new CommandsTable(requiredEnv(COMMANDS_ENV.commandsTable, env)),
    ledger: new CreditsLedger(requiredEnv(COMMANDS_ENV.ledgerTable, env)),
    outbound: new FeatureFlags(requiredEnv(COMMANDS_ENV.flagsTable, env), { cacheMs: intEnv(TUNING_ENV.flagCacheMs, 15_000, env) }),
    appointments: client.appointments,
    credits: client.credits,
    outboundQueueUrl: requiredEnv(COMMANDS_ENV.outboundQueueUrl, env),
    refuseWhenNoCredits: boolEnv(COMMANDS_ENV.refuseWhenNoCredits, true, env),
  };
}
