/**
 * The balance after every movement that changed it, for the low-credit signal: a ledger decorator, so
 * whoever moves credits (webhook processor, outbound worker) reports the same way without knowing it.
 */
import type { Ledger, MovementOutcome } from './ports';
import { isLow } from './rules';

export interface BalanceReport {
  readonly balance: number;
  readonly threshold: number;
  readonly low: boolean;
}

const UNCHANGED: ReadonlySet<MovementOutcome> = new Set(['already_reserved', 'already_confirmed', 'already_released', 'not_reserved', 'already_debited', 'already_refunded', 'already_synced', 'already_credited']);

/** Whether a movement changed the balance (the `already_*` / `not_*` outcomes did not). */
export function changesBalance(outcome: MovementOutcome): boolean {
  return !UNCHANGED.has(outcome);
}

export function balanceReport(balance: number, threshold: number): BalanceReport {
  return { balance, threshold, low: isLow(balance, threshold) };
}

export function reportingBalance(ledger: Ledger, threshold: number, report: (r: BalanceReport) => void): Ledger {
  const after = async <T extends MovementOutcome | void>(outcome: T): Promise<T> => {
    if (outcome !== undefined && UNCHANGED.has(outcome as MovementOutcome)) return outcome;
    const balance = await ledger.balance();
    if (balance !== null) report(balanceReport(balance, threshold));
    return outcome;
  };
  return {
    balance: () => ledger.balance(),
    reserveForCommand: async (id, options) => after(await ledger.reserveForCommand(id, options)),
    confirmBooking: async (id, appointmentId) => after(await ledger.confirmBooking(id, appointmentId)),
    releaseReservation: async (id, reason) => after(await ledger.releaseReservation(id, reason)),
    debitAppointment: async (id, credits, source) => after(await ledger.debitAppointment(id, credits, source)),
    refundAppointment: async (id, credits, source) => after(await ledger.refundAppointment(id, credits, source)),
    syncBalance: async (available, reason, syncKey) => after(await ledger.syncBalance(available, reason, syncKey)),
  };
}
