/** Outbound worker decisions with in-memory ports: what is called, what is recorded, ack vs retry. */
import { createCommandWorker, RetryLaterError, type WorkerDeps } from '../../shared/commands/worker';
import type { CommandPayload, CommandRecord } from '../../shared/commands/types';
import {
  ConflictError,
  CreateOutcomeUnknownError,
  InsufficientCreditsError,
  ServerError,
  TimeoutError,
  ValidationError,
} from '../../shared/moncreneau/client/errors';
import { FixedSwitch, MemoryCommandStore, MemoryLedger, MemoryQueue, fakeAppointments } from '../support/commands-fakes';

const REQUEST = { departmentId: 5, dateTime: '2026-02-15T10:00:00', name: 'Jean Dupont', externalUserId: 'kit-c1' };
const APPOINTMENT = { id: 101, departmentId: 5, dateTime: '2026-02-15T10:00:00', status: 'SCHEDULED', name: 'Jean Dupont', externalUserId: 'kit-c1' };

function command(payload: CommandPayload, extra: Partial<CommandRecord> = {}): CommandRecord {
  return { commandId: 'c1', type: payload.type, payload, status: 'QUEUED', attempts: 0, failures: 0, createdAt: 't', updatedAt: 't', expiresAt: 1, ...extra };
}

function setup(initial: CommandRecord = command({ type: 'create', request: REQUEST }), existing: Array<Record<string, unknown>> = []) {
  const store = new MemoryCommandStore();
  void store.create(initial);
  const queue = new MemoryQueue();
  const ledger = new MemoryLedger(10);
  const outbound = new FixedSwitch(true);
  const appointments = fakeAppointments(existing);
  const deps: WorkerDeps = { store, queue, ledger, outbound, appointments, refuseWhenEmpty: true, pauseDelaySeconds: 120, deadlineMarginMs: 3000, now: Date.now };
  const worker = createCommandWorker(deps);
  const run = (rerunFailure?: number) => worker({ commandId: 'c1', ...(rerunFailure !== undefined ? { rerunFailure } : {}) }, { remainingTimeMs: () => 60_000 });
  return { store, queue, ledger, outbound, appointments, run, get: () => store.commands.get('c1') as CommandRecord };
}

