/**
 * The gauges the alarms need on a schedule, not only when something happens: the credits balance
 * (the low-credit alarm treats a missing value as breaching, so the monitor must publish it even when
 * nothing moves) and the webhook events left unfinished longer than a threshold (stuck or failed).
 */
import { balanceReport, type BalanceReport } from '../credits/balance-report';
import type { BalanceSource, StuckEvents, UnfinishedEvents } from './ports';

export interface HealthDeps {
  readonly ledger: BalanceSource;
  readonly events: UnfinishedEvents;
  readonly lowCreditThreshold: number;
  /** An event not COMPLETED this long after it arrived counts as stuck. */
  readonly stuckAfterMs: number;
  /** How far back the sweep looks (the event store keeps `eventRetentionDays`). */
  readonly sweepDays: number;
  readonly now: () => number;
}

export interface HealthReport {
  /** null while the ledger has never been set: nothing to publish, the alarm treats that as breaching. */
  readonly balance: BalanceReport | null;
  readonly stuck: StuckEvents & { readonly total: number };
}

export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const [balance, stuck] = await Promise.all([deps.ledger.balance(), deps.events.countStuck(new Date(deps.now() - deps.stuckAfterMs), deps.sweepDays)]);
  return {
    balance: balance === null ? null : balanceReport(balance, deps.lowCreditThreshold),
    stuck: { ...stuck, total: stuck.processing + stuck.failed + stuck.parked },
  };
}
