/**
 * Webhook deliveries: documented headers, envelope and payloads (docs/moncreneau-api.md §8.2–8.6), signatures checked by an
 * independent HMAC over the received bytes, retries following the schedule, the delivery log.
 */
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { call, SECRET, signatureIsValid, startReceiver, uniqueSlot, type Receiver } from './helpers';

const SCHEDULE = [40, 80];
let sandbox: RunningSandbox;
let receiver: Receiver;
let slot = 200;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ port: 0, webhookUrl: receiver.url, webhookRetrySchedule: SCHEDULE });
});
afterAll(async () => {
  await sandbox.stop();
  await receiver.close();
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.respond = () => 200;
  sandbox.control.clearDeliveries();
});

const book = async (extra: Record<string, unknown> = {}) => {
  const res = await call(sandbox.apiBaseUrl, 'POST', '/appointments', {
    body: { departmentId: 6, workerId: 42, dateTime: uniqueSlot(slot++), name: 'Jean Dupont', phone: '+224621234567', email: 'jean.dupont@example.gn', ...extra },
  });
  expect(res.status).toBe(201);
  return res.body;
};

it('the default endpoint uses the documented default secret', () => {
  expect(sandbox.control.webhooks()).toEqual([expect.objectContaining({ url: receiver.url, secret: SECRET, events: ['*'], active: true })]);
});

it('appointment.created: signed raw body, documented headers, envelope and payload', async () => {
  const appointment = await book({ externalUserId: 'u-42' });
  await sandbox.control.flushDeliveries();
  expect(receiver.received).toHaveLength(1);
  const { headers, raw, json } = receiver.received[0];
  expect(signatureIsValid(raw, headers['x-moncreneau-signature'], SECRET)).toBe(true);
  expect(headers['x-moncreneau-event']).toBe('appointment.created');
  expect(headers['content-type']).toBe('application/json');
  expect(json).toEqual({
    id: expect.stringMatching(/^evt_[a-z0-9]+$/),
    type: 'appointment.created',
    created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
    data: {
      object: {
        id: appointment.id,
        departmentId: 6,
        department: { id: 6, name: 'Identity Card Service', organization: { id: 1, name: 'Ministry of Interior' } },
        dateTime: appointment.dateTime,
        status: 'SCHEDULED',
        name: 'Jean Dupont',
        phone: '+224621234567',
        email: 'jean.dupont@example.gn',
        qrCode: `https://moncreneau.gn/qr/${appointment.id}`,
        createdAt: appointment.createdAt,
        creditsUsed: 1,
        workerId: 42,
        externalUserId: 'u-42',
      },
    },
  });
});

it('the signature is keyed with the whole secret including whsec_ and covers the exact bytes', async () => {
  await book();
  await sandbox.control.flushDeliveries();
  const { headers, raw } = receiver.received[0];
  expect(signatureIsValid(raw, headers['x-moncreneau-signature'], SECRET.slice('whsec_'.length))).toBe(false);
  const reserialized = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8')), null, 1));
  expect(signatureIsValid(reserialized, headers['x-moncreneau-signature'], SECRET)).toBe(false);
  expect(String(headers['x-moncreneau-signature'])).toMatch(/^sha256=[0-9a-f]{64}$/);
});

it('appointment.cancelled carries cancelledAt, cancelledBy, cancelReason, creditsRefunded 1', async () => {
  const appointment = await book();
  await call(sandbox.apiBaseUrl, 'DELETE', `/appointments/${appointment.id}`, { body: { reason: 'Last minute impediment' } });
  await sandbox.control.flushDeliveries();
  const cancelled = receiver.received.find((r) => r.json.type === 'appointment.cancelled');
  expect(cancelled).toBeDefined();
  expect(signatureIsValid(cancelled!.raw, cancelled!.headers['x-moncreneau-signature'], SECRET)).toBe(true);
  expect(cancelled!.json.data.object).toMatchObject({
    id: appointment.id,
    departmentId: 6,
    dateTime: appointment.dateTime,
    status: 'CANCELLED',
    name: 'Jean Dupont',
    phone: '+224621234567',
    cancelledAt: expect.stringMatching(/Z$/),
    cancelledBy: 'user',
    cancelReason: 'Last minute impediment',
    creditsRefunded: 1,
  });
});

it('appointment.updated carries updatedAt and changes {field: {from, to}} for changed fields only', async () => {
  const appointment = await book();
  const to = uniqueSlot(slot++, '11:30');
  await call(sandbox.apiBaseUrl, 'PATCH', `/appointments/${appointment.id}`, { body: { dateTime: to, name: 'Jean Dupont' } });
  await sandbox.control.flushDeliveries();
  const updated = receiver.received.find((r) => r.json.type === 'appointment.updated');
  expect(updated!.json.data.object).toMatchObject({
    id: appointment.id,
    dateTime: to,
    status: 'SCHEDULED',
    updatedAt: expect.stringMatching(/Z$/),
    changes: { dateTime: { from: appointment.dateTime, to } },
  });
  expect(Object.keys(updated!.json.data.object.changes)).toEqual(['dateTime']);
});

