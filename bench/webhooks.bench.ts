/**
 * npm run bench:webhooks [-- --json] — webhook ingestion figures, each against a baseline measured in the same run:
 *  A. receiver latency (handler, warm, in-process, against the emulators) vs verify-and-process-inline,
 *     and SQS SendMessage alone (what bounds the receiver's tail);
 *  B. end to end through the local stack (HTTP → receiver → SQS → processor → DynamoDB) for ≥ 2 000
 *     events with duplicate deliveries: events/s, lost, double-applied; vs an inline HTTP server — then both
 *     again through a counting proxy: what each applied event costs in AWS requests and capacity units;
 *  C. bundle size and module init time of every function, what the building blocks cost alone, and the
 *     receiver's cold first request (init + secret fetch + first enqueue);
 *  D. the processor's invocation (warm, in-process, batches of 10 new events): one write vs step by step;
 *  E. list-price cost per million webhook events in eu-west-3, kit vs baseline.
 * Targets (issue): e2e ≥ 1.0× the inline baseline; ≤ 2 DynamoDB requests per applied event; receiver warm
 * p99 ≤ 5 ms; module init ≤ 60 ms; 0 lost; 0 double-applied. `--json` ends with one JSON line of figures
 * and targets (MET/MISSED).
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stageConfig } from '../infra/config/stages';
import { localClients } from '../infra/local/clients';
import { LOCAL_CREDENTIALS, startEmulators, type Emulators } from '../infra/local/emulators';
import { contextInit, createLambdaContext } from '../infra/local/lambda-context';
import { provision } from '../infra/local/provision';
import { startLocalStack } from '../infra/local/stack';
import { wiring } from '../infra/wiring';
import { AppointmentsTable } from '../shared/adapters/appointments-table';
import { documentClient } from '../shared/adapters/aws-clients';
import { CreditsLedger } from '../shared/adapters/credits-ledger';
import { EventStore } from '../shared/adapters/event-store';
import { OneWriteStore } from '../shared/adapters/one-write';
import { exampleEvent } from '../shared/moncreneau/examples';
import { signatureHeader } from '../shared/moncreneau/signature';
import { appointmentAppliers, appointmentPlanner } from '../shared/webhooks/appliers';
import { createBatchProcessor } from '../shared/webhooks/batch';
import { createRecordProcessor } from '../shared/webhooks/processor';
import { startAwsMeter, type MeterSnapshot } from './lib/aws-meter';
import { measureBuildingBlocks, measureBundles, measureSdkExternal } from './lib/bundles';
import { measureColdFirstRequest } from './lib/cold-start';
import { costPerMillion, perEvent, PRICES, type FunctionUse } from './lib/cost';
import { inlineBaseline } from './lib/inline-baseline';
import { muted } from './lib/mute';
import { ms, pool, ratio, summarize, type LatencySummary } from './lib/stats';

const SECRET = 'whsec_bench_secret_0123456789abcdefghijkl';
const RECEIVER_N = Number(process.env.BENCH_RECEIVER_N ?? 2000);
const E2E_N = Number(process.env.BENCH_E2E_N ?? 2000);
const PROCESSOR_BATCHES = Number(process.env.BENCH_PROCESSOR_BATCHES ?? 60);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const DUPLICATE_SHARE = 0.1;
const CONCURRENCY = 16;
const WARMUP = 100;
const BATCH_SIZE = 10;
const JSON_OUTPUT = process.argv.includes('--json');

/** The issue's targets. */
const TARGETS = { e2eRatio: 1.0, dynamoRequestsPerEvent: 2, receiverP99Ms: 5, moduleInitMs: 60 } as const;

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number }>;
type BatchHandler = (event: SQSEvent, context: unknown) => Promise<{ batchItemFailures: unknown[] }>;
type Status = 'MET' | 'MISSED';
interface Target {
  readonly name: string;
  readonly target: string;
  readonly value: number;
  readonly status: Status;
}

const met = (ok: boolean): Status => (ok ? 'MET' : 'MISSED');

