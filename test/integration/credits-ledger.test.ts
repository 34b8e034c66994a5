/**
 * The credits ledger against DynamoDB Local (real transactions and conditions): every movement
 * exactly once, our bookings and their webhooks never counted twice, whatever the order or the
 * number of deliveries.
 */
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
