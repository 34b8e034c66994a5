/** What every function that applies payment reports builds the same way: the payments table (crediting through the ledger's items) and the deadline. */
import type { CreditsLedger } from '../adapters/credits-ledger';
import { PaymentsTable } from '../adapters/payments-table';
import { intEnv, requiredEnv } from '../config/env';
import { PAYMENTS_ENV } from '../config/function-env';
import type { ApplyDeps } from '../payments/apply';
import { DEFAULT_PAYMENT_TIMEOUT_MINUTES } from '../payments/types';

export function paymentsFromEnv(env: NodeJS.ProcessEnv, ledger: CreditsLedger): { readonly payments: PaymentsTable; readonly apply: ApplyDeps } {
  const payments = new PaymentsTable(requiredEnv(PAYMENTS_ENV.paymentsTable, env), ledger);
  const timeoutMs = intEnv(PAYMENTS_ENV.paymentTimeoutMinutes, DEFAULT_PAYMENT_TIMEOUT_MINUTES, env) * 60_000;
  return { payments, apply: { store: payments, now: () => new Date(), timeoutMs } };
}