describe('create', () => {
  it('reserves, creates with the Lambda deadline minus the margin, confirms, SUCCEEDED', async () => {
    const t = setup();
    t.appointments.createDetailed.mockResolvedValue({ appointment: APPOINTMENT, outcome: 'created', postAttempts: 1 });
    const outcome = await t.run();
    expect(outcome.kind).toBe('executed');
    const [request, call] = t.appointments.createDetailed.mock.calls[0];
    expect(request).toEqual(REQUEST);
    expect(call?.remainingTimeMs?.()).toBe(57_000);
    expect(call?.requestId).toBe('c1');
    expect(t.get()).toMatchObject({ status: 'SUCCEEDED', attempts: 1, result: { appointment: { id: 101 }, outcome: 'created' } });
    expect([...t.ledger.entries.keys()]).toEqual(['reserve#c1', 'appt-debit#101']);
    expect(t.ledger.current).toBe(9);
    expect(t.queue.sent).toHaveLength(0);
  });

  it('local insufficient credits → FAILED INSUFFICIENT_CREDITS, DLQ with reason, MONCRENEAU never called', async () => {
    const t = setup();
    t.ledger.current = 0;
    await t.run();
    expect(t.appointments.createDetailed).not.toHaveBeenCalled();
    expect(t.get()).toMatchObject({ status: 'FAILED', failures: 1, error: { code: 'INSUFFICIENT_CREDITS' } });
    expect(t.queue.dlq()).toEqual([expect.objectContaining({ commandId: 'c1', errorCode: 'INSUFFICIENT_CREDITS', rerunFailure: 1, reason: expect.stringContaining('balance is 0') })]);
  });

  it('402 from MONCRENEAU → reservation released, ledger synced to the API value, FAILED, DLQ', async () => {
    const t = setup();
    t.appointments.createDetailed.mockRejectedValue(new InsufficientCreditsError({ status: 402, code: 'INSUFFICIENT_CREDITS', message: 'Your organization has 0 credits remaining', details: { required: 1, available: 0 } }));
    await t.run();
    expect(t.ledger.entries.has('release#c1')).toBe(true);
    expect(t.ledger.current).toBe(0);
    expect(t.get()).toMatchObject({ status: 'FAILED', error: { code: 'INSUFFICIENT_CREDITS', status: 402 } });
    expect(t.queue.dlq()).toEqual([expect.objectContaining({ errorCode: 'INSUFFICIENT_CREDITS', reason: 'Your organization has 0 credits remaining' })]);
  });

  it.each([
    ['422 validation', new ValidationError({ status: 422, code: 'INVALID_DATE_TIME', message: 'past' })],
    ['409 slot taken', new ConflictError({ status: 409, code: 'SLOT_NOT_AVAILABLE', message: 'taken' })],
  ])('definitive %s → released, FAILED with the reason, DLQ, acknowledged', async (_l, error) => {
    const t = setup();
    t.appointments.createDetailed.mockRejectedValue(error);
    await expect(t.run()).resolves.toMatchObject({ kind: 'executed', execution: { kind: 'definitive' } });
    expect(t.ledger.current).toBe(10);
    expect(t.get()).toMatchObject({ status: 'FAILED', error: { code: error.code } });
    expect(t.queue.dlq()).toHaveLength(1);
  });

  it.each([
    ['5xx after the client retries', new ServerError({ status: 503, code: 'SERVICE_UNAVAILABLE', message: 'down' })],
    ['timeout', new TimeoutError({ code: 'TIMEOUT', message: 'slow', requestSent: true })],
    ['unknown create outcome', new CreateOutcomeUnknownError({ code: 'CREATE_OUTCOME_UNKNOWN', message: '?', lastError: new ServerError({ status: 500, code: 'X', message: 'x' }) })],
    ['a DynamoDB error', new Error('ProvisionedThroughputExceeded')],
  ])('transient (%s) → RETRYING with lastError, reservation kept, retry via SQS (throws)', async (_l, error) => {
    const t = setup();
    t.appointments.createDetailed.mockRejectedValue(error);
    await expect(t.run()).rejects.toBeInstanceOf(RetryLaterError);
    expect(t.get()).toMatchObject({ status: 'RETRYING', lastError: { code: expect.any(String) } });
    expect(t.get().leaseUntil).toBeUndefined();
    expect(t.ledger.entries.has('release#c1')).toBe(false);
    expect(t.ledger.current).toBe(9);
    expect(t.queue.sent).toHaveLength(0);
  });

  it('a redelivery looks the booking up first (same externalUserId) and does not POST again', async () => {
    const t = setup(command({ type: 'create', request: REQUEST }, { status: 'RETRYING', attempts: 1 }), [{ ...APPOINTMENT, id: 77 }]);
    await t.run();
    expect(t.appointments.iterate).toHaveBeenCalledWith({ externalUserId: 'kit-c1', departmentId: 5 }, expect.anything());
    expect(t.appointments.createDetailed).not.toHaveBeenCalled();
    expect(t.get()).toMatchObject({ status: 'SUCCEEDED', result: { outcome: 'recovered', appointment: { id: 77 } } });
    expect(t.ledger.entries.has('appt-debit#77')).toBe(true);
  });

  it('a DLQ replay of a FAILED create re-runs it once, with a fresh reservation', async () => {
    const t = setup();
    t.ledger.current = 0;
    await t.run();
    expect(t.get().status).toBe('FAILED');
    t.ledger.current = 5; // the operator recharged
    t.appointments.createDetailed.mockResolvedValue({ appointment: APPOINTMENT, outcome: 'created', postAttempts: 1 });
    await t.run(1);
    expect(t.get()).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(t.ledger.entries.has('reserve#c1#rerun1')).toBe(true);
    expect(t.ledger.current).toBe(4);
    // A second copy of the same replay message is a duplicate.
    await expect(t.run(1)).resolves.toMatchObject({ kind: 'duplicate' });
  });
});