function signedBodies(n: number, firstAppointmentId: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => Buffer.from(JSON.stringify(exampleEvent('appointment.created', { appointmentId: firstAppointmentId + i }))));
}

function proxyEvent(raw: Buffer) {
  return {
    httpMethod: 'POST',
    path: '/webhooks/moncreneau',
    headers: { 'content-type': 'application/json', 'x-moncreneau-signature': signatureHeader(raw, SECRET) },
    body: raw.toString('utf8'),
    isBase64Encoded: false,
  };
}

function sqsRecordOf(raw: Buffer, i: number): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: `bench-${i}-${now}`,
    receiptHandle: `rh-${i}`,
    body: raw.toString('utf8'),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: 'bench', ApproximateFirstReceiveTimestamp: now },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-3:000000000000:bench',
    awsRegion: 'eu-west-3',
  };
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const emulators = await startEmulators();
  Object.assign(process.env, {
    AWS_REGION: emulators.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    MONCRENEAU_WEBHOOK_SECRET: SECRET,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_NAMESPACE: stageConfig('dev').metricsNamespace,
    POWERTOOLS_SERVICE_NAME: 'moncreneau-webhook-receiver',
  });
  const clients = localClients(emulators);
  const say = (line = '') => console.log(line);
  const targets: Target[] = [];
  const json: Record<string, unknown> = { benchmark: 'webhooks', node: process.version, at: new Date().toISOString() };
  try {
    say(`MONCRENEAU webhook benchmark — node ${process.version}, ${new Date().toISOString()}`);
    // ---- A. receiver latency vs inline baseline ------------------------------------------------
    const w = wiring(stageConfig('dev'));
    const a = await provision(w, clients, { namePrefix: 'bench-a-' });
    process.env.EVENTS_QUEUE_URL = a.queues.webhookEvents.url;
    process.env.EVENTS_TABLE_NAME = a.tables.events;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const receiver = (require('../functions/webhook-receiver/handler') as { handler: Handler }).handler;
    // One context per invocation, as Lambda gives (its deadline is the function timeout from now).
    const context = () => createLambdaContext(contextInit({ functionName: 'bench-receiver', memoryMb: 512, region: emulators.region, timeoutSeconds: 10 }));
    const db = documentClient(clients.dynamodb);
    const baseline = inlineBaseline(SECRET, new EventStore(a.tables.events, { leaseSeconds: 30, retentionDays: 1 }, db), new AppointmentsTable(a.tables.appointments, { db }), new CreditsLedger(a.tables.ledger, { db }));

    const receiverBodies = signedBodies(RECEIVER_N + WARMUP, 1_000_000);
    const baselineBodies = signedBodies(RECEIVER_N + WARMUP, 2_000_000);
    const receiverMs: number[] = [];
    const baselineMs: number[] = [];
    const sendAloneMs: number[] = [];
    await muted(async () => {
      // The receiver and its one I/O alone (the same SendMessage, same emulator, an SDK client of its own)
      // alternate, so that warm-up, the emulator's queue growth and the machine's noise weigh on both alike.
      for (let i = 0; i < receiverBodies.length; i++) {
        const request = proxyEvent(receiverBodies[i]);
        const invocation = context();
        let t = performance.now();
        const res = await receiver(request, invocation);
        if (res.statusCode !== 200) throw new Error(`receiver answered ${res.statusCode}`);
        if (i >= WARMUP) receiverMs.push(performance.now() - t);
        t = performance.now();
        await clients.sqs.send(new SendMessageCommand({ QueueUrl: a.queues.webhookEvents.url, MessageBody: receiverBodies[i].toString('utf8') }));
        if (i >= WARMUP) sendAloneMs.push(performance.now() - t);
      }
      for (let i = 0; i < baselineBodies.length; i++) {
        const raw = baselineBodies[i];
        const t = performance.now();
        const status = await baseline(raw, signatureHeader(raw, SECRET));
        if (status !== 200) throw new Error(`baseline answered ${status}`);
        if (i >= WARMUP) baselineMs.push(performance.now() - t);
      }
    });
    const r = summarize(receiverMs);
    const b = summarize(baselineMs);
    const s = summarize(sendAloneMs);
    say('');
    say(`A. Receiver latency, warm handler, sequential, n=${r.n} (after ${WARMUP} warm-up)`);
    say(`   kit receiver (verify → SQS → 200)      p50 ${ms(r.p50)}  p99 ${ms(r.p99)}  mean ${ms(r.mean)}   target p99 ≤ ${TARGETS.receiverP99Ms} ms: ${met(r.p99 <= TARGETS.receiverP99Ms)}`);
    say(`   baseline (verify + process inline)      p50 ${ms(b.p50)}  p99 ${ms(b.p99)}  mean ${ms(b.mean)}`);
    say(`   SQS SendMessage alone (the receiver's I/O) p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  mean ${ms(s.mean)}`);
    say(`   ratio baseline/kit                       p50 ${ratio(b.p50, r.p50)}  p99 ${ratio(b.p99, r.p99)};  kit − SendMessage alone: p50 ${ms(r.p50 - s.p50)}, mean ${ms(r.mean - s.mean)}`);
    targets.push({ name: 'receiver warm p99 (ms)', target: `≤ ${TARGETS.receiverP99Ms}`, value: r.p99, status: met(r.p99 <= TARGETS.receiverP99Ms) });
    json.receiver = { kit: r, baseline: b, sendMessageAlone: s };

    // ---- B. end to end ---------------------------------------------------------------------------
    // Throughput straight to the emulators; then the same runs again through the counting proxy (which
    // costs CPU per request, more to whoever makes more requests) for the requests and units per event.
    const e2e = await muted(() => runEndToEnd(emulators, { prefix: 'bench-b-', firstId: 3_000_000 }));
    const inline = await muted(() => runInlineServer(clients, w, emulators, { prefix: 'bench-c-', firstId: 4_000_000 }));
    const meter = await startAwsMeter(emulators);
    const metered: Emulators = { ...emulators, dynamoEndpoint: meter.dynamoEndpoint, sqsEndpoint: meter.sqsEndpoint, stop: async () => undefined };
    let kitCounted: E2eFigures;
    let inlineCounted: E2eFigures;
    try {
      kitCounted = await muted(() => runEndToEnd(emulators, { prefix: 'bench-g-', firstId: 7_000_000, metered, meter }));
      inlineCounted = await muted(() => runInlineServer(clients, w, metered, { prefix: 'bench-h-', firstId: 8_000_000, meter }));
    } finally {
      await meter.stop();
    }
    const deliveries = Math.round(E2E_N * (1 + DUPLICATE_SHARE));
    say('');
    say(`B. End to end, ${E2E_N} events + ${deliveries - E2E_N} duplicate deliveries, ${CONCURRENCY} concurrent senders`);
    say(`   kit (HTTP → receiver → SQS → processor → DynamoDB)  ${e2e.eventsPerSecond.toFixed(1)} events/s applied   lost ${e2e.lost}   double-applied ${e2e.doubleApplied}   HTTP non-200 ${e2e.httpErrors}`);
    say(`        sender-side latency p50 ${ms(e2e.latency.p50)}  p99 ${ms(e2e.latency.p99)};  acknowledged at ${e2e.ackPerSecond.toFixed(1)} req/s`);
    say(`   baseline (inline HTTP server)                        ${inline.eventsPerSecond.toFixed(1)} events/s applied   lost ${inline.lost}   double-applied ${inline.doubleApplied}`);
    say(`        sender-side latency p50 ${ms(inline.latency.p50)}  p99 ${ms(inline.latency.p99)}`);
    const e2eRatio = e2e.eventsPerSecond / inline.eventsPerSecond;
    say(`   ratio kit/baseline  throughput ${ratio(e2e.eventsPerSecond, inline.eventsPerSecond)}   sender latency p99 ${ratio(e2e.latency.p99, inline.latency.p99)}   target ≥ ${TARGETS.e2eRatio.toFixed(1)}×: ${met(e2eRatio >= TARGETS.e2eRatio)}`);
    say(`   targets: 0 lost ${met(e2e.lost === 0)}; 0 double-applied ${met(e2e.doubleApplied === 0)}`);
    say(`   AWS requests per applied event (a second pair of runs through a counting proxy; capacity units as AWS bills them):`);
    for (const [name, f] of [['kit     ', kitCounted], ['baseline', inlineCounted]] as const) say(`     ${name}  ${describeMeter(f.meter, E2E_N)}   (this run: lost ${f.lost}, double-applied ${f.doubleApplied})`);
    say(`     kit: ${kitCounted.meter.batches} processor invocations for ${kitCounted.meter.messagesReceived} messages (mean batch ${(kitCounted.meter.messagesReceived / Math.max(1, kitCounted.meter.batches)).toFixed(1)})`);
    const lost = Math.max(e2e.lost, kitCounted.lost);
    const doubleApplied = Math.max(e2e.doubleApplied, kitCounted.doubleApplied);
    targets.push({ name: 'e2e throughput, kit/inline baseline', target: `≥ ${TARGETS.e2eRatio.toFixed(1)}×`, value: e2eRatio, status: met(e2eRatio >= TARGETS.e2eRatio) });
    targets.push({ name: 'lost events', target: '0', value: lost, status: met(lost === 0) });
    targets.push({ name: 'double-applied events', target: '0', value: doubleApplied, status: met(doubleApplied === 0) });

    // ---- C. bundles ---------------------------------------------------------------------------
    say('');
    say('C. Function bundles (esbuild as the CDK builds them: minified CJS, node22, ESM entry points, AWS SDK bundled); init = require() in a fresh process, median of 5');
    const bundles = await measureBundles();
    for (const f of bundles) {
      say(`   ${f.name.padEnd(20)} ${(f.bytes / 1024).toFixed(0).padStart(6)} KiB (${(f.gzipBytes / 1024).toFixed(0)} KiB gzip)   init ${ms(f.initMsMedian)}   target ≤ ${TARGETS.moduleInitMs} ms: ${met(f.initMsMedian <= TARGETS.moduleInitMs)}`);
      targets.push({ name: `module init ${f.name} (ms)`, target: `≤ ${TARGETS.moduleInitMs}`, value: f.initMsMedian, status: met(f.initMsMedian <= TARGETS.moduleInitMs) });
    }
    say('   what init is made of — each building block bundled alone, same settings:');
    const blocks = await measureBuildingBlocks();
    for (const block of blocks) say(`     ${block.name.padEnd(32)} ${(block.bytes / 1024).toFixed(0).padStart(5)} KiB   init ${ms(block.initMsMedian)}`);
    const sdkExternal = await measureSdkExternal(['webhook-receiver', 'webhook-processor']);
    json.sdkBundledVsRuntime = sdkExternal;
    for (const x of sdkExternal) {
      say(`   ${x.name}: AWS SDK bundled ${ms(x.bundledMs)} vs left to the runtime (${(x.externalBytes / 1024).toFixed(0)} KiB bundle + the SDK required from node_modules) ${ms(x.externalMs)}`);
    }
    const cold = await measureColdFirstRequest({
      runs: COLD_RUNS,
      secret: SECRET,
      env: { EVENTS_QUEUE_URL: a.queues.webhookEvents.url, EVENTS_TABLE_NAME: a.tables.events, AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint, AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamoEndpoint, AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: emulators.region },
      requests: () => {
        const [one, two] = signedBodies(2, 5_000_000 + Math.floor(Math.random() * 1_000_000));
        return [proxyEvent(one), proxyEvent(two)];
      },
    });
    const coldInit = summarize(cold.map((c) => c.initMs));
    const coldFirst = summarize(cold.map((c) => c.firstRequestMs));
    const coldTotal = summarize(cold.map((c) => c.initMs + c.firstRequestMs));
    const coldSecond = summarize(cold.map((c) => c.secondRequestMs));
    say(`   receiver cold start, fresh process, median of ${COLD_RUNS}: init ${ms(coldInit.p50)} + first request (secret fetch + first enqueue) ${ms(coldFirst.p50)} = ${ms(coldTotal.p50)};  second request ${ms(coldSecond.p50)};  warm (A) p50 ${ms(r.p50)}, p99 ${ms(r.p99)}`);
    json.bundles = bundles;
    json.buildingBlocks = blocks;
    json.receiverColdStart = { initMs: coldInit.p50, firstRequestMs: coldFirst.p50, totalMs: coldTotal.p50, secondRequestMs: coldSecond.p50 };

    // ---- D. processor invocation -----------------------------------------------------------------
    const d = await muted(() => measureProcessor(clients, w));
    say('');
    say(`D. Processor invocation, warm, in-process, ${PROCESSOR_BATCHES} batches of ${BATCH_SIZE} new created events each (after warm-up)`);
    say(`   batch logic, one write                        per batch p50 ${ms(d.oneWrite.p50)}  p99 ${ms(d.oneWrite.p99)}  mean ${ms(d.oneWrite.mean)}`);
    say(`   batch logic, step by step (the previous path)  per batch p50 ${ms(d.stepByStep.p50)}  p99 ${ms(d.stepByStep.p99)}  mean ${ms(d.stepByStep.mean)}   ratio step-by-step/one-write mean ${ratio(d.stepByStep.mean, d.oneWrite.mean)}`);
    say(`   deployed handler (+ middy, Powertools batch, logs, metrics, balance report) per batch p50 ${ms(d.handler.p50)}  p99 ${ms(d.handler.p99)}  mean ${ms(d.handler.mean)}`);
    json.processor = d;

    // ---- E. cost --------------------------------------------------------------------------------
    const memory = Object.fromEntries(Object.entries(w.functions).map(([k, f]) => [k, f.memoryMb])) as Record<string, number>;
    // The processor's duration scales with its batch: D's per-record share times the mean batch seen end to end.
    const e2eBatch = kitCounted.meter.messagesReceived / Math.max(1, kitCounted.meter.batches);
    const processorMs = (d.handler.mean / BATCH_SIZE) * e2eBatch;
    const kitFunctions: FunctionUse[] = [
      { invocationsPerEvent: 1, memoryMb: memory.webhookReceiver, durationMs: r.mean },
      { invocationsPerEvent: 1 / e2eBatch, memoryMb: memory.webhookProcessor, durationMs: processorMs },
    ];
    const inlineFunctions: FunctionUse[] = [{ invocationsPerEvent: 1, memoryMb: memory.webhookReceiver, durationMs: b.mean }];
    const kitUse = perEvent(kitCounted.meter, E2E_N, deliveries, kitFunctions);
    const inlineUse = perEvent(inlineCounted.meter, E2E_N, deliveries, inlineFunctions);
    const kitCost = costPerMillion(kitUse, kitFunctions, deliveries / E2E_N);
    const inlineCost = costPerMillion(inlineUse, inlineFunctions, deliveries / E2E_N);
    say('');
    say(`E. List-price cost per million webhook events (${PRICES.region}, prices as of ${PRICES.asOf}, bench/lib/cost.ts; ${(DUPLICATE_SHARE * 100).toFixed(0)} % duplicate deliveries; no free tier)`);
    say('                 DynamoDB      SQS   Lambda  API Gateway    total   (per applied event: DynamoDB requests, WRU, RRU, SQS requests, Lambda invocations)');
    for (const [name, c, u] of [['kit     ', kitCost, kitUse], ['baseline', inlineCost, inlineUse]] as const) {
      say(`     ${name}  $${c.dynamodb.toFixed(2).padStart(7)} $${c.sqs.toFixed(2).padStart(6)} $${c.lambda.toFixed(2).padStart(6)}   $${c.apiGateway.toFixed(2).padStart(7)}  $${c.total.toFixed(2).padStart(6)}   (${u.dynamoRequests.toFixed(2)}, ${u.writeUnits.toFixed(2)}, ${u.readUnits.toFixed(2)}, ${u.sqsRequests.toFixed(2)}, ${u.lambdaInvocations.toFixed(2)})`);
    }
    say(`   Lambda: Arm, receiver ${memory.webhookReceiver} MB × ${ms(r.mean)} (A, mean), processor ${memory.webhookProcessor} MB × ${ms(processorMs)} per invocation (D's ${ms(d.handler.mean / BATCH_SIZE)} per record × B's mean batch of ${e2eBatch.toFixed(1)}), baseline ${memory.webhookReceiver} MB × ${ms(b.mean)} (A, mean)`);
    say(`   target ≤ ${TARGETS.dynamoRequestsPerEvent} DynamoDB requests per applied event (kit, duplicates included): ${kitUse.dynamoRequests.toFixed(2)} ${met(kitUse.dynamoRequests <= TARGETS.dynamoRequestsPerEvent)}`);
    targets.push({ name: 'DynamoDB requests per applied event (kit)', target: `≤ ${TARGETS.dynamoRequestsPerEvent}`, value: kitUse.dynamoRequests, status: met(kitUse.dynamoRequests <= TARGETS.dynamoRequestsPerEvent) });
    json.endToEnd = { kit: withoutMeter(e2e), baseline: withoutMeter(inline), ratio: e2eRatio };
    json.perAppliedEvent = { kit: kitUse, baseline: inlineUse };
    json.costPerMillionEvents = { kit: kitCost, baseline: inlineCost, prices: PRICES };
    json.wire = { kit: kitCounted.meter, baseline: inlineCounted.meter };

    say('');
    say(`Targets: ${targets.map((t) => `${t.name} ${t.target}: ${Number.isInteger(t.value) ? t.value : t.value.toFixed(2)} ${t.status}`).join('; ')}`);
    if (JSON_OUTPUT) console.log(JSON.stringify({ ...json, targets }));
  } finally {
    clients.destroy();
    await emulators.stop();
  }
}

