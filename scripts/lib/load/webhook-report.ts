/**
 * The webhook run's report: the stores (event store, appointments mirror, credits ledger, DLQs, the
 * sandbox's own state) against the generated ground truth. Pure: every figure is computed here from what
 * was read, none is taken from a counter the kit keeps about itself (the kit's own duplicate count is
 * shown beside ours, as a cross-check only).
 */
import { summarize, type LatencySummary } from '../../../bench/lib/stats';
import { entryIds } from '../../../shared/credits/entries';
import type { FaultRates, InjectedCounts, Service } from './aws-fault-proxy';
import type { EventRow, LedgerRows, MirrorRow } from './stores';
import type { Workload } from './webhook-workload';

export interface SenderFigures {
  readonly deliveries: number;
  requests: number;
  /** Deliveries finished (acknowledged or given up). */
  sent: number;
  acked: number;
  retried: number;
  /** HTTP status → requests (0: network error). */
  statuses: Record<number, number>;
  ackLatencyMs: number[];
  /** Per generated event, how many of its deliveries were acknowledged. */
  ackedPerEvent: number[];
  /** Deliveries still refused after every retry. */
  unacknowledged: number;
}

export interface CommandOutcome {
  readonly commandId: string;
  readonly externalUserId: string;
}

interface StoresRead {
  readonly events: ReadonlyMap<string, EventRow>;
  readonly mirror: ReadonlyMap<string, MirrorRow>;
  readonly ledger: LedgerRows;
  /** Event ids of the webhook DLQ's messages. */
  readonly dlq: readonly string[];
  readonly outboundDlq: readonly string[];
  readonly sandboxAppointments: ReadonlyArray<{ id: number; status: string; externalUserId?: string | null }>;
  readonly sandboxCredits: number;
}

export interface WebhookReportInput {
  readonly workload: Workload;
  readonly sender: SenderFigures;
  readonly sendSeconds: number;
  readonly totalSeconds: number;
  readonly kills: { readonly done: number; readonly interrupted: number };
  readonly injected?: Readonly<Record<Service, InjectedCounts>>;
  readonly awsFaults: FaultRates;
  readonly sandboxFaults: { readonly errorRate: number; readonly hangRate: number };
  readonly seed: number;
  readonly ledgerSeed: number;
  readonly sandboxCreditsBefore: number;
  readonly commands: ReadonlyArray<CommandOutcome & { view: { status: string; appointmentId?: number } }>;
  readonly stores: StoresRead;
  readonly afterRedrive?: StoresRead;
}

export interface Verdict {
  readonly received: number;
  readonly applied: number;
  readonly duplicateDeliveries: number;
  readonly kitCountedDuplicates: number;
  readonly inDlq: number;
  readonly lost: number;
  readonly doubleApplied: number;
  readonly wrongState: number;
  readonly ledgerFromEvents: number;
  readonly expectedFromApplied: number;
  readonly expectedFromAll: number;
  readonly ledgerBalance: number | null;
  readonly expectedBalance: number;
  readonly ledgerSumOk: boolean;
  readonly heldReservations: number;
}

export interface WebhookReport {
  readonly input: Omit<WebhookReportInput, 'stores' | 'afterRedrive' | 'sender' | 'workload'> & { events: number; deliveries: number };
  readonly sender: { requests: number; acked: number; retried: number; unacknowledged: number; statuses: Record<number, number>; ack: LatencySummary; ackPerSecond: number };
  readonly verdict: Verdict;
  readonly afterRedrive?: Verdict;
  readonly outbound: { submitted: number; succeeded: number; failed: number; other: number; inDlq: number; sandboxBookings: number; doubleBookings: number; phantom: number };
  /** The pass/fail lines of the issue: lost 0, double-applied 0, ledger consistent. */
  readonly ok: boolean;
}

