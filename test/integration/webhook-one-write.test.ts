/**
 * The processor's one-write path (shared/webhooks/batch.ts + shared/adapters/one-write.ts) against
 * DynamoDB Local: a first delivery commits its record COMPLETED, the mirror write, the ledger entry and
 * the balance in one transaction; everything else falls back to claim → apply → complete. The same
 * guarantees as the step-by-step path: exactly once under duplicates (in one batch, across concurrent
 * batches, across both paths), crashes, reordering and replays, and per-appointment order in a batch.
 */
import type { SQSRecord } from 'aws-lambda';
import { AppointmentsTable } from '../../shared/adapters/appointments-table';
import { CreditsLedger } from '../../shared/adapters/credits-ledger';
import { EventStore } from '../../shared/adapters/event-store';
import { OneWriteStore } from '../../shared/adapters/one-write';
import { exampleEvent } from '../../shared/moncreneau/examples';
import type { WebhookEvent } from '../../shared/moncreneau/webhook-event';
import { appointmentAppliers, appointmentPlanner } from '../../shared/webhooks/appliers';
import { createBatchProcessor } from '../../shared/webhooks/batch';
import type { OneWriteApply, OneWriteResult, PlannedEvent } from '../../shared/webhooks/ports';
import { createRecordProcessor, EventInProgressError, MalformedRecordError, type RecordOutcome } from '../../shared/webhooks/processor';
import { testResources, type TestResources } from '../support/resources';
import { sqsRecord } from '../support/sqs-records';

const owned: TestResources[] = [];
afterAll(() => owned.forEach((r) => r.destroy()));

let nextAppointmentId = 80_000;
const body = (e: WebhookEvent) => JSON.stringify(e);

/**
 * The one-write store reads which events are known before writing (sparing predictable cancellations); a
 * read that races a concurrent write — or none at all — must change nothing: the transaction's own
 * condition is the guarantee. This store never knows anything, so every duplicate meets that condition.
 */
class RacedReadEventStore extends EventStore {
  override async statuses(): ReturnType<EventStore['statuses']> {
    return new Map();
  }
}

/** A fresh set of tables (the balance item is per table) and the processor as the composition root builds it. */
async function setup(options: { startBalance?: number; oneWrite?: (real: OneWriteApply) => OneWriteApply; racedRead?: boolean } = {}) {
  const res = await testResources();
  owned.push(res);
  let clock = Date.parse('2026-11-28T10:00:00Z');
  const events = new EventStore(res.tables.events, { leaseSeconds: 30, retentionDays: 7, now: () => clock });
  const mirror = new AppointmentsTable(res.tables.appointments);
  const ledger = new CreditsLedger(res.tables.ledger);
  await ledger.setBalance(options.startBalance ?? 100, 'start');
  const appliers = appointmentAppliers(mirror, ledger);
  const stepCalls: string[] = [];
  const stepByStep = createRecordProcessor({ claims: events, appliers });
  const processRecord = async (record: SQSRecord) => {
    stepCalls.push(record.messageId);
    return stepByStep(record);
  };
  const real = new OneWriteStore({ events: options.racedRead ? new RacedReadEventStore(res.tables.events, { leaseSeconds: 30, retentionDays: 7, now: () => clock }) : events, mirror, ledger });
  const rounds: Array<{ events: string[]; results: OneWriteResult[] }> = [];
  const spied: OneWriteApply = {
    applyAll: async (planned: readonly PlannedEvent[]) => {
      const results = await (options.oneWrite ? options.oneWrite(real) : real).applyAll(planned);
      rounds.push({ events: planned.map((p) => p.record.eventId), results });
      return results;
    },
  };
  const batch = createBatchProcessor({ processRecord, appliers, plan: appointmentPlanner({ credits: true }), oneWrite: spied });
  /** One invocation: every record's outcome (or failure), in record order. */
  const invoke = (records: SQSRecord[]) => {
    const outcomes = batch(records);
    return Promise.allSettled(records.map((r) => outcomes.get(r.messageId)!));
  };
  return { res, events, mirror, ledger, stepByStep, stepCalls, rounds, invoke, advance: (ms: number) => (clock += ms) };
}

const values = (settled: Array<PromiseSettledResult<RecordOutcome>>) => settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason));

