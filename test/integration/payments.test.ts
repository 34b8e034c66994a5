/**
 * Orange Money purchases end to end against DynamoDB Local and the MONCRENEAU sandbox (real client, real
 * adapters, the real webhook processor), with an injected clock for the 5-minute deadline (no real waits):
 * webhook ×3, FAILED, no answer → EXPIRED after one poll, SUCCESSFUL after EXPIRED, a lost webhook found by
 * the poll, concurrent deliveries, a replay of an event stored before payments were applied, and the
 * automatic recharge (once below the threshold, not again while pending, stops after K failures).
 */
import { randomUUID } from 'node:crypto';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { DEFAULT_API_KEY } from '../../sandbox/defaults';
import { CommandsTable } from '../../shared/adapters/commands-table';
import { CreditsLedger } from '../../shared/adapters/credits-ledger';
import { EventStore } from '../../shared/adapters/event-store';
import { AUTO_RECHARGE_FLAG, FeatureFlags, OUTBOUND_WRITES_FLAG } from '../../shared/adapters/feature-flags';
import { PaymentsTable } from '../../shared/adapters/payments-table';
import { AppointmentsTable } from '../../shared/adapters/appointments-table';
import { acceptCommand } from '../../shared/commands/accept';
import type { CommandQueue } from '../../shared/commands/ports';
import { purchaseRequest } from '../../shared/commands/purchase-command';
import { executeCommand } from '../../shared/commands/execute';
import { createMoncreneauClient, type MoncreneauClient } from '../../shared/moncreneau/client';
import type { ApplyDeps } from '../../shared/payments/apply';
import { runAutoRecharge, type AutoRechargeDeps } from '../../shared/payments/auto-recharge';
import { expireDue } from '../../shared/payments/deadline';
import { paymentAppliers } from '../../shared/payments/webhook';
import { appointmentAppliers } from '../../shared/webhooks/appliers';
import { createRecordProcessor } from '../../shared/webhooks/processor';
import { testResources, type TestResources } from '../support/resources';
import { sqsRecord } from '../support/sqs-records';

const MINUTE = 60_000;
let sandbox: RunningSandbox;
let client: MoncreneauClient;
const owned: TestResources[] = [];

beforeAll(async () => {
  // The provider never answers on its own: each test settles payments through the control plane.
  sandbox = await startSandbox({ port: 0, webhookUrl: null, paymentDelayMs: 3_600_000 });
  client = createMoncreneauClient({ keySource: { get: async () => ({ apiKey: DEFAULT_API_KEY }) }, baseUrl: sandbox.apiBaseUrl, retry: { maxAttempts: 1 } });
});
afterAll(async () => {
  client.close();
  await sandbox.stop();
  owned.forEach((r) => r.destroy());
});
beforeEach(() => sandbox.control.setAssumptions({ paymentOutcome: 'SUCCESSFUL' }));