function describeMeter(m: MeterSnapshot, applied: number): string {
  const per = (n: number) => (n / applied).toFixed(2);
  const dynamo = Object.entries(m.dynamodb)
    .sort((x, y) => y[1].requests - x[1].requests)
    .map(([op, c]) => `${op} ${per(c.requests)}${c.failed ? ` (${per(c.failed)} refused)` : ''}`)
    .join(', ');
  const sqs = Object.entries(m.sqs)
    .filter(([op]) => op !== 'ReceiveMessage')
    .map(([op, c]) => `${op} ${per(c.requests)}`)
    .concat(m.batches ? [`ReceiveMessage with messages ${per(m.batches)}`] : [])
    .join(', ');
  return `DynamoDB: ${dynamo || 'none'};  SQS: ${sqs || 'none'}`;
}

interface E2eFigures {
  eventsPerSecond: number;
  ackPerSecond: number;
  lost: number;
  doubleApplied: number;
  httpErrors: number;
  latency: LatencySummary;
  /** What the run sent to AWS (counting runs only). */
  meter: MeterSnapshot;
}

const withoutMeter = ({ meter: _meter, ...rest }: E2eFigures) => rest;
const NOT_COUNTED: MeterSnapshot = { dynamodb: {}, sqs: {}, batches: 0, messagesReceived: 0 };

