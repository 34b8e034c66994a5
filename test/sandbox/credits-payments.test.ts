/** Credits accounting across create / cancel / purchase, and the assumed Orange Money purchase flow (docs/moncreneau-api.md §7). */
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { call, SECRET, signatureIsValid, startReceiver, uniqueSlot, type Receiver } from './helpers';

let sandbox: RunningSandbox;
let receiver: Receiver;
let slot = 400;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ port: 0, webhookUrl: receiver.url, webhookRetrySchedule: [20], paymentDelayMs: 50 });
});
afterAll(async () => {
  await sandbox.stop();
  await receiver.close();
});
beforeEach(() => {
  sandbox.control.setCredits(50);
  sandbox.control.setAssumptions({ paymentOutcome: 'SUCCESSFUL' });
  receiver.received.length = 0;
  sandbox.control.clearDeliveries();
});

const purchase = (body: unknown) => call(sandbox.apiBaseUrl, 'POST', '/credits/purchases', { body });
const book = () => call(sandbox.apiBaseUrl, 'POST', '/appointments', { body: { departmentId: 5, dateTime: uniqueSlot(slot++), name: `C${slot}` } });

it('starts with the default 50 credits', async () => {
  const fresh = await startSandbox({ port: 0, webhookUrl: null });
  try {
    expect(fresh.control.getCredits()).toBe(50);
  } finally {
    await fresh.stop();
  }
});

it('a purchase is PENDING, then SUCCESSFUL after the delay, with credits added once and both webhooks sent', async () => {
  const res = await purchase({ credits: 10, phone: '+224621234567' });
  expect(res.status).toBe(201);
  expect(res.body).toEqual({
    id: expect.stringMatching(/^pay_/),
    status: 'PENDING',
    amount: 10_000,
    currency: 'GNF',
    credits: 10,
    provider: 'ORANGE_MONEY',
    reference: expect.stringMatching(/^OM-\d{8}-\d{6}$/),
    createdAt: expect.stringMatching(/Z$/),
  });
  expect(sandbox.control.getCredits()).toBe(50);
  await sandbox.control.waitForDeliveries({ eventType: 'payment.successful' });
  expect(sandbox.control.getCredits()).toBe(60);
  await sandbox.control.flushDeliveries();
  const types = receiver.received.map((r) => r.json.type);
  expect(types).toEqual(['payment.pending', 'payment.successful']);
  const successful = receiver.received[1];
  expect(signatureIsValid(successful.raw, successful.headers['x-moncreneau-signature'], SECRET)).toBe(true);
  expect(successful.json.data.object).toEqual({ ...res.body, status: 'SUCCESSFUL' });
  const polled = await call(sandbox.apiBaseUrl, 'GET', `/credits/purchases/${res.body.id}`);
  expect(polled.body.status).toBe('SUCCESSFUL');
});

it('FAILED outcome: no credits, payment.failed', async () => {
  sandbox.control.setAssumptions({ paymentOutcome: 'FAILED' });
  const res = await purchase({ credits: 5 });
  await sandbox.control.waitForDeliveries({ eventType: 'payment.failed' });
  expect(sandbox.control.getCredits()).toBe(50);
  expect((await call(sandbox.apiBaseUrl, 'GET', `/credits/purchases/${res.body.id}`)).body.status).toBe('FAILED');
});

it('NO_ANSWER: stays PENDING; a late answer (control) still reloads exactly once', async () => {
  sandbox.control.setAssumptions({ paymentOutcome: 'NO_ANSWER' });
  const res = await purchase({ credits: 7 });
  await sandbox.control.flushDeliveries();
  expect(receiver.received.map((r) => r.json.type)).toEqual(['payment.pending']);
  expect((await call(sandbox.apiBaseUrl, 'GET', `/credits/purchases/${res.body.id}`)).body.status).toBe('PENDING');
  sandbox.control.settlePayment(res.body.id, 'SUCCESSFUL');
  expect(sandbox.control.getCredits()).toBe(57);
  expect(() => sandbox.control.settlePayment(res.body.id, 'SUCCESSFUL')).toThrow(/already SUCCESSFUL/);
  expect(() => sandbox.control.settlePayment(res.body.id, 'FAILED')).toThrow(/already/);
  expect(sandbox.control.getCredits()).toBe(57);
});

it.each([
  ['credits missing', {}, 400, 'MISSING_REQUIRED_FIELD'],
  ['credits zero', { credits: 0 }, 422, 'INVALID_FIELD_VALUE'],
  ['credits not an integer', { credits: 2.5 }, 422, 'INVALID_FIELD_VALUE'],
  ['credits too many', { credits: 10_001 }, 422, 'INVALID_FIELD_VALUE'],
  ['bad payer phone', { credits: 1, phone: '123' }, 422, 'INVALID_PHONE_NUMBER'],
])('purchase validation: %s', async (_label, body, status, code) => {
  const res = await purchase(body);
  expect([res.status, res.body.error.code]).toEqual([status, code]);
});

it('404 for an unknown purchase', async () => {
  const res = await call(sandbox.apiBaseUrl, 'GET', '/credits/purchases/pay_nope');
  expect([res.status, res.body.error.code]).toEqual([404, 'PAYMENT_NOT_FOUND']);
});

it('accounting across create, cancel, 402 and purchase', async () => {
  sandbox.control.setCredits(2);
  const a = (await book()).body;
  const b = (await book()).body;
  expect(sandbox.control.getCredits()).toBe(0);
  expect((await book()).status).toBe(402);
  await call(sandbox.apiBaseUrl, 'DELETE', `/appointments/${a.id}`);
  expect(sandbox.control.getCredits()).toBe(1);
  await purchase({ credits: 3 });
  await sandbox.control.waitForDeliveries({ eventType: 'payment.successful' });
  expect(sandbox.control.getCredits()).toBe(4);
  await call(sandbox.apiBaseUrl, 'DELETE', `/appointments/${b.id}`);
  expect((await book()).status).toBe(201);
  expect(sandbox.control.getCredits()).toBe(4); // 2 − 2 + 1 + 3 + 1 − 1
  await sandbox.control.flushDeliveries();
  const events = receiver.received.map((r) => r.json);
  const used = events.filter((e) => e.type === 'appointment.created').reduce((n, e) => n + e.data.object.creditsUsed, 0);
  const refunded = events.filter((e) => e.type === 'appointment.cancelled').reduce((n, e) => n + e.data.object.creditsRefunded, 0);
  const bought = events.filter((e) => e.type === 'payment.successful').reduce((n, e) => n + e.data.object.credits, 0);
  expect(2 - used + refunded + bought).toBe(sandbox.control.getCredits()); // the webhooks alone explain the balance
});
