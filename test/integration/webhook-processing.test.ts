/**
 * The processor's guarantees against DynamoDB Local and the SQS emulator (real SDK clients, real
 * conditional writes): exactly-once application under duplicates, concurrency, reordering, crashes,
 * and the poison → DLQ → replay path.
 */
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { AppointmentsTable } from '../../shared/adapters/appointments-table';
import { copyBack } from '../../shared/adapters/dlq-redrive';
import { EventStore } from '../../shared/adapters/event-store';
import { exampleEvent } from '../../shared/moncreneau/examples';
import type { WebhookEvent } from '../../shared/moncreneau/webhook-event';
import { appointmentAppliers } from '../../shared/webhooks/appliers';
import { createRecordProcessor, EventInProgressError, type EventApplier } from '../../shared/webhooks/processor';
import { testResources, type TestResources } from '../support/resources';
import { recordFromMessage, sqsRecord } from '../support/sqs-records';

let res: TestResources;
let clock: number;
let events: EventStore;
let appointments: AppointmentsTable;
let nextAppointmentId = 50_000;

beforeAll(async () => {
  res = await testResources({ visibilityTimeoutSeconds: 1 });
});
afterAll(() => res.destroy());

beforeEach(() => {
  clock = Date.parse('2026-11-28T10:00:00Z');
  events = new EventStore(res.tables.events, { leaseSeconds: 30, retentionDays: 7, now: () => clock });
  appointments = new AppointmentsTable(res.tables.appointments);
});

function processor(appliers: Record<string, EventApplier> = appointmentAppliers(appointments)) {
  return createRecordProcessor({ claims: events, appliers });
}

function countingAppliers() {
  const calls: string[] = [];
  const real = appointmentAppliers(appointments);
  const counted: Record<string, EventApplier> = {};
  for (const [type, apply] of Object.entries(real)) {
    counted[type] = async (e) => {
      calls.push(e.id);
      return apply(e);
    };
  }
  return { appliers: counted, calls };
}

const body = (e: WebhookEvent) => JSON.stringify(e);