async function setup(startBalance = 10) {
  const res = await testResources();
  owned.push(res);
  let clock = Date.now();
  const now = () => new Date(clock);
  const ledger = new CreditsLedger(res.tables.ledger, { now });
  await ledger.setBalance(startBalance, 'start');
  const payments = new PaymentsTable(res.tables.payments, ledger, { now });
  const apply: ApplyDeps = { store: payments, now, timeoutMs: 5 * MINUTE };
  const events = new EventStore(res.tables.events, { leaseSeconds: 30, retentionDays: 7 });
  const processRecord = createRecordProcessor({ claims: events, appliers: { ...appointmentAppliers(new AppointmentsTable(res.tables.appointments), ledger), ...paymentAppliers(apply) } });
  const commands = new CommandsTable(res.tables.commands);
  const sent: Array<{ commandId: string; phone?: string }> = [];
  const queue: CommandQueue = { enqueue: async (commandId, options) => void sent.push({ commandId, ...(options?.phone ? { phone: options.phone } : {}) }), toDeadLetter: async () => undefined };
  const purchases = { ...apply, client: client.credits, attempts: payments };

  /** Accepts a purchase command and executes it like the outbound worker (the POST goes to the sandbox). */
  const purchase = async (credits: number, origin: 'cli' | 'auto' = 'cli', commandId: string = randomUUID(), phone?: string) => {
    const accepted = await acceptCommand({ store: commands, queue, newId: () => commandId, now, retentionDays: 7 }, purchaseRequest({ credits, origin, reason: 'test', ...(phone ? { phone } : {}) }, `k-${commandId}`));
    if (accepted.kind !== 'accepted') throw new Error(accepted.kind);
    const execution = await executeCommand({ ledger, appointments: {} as never, refuseWhenEmpty: true, purchases }, { ...accepted.command, status: 'RUNNING', attempts: 1 }, {}, phone);
    if (execution.kind === 'succeeded') await commands.succeed(commandId, execution.result);
    else await commands.fail(commandId, execution.error);
    return { commandId, execution, paymentId: execution.kind === 'succeeded' && 'payment' in execution.result ? execution.result.payment.paymentId : undefined };
  };
  /** A payment event as MONCRENEAU would send it, for the sandbox's current view of the payment. */
  const event = (paymentId: string, type = `payment.${sandboxPayment(paymentId).status.toLowerCase()}`, id = `evt_${randomUUID()}`) => {
    const p = sandboxPayment(paymentId);
    const object = { id: p.id, status: p.status, amount: p.amount, currency: p.currency, credits: p.credits, provider: p.provider, reference: p.reference, createdAt: p.createdAt };
    return JSON.stringify({ id, type, created: new Date().toISOString(), data: { object } });
  };
  const deliver = (body: string) => processRecord(sqsRecord(body));
  const sweepDeadline = () => expireDue({ ...apply, client: client.credits, batchLimit: 20, call: () => ({}) });
  const advance = (ms: number) => void (clock += ms);
  const paymentCredits = async () => (await ledger.recent(50)).filter((e) => e.kind === 'payment-credit');
  return { res, ledger, payments, commands, purchase, event, deliver, sweepDeadline, advance, now, sent, paymentCredits, events };
}

function sandboxPayment(id: string) {
  const found = sandbox.control.payments().find((p) => p.id === id);
  if (!found) throw new Error(`no sandbox payment ${id}`);
  return found;
}

