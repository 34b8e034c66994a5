/** The /_sandbox control plane over HTTP, the CLI against a running sandbox, and event triggers. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { call, signatureIsValid, startReceiver, type Receiver } from './helpers';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
let sandbox: RunningSandbox;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ port: 0, webhookUrl: receiver.url, webhookRetrySchedule: [20] });
});
afterAll(async () => {
  await sandbox.stop();
  await receiver.close();
});
beforeEach(() => {
  receiver.received.length = 0;
  sandbox.control.clearDeliveries();
});

const ctl = (method: string, p: string, body?: unknown) => call(sandbox.url, method, `/_sandbox${p}`, { auth: 'none', body });

describe('HTTP control plane', () => {
  it('sets and reads credits', async () => {
    expect((await ctl('PUT', '/credits', { credits: 3 })).body).toEqual({ organizationId: 1, credits: 3 });
    expect((await ctl('GET', '/credits')).body.credits).toBe(3);
    expect(sandbox.control.getCredits()).toBe(3);
    expect((await ctl('PUT', '/credits', { credits: -1 })).status).toBe(400);
  });

  it('creates a key with scopes and quota that the API then honours; listings mask keys', async () => {
    const created = await ctl('POST', '/keys', { scopes: ['appointments:read'], quotaPerHour: 1 });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    const headers = { 'X-API-Key': key };
    expect((await call(sandbox.apiBaseUrl, 'GET', '/departments', { auth: 'none', headers })).status).toBe(200);
    expect((await call(sandbox.apiBaseUrl, 'GET', '/departments', { auth: 'none', headers })).status).toBe(429);
    const listed = await ctl('GET', '/keys');
    expect(JSON.stringify(listed.body)).not.toContain(key);
    await ctl('POST', '/keys/revoke', { key });
    expect((await call(sandbox.apiBaseUrl, 'GET', '/departments', { auth: 'none', headers })).body.error.code).toBe('INVALID_API_KEY');
  });

  it('configures the webhook endpoint and secret; deliveries are signed with it; secrets are masked in listings', async () => {
    const secret = 'whsec_rehearsal_secret_for_control_test';
    await ctl('PUT', '/webhooks', { url: receiver.url, secret, events: ['appointment.created'] });
    const listed = await ctl('GET', '/webhooks');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const triggered = await ctl('POST', '/events', { type: 'appointment.created' });
    expect(triggered.status).toBe(201);
    await ctl('POST', '/deliveries/flush', {});
    expect(receiver.received).toHaveLength(1);
    expect(signatureIsValid(receiver.received[0].raw, receiver.received[0].headers['x-moncreneau-signature'], secret)).toBe(true);
    expect(receiver.received[0].json.id).toBe(triggered.body.id);
    const log = await ctl('GET', `/deliveries?eventId=${triggered.body.id}`);
    expect(log.body).toEqual([expect.objectContaining({ eventId: triggered.body.id, status: 'delivered', attempts: [expect.objectContaining({ statusCode: 200 })] })]);
  });

  it('sets the fault profile and the retry schedule', async () => {
    const faults = await ctl('PUT', '/faults', { errorRate: 1, errorStatuses: [502] });
    expect(faults.body).toMatchObject({ errorRate: 1, errorStatuses: [502] });
    expect((await call(sandbox.apiBaseUrl, 'GET', '/departments')).status).toBe(502);
    await ctl('DELETE', '/faults');
    expect((await call(sandbox.apiBaseUrl, 'GET', '/departments')).status).toBe(200);
    expect((await ctl('PUT', '/faults', { errorRate: 'lots' })).status).toBe(400);
    expect((await ctl('PUT', '/webhooks/retry-schedule', { retryScheduleMs: [5, 10] })).body).toEqual({ retryScheduleMs: [5, 10] });
  });

  it('unknown control routes answer 404; bad trigger types 400', async () => {
    expect((await ctl('GET', '/nope')).status).toBe(404);
    const bad = await ctl('POST', '/events', { type: 'appointment.exploded' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'CONTROL_ERROR']);
  });

  it('reset restores the defaults', async () => {
    await ctl('PUT', '/credits', { credits: 1 });
    await ctl('POST', '/reset');
    expect(sandbox.control.getCredits()).toBe(50);
    expect(sandbox.control.appointments()).toEqual([]);
    sandbox.control.setWebhook({ url: receiver.url, secret: 'whsec_sandbox_local_secret_0123456789abcdef' });
  });
});

describe('triggers', () => {
  beforeEach(() => {
    sandbox.control.reset();
    sandbox.control.setWebhook({ url: receiver.url, secret: 'whsec_sandbox_local_secret_0123456789abcdef' });
  });

  it('appointment.created books from "another channel": a real appointment, one credit, a worker when required', async () => {
    const event = sandbox.control.triggerEvent({ type: 'appointment.created', appointment: { departmentId: 6 } });
    expect(event.data.object).toMatchObject({ departmentId: 6, workerId: 42, creditsUsed: 1, status: 'SCHEDULED' });
    expect(sandbox.control.getCredits()).toBe(49);
    const fetched = await call(sandbox.apiBaseUrl, 'GET', `/appointments/${String(event.data.object.id)}`);
    expect(fetched.status).toBe(200);
  });

  it('updated, validated, confirmed and cancelled (by staff) act on an appointment', async () => {
    const created = sandbox.control.triggerEvent({ type: 'appointment.created' });
    const id = created.data.object.id as number;
    const updated = sandbox.control.triggerEvent({ type: 'appointment.updated', appointmentId: id });
    expect(Object.keys(updated.data.object.changes as object)).toEqual(['dateTime']);
    const confirmed = sandbox.control.triggerEvent({ type: 'appointment.confirmed', appointmentId: id });
    expect(confirmed.data.object).toMatchObject({ status: 'SCHEDULED', confirmedAt: expect.any(String) });
    const cancelled = sandbox.control.triggerEvent({ type: 'appointment.cancelled', appointmentId: id });
    expect(cancelled.data.object).toMatchObject({ status: 'CANCELLED', cancelledBy: 'staff', creditsRefunded: 1 });
    expect(sandbox.control.getCredits()).toBe(50);
    const other = sandbox.control.triggerEvent({ type: 'appointment.created' });
    const validated = sandbox.control.triggerEvent({ type: 'appointment.validated', appointmentId: other.data.object.id as number });
    expect(validated.data.object).toMatchObject({ status: 'COMPLETED', validatedAt: expect.any(String) });
    await sandbox.control.flushDeliveries();
    expect(receiver.received.map((r) => r.json.type)).toEqual([
      'appointment.created', 'appointment.updated', 'appointment.confirmed', 'appointment.cancelled', 'appointment.created', 'appointment.validated',
    ]);
  });

  it('payment events: pending starts a purchase, successful settles it and reloads credits', async () => {
    sandbox.control.setAssumptions({ paymentOutcome: 'NO_ANSWER' });
    const pending = sandbox.control.triggerEvent({ type: 'payment.pending', credits: 4 });
    const successful = sandbox.control.triggerEvent({ type: 'payment.successful', paymentId: pending.data.object.id as string });
    expect(successful.data.object).toMatchObject({ id: pending.data.object.id, status: 'SUCCESSFUL', credits: 4 });
    expect(sandbox.control.getCredits()).toBe(54);
    const failed = sandbox.control.triggerEvent({ type: 'payment.failed' });
    expect(failed.data.object.status).toBe('FAILED');
    expect(sandbox.control.getCredits()).toBe(54);
    sandbox.control.setAssumptions({ paymentOutcome: 'SUCCESSFUL' });
  });

  it('with an explicit object the event is emitted as given, without state change', () => {
    const event = sandbox.control.triggerEvent({ type: 'appointment.cancelled', object: { id: 1, status: 'CANCELLED' } });
    expect(event.data.object).toEqual({ id: 1, status: 'CANCELLED' });
    expect(sandbox.control.getCredits()).toBe(50);
  });
});

describe('CLI against a running sandbox', () => {
  const cli = async (...args: string[]): Promise<unknown> => {
    const { stdout } = await run(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['sandbox/cli.ts', ...args, '--url', sandbox.url], { cwd: ROOT });
    return JSON.parse(stdout);
  };

  it('sets credits, creates a key, sets faults and triggers an event', async () => {
    expect(await cli('credits', 'set', '7')).toEqual({ organizationId: 1, credits: 7 });
    expect(sandbox.control.getCredits()).toBe(7);
    const key = (await cli('key', 'create', '--scopes', 'appointments:read', '--quota', '5', '--expired')) as { expiresAt: number; quotaPerHour: number };
    expect(key.quotaPerHour).toBe(5);
    expect(key.expiresAt).toBeLessThan(Date.now());
    expect(await cli('faults', 'set', '--error-rate', '0.25', '--seed', '3')).toMatchObject({ errorRate: 0.25, seed: 3 });
    expect(sandbox.control.getFaults().errorRate).toBe(0.25);
    sandbox.control.clearFaults();
    const event = (await cli('trigger', 'appointment.created')) as { type: string };
    expect(event.type).toBe('appointment.created');
    expect(sandbox.control.getCredits()).toBe(6);
  }, 30_000);

  it('exits non-zero with a readable message when the sandbox is not reachable', async () => {
    await expect(
      run(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['sandbox/cli.ts', 'credits', '--url', 'http://127.0.0.1:9'], { cwd: ROOT }),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('cannot reach the sandbox') });
  }, 30_000);
});
