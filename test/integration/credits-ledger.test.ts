/**
 * The credits ledger against DynamoDB Local (real transactions and conditions): every movement
 * exactly once, our bookings and their webhooks never counted twice, whatever the order or the
 * number of deliveries.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppointmentsTable } from '../../shared/adapters/appointments-table';
import { CreditsLedger } from '../../shared/adapters/credits-ledger';
import { reportingBalance } from '../../shared/credits/balance-report';
import { InsufficientCreditsLocalError } from '../../shared/credits/errors';
import { EventStore } from '../../shared/adapters/event-store';
import { exampleEvent } from '../../shared/moncreneau/examples';
import { appointmentAppliers } from '../../shared/webhooks/appliers';
import { createRecordProcessor } from '../../shared/webhooks/processor';
import { testResources, type TestResources } from '../support/resources';
import { sqsRecord } from '../support/sqs-records';

let res: TestResources;
const owned: TestResources[] = [];
beforeAll(async () => {
  res = await testResources();
});
afterAll(() => [res, ...owned].forEach((r) => r.destroy()));

let n = 0;
/** Each test gets a fresh ledger: the balance item is per table, so each test uses its own table copy. */
async function freshLedger(): Promise<CreditsLedger> {
  const own = await testResources();
  owned.push(own);
  return new CreditsLedger(own.tables.ledger);
}
const id = (prefix: string) => `${prefix}-${++n}`;

describe('credits ledger', () => {
  it('is unknown until set, then moves by reservations and releases exactly once', async () => {
    const ledger = await freshLedger();
    expect(await ledger.balance()).toBeNull();
    await ledger.setBalance(3, 'dashboard shows 3');
    const cmd = id('cmd');
    expect(await ledger.reserveForCommand(cmd, { refuseWhenEmpty: true })).toBe('reserved');
    expect(await ledger.reserveForCommand(cmd, { refuseWhenEmpty: true })).toBe('already_reserved');
    expect(await ledger.balance()).toBe(2);
    expect(await ledger.releaseReservation(cmd, 'slot taken')).toBe('released');
    expect(await ledger.releaseReservation(cmd, 'slot taken')).toBe('already_released');
    expect(await ledger.releaseReservation(id('never-reserved'), 'x')).toBe('not_reserved');
    expect(await ledger.balance()).toBe(3);
  });

  it('refuses a reservation at 0 when asked to, and allows it (going negative) when not', async () => {
    const ledger = await freshLedger();
    await ledger.setBalance(0, 'empty');
    const refused = ledger.reserveForCommand(id('cmd'), { refuseWhenEmpty: true });
    await expect(refused).rejects.toBeInstanceOf(InsufficientCreditsLocalError);
    await expect(refused).rejects.toMatchObject({ balance: 0 });
    expect(await ledger.balance()).toBe(0);
    expect(await ledger.reserveForCommand(id('cmd'), { refuseWhenEmpty: false })).toBe('reserved');
    expect(await ledger.balance()).toBe(-1);
  });

  it('never refuses while the balance is unknown (nothing to check against)', async () => {
    const ledger = await freshLedger();
    expect(await ledger.reserveForCommand(id('cmd'), { refuseWhenEmpty: true })).toBe('reserved');
    expect(await ledger.balance()).toBeNull();
  });

  it.each([
    ['our confirmation first', ['confirm', 'webhook'] as const],
    ['the webhook first', ['webhook', 'confirm'] as const],
  ])('charges our own booking once whatever arrives first (%s)', async (_name, order) => {
    const ledger = await freshLedger();
    await ledger.setBalance(10, 'start');
    const cmd = id('cmd');
    const appt = id('appt');
    await ledger.reserveForCommand(cmd, { refuseWhenEmpty: true });
    const outcomes: string[] = [];
    for (const step of order) {
      outcomes.push(step === 'confirm' ? await ledger.confirmBooking(cmd, appt) : await ledger.debitAppointment(appt, 1, 'webhook'));
    }
    expect(await ledger.balance()).toBe(9);
    expect(outcomes).toEqual(order[0] === 'confirm' ? ['confirmed', 'already_debited'] : ['debited', 'webhook_debited_first']);
    // Replays of either side change nothing.
    expect(await ledger.debitAppointment(appt, 1, 'webhook again')).toBe('already_debited');
    expect(['already_confirmed', 'webhook_debited_first']).toContain(await ledger.confirmBooking(cmd, appt));
    expect(await ledger.balance()).toBe(9);
  });

  it('charges our own booking once when the confirmation and the webhook race', async () => {
    const ledger = await freshLedger();
    await ledger.setBalance(10, 'start');
    for (let i = 0; i < 5; i++) {
      const cmd = id('cmd');
      const appt = id('appt');
      await ledger.reserveForCommand(cmd, { refuseWhenEmpty: true });
      await Promise.all([ledger.confirmBooking(cmd, appt), ledger.debitAppointment(appt, 1, 'webhook'), ledger.debitAppointment(appt, 1, 'webhook dup')]);
    }
    expect(await ledger.balance()).toBe(5);
  });

  it('refunds a cancellation once, whether our command or the webhook reports it (or both, twice)', async () => {
    const ledger = await freshLedger();
    await ledger.setBalance(5, 'start');
    const appt = id('appt');
    const results = await Promise.all([
      ledger.refundAppointment(appt, 1, 'command'),
      ledger.refundAppointment(appt, 1, 'webhook'),
      ledger.refundAppointment(appt, 1, 'webhook duplicate'),
    ]);
    expect(results.filter((r) => r === 'refunded')).toHaveLength(1);
    expect(await ledger.balance()).toBe(6);
  });

  it('takes MONCRENEAU\'s word (a 402\'s available credits) and records why', async () => {
    const ledger = await freshLedger();
    await ledger.setBalance(7, 'start');
    await ledger.syncBalance(0, '402 INSUFFICIENT_CREDITS on command c-1');
    expect(await ledger.balance()).toBe(0);
    await ledger.adjust(4, 'bought 4 in the dashboard');
    expect(await ledger.balance()).toBe(4);
    const recent = await ledger.recent(10);
    expect(recent.map((e) => e.kind)).toEqual(['manual-adjust', 'sync', 'manual-set']);
    expect(recent[1]).toMatchObject({ setTo: 0, reason: expect.stringContaining('402') });
    await expect(ledger.adjust(0, 'nothing')).rejects.toThrow(/non-zero/);
    await expect(ledger.setBalance(-1, 'negative')).rejects.toThrow(/≥ 0/);
  });
});