describe('a purchase', () => {
  it('PENDING → SUCCESSFUL with the webhook delivered 3× (and the same news under another event id): +N once', async () => {
    const t = await setup(10);
    const { paymentId, execution } = await t.purchase(50);
    expect(execution).toMatchObject({ kind: 'succeeded', result: { outcome: 'purchase_started', payment: { status: 'PENDING', credits: 50 } } });
    expect((await t.payments.get(paymentId!))?.status).toBe('PENDING');
    expect(await t.ledger.balance()).toBe(10);
    sandbox.control.settlePayment(paymentId!, 'SUCCESSFUL');
    const body = t.event(paymentId!);
    const first = await t.deliver(body);
    expect(first).toMatchObject({ kind: 'processed', outcome: 'payment_transitioned', credits: 'credited' });
    expect(await t.deliver(body)).toMatchObject({ kind: 'duplicate' });
    expect(await t.deliver(body)).toMatchObject({ kind: 'duplicate' });
    expect(await t.deliver(t.event(paymentId!))).toMatchObject({ kind: 'processed', outcome: 'payment_duplicate' });
    expect(await t.ledger.balance()).toBe(60);
    expect(await t.paymentCredits()).toEqual([expect.objectContaining({ entryId: `payment#${paymentId}`, amount: 50 })]);
    const record = await t.payments.get(paymentId!);
    expect(record).toMatchObject({ status: 'SUCCESSFUL', origin: 'cli', creditedAt: expect.any(String), reason: 'test' });
    expect(record?.transitions.map((x) => `${x.from}→${x.to}:${x.source}`)).toEqual(['null→PENDING:purchase', 'PENDING→SUCCESSFUL:webhook']);
    // The deadline sweep has nothing to do with it any more.
    t.advance(10 * MINUTE);
    expect(await t.sweepDeadline()).toEqual([]);
  });

  it('PENDING → FAILED: no credits, counted as a failure once', async () => {
    const t = await setup(10);
    const { paymentId } = await t.purchase(20);
    sandbox.control.settlePayment(paymentId!, 'FAILED');
    const outcome = await t.deliver(t.event(paymentId!));
    expect(outcome).toMatchObject({ kind: 'processed', outcome: 'payment_transitioned', payment: { from: 'PENDING', to: 'FAILED' } });
    expect(outcome.kind === 'processed' && outcome.credits).toBeFalsy();
    expect(await t.ledger.balance()).toBe(10);
    expect((await t.payments.get(paymentId!))?.status).toBe('FAILED');
  });

  it('no answer → EXPIRED at 5 minutes, after one poll; not before', async () => {
    const t = await setup(10);
    const { paymentId } = await t.purchase(7);
    t.advance(4 * MINUTE + 59_000);
    expect(await t.sweepDeadline()).toEqual([]);
    t.advance(1000);
    const polls: string[] = [];
    const spy = jest.spyOn(client.credits, 'getPurchase').mockImplementation(async (id, call) => (polls.push(id), jest.requireActual('../../shared/moncreneau/client/resources/credits').CreditsResource.prototype.getPurchase.call(client.credits, id, call)));
    try {
      const [outcome] = await t.sweepDeadline();
      expect(outcome).toMatchObject({ poll: 'PENDING', applied: { result: 'transitioned', from: 'PENDING', to: 'EXPIRED', source: 'deadline' } });
    } finally {
      spy.mockRestore();
    }
    expect(polls).toEqual([paymentId]);
    expect((await t.payments.get(paymentId!))?.status).toBe('EXPIRED');
    expect(await t.sweepDeadline()).toEqual([]);
    expect(await t.ledger.balance()).toBe(10);
  });

  it('SUCCESSFUL after EXPIRED: credited once and flagged for reconciliation', async () => {
    const t = await setup(10);
    const { paymentId } = await t.purchase(5);
    t.advance(5 * MINUTE);
    await t.sweepDeadline();
    sandbox.control.settlePayment(paymentId!, 'SUCCESSFUL');
    const late = await t.deliver(t.event(paymentId!));
    expect(late).toMatchObject({ kind: 'processed', credits: 'credited', payment: { from: 'EXPIRED', to: 'SUCCESSFUL', reconcile: expect.stringContaining('after EXPIRED') } });
    await t.deliver(t.event(paymentId!));
    expect(await t.ledger.balance()).toBe(15);
    expect(await t.payments.get(paymentId!)).toMatchObject({ status: 'SUCCESSFUL', reconcile: expect.stringContaining('EXPIRED') });
  });

  it('webhook lost, the poll at the deadline says SUCCESSFUL: credited once (source poll)', async () => {
    const t = await setup(10);
    const { paymentId } = await t.purchase(9);
    sandbox.control.settlePayment(paymentId!, 'SUCCESSFUL'); // its webhook never arrives
    t.advance(5 * MINUTE);
    const [outcome] = await t.sweepDeadline();
    expect(outcome).toMatchObject({ poll: 'SUCCESSFUL', applied: { to: 'SUCCESSFUL', source: 'poll', credit: 'credited' } });
    expect(await t.sweepDeadline()).toEqual([]);
    // …and if the webhook turns up after all, nothing more.
    expect(await t.deliver(t.event(paymentId!))).toMatchObject({ outcome: 'payment_duplicate' });
    expect(await t.ledger.balance()).toBe(19);
  });

  it('concurrent deliveries of the same payment event (and of its twin under other ids): credited once', async () => {
    const t = await setup(10);
    const { paymentId } = await t.purchase(30);
    sandbox.control.settlePayment(paymentId!, 'SUCCESSFUL');
    const same = t.event(paymentId!);
    const bodies = [same, same, same, t.event(paymentId!), t.event(paymentId!)];
    const results = await Promise.allSettled(bodies.map((b) => t.deliver(b)));
    // A delivery that met a live claim is left for SQS to redeliver; redeliver those.
    for (const [i, r] of results.entries()) if (r.status === 'rejected') await t.deliver(bodies[i]);
    expect(await t.ledger.balance()).toBe(40);
    expect(await t.paymentCredits()).toHaveLength(1);
  });

  it('a payment event stored before payments were applied (unknown type) applies on replay, once', async () => {
    const t = await setup(10);
    const { paymentId } = await t.purchase(4);
    sandbox.control.settlePayment(paymentId!, 'SUCCESSFUL');
    const body = t.event(paymentId!);
    const eventId = JSON.parse(body).id as string;
    // Before the capability: the same pipeline without payment appliers records it as an unknown type.
    const before = createRecordProcessor({ claims: new EventStore(t.res.tables.events, { leaseSeconds: 30, retentionDays: 7 }), appliers: {} });
    expect(await before(sqsRecord(body))).toMatchObject({ kind: 'unknown_type' });
    expect(await t.ledger.balance()).toBe(10);
    // npm run events -- replay <id>: reopen, re-queue the stored raw body.
    const record = await t.events.reopen(eventId, 'replay');
    expect(await t.deliver(record.raw)).toMatchObject({ kind: 'processed', credits: 'credited' });
    await t.events.reopen(eventId, 'replay again');
    expect(await t.deliver(record.raw)).toMatchObject({ kind: 'processed', outcome: 'payment_duplicate' });
    expect(await t.ledger.balance()).toBe(14);
  });

  it('the payer phone is sent to MONCRENEAU but stored masked only; a redelivered command never POSTs twice', async () => {
    const t = await setup(10);
    const phone = '+224621234567';
    const { commandId, paymentId } = await t.purchase(3, 'cli', randomUUID(), phone);
    expect(sandboxPayment(paymentId!).phone).toBe(phone);
    expect(t.sent).toEqual([{ commandId, phone }]);
    const stored = JSON.stringify([await t.commands.get(commandId), await t.payments.get(paymentId!)]);
    expect(stored).not.toContain('621234567');
    expect(stored).toContain('+224•••••••67');
    // A redelivery after the answer was recorded: nothing sent, the same payment.
    const count = sandbox.control.payments().length;
    const again = await executeCommand({ ledger: t.ledger, appointments: {} as never, refuseWhenEmpty: true, purchases: { store: t.payments, now: t.now, timeoutMs: 5 * MINUTE, client: client.credits, attempts: t.payments } }, { ...(await t.commands.get(commandId))!, status: 'RUNNING', attempts: 2 }, {}, phone);
    expect(again).toMatchObject({ kind: 'succeeded', result: { outcome: 'already_started', payment: { paymentId } } });
    expect(sandbox.control.payments()).toHaveLength(count);
    // An execution that crashed after sending (attempt left SENDING): not sent again.
    const crashed = randomUUID();
    await t.payments.begin(crashed);
    const run = await t.purchase(3, 'cli', crashed);
    expect(run.execution).toMatchObject({ kind: 'definitive', error: { code: 'PURCHASE_OUTCOME_UNKNOWN' } });
    expect(sandbox.control.payments()).toHaveLength(count);
  });
});