it('events reach the receiver in the order they happened', async () => {
  const appointment = await book();
  await call(sandbox.apiBaseUrl, 'DELETE', `/appointments/${appointment.id}`);
  await sandbox.control.flushDeliveries();
  expect(receiver.received.map((r) => r.json.type)).toEqual(['appointment.created', 'appointment.cancelled']);
});

describe('retries', () => {
  it('retries non-2xx answers following the schedule, and logs every attempt', async () => {
    receiver.respond = (n) => (n <= 2 ? 500 : 200);
    const appointment = await book();
    const [delivery] = await sandbox.control.flushDeliveries();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.json.id)).size).toBe(1); // same event every time
    expect(receiver.received.every((r) => r.raw.equals(receiver.received[0].raw))).toBe(true);
    expect(delivery).toMatchObject({ status: 'delivered', eventType: 'appointment.created', url: receiver.url });
    expect(delivery.attempts.map((a) => [a.attempt, a.statusCode, a.delayBeforeMs])).toEqual([
      [1, 500, 0],
      [2, 500, SCHEDULE[0]],
      [3, 200, SCHEDULE[1]],
    ]);
    expect(delivery.attempts.every((a) => a.latencyMs >= 0 && typeof a.startedAt === 'string')).toBe(true);
    // The receiver saw the retries no sooner than the schedule allows.
    expect(receiver.received[1].at - receiver.received[0].at).toBeGreaterThanOrEqual(SCHEDULE[0] - 5);
    expect(receiver.received[2].at - receiver.received[1].at).toBeGreaterThanOrEqual(SCHEDULE[1] - 5);
    expect(sandbox.control.deliveries({ eventId: delivery.eventId })[0].status).toBe('delivered');
    expect(appointment.id).toBeGreaterThan(0);
  });

  it('gives up after the last scheduled retry: schedule.length + 1 attempts, status failed', async () => {
    receiver.respond = () => 503;
    await book();
    const [delivery] = await sandbox.control.flushDeliveries();
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts).toHaveLength(SCHEDULE.length + 1);
    expect(receiver.received).toHaveLength(SCHEDULE.length + 1);
  });

  it('a receiver that does not answer in time counts as a failed attempt (timeout) and is retried', async () => {
    sandbox.control.setAssumptions({ webhookTimeoutMs: 150 });
    try {
      receiver.respond = (n) => (n === 1 ? 'hang' : 200);
      await book();
      const [delivery] = await sandbox.control.flushDeliveries();
      expect(delivery.attempts[0]).toMatchObject({ attempt: 1, statusCode: null, error: 'TIMEOUT' });
      expect(delivery.attempts[1]).toMatchObject({ attempt: 2, statusCode: 200 });
      expect(delivery.status).toBe('delivered');
    } finally {
      sandbox.control.setAssumptions({ webhookTimeoutMs: 10_000 });
    }
  });

  it('an unreachable endpoint is logged with the network error', async () => {
    sandbox.control.setWebhook({ url: 'http://127.0.0.1:9/unreachable', secret: SECRET });
    sandbox.control.setRetrySchedule([10]);
    try {
      await book();
      const [delivery] = await sandbox.control.flushDeliveries();
      expect(delivery.status).toBe('failed');
      expect(delivery.attempts.map((a) => a.error)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    } finally {
      sandbox.control.setWebhook({ url: receiver.url, secret: SECRET });
      sandbox.control.setRetrySchedule(SCHEDULE);
    }
  });
});

describe('endpoint configuration', () => {
  it('each endpoint gets its own signature and only the event types it subscribed to', async () => {
    const other = await startReceiver();
    try {
      sandbox.control.addWebhook({ url: other.url, secret: 'whsec_other_endpoint_secret_value', events: ['appointment.cancelled'] });
      const appointment = await book();
      await call(sandbox.apiBaseUrl, 'DELETE', `/appointments/${appointment.id}`);
      await sandbox.control.flushDeliveries();
      expect(receiver.received.map((r) => r.json.type)).toEqual(['appointment.created', 'appointment.cancelled']);
      expect(other.received.map((r) => r.json.type)).toEqual(['appointment.cancelled']);
      const { raw, headers } = other.received[0];
      expect(signatureIsValid(raw, headers['x-moncreneau-signature'], 'whsec_other_endpoint_secret_value')).toBe(true);
      expect(signatureIsValid(raw, headers['x-moncreneau-signature'], SECRET)).toBe(false);
    } finally {
      sandbox.control.setWebhook({ url: receiver.url, secret: SECRET });
      await other.close();
    }
  });

  it('with no endpoint configured nothing is sent and nothing is logged', async () => {
    sandbox.control.setWebhook(null);
    try {
      await book();
      expect(await sandbox.control.flushDeliveries()).toEqual([]);
      expect(receiver.received).toHaveLength(0);
    } finally {
      sandbox.control.setWebhook({ url: receiver.url, secret: SECRET });
    }
  });
});
