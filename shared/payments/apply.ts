/**
 * Applies what MONCRENEAU (or the deadline) says about a payment: decide from the status read, write
 * conditionally on it, re-read and decide again if someone else wrote first. Whatever the order and the
 * number of reports (webhook ×3, poll, replay, concurrent deliveries), each transition happens once and
 * SUCCESSFUL credits the ledger once (`payment#<paymentId>`, in the transition's transaction).
 */
import type { PaymentReport } from '../moncreneau/payment-contract';
import type { CreditWrite, PaymentStore } from './ports';
import { decide } from './state-machine';
import type { PaymentMeta, PaymentOrigin, PaymentRecord, PaymentSource, PaymentStatus } from './types';

export interface ApplyDeps {
  readonly store: PaymentStore;
  readonly now: () => Date;
  /** PENDING this long without an answer → EXPIRED (5 minutes). */
  readonly timeoutMs: number;
}

export interface PaymentReportInput {
  readonly paymentId: string;
  readonly status: PaymentStatus;
  /** What MONCRENEAU said (absent for the deadline's EXPIRED). */
  readonly report?: PaymentReport;
  readonly source: PaymentSource;
  /** Event id, poll finding … (kept on the transition). */
  readonly ref?: string;
  readonly meta?: PaymentMeta;
}

export interface PaymentApplied {
  readonly paymentId: string;
  readonly reported: PaymentStatus;
  readonly source: PaymentSource;
  readonly result: 'created' | 'transitioned' | 'duplicate' | 'stale' | 'settled' | 'flagged' | 'unknown_payment';
  readonly from?: PaymentStatus | null;
  readonly to?: PaymentStatus;
  readonly credits?: number;
  readonly credit?: CreditWrite;
  readonly reconcile?: string;
  readonly origin?: PaymentOrigin;
  readonly commandId?: string;
}

const ROUNDS = 5;

export async function applyPaymentReport(deps: ApplyDeps, input: PaymentReportInput): Promise<PaymentApplied> {
  const base = { paymentId: input.paymentId, reported: input.status, source: input.source };
  for (let round = 1; ; round++) {
    const current = await deps.store.get(input.paymentId);
    const decision = decide(current?.status, input.status);
    const at = deps.now().toISOString();
    const transition = { from: current?.status ?? null, to: input.status, source: input.source, at, ...(input.ref ? { ref: input.ref.slice(0, 200) } : {}) };
    switch (decision.kind) {
      case 'create': {
        if (!input.report) return { ...base, result: 'unknown_payment' };
        const record = newRecord(deps, input.report, decision.to, transition, input.meta);
        const created = await deps.store.create(record, decision.credit);
        if (created.kind === 'exists') break;
        return { ...base, result: 'created', from: null, to: decision.to, credits: record.credits, credit: created.credit, origin: record.origin, ...(record.commandId ? { commandId: record.commandId } : {}) };
      }
      case 'transition': {
        const credits = input.report?.credits ?? current!.credits;
        const written = await deps.store.transition(input.paymentId, {
          from: decision.from,
          to: decision.to,
          transition,
          ...(decision.credit ? { credit: credits } : {}),
          ...(decision.reconcile ? { reconcile: decision.reconcile } : {}),
        });
        if (written.kind === 'conflict') break;
        await annotateIfOurs(deps, current!, input.meta);
        return { ...base, result: 'transitioned', from: decision.from, to: decision.to, credits, credit: written.credit, ...(decision.reconcile ? { reconcile: decision.reconcile } : {}), ...ours(current!, input.meta) };
      }
      case 'flag':
        await deps.store.flag(input.paymentId, decision.reconcile);
        return { ...base, result: 'flagged', reconcile: decision.reconcile, credits: current!.credits, ...ours(current!, input.meta) };
      case 'none':
        if (current) await annotateIfOurs(deps, current, input.meta);
        return { ...base, result: decision.why, ...(current ? { to: current.status, credits: current.credits, ...ours(current, input.meta) } : {}) };
    }
    if (round >= ROUNDS) throw new Error(`Payment ${input.paymentId} kept changing under ${ROUNDS} attempts to apply ${input.status}`);
  }
}

function ours(current: PaymentRecord, meta: PaymentMeta | undefined): { origin: PaymentOrigin; commandId?: string } {
  const commandId = current.commandId ?? meta?.commandId;
  return { origin: current.origin === 'unknown' && meta ? meta.origin : current.origin, ...(commandId ? { commandId } : {}) };
}

/** A payment first recorded from a webhook, then met by our POST's answer: say it was ours. */
async function annotateIfOurs(deps: ApplyDeps, current: PaymentRecord, meta: PaymentMeta | undefined): Promise<void> {
  if (meta && current.origin === 'unknown') await deps.store.annotate(current.paymentId, meta);
}

function newRecord(deps: ApplyDeps, report: PaymentReport, status: PaymentStatus, transition: PaymentRecord['transitions'][number], meta: PaymentMeta | undefined): PaymentRecord {
  const now = deps.now();
  // The deadline runs from MONCRENEAU's creation time when it is known and not in our future (clock skew).
  const reported = report.createdAt ? Date.parse(report.createdAt) : Number.NaN;
  const started = Number.isFinite(reported) ? Math.min(reported, now.getTime()) : now.getTime();
  return {
    paymentId: report.paymentId,
    status,
    credits: report.credits,
    ...(report.amount !== undefined ? { amount: report.amount } : {}),
    ...(report.currency ? { currency: report.currency } : {}),
    ...(report.reference ? { reference: report.reference } : {}),
    origin: meta?.origin ?? 'unknown',
    ...(meta?.commandId ? { commandId: meta.commandId } : {}),
    ...(meta?.reason ? { reason: meta.reason.slice(0, 200) } : {}),
    ...(meta?.phoneMasked ? { phoneMasked: meta.phoneMasked } : {}),
    createdAt: now.toISOString(),
    deadlineAt: new Date(started + deps.timeoutMs).toISOString(),
    updatedAt: now.toISOString(),
    transitions: [transition],
  };
}

/** What a result means for the signals (metrics, alarms): counted once, on the write that made it. */
export function paymentSignals(applied: PaymentApplied): { succeeded: boolean; failed: boolean; expired: boolean; reconcile: boolean } {
  const wrote = applied.result === 'created' || applied.result === 'transitioned';
  const first = applied.from === null || applied.from === 'PENDING';
  return {
    succeeded: wrote && applied.to === 'SUCCESSFUL',
    // A late FAILED after EXPIRED was already counted as an expiry.
    failed: wrote && applied.to === 'FAILED' && first,
    expired: wrote && applied.to === 'EXPIRED',
    reconcile: applied.reconcile !== undefined,
  };
}
