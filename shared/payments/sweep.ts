/** The payments sweeper's run (every minute): the deadline, then the automatic recharge. Each half runs even if the other throws. */
import { runAutoRecharge, type AutoRechargeDeps, type AutoRechargeReport } from './auto-recharge';
import { expireDue, type DeadlineDeps, type DeadlineOutcome } from './deadline';

export interface SweepReport {
  readonly deadline: readonly DeadlineOutcome[] | { readonly error: unknown };
  readonly autoRecharge: AutoRechargeReport | { readonly error: unknown };
}

export async function sweepPayments(deps: { readonly deadline: DeadlineDeps; readonly autoRecharge: AutoRechargeDeps }): Promise<SweepReport> {
  // The deadline first: a purchase settled by it frees the automatic recharge's slot in the same run.
  const deadline = await expireDue(deps.deadline).catch((error: unknown) => ({ error }));
  const autoRecharge = await runAutoRecharge(deps.autoRecharge).catch((error: unknown) => ({ error }));
  return { deadline, autoRecharge };
}