describe('credits through the webhook processor (appointments made outside the kit)', () => {
  it('debits on created and refunds on cancelled exactly once under duplicates and reordering', async () => {
    const ledger = new CreditsLedger(res.tables.ledger);
    await ledger.setBalance(20, 'start');
    const events = new EventStore(res.tables.events, { leaseSeconds: 30, retentionDays: 7 });
    const balances: number[] = [];
    const processRecord = createRecordProcessor({
      claims: events,
      appliers: appointmentAppliers(new AppointmentsTable(res.tables.appointments), reportingBalance(ledger, 10, (report) => balances.push(report.balance))),
    });
    const a = 90_001;
    const b = 90_002;
    const createdA = exampleEvent('appointment.created', { appointmentId: a, created: '2026-01-21T14:30:00Z' });
    const cancelledA = exampleEvent('appointment.cancelled', { appointmentId: a, created: '2026-01-23T16:45:00Z' });
    const createdB = exampleEvent('appointment.created', { appointmentId: b });
    // Cancellation before creation, duplicates of each, and an unrelated booking.
    for (const e of [cancelledA, createdA, cancelledA, createdB, createdA, createdB]) await processRecord(sqsRecord(JSON.stringify(e)));
    expect(await ledger.balance()).toBe(19); // A: −1 +1, B: −1
    expect(balances).toEqual([21, 20, 19]);
    // A redelivery that slipped past the event dedupe (e.g. its record expired) still cannot double-charge.
    await new AppointmentsTable(res.tables.appointments).get(String(b));
    expect(await ledger.debitAppointment(String(b), 1, 'late duplicate')).toBe('already_debited');
    expect(await ledger.balance()).toBe(19);
  });
});