function verdictOf(input: WebhookReportInput, stores: StoresRead): Verdict {
  const { workload, sender } = input;
  const inDlqIds = new Set(stores.dlq);
  let received = 0;
  let applied = 0;
  let inDlq = 0;
  let lost = 0;
  let kitCountedDuplicates = 0;
  let expectedFromApplied = 0;
  for (const generated of workload.events) {
    const row = stores.events.get(generated.event.id);
    if (row) received += 1;
    kitCountedDuplicates += row?.duplicates ?? 0;
    const mirror = stores.mirror.get(String(generated.appointmentId));
    const isApplied = row?.status === 'COMPLETED' && (mirror?.appliedEventIds.has(generated.event.id) ?? false);
    if (isApplied) {
      applied += 1;
      expectedFromApplied += generated.creditMove;
    } else if (inDlqIds.has(generated.event.id)) inDlq += 1;
    else lost += 1;
  }
  let doubleApplied = 0;
  let wrongState = 0;
  for (const truth of workload.appointments.values()) {
    const mirror = stores.mirror.get(String(truth.appointmentId));
    if (!mirror) continue;
    const own = new Set(truth.eventIds);
    // `version` is ADDed once per application; a set member cannot tell a second one, the counter can.
    doubleApplied += Math.max(0, mirror.version - mirror.appliedEventIds.size) + [...mirror.appliedEventIds].filter((id) => !own.has(id)).length;
    const complete = truth.eventIds.every((id) => mirror.appliedEventIds.has(id));
    if (complete && mirror.status !== truth.finalStatus) wrongState += 1;
  }
  let ledgerFromEvents = 0;
  for (const truth of workload.appointments.values()) {
    ledgerFromEvents += stores.ledger.entries.get(entryIds.appointmentDebit(String(truth.appointmentId)))?.amount ?? 0;
    ledgerFromEvents += stores.ledger.entries.get(entryIds.appointmentRefund(String(truth.appointmentId)))?.amount ?? 0;
  }
  const movements = [...stores.ledger.entries.values()].reduce((sum, e) => sum + (e.amount ?? 0), 0);
  const heldReservations = [...stores.ledger.entries.values()].filter((e) => e.kind === 'reserve' && e.held).length;
  // The outbound side's ground truth is the sandbox's own balance: what our bookings and cancels cost there.
  const expectedBalance = input.ledgerSeed + workload.expectedLedgerDelta + (stores.sandboxCredits - input.sandboxCreditsBefore) - heldReservations;
  return {
    received,
    applied,
    duplicateDeliveries: sender.ackedPerEvent.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    kitCountedDuplicates,
    inDlq,
    lost,
    doubleApplied,
    wrongState,
    ledgerFromEvents,
    expectedFromApplied,
    expectedFromAll: workload.expectedLedgerDelta,
    ledgerBalance: stores.ledger.balance,
    expectedBalance,
    // The balance item equals the seed plus every entry (nothing moved it twice or without an entry).
    ledgerSumOk: stores.ledger.balance === input.ledgerSeed + movements,
    heldReservations,
  };
}

