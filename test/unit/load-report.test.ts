/**
 * The load run's judge (scripts/lib/load/webhook-report.ts) against stores built by hand: it passes
 * consistent stores, and each fault it is there to catch — a lost event, a double application, a ledger
 * moved without an entry, a double booking — turns its verdict.
 */
import { entryIds } from '../../shared/credits/entries';
import type { LedgerRows, MirrorRow } from '../../scripts/lib/load/stores';
import { buildWebhookReport, type SenderFigures, type WebhookReportInput } from '../../scripts/lib/load/webhook-report';
import { generateWorkload } from '../../scripts/lib/load/webhook-workload';

const SEED = 1000;
const workload = generateWorkload(40, 3, 'unit');

/** What a perfect run leaves: every event COMPLETED and applied once, the ledger moved by exactly the events. */
function perfectStores() {
  const events = new Map(workload.events.map((e) => [e.event.id, { status: 'COMPLETED', duplicates: e.deliveries - 1 }]));
  const mirror = new Map<string, MirrorRow>(
    [...workload.appointments.values()].map((a) => [String(a.appointmentId), { status: a.finalStatus, version: a.eventIds.length, appliedEventIds: new Set(a.eventIds) }]),
  );
  const entries = new Map<string, { kind: string; amount?: number }>();
  for (const a of workload.appointments.values()) {
    entries.set(entryIds.appointmentDebit(String(a.appointmentId)), { kind: 'appointment-debit', amount: -a.debit });
    if (a.refund) entries.set(entryIds.appointmentRefund(String(a.appointmentId)), { kind: 'appointment-refund', amount: a.refund });
  }
  entries.set('manual-set#seed', { kind: 'manual-set' });
  const ledger: LedgerRows = { balance: SEED + workload.expectedLedgerDelta, reserved: 0, entries };
  return { events, mirror, ledger, dlq: [] as string[], outboundDlq: [] as string[], sandboxAppointments: [] as Array<{ id: number; status: string; externalUserId?: string }>, sandboxCredits: 50 };
}

function input(stores: ReturnType<typeof perfectStores>, commands: WebhookReportInput['commands'] = []): WebhookReportInput {
  const sender: SenderFigures = {
    deliveries: workload.deliveries.length,
    requests: workload.deliveries.length,
    sent: workload.deliveries.length,
    acked: workload.deliveries.length,
    retried: 0,
    statuses: { 200: workload.deliveries.length },
    ackLatencyMs: [1, 2, 3],
    ackedPerEvent: workload.events.map((e) => e.deliveries),
    unacknowledged: 0,
  };
  return {
    workload,
    sender,
    sendSeconds: 1,
    totalSeconds: 2,
    kills: { done: 0, interrupted: 0 },
    awsFaults: { dynamodb: 0, sqs: 0, afterWrite: 0 },
    sandboxFaults: { errorRate: 0, hangRate: 0 },
    seed: 3,
    ledgerSeed: SEED,
    sandboxCreditsBefore: 50,
    commands,
    stores,
  };
}

test('the workload: exactly the events asked for, each delivered 1–5 times, ledger truth = Σ moves', () => {
  expect(workload.events).toHaveLength(40);
  expect(workload.deliveries).toHaveLength(workload.events.reduce((n, e) => n + e.deliveries, 0));
  expect(workload.events.every((e) => e.deliveries >= 1 && e.deliveries <= 5)).toBe(true);
  expect(workload.expectedLedgerDelta).toBe([...workload.appointments.values()].reduce((n, a) => n - a.debit + a.refund, 0));
  expect(generateWorkload(40, 3, 'unit').deliveries).toEqual(workload.deliveries);
});

test('consistent stores pass', () => {
  const report = buildWebhookReport(input(perfectStores()));
  expect(report.verdict).toMatchObject({ received: 40, applied: 40, lost: 0, doubleApplied: 0, wrongState: 0, inDlq: 0, ledgerSumOk: true });
  expect(report.verdict.duplicateDeliveries).toBe(workload.deliveries.length - 40);
  expect(report.ok).toBe(true);
});

test('an event neither applied nor in the DLQ is lost; one in the DLQ is not', () => {
  const stores = perfectStores();
  const [first, second] = workload.events.filter((e) => e.event.type === 'appointment.updated');
  for (const e of [first, second]) {
    const row = stores.mirror.get(String(e.appointmentId))!;
    stores.mirror.set(String(e.appointmentId), { ...row, version: row.version - 1, appliedEventIds: new Set([...row.appliedEventIds].filter((id) => id !== e.event.id)) });
  }
  stores.dlq.push(second.event.id);
  const report = buildWebhookReport(input(stores));
  expect(report.verdict).toMatchObject({ applied: 38, lost: 1, inDlq: 1 });
  expect(report.ok).toBe(false);
});

test('an event applied twice, or a balance moved without an entry, fails the run', () => {
  const twice = perfectStores();
  const some = [...twice.mirror.keys()][0];
  twice.mirror.set(some, { ...twice.mirror.get(some)!, version: twice.mirror.get(some)!.version + 1 });
  expect(buildWebhookReport(input(twice))).toMatchObject({ verdict: { doubleApplied: 1 }, ok: false });

  const drift = perfectStores();
  const moved: LedgerRows = { ...drift.ledger, balance: (drift.ledger.balance ?? 0) - 1 };
  expect(buildWebhookReport(input({ ...drift, ledger: moved }))).toMatchObject({ verdict: { ledgerSumOk: false }, ok: false });
});

test('two active bookings for one command are a double booking', () => {
  const stores = perfectStores();
  stores.sandboxAppointments.push({ id: 1, status: 'SCHEDULED', externalUserId: 'cmd-1' }, { id: 2, status: 'SCHEDULED', externalUserId: 'cmd-1' });
  // The sandbox's balance follows its two bookings; the ledger did too (as if both had been charged).
  stores.sandboxCredits = 48;
  stores.ledger = { ...stores.ledger, balance: (stores.ledger.balance ?? 0) - 2, entries: new Map([...stores.ledger.entries, ['manual#x', { kind: 'manual-adjust', amount: -2 }]]) };
  const report = buildWebhookReport(input(stores, [{ commandId: 'c1', externalUserId: 'cmd-1', view: { status: 'SUCCEEDED', appointmentId: 1 } }]));
  expect(report.outbound).toMatchObject({ sandboxBookings: 2, doubleBookings: 1, phantom: 0 });
  expect(report.ok).toBe(false);
});
