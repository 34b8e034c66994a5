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
