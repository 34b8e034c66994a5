/**
 * The 5-minute deadline, run every minute by the payments sweeper: a PENDING payment whose deadline has
 * passed is polled once (GET /credits/purchases/{id}, under the global rate limit) so that a lost webhook
 * never expires a paid purchase; if MONCRENEAU says SUCCESSFUL or FAILED that is applied (source `poll`),
 * otherwise — still PENDING, or the poll failed — it becomes EXPIRED (source `deadline`). Lateness is
 * bounded by the sweep's period (≤ 1 minute). A SUCCESSFUL that arrives later still credits it, flagged.
 */
import type { CallOptions } from '../moncreneau/client/types';
import { readPayment, type PaymentReport } from '../moncreneau/payment-contract';
import { applyPaymentReport, type ApplyDeps, type PaymentApplied } from './apply';
import type { PurchasePort } from './ports';

export interface DeadlineDeps extends ApplyDeps {
  readonly client: Pick<PurchasePort, 'getPurchase'>;
  /** Payments handled per run at most (each costs one MONCRENEAU call); the rest wait for the next minute. */
  readonly batchLimit: number;
  readonly call: () => CallOptions;
}

export interface DeadlineOutcome {
  readonly applied: PaymentApplied;
  /** What the poll said, or `failed` (then `pollError`). */
  readonly poll: PaymentReport['status'] | 'failed';
  readonly pollError?: string;
}

export async function expireDue(deps: DeadlineDeps): Promise<DeadlineOutcome[]> {
  const due = await deps.store.due(deps.now(), deps.batchLimit);
  const outcomes: DeadlineOutcome[] = [];
  for (const payment of due) {
    let report: PaymentReport | undefined;
    let pollError: string | undefined;
    try {
      const read = readPayment(await deps.client.getPurchase(payment.paymentId, deps.call()));
      if (read.ok && read.report.paymentId === payment.paymentId) report = read.report;
      else pollError = read.ok ? 'answered another payment' : read.problem;
    } catch (error) {
      pollError = (error as { code?: string }).code ?? (error as Error).name ?? 'error';
    }
    if (report && report.status !== 'PENDING') {
      const applied = await applyPaymentReport(deps, { paymentId: payment.paymentId, status: report.status, report, source: 'poll', ref: 'poll at the deadline' });
      outcomes.push({ applied, poll: report.status });
      continue;
    }
    const ref = report ? 'poll at the deadline: still PENDING' : `poll at the deadline failed: ${pollError}`;
    const applied = await applyPaymentReport(deps, { paymentId: payment.paymentId, status: 'EXPIRED', source: 'deadline', ref });
    outcomes.push({ applied, poll: report ? 'PENDING' : 'failed', ...(pollError ? { pollError } : {}) });
  }
  return outcomes;
}
