/**
 * Hardening #6: a cancellation refunds what MONCRENEAU reports, in one ledger entry
 * (`appt-refund#<appointmentId>`) shared by our cancel command and the `appointment.cancelled`
 * webhook, whichever comes first — against DynamoDB Local with the real ledger adapter, the real
 * webhook processor and the command executor (MONCRENEAU scripted: DELETE answers 204, the
 * appointment read afterwards carries the figures).
 */
import { AppointmentsTable } from '../../shared/adapters/appointments-table';
import { CreditsLedger } from '../../shared/adapters/credits-ledger';
import { EventStore } from '../../shared/adapters/event-store';
import { executeCommand } from '../../shared/commands/execute';
import type { CommandRecord } from '../../shared/commands/types';
import { exampleEvent } from '../../shared/moncreneau/examples';
import { appointmentAppliers } from '../../shared/webhooks/appliers';
import { createRecordProcessor } from '../../shared/webhooks/processor';
import { fakeAppointments } from '../support/commands-fakes';
import { testResources, type TestResources } from '../support/resources';
import { sqsRecord } from '../support/sqs-records';

const owned: TestResources[] = [];
afterAll(() => owned.forEach((r) => r.destroy()));

let n = 0;
async function setup(startBalance = 10) {
  const res = await testResources();
  owned.push(res);
  const ledger = new CreditsLedger(res.tables.ledger);
  await ledger.setBalance(startBalance, 'start');
  const processRecord = createRecordProcessor({
    claims: new EventStore(res.tables.events, { leaseSeconds: 30, retentionDays: 7 }),
    appliers: appointmentAppliers(new AppointmentsTable(res.tables.appointments), ledger),
  });
  const appointmentId = 70_000 + ++n;
  const appointments = fakeAppointments();
  const cancelCommand: CommandRecord = {
    commandId: `cancel-${appointmentId}`,
    type: 'cancel',
    payload: { type: 'cancel', appointmentId: String(appointmentId) },
    status: 'RUNNING',
    attempts: 1,
    failures: 0,
    createdAt: 't',
    updatedAt: 't',
    expiresAt: 1,
  };
  /** MONCRENEAU: the DELETE succeeds (204, no body); the appointment read afterwards reports `fields`. */
  const moncreneauReports = (fields: Record<string, unknown>) => {
    appointments.cancel.mockResolvedValue('cancelled');
    appointments.get.mockResolvedValue({ id: appointmentId, departmentId: 5, dateTime: '2026-02-15T10:00:00', status: 'CANCELLED', name: 'X', ...fields } as never);
  };
  const runCommand = () => executeCommand({ ledger, appointments, refuseWhenEmpty: true }, cancelCommand, { requestId: cancelCommand.commandId });
  const cancelledWebhook = (creditsRefunded?: number) => {
    const event = exampleEvent('appointment.cancelled', { appointmentId });
    if (creditsRefunded === undefined) delete (event.data.object as Record<string, unknown>).creditsRefunded;
    else (event.data.object as Record<string, unknown>).creditsRefunded = creditsRefunded;
    return processRecord(sqsRecord(JSON.stringify(event)));
  };
  const refundEntries = async () => (await ledger.recent(50)).filter((e) => e.kind === 'appointment-refund');
  return { ledger, appointmentId, moncreneauReports, runCommand, cancelledWebhook, refundEntries };
}

describe('cancel refund: one entry, the amount MONCRENEAU reports', () => {
  it('command first: refunds the amount read after the DELETE; the webhook then meets the same entry', async () => {
    const t = await setup();
    t.moncreneauReports({ creditsRefunded: 2 });
    const execution = await t.runCommand();
    expect(await t.ledger.balance()).toBe(12);
    expect(execution).toMatchObject({ kind: 'succeeded', ledger: 'refunded', result: { outcome: 'cancelled', refund: { credits: 2, from: 'creditsRefunded' } } });
    await t.cancelledWebhook(2);
    await t.cancelledWebhook(2); // a duplicate delivery (new event id: past the event dedupe)
    expect(await t.ledger.balance()).toBe(12);
    expect(await t.refundEntries()).toEqual([expect.objectContaining({ entryId: `appt-refund#${t.appointmentId}`, amount: 2, reason: expect.stringContaining('command:') })]);
  });

  it('webhook first: its creditsRefunded makes the entry; the command then changes nothing', async () => {
    const t = await setup();
    await t.cancelledWebhook(2);
    expect(await t.ledger.balance()).toBe(12);
    t.moncreneauReports({ creditsRefunded: 2 });
    expect(await t.runCommand()).toMatchObject({ kind: 'succeeded', ledger: 'already_refunded' });
    expect(await t.ledger.balance()).toBe(12);
    expect(await t.refundEntries()).toEqual([expect.objectContaining({ amount: 2, reason: expect.stringContaining('webhook') })]);
  });

  it('no webhook at all (webhooks not configured): the command alone records the refund, from what the booking consumed', async () => {
    const t = await setup();
    t.moncreneauReports({ creditsConsumed: 3 });
    expect(await t.runCommand()).toMatchObject({ kind: 'succeeded', ledger: 'refunded', result: { refund: { credits: 3, from: 'creditsConsumed' } } });
    expect(await t.ledger.balance()).toBe(13);
  });

  it('the appointment reports nothing: the documented 1 credit, and a replayed command is a no-op', async () => {
    const t = await setup();
    t.moncreneauReports({});
    expect(await t.runCommand()).toMatchObject({ kind: 'succeeded', ledger: 'refunded', result: { refund: { credits: 1, from: 'default' } } });
    expect(await t.runCommand()).toMatchObject({ kind: 'succeeded', ledger: 'already_refunded' });
    await t.cancelledWebhook(undefined);
    expect(await t.ledger.balance()).toBe(11);
  });

  it('command and webhook at the same instant: exactly one refund', async () => {
    const t = await setup();
    t.moncreneauReports({ creditsRefunded: 2 });
    await Promise.all([t.runCommand(), t.cancelledWebhook(2), t.runCommand()]);
    expect(await t.ledger.balance()).toBe(12);
    expect(await t.refundEntries()).toHaveLength(1);
  });
});
