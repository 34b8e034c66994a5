/**
 * The checklist's appointment scenarios end to end on the local runtime: API → SQS → outbound worker
 * → MONCRENEAU sandbox, with DynamoDB Local, the SQS emulator and the real credits ledger.
 * Faults come from the sandbox (5xx, hanging requests after commit); the client's timeouts and
 * backoff are scaled down through the environment (see test/support/commands-stack.ts).
 */
import { copyBack } from '../../shared/adapters/dlq-redrive';
import { capturedLogs } from '../support/capture-logs';
import { findLeaks } from '../support/log-scan';
import { eventually } from '../support/local-helpers';
import { idempotencyHeader, slot, startCommandsStack, type CommandsStack } from '../support/commands-stack';

jest.setTimeout(90_000);

let t: CommandsStack;
const logs: string[] = [];

beforeAll(async () => {
  t = await startCommandsStack((line) => logs.push(line));
  await t.ledger.setBalance(20, 'test start');
});
afterAll(async () => {
  await t?.stop();
});
afterEach(async () => {
  await t.sandbox.request('DELETE', '/faults');
  await t.flags.set('outboundWrites', true, undefined);
});

const booking = (n: number, extra: Record<string, unknown> = {}) => ({ departmentId: 5, dateTime: slot(n), name: 'Awa Camara', ...extra });
const at = (dateTime: string) => (a: { dateTime: string; departmentId: number }) => a.departmentId === 5 && a.dateTime.startsWith(dateTime.slice(0, 16));

async function createBooked(n: number): Promise<{ commandId: string; appointmentId: number }> {
  const res = await t.api('POST', '/appointments', booking(n), idempotencyHeader());
  expect(res.status).toBe(202);
  const done = await t.waitForCommand(res.body.commandId, ['SUCCEEDED', 'FAILED']);
  expect(done.status).toBe('SUCCEEDED');
  return { commandId: res.body.commandId, appointmentId: done.result.appointment.id };
}

it('creation: 202 → worker → the sandbox has it → GET /commands/{id} SUCCEEDED; one credit debited in the ledger', async () => {
  const before = await t.ledger.balance();
  const res = await t.api('POST', '/appointments', booking(0), idempotencyHeader());
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ commandId: expect.any(String), status: 'QUEUED', statusUrl: `/commands/${res.body.commandId}` });
  expect(res.headers.get('location')).toBe(res.body.statusUrl);

  const done = await t.waitForCommand(res.body.commandId, ['SUCCEEDED', 'FAILED']);
  expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 1, result: { outcome: 'created', appointment: { departmentId: 5, externalUserId: `kit-${res.body.commandId}` } } });
  const inSandbox = await t.sandboxAppointments(at(slot(0)));
  expect(inSandbox).toEqual([expect.objectContaining({ id: done.result.appointment.id, status: 'SCHEDULED', externalUserId: `kit-${res.body.commandId}` })]);
  expect(await t.ledger.balance()).toBe((before ?? 0) - 1);
  expect(await t.ledger.entry(`appt-debit#${done.result.appointment.id}`)).toMatchObject({ amount: 0 });

  // The synchronous reads go through the client too.
  const read = await t.api('GET', `/appointments/${done.result.appointment.id}`);
  expect([read.status, read.body.id]).toEqual([200, done.result.appointment.id]);
  const list = await t.api('GET', `/appointments?externalUserId=kit-${res.body.commandId}&size=10`);
  expect(list.body.content).toHaveLength(1);
  expect((await t.api('GET', '/appointments/999999')).status).toBe(404);
});

it('modification: PATCH moves the appointment (assumed endpoint) → SUCCEEDED, the sandbox shows the new slot', async () => {
  const { appointmentId } = await createBooked(1);
  const res = await t.api('PATCH', `/appointments/${appointmentId}`, { dateTime: slot(2) });
  expect(res.status).toBe(202);
  const done = await t.waitForCommand(res.body.commandId, ['SUCCEEDED', 'FAILED']);
  expect(done).toMatchObject({ status: 'SUCCEEDED', appointmentId: String(appointmentId), result: { outcome: 'updated' } });
  const [moved] = await t.sandboxAppointments((a) => a.id === appointmentId);
  expect(moved.dateTime.slice(0, 16)).toBe(slot(2).slice(0, 16));
});

it('cancellation with credit refund: the sandbox gives the credit back and the ledger records one refund', async () => {
  const { appointmentId } = await createBooked(3);
  const sandboxBefore = ((await t.sandbox.request('GET', '/credits')) as { credits: number }).credits;
  const ledgerBefore = await t.ledger.balance();
  const res = await t.api('DELETE', `/appointments/${appointmentId}`);
  expect(res.status).toBe(202);
  const done = await t.waitForCommand(res.body.commandId, ['SUCCEEDED', 'FAILED']);
  expect(done).toMatchObject({ status: 'SUCCEEDED', result: { appointmentId: String(appointmentId), outcome: 'cancelled' } });
  // DELETE answers 204: the amount comes from the appointment read afterwards (the sandbox reports creditsConsumed).
  expect(done.result.refund).toMatchObject({ credits: 1, from: 'creditsConsumed' });
  expect(((await t.sandbox.request('GET', '/credits')) as { credits: number }).credits).toBe(sandboxBefore + 1);
  expect(await t.ledger.entry(`appt-refund#${appointmentId}`)).toMatchObject({ amount: 1 });
  // The cancellation webhook meets the same refund entry: the ledger moves by exactly +1.
  await eventually(async () => (await t.ledger.balance()) === (ledgerBefore ?? 0) + 1 || undefined, 'ledger +1');
  const [cancelled] = await t.sandboxAppointments((a) => a.id === appointmentId);
  expect(cancelled.status).toBe('CANCELLED');
});