interface RunOptions {
  readonly prefix: string;
  readonly firstId: number;
  /** Counting runs: the functions reach the emulators through the meter. */
  readonly metered?: Emulators;
  readonly meter?: Awaited<ReturnType<typeof startAwsMeter>>;
}

/** @param seconds from the first send until the last event was applied. */
function figures(counts: { applied: number; doubleApplied: number }, sent: Awaited<ReturnType<typeof send>>, seconds: number, meter: MeterSnapshot = NOT_COUNTED): E2eFigures {
  return {
    eventsPerSecond: counts.applied / seconds,
    ackPerSecond: (E2E_N * (1 + DUPLICATE_SHARE)) / sent.seconds,
    lost: E2E_N - counts.applied,
    doubleApplied: counts.doubleApplied,
    httpErrors: sent.httpErrors,
    latency: summarize(sent.latency),
    meter,
  };
}

/** Sends every body once plus a share of duplicate deliveries, shuffled deterministically. */
function deliveries(bodies: Buffer[]): Buffer[] {
  const dupes = bodies.filter((_, i) => i % Math.round(1 / DUPLICATE_SHARE) === 0);
  const all = [...bodies, ...dupes];
  // Deterministic interleave: duplicates land among the originals, some before them.
  return all.map((b, i) => ({ b, k: (i * 7919) % all.length })).sort((x, y) => x.k - y.k).map((x) => x.b);
}

