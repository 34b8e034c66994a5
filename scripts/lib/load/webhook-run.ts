/**
 * The webhook load and fault run: a generated workload (every event delivered 1–5 times, shuffled) sent to
 * the local stack's webhook URL the way MONCRENEAU delivers — signed, concurrently, each delivery retried
 * on any non-2xx answer — while faults are injected: the webhook processor's execution environment killed
 * mid-batch, DynamoDB and SQS refusing or losing a share of requests at the wire, and appointment commands
 * running against a sandbox that answers 5xx or not at all. Then the stores are compared with the ground
 * truth (report.ts).
 */
import { randomBytes } from 'node:crypto';
import { documentClient } from '../../../shared/adapters/aws-clients';
import { copyBack } from '../../../shared/adapters/dlq-redrive';
import { signatureHeader } from '../../../shared/moncreneau/signature';
import { DEFAULT_WEBHOOK_SECRET } from '../../../sandbox/defaults';
import { localClients } from '../../../infra/local/clients';
import type { Emulators } from '../../../infra/local/emulators';
import { TUNING_ENV } from '../../../shared/config/function-env';
import { pool } from '../../../bench/lib/stats';
import type { FaultRates } from './aws-fault-proxy';
import { startLoadStack, type LoadStack } from './load-stack';
import { buildWebhookReport, type CommandOutcome, type SenderFigures, type WebhookReport } from './webhook-report';
import { eventIdOf, peekQueue, queueDepth, readEventStore, readLedger, readMirror } from './stores';
import { generateWorkload, type Workload } from './webhook-workload';
import { weekdaySlot } from './slots';

export interface WebhookRunOptions {
  readonly emulators: Emulators;
  readonly events: number;
  readonly seed: number;
  /** Concurrent deliveries in flight (MONCRENEAU's side). */
  readonly concurrency: number;
  readonly awsFaults: FaultRates;
  /** How many times the processor is killed while deliveries are going out. */
  readonly kills: number;
  /** Appointment commands run meanwhile against a faulty sandbox. */
  readonly commands: number;
  readonly sandboxFaults: { readonly errorRate: number; readonly hangRate: number };
  /** How long to wait, after the last delivery, for the stores to settle. */
  readonly settleTimeoutMs: number;
  /** Redrive the webhook DLQ once settled (what an operator does after a fix) and report again. */
  readonly redrive: boolean;
  readonly progress?: (line: string) => void;
  readonly log?: (line: string) => void;
}

/** How MONCRENEAU retries a delivery here: on any non-2xx or network error, quickly (the run's time scale). */
const DELIVERY_RETRY_DELAYS_MS = [50, 100, 200, 400, 800, 1600, 3200];
const CREDITS = 100_000;