describe('webhook processing (DynamoDB Local)', () => {
  it('applies a created event to the appointments mirror and records the event', async () => {
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    const out = await processor()(sqsRecord(body(event)));
    expect(out).toMatchObject({ kind: 'processed', outcome: 'inserted' });
    const row = await appointments.get(String(id));
    expect(row).toMatchObject({ status: 'SCHEDULED', version: 1, lastEventId: event.id, lastEventType: 'appointment.created' });
    expect(row?.appointment).toMatchObject({ id, email: 'jean.dupont@example.gn', creditsUsed: 1 });
    const record = await events.get(event.id);
    expect(record).toMatchObject({ status: 'COMPLETED', outcome: 'inserted', attempts: 1, raw: body(event) });
  });

  it('applies the same event delivered 5 times exactly once', async () => {
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    const { appliers, calls } = countingAppliers();
    const kinds = [];
    for (let i = 0; i < 5; i++) kinds.push((await processor(appliers)(sqsRecord(body(event)))).kind);
    expect(kinds).toEqual(['processed', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(calls).toEqual([event.id]);
    expect((await appointments.get(String(id)))?.version).toBe(1);
    expect((await events.get(event.id))?.duplicates).toBe(4);
  });

  it('applies the same event delivered 5 times concurrently exactly once; the losers retry into duplicates', async () => {
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    const { appliers, calls } = countingAppliers();
    const run = processor(appliers);
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => run(sqsRecord(body(event)))));
    const processed = settled.filter((s) => s.status === 'fulfilled' && s.value.kind === 'processed');
    expect(processed).toHaveLength(1);
    // Losers either saw it completed (duplicate) or in progress (left for SQS to redeliver).
    for (const s of settled) {
      if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(EventInProgressError);
      else expect(['processed', 'duplicate']).toContain(s.value.kind);
    }
    const retried = settled.filter((s) => s.status === 'rejected').length;
    for (let i = 0; i < retried; i++) expect((await run(sqsRecord(body(event), 2))).kind).toBe('duplicate');
    expect(calls).toEqual([event.id]);
    expect((await appointments.get(String(id)))?.version).toBe(1);
  });

  it('ends in the right state when updated arrives before created (older never overwrites newer)', async () => {
    const id = nextAppointmentId++;
    const createdEvent = exampleEvent('appointment.created', { appointmentId: id, created: '2026-01-21T14:30:00Z' });
    const updatedEvent = exampleEvent('appointment.updated', { appointmentId: id, created: '2026-01-22T10:15:00Z' });
    await processor()(sqsRecord(body(updatedEvent)));
    expect(await processor()(sqsRecord(body(createdEvent)))).toMatchObject({ outcome: 'merged_older' });
    const row = await appointments.get(String(id));
    expect(row?.appointment.dateTime).toBe('2026-01-26T10:00:00'); // from the newer update
    expect(row?.appointment.email).toBe('jean.dupont@example.gn'); // filled in from the older created
    expect(row?.appointment).not.toHaveProperty('changes');
    expect(row).toMatchObject({ lastEventId: updatedEvent.id, version: 2, status: 'SCHEDULED' });
  });

  it('keeps a cancellation when an older update arrives after it', async () => {
    const id = nextAppointmentId++;
    const cancelled = exampleEvent('appointment.cancelled', { appointmentId: id, created: '2026-01-23T16:45:00Z' });
    const older = exampleEvent('appointment.updated', { appointmentId: id, created: '2026-01-22T10:15:00Z' });
    const createdEvent = exampleEvent('appointment.created', { appointmentId: id, created: '2026-01-21T14:30:00Z' });
    for (const e of [cancelled, older, createdEvent]) await processor()(sqsRecord(body(e)));
    const row = await appointments.get(String(id));
    expect(row).toMatchObject({ status: 'CANCELLED', lastEventType: 'appointment.cancelled', version: 3 });
    expect(row?.appointment).toMatchObject({ status: 'CANCELLED', cancelReason: 'Last minute impediment', dateTime: '2026-01-26T10:00:00' });
  });

  it('lets a redelivery finish exactly once after a crash between dedupe and apply', async () => {
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    // The crashed invocation got as far as the claim and then died: nothing else happened.
    expect(await events.claim({ eventId: event.id, eventType: event.type, created: event.created, raw: { body: body(event), encoding: 'utf8' }, owner: 'crashed' })).toMatchObject({ kind: 'claimed' });
    const { appliers, calls } = countingAppliers();
    // While the lease is live, a redelivery backs off rather than racing the (presumed) owner.
    await expect(processor(appliers)(sqsRecord(body(event), 2))).rejects.toBeInstanceOf(EventInProgressError);
    clock += 31_000; // lease (30 s) expired, as it has by the time SQS shows the message again
    expect(await processor(appliers)(sqsRecord(body(event), 3))).toMatchObject({ kind: 'processed', outcome: 'inserted' });
    expect(await processor(appliers)(sqsRecord(body(event), 4))).toMatchObject({ kind: 'duplicate' });
    expect(calls).toEqual([event.id]);
    expect((await appointments.get(String(id)))?.version).toBe(1);
    // The crashed owner can no longer complete or fail the event it lost.
    expect(await events.fail(event.id, 'crashed', 'late')).toBe(false);
    expect((await events.get(event.id))?.status).toBe('COMPLETED');
  });

  it('does not apply twice after a crash between apply and completion', async () => {
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    await events.claim({ eventId: event.id, eventType: event.type, created: event.created, raw: { body: body(event), encoding: 'utf8' }, owner: 'crashed' });
    await appointmentAppliers(appointments)['appointment.created'](event);
    clock += 31_000;
    expect(await processor()(sqsRecord(body(event), 2))).toMatchObject({ kind: 'processed', outcome: 'already_applied' });
    expect((await appointments.get(String(id)))?.version).toBe(1);
  });

  it('records and acknowledges unknown event types', async () => {
    const event = exampleEvent('payment.refunded');
    expect(await processor()(sqsRecord(body(event)))).toMatchObject({ kind: 'unknown_type' });
    expect(await events.get(event.id)).toMatchObject({ status: 'COMPLETED', outcome: 'ignored_unknown_type', raw: body(event) });
  });

  it('fails an appointment event without an id, keeping it FAILED with the reason', async () => {
    const event = exampleEvent('appointment.created');
    delete (event.data.object as Record<string, unknown>).id;
    await expect(processor()(sqsRecord(body(event)))).rejects.toThrow(/no appointment id/);
    expect(await events.get(event.id)).toMatchObject({ status: 'FAILED', lastError: expect.stringContaining('no appointment id') });
  });

  it('lists recent events newest first with their status', async () => {
    clock = Date.parse('2027-03-01T08:00:00Z'); // a day of its own: other tests share the default day
    const first = exampleEvent('appointment.created', { appointmentId: nextAppointmentId++ });
    await processor()(sqsRecord(body(first)));
    clock += 1000;
    const second = exampleEvent('appointment.created', { appointmentId: nextAppointmentId++ });
    await processor()(sqsRecord(body(second)));
    const recent = await events.recent(2);
    expect(recent.map((r) => r.eventId)).toEqual([second.id, first.id]);
    expect(recent.every((r) => r.status === 'COMPLETED')).toBe(true);
  });
});