describe('automatic recharge', () => {
  async function auto(t: Awaited<ReturnType<typeof setup>>, overrides: Partial<AutoRechargeDeps> = {}) {
    const started: string[] = [];
    const deps: AutoRechargeDeps = {
      state: t.payments,
      enabled: async () => true,
      balance: () => t.ledger.balance(),
      attempts: t.payments,
      payments: t.payments,
      commands: t.commands,
      startPurchase: async (commandId, credits) => {
        started.push(commandId);
        await t.purchase(credits, 'auto', commandId);
      },
      threshold: 25,
      amount: 100,
      maxConsecutiveFailures: 2,
      lostAfterMs: 5 * MINUTE,
      newId: randomUUID,
      now: t.now,
      ...overrides,
    };
    return { run: () => runAutoRecharge(deps), started };
  }

  it('starts one purchase below the threshold, none while it is pending, and stops after K consecutive failures', async () => {
    const t = await setup(30);
    const a = await auto(t);
    expect(await a.run()).toMatchObject({ skipped: 'above_threshold' });
    await t.ledger.adjust(-10, 'spend'); // 20 < 25
    const first = await a.run();
    expect(first).toMatchObject({ started: { credits: 100, balance: 20 } });
    expect(await a.run()).toMatchObject({ skipped: 'in_flight' });
    expect(await a.run()).toMatchObject({ skipped: 'in_flight' });
    expect(a.started).toHaveLength(1);
    // Concurrent sweeps cannot start a second one either.
    const concurrent = await Promise.all([a.run(), a.run(), a.run()]);
    expect(concurrent.every((r) => r.skipped === 'in_flight')).toBe(true);

    // 1st failure: FAILED; the next run settles it and starts another (still below the threshold).
    const paymentOf = async (commandId: string) => {
      const attempt = await t.payments.attempt(commandId);
      return attempt?.kind === 'done' ? attempt.report.paymentId : undefined;
    };
    sandbox.control.settlePayment((await paymentOf(a.started[0]))!, 'FAILED');
    await t.deliver(t.event((await paymentOf(a.started[0]))!));
    const second = await a.run();
    expect(second).toMatchObject({ settled: { failed: true, consecutiveFailures: 1, stoppedNow: false }, started: {} });
    // 2nd failure: EXPIRED at the deadline → K = 2 reached: stopped, nothing started.
    t.advance(5 * MINUTE);
    await t.sweepDeadline();
    const third = await a.run();
    expect(third).toMatchObject({ settled: { failed: true, consecutiveFailures: 2, stoppedNow: true }, stopped: true, skipped: 'stopped' });
    expect(a.started).toHaveLength(2);
    expect(await a.run()).toMatchObject({ stopped: true, skipped: 'stopped' });
    expect(a.started).toHaveLength(2);
    // An operator resumes: the next run buys again.
    await t.payments.resume('fixed', t.now().toISOString());
    expect(await a.run()).toMatchObject({ started: {} });
    expect(a.started).toHaveLength(3);
  });

  it('a SUCCESSFUL purchase resets the failures and the balance goes above the threshold: nothing more', async () => {
    const t = await setup(5);
    const a = await auto(t);
    await a.run();
    const attempt = await t.payments.attempt(a.started[0]);
    const paymentId = attempt?.kind === 'done' ? attempt.report.paymentId : '';
    sandbox.control.settlePayment(paymentId, 'SUCCESSFUL');
    await t.deliver(t.event(paymentId));
    expect(await a.run()).toMatchObject({ settled: { failed: false, consecutiveFailures: 0 }, skipped: 'above_threshold' });
    expect(await t.ledger.balance()).toBe(105);
    expect(a.started).toHaveLength(1);
  });

  it('the autoRecharge flag is off until set (it spends money); other flags stay on by default', async () => {
    const t = await setup(0);
    const flags = new FeatureFlags(t.res.tables.flags, { cacheMs: 0 });
    expect((await flags.get(AUTO_RECHARGE_FLAG)).enabled).toBe(false);
    expect((await flags.get(OUTBOUND_WRITES_FLAG)).enabled).toBe(true);
    await flags.set(AUTO_RECHARGE_FLAG, true, 'go-live');
    expect((await flags.get(AUTO_RECHARGE_FLAG)).enabled).toBe(true);
  });

  it('does nothing while the flag is off (the default)', async () => {
    const t = await setup(0);
    const a = await auto(t, { enabled: async () => false });
    expect(await a.run()).toMatchObject({ enabled: false, skipped: 'disabled' });
    expect(a.started).toHaveLength(0);
  });
});