export function buildWebhookReport(input: WebhookReportInput): WebhookReport {
  const verdict = verdictOf(input, input.stores);
  const afterRedrive = input.afterRedrive ? verdictOf(input, input.afterRedrive) : undefined;
  const final = afterRedrive ?? verdict;
  const views = input.commands.map((c) => c.view.status);
  const ours = new Set(input.commands.map((c) => c.externalUserId));
  const booked = input.stores.sandboxAppointments.filter((a) => a.externalUserId && ours.has(a.externalUserId) && a.status !== 'CANCELLED');
  const perUser = new Map<string, number>();
  for (const a of booked) perUser.set(a.externalUserId!, (perUser.get(a.externalUserId!) ?? 0) + 1);
  const bookedIds = new Set(booked.map((a) => a.id));
  const outbound = {
    submitted: input.commands.length,
    succeeded: views.filter((s) => s === 'SUCCEEDED').length,
    failed: views.filter((s) => s === 'FAILED').length,
    other: views.filter((s) => s !== 'SUCCEEDED' && s !== 'FAILED').length,
    inDlq: input.stores.outboundDlq.length,
    sandboxBookings: booked.length,
    doubleBookings: [...perUser.values()].reduce((sum, n) => sum + n - 1, 0),
    phantom: input.commands.filter((c) => c.view.status === 'SUCCEEDED' && c.view.appointmentId !== undefined && !bookedIds.has(c.view.appointmentId)).length,
  };
  const ok =
    final.lost === 0 &&
    final.doubleApplied === 0 &&
    final.wrongState === 0 &&
    final.ledgerFromEvents === final.expectedFromApplied &&
    final.ledgerSumOk &&
    final.ledgerBalance === final.expectedBalance &&
    outbound.doubleBookings === 0 &&
    outbound.phantom === 0;
  const { workload: _w, stores: _s, afterRedrive: _a, sender, ...rest } = input;
  return {
    input: { ...rest, events: input.workload.events.length, deliveries: input.workload.deliveries.length },
    sender: {
      requests: sender.requests,
      acked: sender.acked,
      retried: sender.retried,
      unacknowledged: sender.unacknowledged,
      statuses: sender.statuses,
      ack: summarize(sender.ackLatencyMs),
      ackPerSecond: sender.acked / input.sendSeconds,
    },
    verdict,
    afterRedrive,
    outbound,
    ok,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const mark = (good: boolean) => (good ? 'OK' : 'FAILED');

function verdictLines(v: Verdict, events: number): string[] {
  return [
    `  received (a record in the event store)   ${v.received} / ${events}`,
    `  applied (COMPLETED and in the mirror)     ${v.applied}`,
    `  duplicate deliveries dropped              ${v.duplicateDeliveries}   (acknowledged deliveries beyond each event's first; the kit's own count: ${v.kitCountedDuplicates})`,
    `  in the DLQ                                ${v.inDlq}`,
    `  lost (neither applied nor in the DLQ)     ${v.lost}   target 0: ${mark(v.lost === 0)}`,
    `  double-applied                            ${v.doubleApplied}   target 0: ${mark(v.doubleApplied === 0)}`,
    `  mirror in the wrong final state           ${v.wrongState}   target 0: ${mark(v.wrongState === 0)}`,
    `  ledger, the events' entries               ${v.ledgerFromEvents}   = Σ credit moves of the applied events ${v.expectedFromApplied} (of all generated: ${v.expectedFromAll}): ${mark(v.ledgerFromEvents === v.expectedFromApplied)}`,
    `  ledger balance                            ${v.ledgerBalance}   = seed + Σ entries: ${mark(v.ledgerSumOk)}; = seed + Σ event moves + the sandbox's own balance change${v.heldReservations ? ` − ${v.heldReservations} held reservation(s)` : ''} (${v.expectedBalance}): ${mark(v.ledgerBalance === v.expectedBalance)}`,
  ];
}

export function formatWebhookReport(r: WebhookReport): string {
  const i = r.input;
  const statuses = Object.entries(r.sender.statuses)
    .map(([s, n]) => `${s === '0' ? 'network error' : s} × ${n}`)
    .join(', ');
  const inj = i.injected;
  const lines = [
    `Webhook load: ${i.events} events, ${i.deliveries} deliveries (1–5 per event, shuffled), seed ${i.seed}`,
    `  faults: processor killed ${i.kills.done} times mid-batch (${i.kills.interrupted} invocations interrupted); ` +
      `AWS wire ${pct(i.awsFaults.dynamodb)} of DynamoDB and ${pct(i.awsFaults.sqs)} of SQS requests failed (${pct(i.awsFaults.afterWrite)} of failed writes after they took effect): ` +
      (inj ? `DynamoDB ${inj.dynamodb.refused} refused + ${inj.dynamodb.afterWrite} lost answers of ${inj.dynamodb.requests}, SQS ${inj.sqs.refused} refused + ${inj.sqs.afterWrite} lost answers of ${inj.sqs.requests}` : 'none') +
      `; sandbox ${pct(i.sandboxFaults.errorRate)} 5xx, ${pct(i.sandboxFaults.hangRate)} no answer`,
    `  sending ${i.sendSeconds.toFixed(1)} s, total ${i.totalSeconds.toFixed(1)} s; ${r.sender.requests} HTTP requests (${statuses}); ${r.sender.retried} retried by the sender, ${r.sender.unacknowledged} deliveries never acknowledged`,
    `  ack latency (200 answers) p50 ${ms(r.sender.ack.p50)}  p99 ${ms(r.sender.ack.p99)}  (n=${r.sender.ack.n}; ${r.sender.ackPerSecond.toFixed(0)} acks/s)`,
    ...verdictLines(r.verdict, i.events),
  ];
  if (r.afterRedrive) lines.push('  after redriving the DLQ (npm run dlq:redrive):', ...verdictLines(r.afterRedrive, i.events).map((l) => `  ${l}`));
  const o = r.outbound;
  lines.push(
    `  outbound side: ${o.submitted} create commands — ${o.succeeded} succeeded, ${o.failed} failed, ${o.other} other, ${o.inDlq} in the outbound DLQ; ` +
      `${o.sandboxBookings} bookings in the sandbox, double bookings ${o.doubleBookings} (target 0: ${mark(o.doubleBookings === 0)}), succeeded without a booking ${o.phantom} (target 0: ${mark(o.phantom === 0)})`,
    `  RESULT: ${r.ok ? 'PASS' : 'FAIL'} (0 lost, 0 double-applied, mirror and ledger consistent, no double booking)`,
  );
  return lines.join('\n');
}