export async function runWebhookLoad(options: WebhookRunOptions): Promise<WebhookReport> {
  const progress = options.progress ?? (() => undefined);
  const runId = randomBytes(3).toString('hex');
  const workload = generateWorkload(options.events, options.seed, runId);
  const load = await startLoadStack({
    emulators: options.emulators,
    namePrefix: `load-${runId}-`,
    credits: CREDITS,
    perMinute: 100,
    perHour: 1000,
    awsFaults: { seed: options.seed },
    env: {
      // A hung sandbox request fails in 1 s, not 10: the outbound side's faults show within the run.
      [TUNING_ENV.attemptTimeoutMs]: '1000',
      [TUNING_ENV.retryBaseDelayMs]: '200',
      [TUNING_ENV.retryBaseSeconds]: '1',
    },
    log: options.log,
  });
  const clients = localClients(options.emulators);
  const db = documentClient(clients.dynamodb);
  const started = performance.now();
  try {
    const sandboxBefore = load.sandbox.getCredits();
    load.sandbox.setFaults({ errorRate: options.sandboxFaults.errorRate, hangRate: options.sandboxFaults.hangRate, seed: options.seed });
    load.awsFaults?.setRates(options.awsFaults);

    const sender = deliveriesSender(load, workload, options.concurrency);
    const kills = { done: 0, interrupted: 0 };
    const commands: CommandOutcome[] = [];
    const ticker = setInterval(() => progress(sendingLine(sender.figures, workload, kills, load, commands.length, performance.now() - started)), 1000);
    try {
      await Promise.all([sender.run(), killDuring(load, sender, options.kills, kills), submitCommands(load, options.commands, runId, sender, commands)]);
    } finally {
      clearInterval(ticker);
    }
    const sendSeconds = (performance.now() - started) / 1000;

    // Faults stop with the traffic: what is left is recovery (redeliveries, retries), which must converge.
    load.awsFaults?.setRates({ dynamodb: 0, sqs: 0, afterWrite: 0 });
    load.sandbox.clearFaults();
    const injected = load.awsFaults?.counts();
    await settle(load, clients.sqs, db, workload, options.settleTimeoutMs, progress, started);

    const read = async () => ({
      events: await readEventStore(db, load.stack.resources.tables.events),
      mirror: await readMirror(db, load.stack.resources.tables.appointments),
      ledger: await readLedger(db, load.stack.resources.tables.ledger),
      dlq: await peekQueue(clients.sqs, load.stack.resources.queues.webhookEventsDlq.url, eventIdOf),
      outboundDlq: await peekQueue(clients.sqs, load.stack.resources.queues.outboundCommandsDlq.url, (body) => body),
      commandViews: await Promise.all(commands.map((c) => commandView(load, c.commandId))),
      sandboxAppointments: load.sandbox.appointments(),
      sandboxCredits: load.sandbox.getCredits(),
    });
    const before = await read();
    let afterRedrive: Awaited<ReturnType<typeof read>> | undefined;
    if (options.redrive && before.dlq.length > 0) {
      await new Promise((r) => setTimeout(r, 2100)); // the peek's visibility timeout
      await copyBack(clients.sqs, load.stack.resources.queues.webhookEventsDlq.url, load.stack.resources.queues.webhookEvents.url);
      await settle(load, clients.sqs, db, workload, options.settleTimeoutMs, progress, started);
      afterRedrive = await read();
    }
    return buildWebhookReport({
      workload,
      sender: sender.figures,
      sendSeconds,
      totalSeconds: (performance.now() - started) / 1000,
      kills,
      injected,
      awsFaults: options.awsFaults,
      sandboxFaults: options.sandboxFaults,
      seed: options.seed,
      ledgerSeed: load.ledgerSeed,
      sandboxCreditsBefore: sandboxBefore,
      commands: commands.map((c, i) => ({ ...c, view: before.commandViews[i] })),
      stores: before,
      afterRedrive,
    });
  } finally {
    clients.destroy();
    await load.stop();
  }
}

interface Sender {
  readonly figures: SenderFigures;
  run(): Promise<void>;
}

function deliveriesSender(load: LoadStack, workload: Workload, concurrency: number): Sender {
  const url = load.stack.webhookUrl;
  if (!url) throw new Error('the local stack has no webhook route');
  const figures: SenderFigures = { deliveries: workload.deliveries.length, requests: 0, sent: 0, acked: 0, retried: 0, statuses: {}, ackLatencyMs: [], ackedPerEvent: new Array<number>(workload.events.length).fill(0), unacknowledged: 0 };
  return {
    figures,
    run: () =>
      pool(workload.deliveries, concurrency, async (index) => {
        const { raw } = workload.events[index];
        const signature = signatureHeader(raw, DEFAULT_WEBHOOK_SECRET);
        for (let attempt = 0; ; attempt++) {
          const t = performance.now();
          let status = 0;
          try {
            const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-moncreneau-signature': signature }, body: raw });
            await res.arrayBuffer();
            status = res.status;
          } catch {
            status = 0; // network error: retried like a 5xx
          }
          figures.requests += 1;
          figures.statuses[status] = (figures.statuses[status] ?? 0) + 1;
          if (status >= 200 && status < 300) {
            figures.ackLatencyMs.push(performance.now() - t);
            figures.acked += 1;
            figures.ackedPerEvent[index] += 1;
            break;
          }
          if (attempt >= DELIVERY_RETRY_DELAYS_MS.length) {
            figures.unacknowledged += 1;
            break;
          }
          figures.retried += 1;
          await new Promise((r) => setTimeout(r, DELIVERY_RETRY_DELAYS_MS[attempt]));
        }
        figures.sent += 1;
      }),
  };
}