async function send(url: string, bodies: Buffer[]): Promise<{ latency: number[]; httpErrors: number; seconds: number }> {
  const latency: number[] = [];
  let httpErrors = 0;
  const started = performance.now();
  await pool(bodies, CONCURRENCY, async (raw) => {
    const t = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-moncreneau-signature': signatureHeader(raw, SECRET) }, body: raw });
    await res.arrayBuffer();
    latency.push(performance.now() - t);
    if (res.status !== 200) httpErrors++;
  });
  return { latency, httpErrors, seconds: (performance.now() - started) / 1000 };
}

/** How many appointments the run applied, by scanning the mirror from the emulator directly (not through the meter). */
async function appliedSoFar(clients: ReturnType<typeof localClients>, table: string): Promise<number> {
  const db = documentClient(clients.dynamodb);
  let applied = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    // A count only: the progress poll runs every 250 ms and should weigh as little as possible on the emulator.
    const page = await db.send(new ScanCommand({ TableName: table, Select: 'COUNT', ExclusiveStartKey }));
    applied += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return applied;
}

async function appliedCounts(clients: ReturnType<typeof localClients>, table: string): Promise<{ applied: number; doubleApplied: number }> {
  const db = documentClient(clients.dynamodb);
  let applied = 0;
  let doubleApplied = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ProjectionExpression: 'version', ExclusiveStartKey }));
    for (const item of page.Items ?? []) {
      applied++;
      if (Number(item.version) > 1) doubleApplied++;
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return { applied, doubleApplied };
}

