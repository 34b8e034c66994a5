/**
 * payments-sweeper (every minute): payments table, the rate-limited client (polls), the ledger (balance),
 * the flags (`autoRecharge`) and the command store and queue (purchases) → deadline + automatic recharge → observer.
 */
import { randomUUID } from 'node:crypto';
import { AUTO_RECHARGE_FLAG } from '../adapters/feature-flags';
import { OutboundQueue } from '../adapters/outbound-queue';
import { acceptCommand } from '../commands/accept';
import { purchaseRequest } from '../commands/purchase-command';
import { intEnv } from '../config/env';
import { FUNCTION_ENV } from '../config/function-env';
import { observeSweep } from '../observability/sweeper-observer';
import { sweepPayments } from '../payments/sweep';
import { traceAwsClients } from './aws';
import { commandsAdapters } from './commands';
import { paymentsFromEnv } from './payments';

const ENV = FUNCTION_ENV.paymentsSweeper;
/** Polls per run: each is one MONCRENEAU call under the global limit; the rest wait a minute. */
const POLLS_PER_RUN = 20;

export function composePaymentsSweeper(env: NodeJS.ProcessEnv = process.env): (event: unknown, context?: { getRemainingTimeInMillis(): number }) => Promise<void> {
  traceAwsClients();
  const { store, ledger, outbound, credits, outboundQueueUrl } = commandsAdapters(env);
  const { payments, apply } = paymentsFromEnv(env, ledger);
  const queue = new OutboundQueue(outboundQueueUrl, undefined);
  const retentionDays = intEnv(ENV.commandRetentionDays, 7, env);
  const threshold = intEnv(ENV.autoRechargeThreshold, 25, env);
  const amount = intEnv(ENV.autoRechargeAmount, 100, env);
  const maxConsecutiveFailures = intEnv(ENV.autoRechargeMaxFailures, 3, env);
  const flags = outbound;

  return async (_event, context) => {
    const remainingTimeMs = () => (context?.getRemainingTimeInMillis() ?? 60_000) - 2000;
    observeSweep(
      await sweepPayments({
        deadline: { ...apply, client: credits, batchLimit: POLLS_PER_RUN, call: () => ({ remainingTimeMs }) },
        autoRecharge: {
          state: payments,
          enabled: async () => (await flags.get(AUTO_RECHARGE_FLAG)).enabled,
          balance: () => ledger.balance(),
          attempts: payments,
          payments,
          commands: store,
          startPurchase: async (commandId, creditsToBuy, reason) => {
            await acceptCommand({ store, queue, newId: () => commandId, now: () => new Date(), retentionDays }, purchaseRequest({ credits: creditsToBuy, reason, origin: 'auto' }, `auto-recharge-${commandId}`));
          },
          threshold,
          amount,
          maxConsecutiveFailures,
          lostAfterMs: 5 * 60_000,
          newId: randomUUID,
          now: () => new Date(),
        },
      }),
    );
  };
}