describe('one write for a first delivery', () => {
  it('commits the record COMPLETED, the mirror row and the ledger debit together, without the step-by-step path', async () => {
    const t = await setup();
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    const [outcome] = values(await t.invoke([sqsRecord(body(event))]));
    expect(outcome).toEqual({ kind: 'processed', eventId: event.id, eventType: 'appointment.created', outcome: 'inserted', credits: 'debited' });
    expect(t.stepCalls).toEqual([]);
    expect(await t.events.get(event.id)).toMatchObject({ status: 'COMPLETED', outcome: 'inserted', creditsOutcome: 'debited', attempts: 1, raw: body(event), rawEncoding: 'utf8', day: expect.any(String) });
    expect(await t.mirror.get(String(id))).toMatchObject({ status: 'SCHEDULED', version: 1, lastEventId: event.id, appliedEventIds: new Set([event.id]) });
    expect(await t.ledger.entry(`appt-debit#${id}`)).toMatchObject({ kind: 'appointment-debit', amount: -1, reason: `webhook ${event.id}` });
    expect(await t.ledger.balance()).toBe(99);
  });

  it('writes a batch of different appointments in one round, and records an unknown type with them', async () => {
    const t = await setup();
    const created = Array.from({ length: 9 }, () => exampleEvent('appointment.created', { appointmentId: nextAppointmentId++ }));
    const unknown = exampleEvent('payment.refunded');
    const out = values(await t.invoke([...created, unknown].map((e) => sqsRecord(body(e)))));
    expect(out.slice(0, 9).every((o) => o.kind === 'processed' && o.outcome === 'inserted' && o.credits === 'debited')).toBe(true);
    expect(out[9]).toEqual({ kind: 'unknown_type', eventId: unknown.id, eventType: 'payment.refunded' });
    expect(t.rounds).toHaveLength(1);
    expect(t.rounds[0].events).toHaveLength(10);
    expect(t.stepCalls).toEqual([]);
    expect(await t.events.get(unknown.id)).toMatchObject({ status: 'COMPLETED', outcome: 'ignored_unknown_type', raw: body(unknown) });
    expect(await t.ledger.balance()).toBe(91);
  });
});

describe.each([
  ['known events read first', false],
  ['a read that raced the write (the transaction condition alone)', true],
])('exactly once under duplicates and concurrency: %s', (_name, racedRead) => {
  it('the same event 5 times in concurrent invocations: applied once, the others duplicates', async () => {
    const t = await setup({ racedRead });
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    const settled = (await Promise.all(Array.from({ length: 5 }, () => t.invoke([sqsRecord(body(event))])))).flat();
    const out = values(settled);
    expect(out.filter((o) => o.kind === 'processed')).toHaveLength(1);
    for (const o of out) if (o.kind !== 'processed') expect(o.kind === 'duplicate' || o instanceof EventInProgressError).toBe(true);
    expect((await t.mirror.get(String(id)))?.version).toBe(1);
    expect(await t.ledger.balance()).toBe(99);
    expect((await t.events.get(event.id))?.duplicates).toBe(out.filter((o) => o.kind === 'duplicate').length);
  });

  it('the same event twice in one batch: applied once, then a duplicate', async () => {
    const t = await setup({ racedRead });
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    const out = values(await t.invoke([sqsRecord(body(event)), sqsRecord(body(event))]));
    expect(out.map((o) => o.kind)).toEqual(['processed', 'duplicate']);
    expect((await t.mirror.get(String(id)))?.version).toBe(1);
    expect(await t.ledger.balance()).toBe(99);
  });

  it('deliveries racing through both paths (one write and claim → apply → complete) apply once', async () => {
    const t = await setup({ racedRead });
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    const runs: Array<Promise<unknown>> = [];
    for (let i = 0; i < 3; i++) {
      runs.push(t.invoke([sqsRecord(body(event))]).then(values));
      runs.push(t.stepByStep(sqsRecord(body(event))).then((o) => [o], (e: unknown) => [e]));
    }
    const out = (await Promise.all(runs)).flat() as Array<RecordOutcome | Error>;
    expect(out.filter((o) => !(o instanceof Error) && o.kind === 'processed')).toHaveLength(1);
    const retried = out.filter((o) => o instanceof Error);
    for (const e of retried) expect(e).toBeInstanceOf(EventInProgressError);
    // SQS shows the losers again after the visibility timeout (> the lease): by then they are duplicates.
    t.advance(31_000);
    for (let i = 0; i < retried.length; i++) expect(values(await t.invoke([sqsRecord(body(event), 2)]))[0]).toMatchObject({ kind: 'duplicate' });
    expect((await t.mirror.get(String(id)))?.version).toBe(1);
    expect(await t.ledger.balance()).toBe(99);
    expect((await t.ledger.recent(50)).filter((e) => e.entryId === `appt-debit#${id}`)).toHaveLength(1);
  });

  it('three concurrent batches that overlap (every event in two of them) keep every appointment and the balance exact', async () => {
    const t = await setup({ racedRead });
    const created = Array.from({ length: 12 }, () => exampleEvent('appointment.created', { appointmentId: nextAppointmentId++ }));
    const batches = [0, 1, 2].map((b) => created.filter((_, i) => i % 3 !== b).map((e) => sqsRecord(body(e))));
    const out = values((await Promise.all(batches.map((records) => t.invoke(records)))).flat());
    const failures = out.filter((o) => o instanceof Error);
    for (const e of failures) expect(e).toBeInstanceOf(EventInProgressError);
    expect(out.filter((o) => !(o instanceof Error) && o.kind === 'processed')).toHaveLength(12);
    for (const e of created) expect((await t.mirror.get(String(e.data.object.id)))?.version).toBe(1);
    expect(await t.ledger.balance()).toBe(88);
  });
});