describe('delivery handling', () => {
  it('a finished command is acknowledged as a duplicate without any call', async () => {
    const t = setup(command({ type: 'create', request: REQUEST }, { status: 'SUCCEEDED' }));
    await expect(t.run()).resolves.toMatchObject({ kind: 'duplicate' });
    const failed = setup(command({ type: 'create', request: REQUEST }, { status: 'FAILED', failures: 1 }));
    await expect(failed.run()).resolves.toMatchObject({ kind: 'duplicate' });
    expect(t.appointments.createDetailed).not.toHaveBeenCalled();
  });

  it('an unknown command is acknowledged', async () => {
    const t = setup();
    t.store.commands.clear();
    await expect(t.run()).resolves.toEqual({ kind: 'missing' });
  });

  it('a command leased by a concurrent delivery is left for redelivery', async () => {
    const t = setup(command({ type: 'create', request: REQUEST }, { status: 'RUNNING', attempts: 1, leaseUntil: Date.now() + 60_000 }));
    await expect(t.run()).rejects.toMatchObject({ outcome: { kind: 'leased' } });
    expect(t.appointments.createDetailed).not.toHaveBeenCalled();
  });

  it('kill switch off → PAUSED, the same command re-sent with DelaySeconds, acknowledged, no API call, no attempt counted', async () => {
    const t = setup();
    t.outbound.enabled = false;
    t.outbound.reason = 'incident';
    await expect(t.run()).resolves.toMatchObject({ kind: 'paused' });
    expect(t.get()).toMatchObject({ status: 'PAUSED', pausedReason: 'incident', attempts: 0 });
    expect(t.queue.main()).toEqual([{ queue: 'main', commandId: 'c1', delaySeconds: 120 }]);
    expect(t.appointments.createDetailed).not.toHaveBeenCalled();
    t.outbound.enabled = true;
    t.appointments.createDetailed.mockResolvedValue({ appointment: APPOINTMENT, outcome: 'created', postAttempts: 1 });
    await t.run();
    expect(t.get()).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
  });

  it('a paused DLQ replay keeps its replay marker', async () => {
    const t = setup(command({ type: 'create', request: REQUEST }, { status: 'FAILED', failures: 1 }));
    t.outbound.enabled = false;
    await t.run(1);
    expect(t.get().status).toBe('FAILED');
    expect(t.queue.main()).toEqual([{ queue: 'main', commandId: 'c1', delaySeconds: 120, rerunFailure: 1 }]);
  });
});

describe('cancel and update', () => {
  it('cancel → refund 1 credit for the appointment, SUCCEEDED', async () => {
    const t = setup(command({ type: 'cancel', appointmentId: '101' }));
    t.appointments.cancel.mockResolvedValue('cancelled');
    await t.run();
    expect(t.appointments.cancel).toHaveBeenCalledWith('101', expect.objectContaining({ requestId: 'c1' }));
    expect(t.ledger.entries.get('appt-refund#101')).toMatchObject({ amount: 1, reason: 'command:c1' });
    expect(t.ledger.current).toBe(11);
    expect(t.get()).toMatchObject({ status: 'SUCCEEDED', result: { appointmentId: '101', outcome: 'cancelled' } });
  });

  it('already cancelled (the API refuses, the appointment is CANCELLED) → SUCCEEDED, refund still recorded once', async () => {
    const t = setup(command({ type: 'cancel', appointmentId: '101' }));
    await t.ledger.refundAppointment('101', 1, 'webhook'); // the webhook got there first
    t.appointments.cancel.mockRejectedValue(new ValidationError({ status: 400, code: 'INVALID_REQUEST', message: 'already cancelled' }));
    t.appointments.get.mockResolvedValue({ ...APPOINTMENT, status: 'CANCELLED' });
    await t.run();
    expect(t.get()).toMatchObject({ status: 'SUCCEEDED', result: { outcome: 'already_cancelled' } });
    expect(t.ledger.current).toBe(11);
  });

  it('cancel refused for another reason → FAILED + DLQ', async () => {
    const t = setup(command({ type: 'cancel', appointmentId: '101' }));
    t.appointments.cancel.mockRejectedValue(new ValidationError({ status: 400, code: 'INVALID_REQUEST', message: 'past appointment' }));
    t.appointments.get.mockResolvedValue({ ...APPOINTMENT, status: 'COMPLETED' });
    await t.run();
    expect(t.get()).toMatchObject({ status: 'FAILED', error: { code: 'INVALID_REQUEST' } });
    expect(t.queue.dlq()).toHaveLength(1);
  });

  it('update → SUCCEEDED with the updated appointment; no ledger movement', async () => {
    const t = setup(command({ type: 'update', appointmentId: '101', changes: { dateTime: '2026-02-16T09:00:00' } }));
    t.appointments.update.mockResolvedValue({ ...APPOINTMENT, dateTime: '2026-02-16T09:00:00' });
    await t.run();
    expect(t.appointments.update).toHaveBeenCalledWith('101', { dateTime: '2026-02-16T09:00:00' }, expect.anything());
    expect(t.get()).toMatchObject({ status: 'SUCCEEDED', result: { outcome: 'updated', appointment: { dateTime: '2026-02-16T09:00:00' } } });
    expect(t.ledger.entries.size).toBe(0);
  });
});