async function runEndToEnd(emulators: Emulators, run: RunOptions): Promise<E2eFigures> {
  // Progress is read straight from the emulator (never through the meter): it is the bench's, not the kit's.
  const clients = localClients(emulators);
  const stack = await startLocalStack({ port: 0, emulators: run.metered ?? emulators, namePrefix: run.prefix, withSandbox: false, pollWaitTimeSeconds: 1, visibilityTimeoutSeconds: 30, log: () => undefined });
  try {
    // The health monitor's first scheduled run comes 1 s after start: let it pass, then count from zero.
    await new Promise((r) => setTimeout(r, 1500));
    run.meter?.reset();
    const bodies = signedBodies(E2E_N, run.firstId);
    const started = performance.now();
    const sent = await send(stack.webhookUrl!, deliveries(bodies));
    let applied = await appliedSoFar(clients, stack.resources.tables.appointments);
    const deadline = Date.now() + 180_000;
    while (applied < E2E_N && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      applied = await appliedSoFar(clients, stack.resources.tables.appointments);
    }
    const seconds = (performance.now() - started) / 1000;
    // Let in-flight duplicates finish so a late double-apply would be counted.
    await new Promise((r) => setTimeout(r, 2000));
    const counts = await appliedCounts(clients, stack.resources.tables.appointments);
    return figures(counts, sent, seconds, run.meter?.snapshot());
  } finally {
    await stack.stop();
    clients.destroy();
  }
}