it('insufficient credits, locally: ledger at 0 → 402 at POST, nothing queued, MONCRENEAU not called', async () => {
  const balance = await t.ledger.balance();
  await t.ledger.setBalance(0, 'test: empty');
  try {
    const before = (await t.sandboxAppointments()).length;
    const res = await t.api('POST', '/appointments', booking(4), idempotencyHeader());
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', details: { available: 0, required: 1 } });
    expect(res.body.error.message).toContain('balance is 0');
    expect((await t.sandboxAppointments()).length).toBe(before);
  } finally {
    await t.ledger.setBalance(balance ?? 20, 'test: restore');
  }
});

it('insufficient credits, from the API: sandbox at 0 while the ledger says 5 → FAILED INSUFFICIENT_CREDITS, ledger synced, reservation released, DLQ with the reason', async () => {
  const sandboxCredits = ((await t.sandbox.request('GET', '/credits')) as { credits: number }).credits;
  await t.sandbox.request('PUT', '/credits', { credits: 0 });
  await t.ledger.setBalance(5, 'test: stale ledger');
  try {
    const res = await t.api('POST', '/appointments', booking(5), idempotencyHeader());
    expect(res.status).toBe(202);
    const done = await t.waitForCommand(res.body.commandId, ['SUCCEEDED', 'FAILED']);
    expect(done).toMatchObject({ status: 'FAILED', error: { code: 'INSUFFICIENT_CREDITS', status: 402 } });
    expect(await t.ledger.balance()).toBe(0);
    expect(await t.ledger.entry(`release#${res.body.commandId}`)).toMatchObject({ amount: 1 });
    const message = await t.takeDlqMessage(res.body.commandId);
    expect(message.MessageAttributes?.errorCode?.StringValue).toBe('INSUFFICIENT_CREDITS');
    expect(message.MessageAttributes?.reason?.StringValue).toMatch(/credits/i);
    expect(await t.sandboxAppointments(at(slot(5)))).toHaveLength(0);
  } finally {
    await t.sandbox.request('PUT', '/credits', { credits: sandboxCredits });
    await t.ledger.setBalance(20, 'test: restore');
  }
});