// Regression tests for the "Hardening" issue (#3 402 codes, #5 lookup matching, #6 cancel refund amount).
describe('402 from MONCRENEAU, by code (only INSUFFICIENT_CREDITS with a numeric available syncs the ledger)', () => {
  const error402 = (code: string, details?: Record<string, unknown>) => new InsufficientCreditsError({ status: 402, code, message: `402 ${code}`, details });
  const syncs = (ledger: MemoryLedger) => [...ledger.entries.values()].filter((e) => e.kind === 'sync');

  it('CREDIT_CHECK_FAILED is transient: RETRYING, reservation kept, no sync, no DLQ', async () => {
    const t = setup();
    t.appointments.createDetailed.mockRejectedValue(error402('CREDIT_CHECK_FAILED', { available: 0 }));
    await expect(t.run()).rejects.toBeInstanceOf(RetryLaterError);
    expect(t.get()).toMatchObject({ status: 'RETRYING', lastError: { code: 'CREDIT_CHECK_FAILED', status: 402 } });
    expect(t.ledger.entries.has('release#c1')).toBe(false);
    expect(syncs(t.ledger)).toEqual([]);
    expect(t.ledger.current).toBe(9);
    expect(t.queue.dlq()).toEqual([]);
  });

  it.each([
    ['PAYMENT_REQUIRED (even with an available figure)', error402('PAYMENT_REQUIRED', { available: 0 })],
    ['INSUFFICIENT_CREDITS without available', error402('INSUFFICIENT_CREDITS')],
    ['INSUFFICIENT_CREDITS with a non-numeric available', error402('INSUFFICIENT_CREDITS', { available: 'none' })],
  ])('%s fails that command only: released, FAILED, DLQ, balance not synced', async (_l, error) => {
    const t = setup();
    t.appointments.createDetailed.mockRejectedValue(error);
    await t.run();
    expect(t.get()).toMatchObject({ status: 'FAILED', error: { code: error.code, status: 402 } });
    expect(t.ledger.entries.has('release#c1')).toBe(true);
    expect(syncs(t.ledger)).toEqual([]);
    expect(t.ledger.current).toBe(10);
    expect(t.queue.dlq()).toHaveLength(1);
  });

  it('INSUFFICIENT_CREDITS with available keeps the credits other commands hold: balance = available − reserved', async () => {
    const t = setup();
    await t.ledger.reserveForCommand('other-in-flight', { refuseWhenEmpty: true }); // 9, 1 reserved
    t.appointments.createDetailed.mockRejectedValue(error402('INSUFFICIENT_CREDITS', { required: 1, available: 3 }));
    await t.run();
    expect(t.ledger.current).toBe(2);
    expect(syncs(t.ledger)).toEqual([expect.objectContaining({ available: 3, reserved: 1, setTo: 2 })]);
    // The other command is then charged by MONCRENEAU (3 → 2): the ledger already says 2.
    await t.ledger.confirmBooking('other-in-flight', '555');
    expect(t.ledger.current).toBe(2);
  });
});