async function runInlineServer(clients: ReturnType<typeof localClients>, w: ReturnType<typeof wiring>, target: Emulators, run: RunOptions): Promise<E2eFigures> {
  const c = await provision(w, clients, { namePrefix: run.prefix });
  const own = localClients(target);
  const db = documentClient(own.dynamodb);
  const inline = inlineBaseline(SECRET, new EventStore(c.tables.events, { leaseSeconds: 30, retentionDays: 1 }, db), new AppointmentsTable(c.tables.appointments, { db }), new CreditsLedger(c.tables.ledger, { db }));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      inline(Buffer.concat(chunks), req.headers['x-moncreneau-signature'] as string | undefined)
        .then((status) => res.writeHead(status).end())
        // A concurrent duplicate is "in progress": the docs' example would fail the request and rely on a retry.
        .catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    run.meter?.reset();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/moncreneau`;
    const bodies = signedBodies(E2E_N, run.firstId);
    const sent = await send(url, deliveries(bodies));
    return figures(await appliedCounts(clients, c.tables.appointments), sent, sent.seconds, run.meter?.snapshot());
  } finally {
    server.close();
    own.destroy();
  }
}

/** D: the deployed processor handler on batches of new events, and the batch logic with and without the one-write path. */
async function measureProcessor(clients: ReturnType<typeof localClients>, w: ReturnType<typeof wiring>): Promise<{ handler: LatencySummary; oneWrite: LatencySummary; stepByStep: LatencySummary }> {
  const handlerTables = await provision(w, clients, { namePrefix: 'bench-d-' });
  Object.assign(process.env, { EVENTS_TABLE_NAME: handlerTables.tables.events, APPOINTMENTS_TABLE_NAME: handlerTables.tables.appointments, LEDGER_TABLE_NAME: handlerTables.tables.ledger, PAYMENTS_TABLE_NAME: handlerTables.tables.payments });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const handler = (require('../functions/webhook-processor/handler') as { handler: BatchHandler }).handler;
  const db = documentClient(clients.dynamodb);
  const logic = async (prefix: string, withOneWrite: boolean) => {
    const t = await provision(w, clients, { namePrefix: prefix });
    const events = new EventStore(t.tables.events, { leaseSeconds: 30, retentionDays: 1 }, db);
    const mirror = new AppointmentsTable(t.tables.appointments, { db });
    const ledger = new CreditsLedger(t.tables.ledger, { db });
    const appliers = appointmentAppliers(mirror, ledger);
    return createBatchProcessor({
      processRecord: createRecordProcessor({ claims: events, appliers }),
      appliers,
      plan: appointmentPlanner({ credits: true }),
      ...(withOneWrite ? { oneWrite: new OneWriteStore({ events, mirror, ledger }, { db }) } : {}),
    });
  };
  const oneWrite = await logic('bench-e-', true);
  const stepByStep = await logic('bench-f-', false);
  const context = () => createLambdaContext(contextInit({ functionName: 'bench-processor', memoryMb: 512, region: 'eu-west-3', timeoutSeconds: 60 }));
  const warmup = 5;
  const times = { handler: [] as number[], oneWrite: [] as number[], stepByStep: [] as number[] };
  let next = 6_000_000;
  const batch = () => signedBodies(BATCH_SIZE, (next += BATCH_SIZE)).map(sqsRecordOf);
  const timed = async (into: number[], i: number, run: () => Promise<unknown>) => {
    const t = performance.now();
    await run();
    if (i >= warmup) into.push(performance.now() - t);
  };
  const all = (process: ReturnType<typeof createBatchProcessor>, records: SQSRecord[]) => {
    const outcomes = process(records);
    return Promise.all(records.map((rec) => outcomes.get(rec.messageId)));
  };
  for (let i = 0; i < PROCESSOR_BATCHES + warmup; i++) {
    const records = batch();
    const invocation = context();
    await timed(times.handler, i, async () => {
      const out = await handler({ Records: records }, invocation);
      if (out.batchItemFailures.length > 0) throw new Error('processor failed records');
    });
    const a = batch();
    await timed(times.oneWrite, i, () => all(oneWrite, a));
    const b = batch();
    await timed(times.stepByStep, i, () => all(stepByStep, b));
  }
  return { handler: summarize(times.handler), oneWrite: summarize(times.oneWrite), stepByStep: summarize(times.stepByStep) };
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
