/**
 * Automatic recharge (flag `autoRecharge`, off unless set; threshold, amount and K from the stage config),
 * run every minute by the payments sweeper:
 *  1. settle the purchase in flight, if any: its payment SUCCESSFUL → failures reset; FAILED or EXPIRED, or
 *     its command FAILED (or lost) → one more consecutive failure; after K of them the recharge stops and
 *     stays stopped (AutoRechargeStopped alarm) until an operator resumes it — no loop spending money;
 *  2. when enabled, not stopped, nothing in flight and the known balance is below the threshold: claim the
 *     one in-flight slot (a conditional write: at most one purchase at a time, even with concurrent sweeps)
 *     and start one purchase command (the outbound worker sends it under the global rate limit).
 */
import type { CommandStore } from '../commands/ports';
import type { AutoRechargeState, AutoRechargeStore, PaymentStore, PurchaseAttempts } from './ports';

export interface AutoRechargeDeps {
  readonly state: AutoRechargeStore;
  readonly enabled: () => Promise<boolean>;
  readonly balance: () => Promise<number | null>;
  readonly attempts: Pick<PurchaseAttempts, 'attempt'>;
  readonly payments: Pick<PaymentStore, 'get'>;
  readonly commands: Pick<CommandStore, 'get'>;
  /** Accepts and enqueues the purchase command with this id. */
  readonly startPurchase: (commandId: string, credits: number, reason: string) => Promise<void>;
  readonly threshold: number;
  readonly amount: number;
  /** K: consecutive failures before stopping. */
  readonly maxConsecutiveFailures: number;
  /** A claimed purchase whose command never appeared this long after is counted as lost (a crash between claim and accept). */
  readonly lostAfterMs: number;
  readonly newId: () => string;
  readonly now: () => Date;
}

export interface AutoRechargeReport {
  readonly enabled: boolean;
  /** Stopped after K consecutive failures (the gauge AutoRechargeStopped reads enabled && stopped). */
  readonly stopped: boolean;
  /** The purchase that settled during this run. */
  readonly settled?: { readonly commandId: string; readonly failed: boolean; readonly outcome: string; readonly consecutiveFailures: number; readonly stoppedNow: boolean };
  readonly started?: { readonly commandId: string; readonly credits: number; readonly balance: number };
  readonly skipped?: 'disabled' | 'stopped' | 'in_flight' | 'balance_unknown' | 'above_threshold' | 'claimed_elsewhere';
  readonly state: AutoRechargeState;
}

export async function runAutoRecharge(deps: AutoRechargeDeps): Promise<AutoRechargeReport> {
  let state = await deps.state.read();
  let settled: AutoRechargeReport['settled'];
  if (state.commandId) {
    const verdict = await inFlightVerdict(deps, state);
    if (verdict) {
      const after = await deps.state.settle(state.commandId, { ...verdict, stopAfter: deps.maxConsecutiveFailures, at: deps.now().toISOString() });
      if (after) {
        settled = { commandId: state.commandId, failed: verdict.failed, outcome: verdict.lastOutcome, consecutiveFailures: after.consecutiveFailures, stoppedNow: Boolean(after.stoppedAt) && !state.stoppedAt };
        state = after;
      } else state = await deps.state.read();
    }
  }
  const enabled = await deps.enabled();
  const report = (extra: Partial<AutoRechargeReport>): AutoRechargeReport => ({ enabled, stopped: Boolean(state.stoppedAt), state, ...(settled ? { settled } : {}), ...extra });
  if (!enabled) return report({ skipped: 'disabled' });
  if (state.stoppedAt) return report({ skipped: 'stopped' });
  if (state.commandId) return report({ skipped: 'in_flight' });
  const balance = await deps.balance();
  if (balance === null) return report({ skipped: 'balance_unknown' });
  if (balance >= deps.threshold) return report({ skipped: 'above_threshold' });
  const commandId = deps.newId();
  const at = deps.now().toISOString();
  if (!(await deps.state.claim(commandId, at))) return report({ skipped: 'claimed_elsewhere' });
  await deps.startPurchase(commandId, deps.amount, `auto-recharge: balance ${balance} below ${deps.threshold}`);
  state = { ...state, commandId, startedAt: at };
  return report({ started: { commandId, credits: deps.amount, balance } });
}

/** Whether the purchase in flight has settled, and how; undefined while it is still going. */
async function inFlightVerdict(deps: AutoRechargeDeps, state: AutoRechargeState): Promise<{ failed: boolean; lastOutcome: string } | undefined> {
  const commandId = state.commandId!;
  const attempt = await deps.attempts.attempt(commandId);
  if (attempt?.kind === 'done') {
    const payment = await deps.payments.get(attempt.report.paymentId);
    const status = payment?.status ?? attempt.report.status;
    if (status === 'SUCCESSFUL') return { failed: false, lastOutcome: `payment ${attempt.report.paymentId} SUCCESSFUL` };
    if (status === 'FAILED' || status === 'EXPIRED') return { failed: true, lastOutcome: `payment ${attempt.report.paymentId} ${status}` };
    return undefined;
  }
  const command = await deps.commands.get(commandId);
  if (command?.status === 'FAILED') return { failed: true, lastOutcome: `purchase command ${commandId} FAILED: ${command.error?.code ?? 'unknown'}` };
  if (!command && deps.now().getTime() - Date.parse(state.startedAt ?? '') > deps.lostAfterMs) return { failed: true, lastOutcome: `purchase command ${commandId} was never stored` };
  return undefined;
}