/** Kills the processor `times` times, spread over the sending, each while it has a batch in flight. */
async function killDuring(load: LoadStack, sender: Sender, times: number, kills: { done: number; interrupted: number }): Promise<void> {
  const processor = load.stack.functions.webhookProcessor;
  for (let k = 0; k < times; k++) {
    // Early in each stretch, so that the interrupted batches come back (after the visibility timeout) while deliveries still go out.
    const due = ((k + 0.25) / times) * sender.figures.deliveries;
    while (sender.figures.sent < due && sender.figures.sent < sender.figures.deliveries) await new Promise((r) => setTimeout(r, 50));
    // Mid-batch: retry for a moment until a batch is in flight (between batches a kill proves nothing).
    for (let tries = 0; tries < 100; tries++) {
      const interrupted = await processor.kill();
      if (interrupted > 0) {
        kills.done += 1;
        kills.interrupted += interrupted;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** `count` create commands spread over the sending, each for a slot of its own. */
async function submitCommands(load: LoadStack, count: number, runId: string, sender: Sender, out: CommandOutcome[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const due = (i / count) * sender.figures.deliveries;
    while (sender.figures.sent < due && sender.figures.sent < sender.figures.deliveries) await new Promise((r) => setTimeout(r, 50));
    const externalUserId = `load-cmd-${runId}-${i}`;
    // The injected AWS faults reach the API too: a 503 is retried with the same Idempotency-Key, as a caller must.
    const { status, body } = await retryingServerErrors(async () => {
      const res = await fetch(`${load.stack.apiUrl}/appointments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': externalUserId },
        body: JSON.stringify({ ...weekdaySlot(i), name: `Load Command ${i}`, externalUserId }),
      });
      return { status: res.status, body: (await res.json()) as { commandId?: string } };
    });
    if (status !== 202 || !body.commandId) throw new Error(`POST /appointments answered ${status}`);
    out.push({ commandId: body.commandId, externalUserId });
  }
}

async function commandView(load: LoadStack, commandId: string): Promise<{ status: string; appointmentId?: number }> {
  const { status, body } = await retryingServerErrors(async () => {
    const res = await fetch(`${load.stack.apiUrl}/commands/${commandId}`);
    return { status: res.status, body: (await res.json()) as { status?: string; result?: { appointment?: { id?: number } } } };
  });
  return { status: body.status ?? `HTTP ${status}`, ...(body.result?.appointment?.id !== undefined ? { appointmentId: body.result.appointment.id } : {}) };
}

/** Retries a call answered 5xx (an injected DynamoDB/SQS fault behind the API) a few times with backoff. */
async function retryingServerErrors<T extends { status: number }>(call: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const answer = await call();
    if (answer.status < 500 || attempt >= attempts) return answer;
    await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
  }
}

/**
 * Until nothing is left to happen: both queues empty (nothing visible, in flight or delayed) on two polls
 * in a row — every message was then applied, refused for good (DLQ) or lost — or the deadline.
 */
async function settle(
  load: LoadStack,
  sqs: ReturnType<typeof localClients>['sqs'],
  db: ReturnType<typeof documentClient>,
  workload: Workload,
  timeoutMs: number,
  progress: (line: string) => void,
  started: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const queues = load.stack.resources.queues;
  let quiet = 0;
  let completed = '…';
  let lastScan = 0;
  while (Date.now() < deadline) {
    const [inbound, dlq, outbound] = await Promise.all([queueDepth(sqs, queues.webhookEvents.url), queueDepth(sqs, queues.webhookEventsDlq.url), queueDepth(sqs, queues.outboundCommands.url)]);
    quiet = inbound === 0 && outbound === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return;
    // A full read of the event store competes with the processor for DynamoDB: for the progress line only, rarely.
    if (Date.now() - lastScan >= 15_000) {
      const events = await readEventStore(db, load.stack.resources.tables.events);
      completed = String(workload.events.filter((e) => events.get(e.event.id)?.status === 'COMPLETED').length);
      lastScan = Date.now();
    }
    progress(`settling ${((performance.now() - started) / 1000).toFixed(0)} s · events completed ${completed}/${workload.events.length} · webhook queue ${inbound} · webhook DLQ ${dlq} · command queue ${outbound}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function sendingLine(f: SenderFigures, workload: Workload, kills: { done: number; interrupted: number }, load: LoadStack, commands: number, elapsedMs: number): string {
  const injected = load.awsFaults?.counts();
  const non200 = f.requests - f.acked;
  return (
    `sending ${(elapsedMs / 1000).toFixed(0)} s · deliveries ${f.sent}/${f.deliveries} (${workload.events.length} events) · acked ${f.acked} · refused ${non200} · ` +
    `processor killed ${kills.done} · AWS faults DynamoDB ${injected ? injected.dynamodb.refused + injected.dynamodb.afterWrite : 0}, SQS ${injected ? injected.sqs.refused + injected.sqs.afterWrite : 0} · commands ${commands}`
  );
}