describe('poison event → DLQ → replay after the fix (SQS emulator)', () => {
  it('retries a failing event, moves it to the DLQ after maxReceiveCount, and applies it once replayed', async () => {
    const id = nextAppointmentId++;
    const event = exampleEvent('appointment.created', { appointmentId: id });
    const queue = res.queues.webhookEvents.url;
    const dlq = res.queues.webhookEventsDlq.url;
    await res.sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: body(event) }));

    const broken = processor({ 'appointment.created': async () => Promise.reject(new Error('bug in applier')) });
    const deadline = Date.now() + 30_000;
    let failures = 0;
    // Act as the Lambda event source: receive, invoke, delete on success, leave failures to the visibility timeout.
    while (Date.now() < deadline) {
      const dlqDepth = await res.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['ApproximateNumberOfMessages'] }));
      if (Number(dlqDepth.Attributes?.ApproximateNumberOfMessages) > 0) break;
      const got = await res.sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      for (const m of got.Messages ?? []) {
        await expect(broken(recordFromMessage(m))).rejects.toThrow('bug in applier');
        failures++;
      }
    }
    expect(failures).toBe(3); // dev stage: maxReceiveCount 3
    expect(await events.get(event.id)).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(await appointments.get(String(id))).toBeUndefined();

    // The fix is deployed; replay the DLQ into the main queue and let the healthy processor run.
    expect(await copyBack(res.sqs, dlq, queue)).toEqual({ mode: 'copy', moved: 1 });
    const fixed = processor();
    let outcome;
    while (!outcome && Date.now() < deadline + 10_000) {
      const got = await res.sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 1 }));
      for (const m of got.Messages ?? []) {
        outcome = await fixed(recordFromMessage(m));
        await res.sqs.send(new DeleteMessageCommand({ QueueUrl: queue, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    expect(outcome).toMatchObject({ kind: 'processed', outcome: 'inserted' });
    expect(await appointments.get(String(id))).toMatchObject({ version: 1, status: 'SCHEDULED' });
    expect(await events.get(event.id)).toMatchObject({ status: 'COMPLETED', attempts: 4 });
  });
});

describe('ordering of events that share a timestamp (MONCRENEAU timestamps have second precision)', () => {
  it.each([
    ['created first', ['appointment.created', 'appointment.cancelled']],
    ['cancelled first', ['appointment.cancelled', 'appointment.created']],
  ])('a creation and its cancellation in the same second end CANCELLED (%s)', async (_name, order) => {
    const id = nextAppointmentId++;
    const sameSecond = '2026-11-28T03:50:48Z';
    // Event ids chosen so that id order alone would pick the wrong winner.
    const ids: Record<string, string> = { 'appointment.created': 'evt_zzz_created', 'appointment.cancelled': `evt_aaa_cancelled_${id}` };
    for (const type of order) {
      await processor()(sqsRecord(body(exampleEvent(type, { appointmentId: id, created: sameSecond, id: type === 'appointment.created' ? `${ids[type]}_${id}` : ids[type] }))));
    }
    expect(await appointments.get(String(id))).toMatchObject({ status: 'CANCELLED', lastEventType: 'appointment.cancelled', version: 2 });
  });
});

describe('replaying a stored event (npm run events -- replay)', () => {
  it('processes an event stored as an unknown type once its applier exists, and never double-applies a known one', async () => {
    const id = nextAppointmentId++;
    // Stored while the kit did not know the type yet (think payment.* before the payments capability).
    const event = exampleEvent('appointment.created', { appointmentId: id });
    expect(await processor({})(sqsRecord(body(event)))).toMatchObject({ kind: 'unknown_type' });
    expect(await processor()(sqsRecord(body(event)))).toMatchObject({ kind: 'duplicate' });

    const stored = await events.reopen(event.id, 'test replay');
    expect(stored.status).toBe('FAILED');
    expect(await processor()(sqsRecord(stored.raw))).toMatchObject({ kind: 'processed', outcome: 'inserted' });
    expect((await appointments.get(String(id)))?.version).toBe(1);

    // A second replay of an applied event is recorded but changes nothing.
    await events.reopen(event.id, 'again');
    expect(await processor()(sqsRecord(stored.raw))).toMatchObject({ kind: 'processed', outcome: 'already_applied' });
    expect((await appointments.get(String(id)))?.version).toBe(1);
  });

  it('refuses to reopen an event that is being processed or does not exist', async () => {
    const event = exampleEvent('appointment.created', { appointmentId: nextAppointmentId++ });
    await events.claim({ eventId: event.id, eventType: event.type, created: event.created, raw: { body: body(event), encoding: 'utf8' }, owner: 'busy' });
    await expect(events.reopen(event.id, 'x')).rejects.toThrow(/being processed/);
    await expect(events.reopen('evt_missing', 'x')).rejects.toThrow(/does not exist/);
  });
});

describe('appointments mirror retention (personal data)', () => {
  it('expires an appointment `retentionDays` after its last applied event, refreshed by each newer event', async () => {
    let now = new Date('2026-11-01T00:00:00Z');
    const mirror = new AppointmentsTable(res.tables.appointments, { retentionDays: 90, now: () => now });
    const id = nextAppointmentId++;
    const created = exampleEvent('appointment.created', { appointmentId: id, created: '2026-11-01T00:00:00Z' });
    await appointmentAppliers(mirror)['appointment.created'](created);
    const day = 86_400;
    expect((await mirror.get(String(id)) as unknown as { expiresAt: number }).expiresAt).toBe(Date.parse('2026-11-01T00:00:00Z') / 1000 + 90 * day);
    now = new Date('2026-11-20T00:00:00Z');
    await appointmentAppliers(mirror)['appointment.cancelled'](exampleEvent('appointment.cancelled', { appointmentId: id, created: '2026-11-20T00:00:00Z' }));
    expect((await mirror.get(String(id)) as unknown as { expiresAt: number }).expiresAt).toBe(Date.parse('2026-11-20T00:00:00Z') / 1000 + 90 * day);
  });
});
