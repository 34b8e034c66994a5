/** What the health monitor reads: the ledger's balance and the event store's unfinished events. */
import type { Ledger } from '../credits/ports';

export interface StuckEvents {
  readonly processing: number;
  readonly failed: number;
  readonly parked: number;
}

export interface UnfinishedEvents {
  /** Events received before `olderThan` that are not COMPLETED (still PROCESSING, FAILED or PARKED), over the last `days` days. */
  countStuck(olderThan: Date, days: number): Promise<StuckEvents>;
}

export type BalanceSource = Pick<Ledger, 'balance'>;

/** How old the value in use of a secret is: days since its AWSCURRENT version was written. */
export interface SecretAge {
  readonly secret: string;
  readonly ageDays: number;
}

export interface SecretAges {
  /** One entry per watched secret; none locally (no Secrets Manager). */
  ages(now: Date): Promise<SecretAge[]>;
}
