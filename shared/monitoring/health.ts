/**
 * The gauges the alarms need on a schedule, not only when something happens: the credits balance
 * (the low-credit alarm treats a missing value as breaching, so the monitor must publish it even when
 * nothing moves), the webhook events left unfinished longer than a threshold (stuck or failed), and the
 * age of each rotating secret's value in use (the key-age alarm fires before the 6-month limit).
 */
import { balanceReport, type BalanceReport } from '../credits/balance-report';
import type { BalanceSource, SecretAge, SecretAges, StuckEvents, UnfinishedEvents } from './ports';

export interface HealthDeps {
  readonly ledger: BalanceSource;
  readonly events: UnfinishedEvents;
  readonly secrets: SecretAges;
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
  readonly secretAges: readonly SecretAge[];
  /** Set when the secret ages could not be read: the other gauges are still published. */
  readonly secretAgesError?: unknown;
}

export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const ages = deps.secrets.ages(new Date(deps.now())).then(
    (secretAges) => ({ secretAges }),
    (secretAgesError: unknown) => ({ secretAges: [], secretAgesError }),
  );
  const [balance, stuck, secrets] = await Promise.all([deps.ledger.balance(), deps.events.countStuck(new Date(deps.now() - deps.stuckAfterMs), deps.sweepDays), ages]);
  return {
    balance: balance === null ? null : balanceReport(balance, deps.lowCreditThreshold),
    stuck: { ...stuck, total: stuck.processing + stuck.failed + stuck.parked },
    ...secrets,
  };
}