it('POST /appointments without an Idempotency-Key → 400 IDEMPOTENCY_KEY_REQUIRED, nothing queued or booked', async () => {
  const before = (await t.sandboxAppointments()).length;
  const res = await t.api('POST', '/appointments', booking(12));
  expect(res.status).toBe(400);
  expect(res.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REQUIRED', details: [{ field: 'Idempotency-Key' }] });
  expect(res.body.error.message).toMatch(/book twice/);
  expect((await t.sandboxAppointments()).length).toBe(before);
});

it('insufficient credits from the API while another create holds a credit: the sync keeps that reservation (balance = available − reserved)', async () => {
  const sandboxCredits = ((await t.sandbox.request('GET', '/credits')) as { credits: number }).credits;
  await t.sandbox.request('PUT', '/credits', { credits: 0 });
  await t.ledger.setBalance(5, 'test: stale ledger');
  const inFlight = `test-in-flight-${Date.now()}`;
  await t.ledger.reserveForCommand(inFlight, { refuseWhenEmpty: true }); // a create running elsewhere, not charged yet
  try {
    const res = await t.api('POST', '/appointments', booking(13), idempotencyHeader());
    expect(res.status).toBe(202);
    const done = await t.waitForCommand(res.body.commandId, ['SUCCEEDED', 'FAILED']);
    expect(done).toMatchObject({ status: 'FAILED', error: { code: 'INSUFFICIENT_CREDITS', status: 402 } });
    // MONCRENEAU says 0 available; the other create still holds 1 it has not been charged for.
    expect(await t.ledger.state()).toMatchObject({ balance: -1, reserved: 1 });
    // That create fails with 402 as well and gives its credit back: the ledger ends on MONCRENEAU's 0.
    await t.ledger.releaseReservation(inFlight, 'test: the other create failed too');
    expect(await t.ledger.balance()).toBe(0);
    await t.takeDlqMessage(res.body.commandId);
  } finally {
    await t.ledger.releaseReservation(inFlight, 'test: cleanup');
    await t.sandbox.request('PUT', '/credits', { credits: sandboxCredits });
    await t.ledger.setBalance(20, 'test: restore');
  }
});

it('Idempotency-Key through the HTTP API: the same key twice → one command, one booking; another body → 409', async () => {
  const headers = { 'Idempotency-Key': `it-${Date.now()}` };
  const first = await t.api('POST', '/appointments', booking(6), headers);
  const second = await t.api('POST', '/appointments', booking(6), headers);
  expect([first.status, second.status]).toEqual([202, 202]);
  expect(second.body.commandId).toBe(first.body.commandId);
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  expect((await t.api('POST', '/appointments', booking(7), headers)).status).toBe(409);
  await t.waitForCommand(first.body.commandId, ['SUCCEEDED']);
  const third = await t.api('POST', '/appointments', booking(6), headers);
  expect([third.body.commandId, third.body.status]).toEqual([first.body.commandId, 'SUCCEEDED']);
  expect(await t.sandboxAppointments(at(slot(6)))).toHaveLength(1);
});

it('a hanging API call is cut at the attempt timeout; the redelivery looks up first and does not double-book', async () => {
  // Every request hangs AFTER taking effect: the POST books, the client never hears, its lookups hang too.
  await t.sandbox.request('PUT', '/faults', { hangRate: 1, afterCommit: true });
  const res = await t.api('POST', '/appointments', booking(8), idempotencyHeader());
  const retrying = await t.waitForCommand(res.body.commandId, ['RETRYING']);
  expect(retrying.lastError.code).toMatch(/CREATE_OUTCOME_UNKNOWN|TIMEOUT|DEADLINE/);
  expect(await t.sandboxAppointments(at(slot(8)))).toHaveLength(1); // it did book
  await t.sandbox.request('DELETE', '/faults');
  const done = await t.waitForCommand(res.body.commandId, ['SUCCEEDED', 'FAILED']);
  expect(done).toMatchObject({ status: 'SUCCEEDED', result: { outcome: 'recovered' } });
  expect(done.attempts).toBeGreaterThanOrEqual(2);
  expect(await t.sandboxAppointments(at(slot(8)))).toHaveLength(1);
});

it('5xx then success: the command waits in RETRYING (reservation kept) and succeeds on redelivery, booked once', async () => {
  await t.sandbox.request('PUT', '/faults', { errorRate: 1 });
  const res = await t.api('POST', '/appointments', booking(9), idempotencyHeader());
  const retrying = await t.waitForCommand(res.body.commandId, ['RETRYING']);
  expect(retrying.lastError.code).toMatch(/CREATE_OUTCOME_UNKNOWN|INTERNAL_ERROR|SERVICE_UNAVAILABLE/);
  expect(await t.ledger.entry(`reserve#${res.body.commandId}`)).toBeDefined();
  expect(await t.ledger.entry(`release#${res.body.commandId}`)).toBeUndefined();
  await t.sandbox.request('DELETE', '/faults');
  await t.waitForCommand(res.body.commandId, ['SUCCEEDED']);
  expect(await t.sandboxAppointments(at(slot(9)))).toHaveLength(1);
});

it('5xx until the DLQ (maxReceiveCount), then a replay after the fault is cleared → booked once', async () => {
  const depth = await t.dlqDepth();
  await t.sandbox.request('PUT', '/faults', { errorRate: 1 });
  const res = await t.api('POST', '/appointments', booking(10), idempotencyHeader());
  await eventually(async () => (await t.dlqDepth()) > depth || undefined, 'the message in the outbound DLQ', 60_000, 500);
  // SQS may move the message while the last delivery's run is still finishing (its visibility timeout is
  // short here): the command settles in RETRYING once that run records its transient failure.
  const parked = await t.waitForCommand(res.body.commandId, ['RETRYING'], 15_000);
  expect(parked.status).toBe('RETRYING');
  await t.sandbox.request('DELETE', '/faults');
  const moved = await copyBack(t.clients.sqs, t.stack.resources.queues.outboundCommandsDlq.url, t.stack.resources.queues.outboundCommands.url);
  expect(moved.moved).toBeGreaterThanOrEqual(1);
  await t.waitForCommand(res.body.commandId, ['SUCCEEDED']);
  expect(await t.sandboxAppointments(at(slot(10)))).toHaveLength(1);
});

it('kill switch: outboundWrites off → accepted and PAUSED, MONCRENEAU untouched; on → it runs, nothing lost', async () => {
  await t.flags.set('outboundWrites', false, 'test incident');
  const res = await t.api('POST', '/appointments', booking(11), idempotencyHeader());
  expect(res.status).toBe(202);
  expect(res.body.notice).toContain('test incident');
  const paused = await t.waitForCommand(res.body.commandId, ['PAUSED']);
  expect(paused).toMatchObject({ attempts: 0, pausedReason: 'test incident' });
  expect(await t.sandboxAppointments(at(slot(11)))).toHaveLength(0);
  await t.flags.set('outboundWrites', true, undefined);
  await t.waitForCommand(res.body.commandId, ['SUCCEEDED']);
  expect(await t.sandboxAppointments(at(slot(11)))).toHaveLength(1);
});

it('never logs the API key or the beneficiary name', () => {
  const output = capturedLogs() + logs.join('\n');
  expect(findLeaks(output, [process.env.MONCRENEAU_API_KEY ?? 'unset'])).toEqual([]);
  expect(output).not.toContain('Awa Camara');
});