describe('lookup of a redelivered create: only our own booking is adopted', () => {
  const redelivered = () => command({ type: 'create', request: REQUEST }, { status: 'RETRYING', attempts: 1 });
  const { externalUserId: _omit, ...WITHOUT_EXTERNAL_ID } = APPOINTMENT;

  it('an item with our externalUserId but another name is not ours: POST', async () => {
    const t = setup(redelivered(), [{ ...APPOINTMENT, id: 77, name: 'Someone Else' }]);
    t.appointments.createDetailed.mockResolvedValue({ appointment: APPOINTMENT, outcome: 'created', postAttempts: 1 });
    await t.run();
    expect(t.appointments.createDetailed).toHaveBeenCalledTimes(1);
    expect(t.get()).toMatchObject({ status: 'SUCCEEDED', result: { outcome: 'created', appointment: { id: 101 } } });
  });

  it('an item without externalUserId and another name is not adopted: POST', async () => {
    const t = setup(redelivered(), [{ ...WITHOUT_EXTERNAL_ID, id: 78, name: 'Someone Else' }]);
    t.appointments.createDetailed.mockResolvedValue({ appointment: APPOINTMENT, outcome: 'created', postAttempts: 1 });
    await t.run();
    expect(t.appointments.createDetailed).toHaveBeenCalledTimes(1);
    expect(t.get().result).toMatchObject({ outcome: 'created', appointment: { id: 101 } });
  });

  it('an item without externalUserId that matches everything else is adopted, and the result says what was not compared', async () => {
    const t = setup(redelivered(), [{ ...WITHOUT_EXTERNAL_ID, id: 79 }]);
    await t.run();
    expect(t.appointments.createDetailed).not.toHaveBeenCalled();
    expect(t.get().result).toMatchObject({ outcome: 'recovered', appointment: { id: 79 }, matchedWithout: ['externalUserId'], lookupNote: expect.stringContaining('externalUserId') });
  });

  it('the client\'s own lookup note reaches the command result', async () => {
    const t = setup();
    t.appointments.createDetailed.mockResolvedValue({ appointment: { ...WITHOUT_EXTERNAL_ID }, outcome: 'recovered', postAttempts: 1, matchedWithout: ['externalUserId'] } as never);
    await t.run();
    expect(t.get().result).toMatchObject({ outcome: 'recovered', matchedWithout: ['externalUserId'], lookupNote: expect.stringContaining('externalUserId') });
  });
});

describe('cancel refunds what MONCRENEAU reports (one entry, shared with the webhook)', () => {
  it.each([
    ['creditsRefunded', { creditsRefunded: 2, creditsConsumed: 3 }, 2],
    ['creditsConsumed', { creditsConsumed: 3 }, 3],
    ['nothing reported → the documented 1', {}, 1],
  ])('reads the appointment after the DELETE (204, no body): %s', async (_l, fields, credits) => {
    const t = setup(command({ type: 'cancel', appointmentId: '101' }));
    t.appointments.cancel.mockResolvedValue('cancelled');
    t.appointments.get.mockResolvedValue({ ...APPOINTMENT, status: 'CANCELLED', ...fields });
    await t.run();
    expect(t.ledger.entries.get('appt-refund#101')).toMatchObject({ amount: credits });
    expect(t.ledger.current).toBe(10 + credits);
    expect(t.get()).toMatchObject({ status: 'SUCCEEDED', result: { outcome: 'cancelled', refund: { credits } } });
  });

  it('a failed read after a successful DELETE does not fail the cancel: the documented 1 is refunded', async () => {
    const t = setup(command({ type: 'cancel', appointmentId: '101' }));
    t.appointments.cancel.mockResolvedValue('cancelled');
    t.appointments.get.mockRejectedValue(new ServerError({ status: 503, code: 'SERVICE_UNAVAILABLE', message: 'down' }));
    await t.run();
    expect(t.get()).toMatchObject({ status: 'SUCCEEDED', result: { outcome: 'cancelled', refund: { credits: 1, from: 'default' } } });
    expect(t.ledger.current).toBe(11);
  });

  it('already cancelled: the amount comes from the same read', async () => {
    const t = setup(command({ type: 'cancel', appointmentId: '101' }));
    t.appointments.cancel.mockRejectedValue(new ValidationError({ status: 400, code: 'INVALID_REQUEST', message: 'already cancelled' }));
    t.appointments.get.mockResolvedValue({ ...APPOINTMENT, status: 'CANCELLED', creditsRefunded: 2 });
    await t.run();
    expect(t.get()).toMatchObject({ status: 'SUCCEEDED', result: { outcome: 'already_cancelled', refund: { credits: 2, from: 'creditsRefunded' } } });
    expect(t.ledger.current).toBe(12);
    expect(t.appointments.get).toHaveBeenCalledTimes(1);
  });
});
