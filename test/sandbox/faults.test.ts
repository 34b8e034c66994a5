/** The fault profile: injected 5xx, latency, hangs, drops, after-commit faults, and webhook faults — all seeded. */
import { FaultInjector } from '../../sandbox/domain/faults';
import { Prng } from '../../sandbox/domain/prng';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { call, SECRET, signatureIsValid, startReceiver, uniqueSlot, type Receiver } from './helpers';

let sandbox: RunningSandbox;
let receiver: Receiver;
let slot = 300;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ port: 0, webhookUrl: receiver.url, webhookRetrySchedule: [20, 20], seed: 7 });
});
afterAll(async () => {
  await sandbox.stop();
  await receiver.close();
});
beforeEach(() => {
  sandbox.control.clearFaults();
  sandbox.control.clearDeliveries();
  receiver.received.length = 0;
  receiver.respond = () => 200;
  sandbox.control.setCredits(50);
});

const statuses = async (base: string, n: number): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) out.push((await call(base, 'GET', '/departments')).status);
  return out;
};

describe('request faults', () => {
  it('same seed → same sequence of injected 5xx; another seed → another sequence', async () => {
    sandbox.control.setFaults({ errorRate: 0.5, seed: 1234 });
    const first = await statuses(sandbox.apiBaseUrl, 24);
    sandbox.control.setFaults({ errorRate: 0.5, seed: 1234 });
    const replay = await statuses(sandbox.apiBaseUrl, 24);
    expect(replay).toEqual(first);
    expect(first.some((s) => s >= 500)).toBe(true);
    expect(first.some((s) => s === 200)).toBe(true);
    const other = await startSandbox({ port: 0, webhookUrl: null });
    try {
      other.control.setFaults({ errorRate: 0.5, seed: 1234 });
      expect(await statuses(other.apiBaseUrl, 24)).toEqual(first); // independent of the instance
      other.control.setFaults({ errorRate: 0.5, seed: 99 });
      expect(await statuses(other.apiBaseUrl, 24)).not.toEqual(first);
    } finally {
      await other.stop();
    }
  });

  it('injected errors use the envelope and the configured statuses', async () => {
    sandbox.control.setFaults({ errorRate: 1, errorStatuses: [503] });
    const res = await call(sandbox.apiBaseUrl, 'GET', '/departments');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('a fault before commit leaves no trace: no appointment, no credit spent', async () => {
    sandbox.control.setFaults({ errorRate: 1 });
    const before = sandbox.control.appointments().length;
    const res = await call(sandbox.apiBaseUrl, 'POST', '/appointments', { body: { departmentId: 5, dateTime: uniqueSlot(slot++), name: 'A' } });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(sandbox.control.appointments()).toHaveLength(before);
    expect(sandbox.control.getCredits()).toBe(50);
  });

  it('afterCommit: the client gets a 5xx but the appointment exists and a retry meets DUPLICATE_APPOINTMENT', async () => {
    sandbox.control.setFaults({ errorRate: 1, afterCommit: true });
    const body = { departmentId: 5, dateTime: uniqueSlot(slot++), name: 'Timeout Victim', externalUserId: 'tv-1' };
    const res = await call(sandbox.apiBaseUrl, 'POST', '/appointments', { body });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(sandbox.control.appointments().filter((a) => a.externalUserId === 'tv-1')).toHaveLength(1);
    expect(sandbox.control.getCredits()).toBe(49);
    sandbox.control.clearFaults();
    const retry = await call(sandbox.apiBaseUrl, 'POST', '/appointments', { body });
    expect(retry.body.error.code).toBe('DUPLICATE_APPOINTMENT');
  });

  it('drops the connection without an answer', async () => {
    sandbox.control.setFaults({ dropRate: 1 });
    await expect(call(sandbox.apiBaseUrl, 'GET', '/departments')).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('hangs: the request is never answered, so the client’s own timeout fires', async () => {
    sandbox.control.setFaults({ hangRate: 1 });
    await expect(call(sandbox.apiBaseUrl, 'GET', '/departments', { timeoutMs: 300 })).rejects.toThrow('CLIENT_TIMEOUT');
    sandbox.control.clearFaults();
    expect((await call(sandbox.apiBaseUrl, 'GET', '/departments')).status).toBe(200);
  });

  it('adds the configured latency before answering', async () => {
    sandbox.control.setFaults({ latencyMs: 250 });
    const started = Date.now();
    const res = await call(sandbox.apiBaseUrl, 'GET', '/departments');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240); // a lower bound: the delay was injected
  });

  it('faults never touch the control plane', async () => {
    sandbox.control.setFaults({ errorRate: 1 });
    const res = await call(sandbox.url, 'GET', '/_sandbox/health', { auth: 'none' });
    expect(res.status).toBe(200);
  });

  it('rejects invalid profiles', () => {
    expect(() => sandbox.control.setFaults({ errorRate: 2 })).toThrow(/between 0 and 1/);
    expect(() => sandbox.control.setFaults({ errorRate: 0.6, hangRate: 0.6 })).toThrow(/<= 1/);
    expect(() => sandbox.control.setFaults({ errorStatuses: [404] })).toThrow(/5xx/);
  });
});

describe('webhook faults', () => {
  const book = () =>
    call(sandbox.apiBaseUrl, 'POST', '/appointments', { body: { departmentId: 5, dateTime: uniqueSlot(slot++), name: `N${slot}` } });

  it('duplicate deliveries: the same event (same id, same bytes) arrives twice', async () => {
    sandbox.control.setFaults({ duplicateRate: 1 });
    await book();
    const log = await sandbox.control.flushDeliveries();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0].json.id).toBe(receiver.received[1].json.id);
    expect(receiver.received[0].raw.equals(receiver.received[1].raw)).toBe(true);
    expect(log.filter((d) => d.duplicateOf !== null)).toHaveLength(1);
  });

  it('out-of-order deliveries: a held event arrives after the next one', async () => {
    sandbox.control.setFaults({ outOfOrderRate: 1 });
    const created = (await book()).body;
    sandbox.control.setFaults({ outOfOrderRate: 0 });
    await call(sandbox.apiBaseUrl, 'DELETE', `/appointments/${created.id}`);
    await sandbox.control.flushDeliveries();
    expect(receiver.received.map((r) => r.json.type)).toEqual(['appointment.cancelled', 'appointment.created']);
  });

  it('wrong signatures fail independent verification; a rejecting receiver makes the delivery fail', async () => {
    sandbox.control.setFaults({ wrongSignatureRate: 1 });
    receiver.respond = (_n, req) => (signatureIsValid(req.raw, req.headers['x-moncreneau-signature'], SECRET) ? 200 : 401);
    await book();
    const [delivery] = await sandbox.control.flushDeliveries();
    expect(delivery.signatureValid).toBe(false);
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([401, 401, 401]);
  });

  it('same seed → same webhook fault pattern', () => {
    const pattern = (seed: number) => {
      const injector = new FaultInjector(seed);
      injector.set({ duplicateRate: 0.3, outOfOrderRate: 0.3, wrongSignatureRate: 0.3 });
      return Array.from({ length: 30 }, () => injector.decideDelivery());
    };
    expect(pattern(5)).toEqual(pattern(5));
    expect(pattern(5)).not.toEqual(pattern(6));
    expect(pattern(5).some((d) => d.duplicate)).toBe(true);
  });
});

it('Prng is reproducible and within [0, 1)', () => {
  const a = new Prng(3);
  const b = new Prng(3);
  const xs = Array.from({ length: 100 }, () => a.next());
  expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
  expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  expect(new Set(xs).size).toBe(100);
});