describe('a batch that holds an event already applied', () => {
  it('recognises it by the read before the write: a duplicate, the others committed together in one round', async () => {
    const t = await setup();
    const done = exampleEvent('appointment.created', { appointmentId: nextAppointmentId++ });
    expect(values(await t.invoke([sqsRecord(body(done))]))[0]).toMatchObject({ kind: 'processed' });
    const fresh = Array.from({ length: 4 }, () => exampleEvent('appointment.created', { appointmentId: nextAppointmentId++ }));
    const out = values(await t.invoke([fresh[0], done, ...fresh.slice(1)].map((e) => sqsRecord(body(e)))));
    expect(out.map((o) => o.kind)).toEqual(['processed', 'duplicate', 'processed', 'processed', 'processed']);
    expect(t.rounds).toHaveLength(2);
    expect(t.rounds[1].results.map((r) => r.kind)).toEqual(['applied', 'duplicate', 'applied', 'applied', 'applied']);
    expect(t.stepCalls).toEqual([]);
    expect((await t.events.get(done.id))?.duplicates).toBe(1);
    expect(await t.ledger.balance()).toBe(95);
  });
});

describe('order within a batch, and what falls back to the step-by-step path', () => {
  it('a creation and its cancellation in one batch are applied in order (two rounds)', async () => {
    const t = await setup();
    const id = nextAppointmentId++;
    const created = exampleEvent('appointment.created', { appointmentId: id, created: '2026-01-21T14:30:00Z' });
    const cancelled = exampleEvent('appointment.cancelled', { appointmentId: id, created: '2026-01-23T16:45:00Z' });
    const out = values(await t.invoke([sqsRecord(body(created)), sqsRecord(body(cancelled))]));
    expect(out).toEqual([
      expect.objectContaining({ kind: 'processed', outcome: 'inserted', credits: 'debited' }),
      expect.objectContaining({ kind: 'processed', outcome: 'updated', credits: 'refunded' }),
    ]);
    expect(t.rounds.map((r) => r.events)).toEqual([[created.id], [cancelled.id]]);
    expect(await t.mirror.get(String(id))).toMatchObject({ status: 'CANCELLED', version: 2, lastEventId: cancelled.id });
    expect(await t.ledger.balance()).toBe(100);
  });

  it('a cancellation before its creation: the mirror needs the older path, so both go step by step, in order', async () => {
    const t = await setup();
    const id = nextAppointmentId++;
    const created = exampleEvent('appointment.created', { appointmentId: id, created: '2026-01-21T14:30:00Z' });
    const cancelled = exampleEvent('appointment.cancelled', { appointmentId: id, created: '2026-01-23T16:45:00Z' });
    const records = [sqsRecord(body(cancelled)), sqsRecord(body(created))];
    const out = values(await t.invoke(records));
    expect(out).toEqual([
      expect.objectContaining({ kind: 'processed', outcome: 'inserted', credits: 'refunded' }),
      expect.objectContaining({ kind: 'processed', outcome: 'merged_older', credits: 'debited' }),
    ]);
    expect(t.stepCalls).toEqual(records.map((r) => r.messageId));
    expect(await t.mirror.get(String(id))).toMatchObject({ status: 'CANCELLED', version: 2, lastEventType: 'appointment.cancelled' });
    expect(await t.ledger.balance()).toBe(100);
  });

  it('our own booking already debited: the webhook is committed without the entry, reported already_debited', async () => {
    const t = await setup({ startBalance: 10 });
    const id = nextAppointmentId++;
    await t.ledger.reserveForCommand('cmd-own', { refuseWhenEmpty: true });
    expect(await t.ledger.confirmBooking('cmd-own', String(id))).toBe('confirmed');
    const event = exampleEvent('appointment.created', { appointmentId: id });
    expect(values(await t.invoke([sqsRecord(body(event))]))[0]).toMatchObject({ kind: 'processed', outcome: 'inserted', credits: 'already_debited' });
    expect(t.stepCalls).toEqual([]);
    expect(await t.events.get(event.id)).toMatchObject({ status: 'COMPLETED', creditsOutcome: 'already_debited' });
    expect(await t.ledger.entry(`appt-debit#${id}`)).toMatchObject({ amount: 0, coveredBy: 'reserve#cmd-own' });
    expect(await t.ledger.state()).toMatchObject({ balance: 9, reserved: 0 });
  });

  it('a crash of the step-by-step path after its claim: the redelivery backs off under the lease, then applies once', async () => {
    const t = await setup();
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    await t.events.claim({ eventId: event.id, eventType: event.type, created: event.created, raw: { body: body(event), encoding: 'utf8' }, owner: 'crashed' });
    expect(values(await t.invoke([sqsRecord(body(event), 2)]))[0]).toBeInstanceOf(EventInProgressError);
    t.advance(31_000);
    expect(values(await t.invoke([sqsRecord(body(event), 3)]))[0]).toMatchObject({ kind: 'processed', outcome: 'inserted', credits: 'debited' });
    expect(values(await t.invoke([sqsRecord(body(event), 4)]))[0]).toMatchObject({ kind: 'duplicate' });
    expect(await t.events.get(event.id)).toMatchObject({ status: 'COMPLETED', attempts: 2 });
    expect((await t.mirror.get(String(id)))?.version).toBe(1);
    expect(await t.ledger.balance()).toBe(99);
  });

  it('an error after the one write committed (its answer lost): the claim path finds it COMPLETED, never a second apply', async () => {
    const t = await setup({
      oneWrite: (real) => ({
        applyAll: async (planned) => {
          await real.applyAll(planned);
          throw new Error('socket hang up');
        },
      }),
    });
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    expect(values(await t.invoke([sqsRecord(body(event))]))[0]).toMatchObject({ kind: 'duplicate' });
    expect((await t.mirror.get(String(id)))?.version).toBe(1);
    expect(await t.ledger.balance()).toBe(99);
  });

  it('what the one write cannot take fails or succeeds exactly as before: no appointment id, a malformed record, a replay', async () => {
    const t = await setup();
    const noId = exampleEvent('appointment.created');
    delete (noId.data.object as Record<string, unknown>).id;
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    const out = values(await t.invoke([sqsRecord(body(noId)), sqsRecord('not json'), sqsRecord(body(event))]));
    expect(out[0]).toBeInstanceOf(Error);
    expect((out[0] as Error).message).toMatch(/no appointment id/);
    expect(await t.events.get(noId.id)).toMatchObject({ status: 'FAILED', lastError: expect.stringContaining('no appointment id') });
    expect(out[1]).toBeInstanceOf(MalformedRecordError);
    expect(out[2]).toMatchObject({ kind: 'processed', outcome: 'inserted' });

    // npm run events -- replay: the record exists (reopened), so the step-by-step path replays it — and changes nothing.
    const stored = await t.events.reopen(event.id, 'test replay');
    expect(values(await t.invoke([sqsRecord(stored.raw)]))[0]).toMatchObject({ kind: 'processed', outcome: 'already_applied', credits: 'already_debited' });
    expect((await t.mirror.get(String(id)))?.version).toBe(1);
    expect(await t.ledger.balance()).toBe(99);
  });
});