describe('credits ledger under contention (every movement touches the balance item)', () => {
  it('keeps the balance exact with 40 concurrent movements of different kinds', async () => {
    const ledger = await freshLedger();
    await ledger.setBalance(100, 'start');
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 10; i++) {
      const cmd = id('cmd');
      work.push(ledger.reserveForCommand(cmd, { refuseWhenEmpty: true }).then(() => ledger.releaseReservation(cmd, 'failed')));
      work.push(ledger.debitAppointment(id('ext'), 1, 'webhook'));
      work.push(ledger.refundAppointment(id('ext'), 1, 'webhook'));
      work.push(ledger.debitAppointment(id('ext'), 1, 'webhook'));
    }
    await Promise.all(work);
    expect(await ledger.balance()).toBe(100 - 10 + 10 - 10);
  });
});

// Hardening #3: a sync (a 402's `available`, or the operator's dashboard figure) must not erase the
// credits that commands in flight have reserved but MONCRENEAU has not charged yet.
describe('outstanding reservations (the `reserved` counter on the balance item)', () => {
  it('a sync sets balance = available − reserved and records both figures', async () => {
    const ledger = await freshLedger();
    await ledger.setBalance(10, 'start');
    const inFlight = id('cmd');
    const failing = id('cmd');
    await ledger.reserveForCommand(inFlight, { refuseWhenEmpty: true });
    await ledger.reserveForCommand(failing, { refuseWhenEmpty: true });
    expect(await ledger.balance()).toBe(8);
    // `failing` gets 402 INSUFFICIENT_CREDITS available 3: release first, then sync (execute.ts order).
    await ledger.releaseReservation(failing, '402');
    await ledger.syncBalance(3, '402 INSUFFICIENT_CREDITS', `402#${failing}`);
    expect(await ledger.balance()).toBe(2); // not 3: `inFlight` still holds a credit MONCRENEAU has not charged
    expect(await ledger.state()).toMatchObject({ balance: 2, reserved: 1 });
    expect((await ledger.recent(1))[0]).toMatchObject({ kind: 'sync', available: 3, reserved: 1, setTo: 2, entryId: `sync#402#${failing}` });
    // MONCRENEAU then charges the command in flight (3 → 2); confirming it does not move the balance.
    expect(await ledger.confirmBooking(inFlight, id('appt'))).toBe('confirmed');
    expect(await ledger.state()).toMatchObject({ balance: 2, reserved: 0 });
  });

  it('a sync with a key is applied once (a replayed sync cannot overwrite later movements)', async () => {
    const ledger = await freshLedger();
    await ledger.setBalance(10, 'start');
    expect(await ledger.syncBalance(5, '402', 'k-1')).toBe('synced');
    await ledger.debitAppointment(id('ext'), 1, 'webhook');
    expect(await ledger.syncBalance(5, '402 replayed', 'k-1')).toBe('already_synced');
    expect(await ledger.balance()).toBe(4);
  });

  it('the operator\'s set follows the same rule (the dashboard shows what MONCRENEAU holds)', async () => {
    const ledger = await freshLedger();
    await ledger.reserveForCommand(id('cmd'), { refuseWhenEmpty: true }); // balance unknown: recorded, not refused
    expect(await ledger.setBalance(120, 'dashboard shows 120')).toMatchObject({ available: 120, reserved: 1, setTo: 119 });
    expect(await ledger.state()).toMatchObject({ balance: 119, reserved: 1 });
  });

  it('each reservation is settled once: confirm, release, webhook-first and replays keep the counter exact', async () => {
    const ledger = await freshLedger();
    await ledger.setBalance(10, 'start');
    const [a, b, c] = [id('cmd'), id('cmd'), id('cmd')];
    const [apptA, apptC] = [id('appt'), id('appt')];
    for (const cmd of [a, b, c]) await ledger.reserveForCommand(cmd, { refuseWhenEmpty: true });
    expect(await ledger.state()).toMatchObject({ balance: 7, reserved: 3 });
    await ledger.confirmBooking(a, apptA);
    await ledger.confirmBooking(a, apptA);
    await ledger.releaseReservation(b, 'failed');
    await ledger.releaseReservation(b, 'failed');
    expect(await ledger.releaseReservation(a, 'late release of a confirmed reservation')).toBe('not_reserved');
    await ledger.debitAppointment(apptC, 1, 'webhook first');
    expect(await ledger.confirmBooking(c, apptC)).toBe('webhook_debited_first');
    expect(await ledger.confirmBooking(c, apptC)).toBe('webhook_debited_first');
    expect(await ledger.state()).toMatchObject({ balance: 8, reserved: 0 });
    expect(await ledger.entry(`reserve#${a}`)).toMatchObject({ settledAs: 'confirmed' });
    expect(await ledger.entry(`reserve#${b}`)).toMatchObject({ settledAs: 'released' });
  });

  it('a booking confirmed after its reservation was released is charged, not covered', async () => {
    // A crash between the release (definitive failure) and recording FAILED: the redelivery finds
    // `reserve#…` present (already_reserved, nothing held) and then books.
    const ledger = await freshLedger();
    await ledger.setBalance(10, 'start');
    const cmd = id('cmd');
    const appt = id('appt');
    await ledger.reserveForCommand(cmd, { refuseWhenEmpty: true });
    await ledger.releaseReservation(cmd, 'definitive failure');
    expect(await ledger.reserveForCommand(cmd, { refuseWhenEmpty: true })).toBe('already_reserved');
    expect(await ledger.confirmBooking(cmd, appt)).toBe('confirmed_uncovered');
    expect(await ledger.state()).toMatchObject({ balance: 9, reserved: 0 });
    expect(await ledger.debitAppointment(appt, 1, 'webhook')).toBe('already_debited');
    expect(await ledger.confirmBooking(cmd, appt)).toBe('already_confirmed');
    expect(await ledger.balance()).toBe(9);
  });

  it('settles reservations made before the counter existed without touching it', async () => {
    const ledger = await freshLedger();
    await ledger.setBalance(10, 'start');
    const [confirmed, released] = [id('legacy'), id('legacy')];
    for (const cmd of [confirmed, released]) await ledger.reserveForCommand(cmd, { refuseWhenEmpty: true });
    // As the previous version wrote them: no `held` flag, no `reserved` counted.
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    for (const cmd of [confirmed, released]) await db.send(new UpdateCommand({ TableName: ledger.tableName, Key: { entryId: `reserve#${cmd}` }, UpdateExpression: 'REMOVE held' }));
    await db.send(new UpdateCommand({ TableName: ledger.tableName, Key: { entryId: 'balance' }, UpdateExpression: 'REMOVE reserved' }));
    expect(await ledger.state()).toMatchObject({ balance: 8, reserved: 0 });
    expect(await ledger.confirmBooking(confirmed, id('appt'))).toBe('confirmed');
    expect(await ledger.releaseReservation(released, 'failed')).toBe('released');
    expect(await ledger.releaseReservation(released, 'failed')).toBe('already_released');
    expect(await ledger.state()).toMatchObject({ balance: 9, reserved: 0 });
    db.destroy();
  });

  it('keeps balance and reserved exact under contention, syncs included', async () => {
    const ledger = await freshLedger();
    await ledger.setBalance(100, 'start');
    const held = Array.from({ length: 5 }, () => id('held'));
    for (const cmd of held) await ledger.reserveForCommand(cmd, { refuseWhenEmpty: true });
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 8; i++) {
      const cmd = id('cmd');
      work.push(ledger.reserveForCommand(cmd, { refuseWhenEmpty: true }).then(() => (i % 2 ? ledger.releaseReservation(cmd, 'failed') : ledger.confirmBooking(cmd, id('appt')))));
      work.push(ledger.syncBalance(50, 'concurrent 402'));
    }
    await Promise.all(work);
    const state = await ledger.state();
    expect(state.reserved).toBe(5);
    // The last sync happened after some of the concurrent movements: whatever the interleaving, the
    // balance is 50 − 5 held − the confirmations that came after that sync.
    expect(state.balance).toBeLessThanOrEqual(45);
    expect(state.balance).toBeGreaterThanOrEqual(45 - 4);
    await ledger.syncBalance(50, 'final');
    expect(await ledger.state()).toMatchObject({ balance: 45, reserved: 5 });
  });
});
