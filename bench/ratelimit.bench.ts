/**
 * npm run bench:ratelimit — the global rate limiter (shared/ratelimit) under saturation, against a
 * per-process limiter (p-throttle-like) measured in the same run.
 *
 * N workers stand for N Lambda instances: each has its own DynamoRateLimiter (own DynamoDB client,
 * all sharing one table on DynamoDB Local) and its own MONCRENEAU client, and calls GET /departments
 * (cache off) in a loop as fast as its gate lets it, for a fixed duration. Arrivals are timestamped by
 * a thin HTTP proxy in front of the sandbox (the server-side edge); the sandbox's own log gives a
 * cross-check. Figures: the densest sliding window of W ÷ L (ours must be ≤ 1.00; the baseline is
 * expected ≈ N), requests/s vs L/W (target ≥ 0.95), acquire waits, DynamoDB calls and lost races.
 *
 * Env: BENCH_RL_LIMIT (100), BENCH_RL_WINDOW_MS (6000), BENCH_RL_WORKERS (20),
 *      BENCH_RL_DURATION_MS (3 windows), BENCH_RL_PADDING_MS (limiter default), BENCH_RL_BASELINE (1; 0 = skip),
 *      BENCH_RL_DUMP (file: write A's arrivals, lateness and slots as JSON).
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { localClients } from '../infra/local/clients';
import { LOCAL_CREDENTIALS, startEmulators, type Emulators } from '../infra/local/emulators';
import { startSandbox } from '../sandbox/server';
import { createMoncreneauClient, DeadlineExceededError, GateRejectedError, MoncreneauError, type MoncreneauClient, type RequestGate } from '../shared/moncreneau/client';
import { stageConfig } from '../infra/config/stages';
import { wiring } from '../infra/wiring';
import { DynamoRateLimiter } from '../shared/adapters/dynamo-rate-limiter';
import { RateLimitDeadlineError, rateLimitGate } from '../shared/ratelimit';

/** The table as the wiring declares it (its one declaration). */
const RATE_LIMIT_TABLE_SPEC = wiring(stageConfig('dev')).tables.rateLimits;
import { startArrivalProxy, type ArrivalProxy } from './lib/arrival-proxy';
import { fixedIntervalThrottle } from './lib/fixed-interval-throttle';
import { ms, summarize } from './lib/stats';
import { countBetween, densestWindow, perWindowCounts } from './lib/windows';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

const LIMIT = intEnv('BENCH_RL_LIMIT', 100);
const WINDOW_MS = intEnv('BENCH_RL_WINDOW_MS', 6000);
const WORKERS = intEnv('BENCH_RL_WORKERS', 20);
const DURATION_MS = intEnv('BENCH_RL_DURATION_MS', 3 * WINDOW_MS);
const PADDING_MS = process.env.BENCH_RL_PADDING_MS ? intEnv('BENCH_RL_PADDING_MS', 250) : undefined;
const WITH_BASELINE = process.env.BENCH_RL_BASELINE !== '0';
/** The client's default safetyMarginMs + the gate's default minAttemptMs: the limiter's deadline is then the end of the run. */
const DEADLINE_SLACK_MS = 2000;
const RATE_TARGET = 0.95;

interface Worker {
  readonly client: MoncreneauClient;
  /** Gate wait per HTTP attempt (ms). */
  readonly waits: number[];
  /** Slot of each grant (ours only), in order. */
  readonly slots: number[];
  /** request id → slot of the attempt that carried it (ours only; one attempt per call here). */
  readonly slotOf: Map<string, number>;
  destroy(): void;
}

interface DbCounters {
  calls: number;
  conflicts: number;
  /** Latency of each DynamoDB call (ms). */
  latencies: number[];
}

interface PhaseResult {
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly arrivals: number[];
  /** Per arrival (same order as `arrivals`): arrival − slot of its grant (ours only). */
  readonly arrivalLateness: Array<number | undefined>;
  readonly sandboxArrivals: number[];
  readonly waits: number[];
  readonly slots: number[];
  readonly lateness: number[];
  readonly completed: number;
  readonly errors: Map<string, number>;
}

/** Records every gate wait; for ours, also the slot handed out. */
function timedGate(inner: RequestGate, waits: number[]): RequestGate {
  return {
    async acquire(request) {
      const t = Date.now();
      try {
        await inner.acquire(request);
      } finally {
        waits.push(Date.now() - t);
      }
    },
    onResponse: inner.onResponse?.bind(inner),
  };
}

function newDynamoClient(emulators: Emulators, counters?: DbCounters): DynamoDBClient {
  const client = new DynamoDBClient({ region: emulators.region, credentials: LOCAL_CREDENTIALS, endpoint: emulators.dynamoEndpoint, maxAttempts: 2 });
  if (counters) {
    client.middlewareStack.add(
      (next) => async (args) => {
        counters.calls += 1;
        const t = performance.now();
        try {
          return await next(args);
        } catch (error) {
          if ((error as { name?: string }).name === 'ConditionalCheckFailedException') counters.conflicts += 1;
          throw error;
        } finally {
          counters.latencies.push(performance.now() - t);
        }
      },
      { step: 'initialize', name: 'benchCallCounter' },
    );
  }
  return client;
}

function moncreneauClient(baseUrl: string, apiKey: string, gate: RequestGate): MoncreneauClient {
  return createMoncreneauClient({
    keySource: { get: async () => ({ apiKey }) },
    baseUrl,
    gate,
    cacheTtlMs: 0, // every list() is a request
    retry: { maxAttempts: 1 }, // a failure is a finding here, not something to hide behind a retry
  });
}

function ourWorkers(n: number, emulators: Emulators, tableName: string, limiterName: string, baseUrl: string, apiKey: string, counters: DbCounters): Array<Worker & { limiter: DynamoRateLimiter }> {
  return Array.from({ length: n }, () => {
    const raw = newDynamoClient(emulators, counters);
    const limiter = new DynamoRateLimiter({
      tableName,
      name: limiterName,
      rules: [{ name: 'bench-window', limit: LIMIT, windowMs: WINDOW_MS }],
      paddingMs: PADDING_MS,
      db: DynamoDBDocumentClient.from(raw),
    });
    const waits: number[] = [];
    const slots: number[] = [];
    const slotOf = new Map<string, number>();
    const recording = {
      acquire: async (options: { deadline?: number }) => {
        const grant = await limiter.acquire(options);
        slots.push(grant.slot);
        return grant;
      },
      penalize: (until: number) => limiter.penalize(until),
    };
    const client = moncreneauClient(baseUrl, apiKey, timedGate(rateLimitGate(recording), waits));
    return {
      client,
      limiter,
      waits,
      slots,
      slotOf,
      destroy: () => {
        client.close();
        raw.destroy();
      },
    };
  });
}

function baselineWorkers(n: number, baseUrl: string, apiKey: string): Worker[] {
  return Array.from({ length: n }, () => {
    const throttle = fixedIntervalThrottle({ limit: LIMIT, interval: WINDOW_MS });
    const gate: RequestGate = {
      async acquire({ deadline }) {
        const delay = throttle.reserve();
        // Stop at the end of the run like ours does (the gate's default minAttemptMs is 1000 ms).
        if (deadline !== undefined && Date.now() + delay > deadline - 1000) throw new Error('past the end of the run');
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      },
    };
    const waits: number[] = [];
    const client = moncreneauClient(baseUrl, apiKey, timedGate(gate, waits));
    return { client, waits, slots: [], slotOf: new Map(), destroy: () => client.close() };
  });
}

/** Every worker calls GET /departments in a loop until the end of the run; the gate paces it. */
async function runPhase(label: string, workers: Worker[], proxy: ArrivalProxy, sandboxLog: number[]): Promise<PhaseResult> {
  proxy.reset();
  sandboxLog.length = 0;
  const errors = new Map<string, number>();
  let completed = 0;
  const start = Date.now();
  const end = start + DURATION_MS;
  await Promise.all(
    workers.map(async (worker, w) => {
      for (let k = 0; Date.now() < end; k += 1) {
        const requestId = `${label}-w${w}-${k}`;
        const slotsBefore = worker.slots.length;
        try {
          await worker.client.departments.list({ requestId, deadline: end + DEADLINE_SLACK_MS });
          completed += 1;
        } catch (error) {
          const cause = (error as Error).cause;
          // The run is over: the next slot is past its end (ours) or a released slot came too late to send.
          if (error instanceof GateRejectedError && (cause instanceof RateLimitDeadlineError || label === 'baseline')) break;
          if (error instanceof DeadlineExceededError) break;
          const code = error instanceof MoncreneauError ? `${error.code}${error.status ? ` ${error.status}` : ''}` : (error as Error).name;
          errors.set(code, (errors.get(code) ?? 0) + 1);
          if ([...errors.values()].reduce((a, b) => a + b, 0) > 50) throw new Error(`${label}: too many errors: ${JSON.stringify([...errors])}`);
        } finally {
          if (worker.slots.length > slotsBefore) worker.slotOf.set(requestId, worker.slots[worker.slots.length - 1]);
        }
      }
    }),
  );
  // Let the last responses' log lines land.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const arrivals = proxy.arrivals().filter((a) => a.path.endsWith('/departments'));
  const slotOf = new Map(workers.flatMap((w) => [...w.slotOf]));
  const arrivalLateness = arrivals.map((a) => (a.requestId !== undefined && slotOf.has(a.requestId) ? a.at - (slotOf.get(a.requestId) as number) : undefined));
  const lateness = arrivalLateness.filter((l): l is number => l !== undefined);
  return {
    label,
    start,
    end,
    arrivals: arrivals.map((a) => a.at),
    arrivalLateness,
    sandboxArrivals: [...sandboxLog],
    waits: workers.flatMap((w) => w.waits),
    slots: workers.flatMap((w) => w.slots),
    lateness,
    completed,
    errors,
  };
}

const fixed = (v: number | undefined, digits = 2): string => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (!(LIMIT >= 1 && Number.isInteger(LIMIT)) || !(WINDOW_MS > 0) || !(WORKERS >= 1 && Number.isInteger(WORKERS)) || !(DURATION_MS > 0)) {
    throw new Error('BENCH_RL_LIMIT and BENCH_RL_WORKERS must be integers ≥ 1, BENCH_RL_WINDOW_MS and BENCH_RL_DURATION_MS > 0');
  }
  const emulators = await startEmulators();
  const admin = localClients(emulators);
  // The sandbox's log line for an API request is written when the answer is sent, with its handling time:
  // "GET /api/v1/departments 200 3ms key=…" → it started at (now − 3 ms): the sandbox's own arrival instant (±1 ms).
  const sandboxLog: number[] = [];
  const sandbox = await startSandbox({
    port: 0,
    webhookUrl: null,
    seed: 7,
    logger: (line) => {
      const m = /^GET \/api\/v1\/departments (\d{3}) (\d+)ms /.exec(line);
      if (m) sandboxLog.push(Date.now() - Number(m[2]));
    },
  });
  const proxy = await startArrivalProxy(sandbox.apiBaseUrl);
  const counters: DbCounters = { calls: 0, conflicts: 0, latencies: [] };
  const all: Worker[] = [];
  const say = (line = ''): void => console.log(line);
  try {
    // A key whose own quota never gets in the way: the only limiter under test is ours.
    const apiKey = sandbox.control.createKey({ name: 'bench-ratelimit', quotaPerHour: 10_000_000 }).key;
    const tableName = `${RATE_LIMIT_TABLE_SPEC.name}-bench`;
    await admin.dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: RATE_LIMIT_TABLE_SPEC.partitionKey.name, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: RATE_LIMIT_TABLE_SPEC.partitionKey.name, KeyType: 'HASH' }],
      }),
    );
    const limiterName = `bench-${process.pid}-${Date.now()}`;
    const ours = ourWorkers(WORKERS, emulators, tableName, limiterName, proxy.url, apiKey, counters);
    all.push(...ours);
    const padding = PADDING_MS ?? 250;
    const limitPerSecond = (LIMIT * 1000) / WINDOW_MS;

    say(`MONCRENEAU global rate limit benchmark — node ${process.version}, ${new Date().toISOString()}`);
    say(`limit L = ${LIMIT} per W = ${WINDOW_MS} ms (${limitPerSecond.toFixed(2)} req/s), ${WORKERS} workers (own limiter + client each), ${DURATION_MS} ms per phase, padding ${padding} ms`);
    say(`machine: ${cpus().length} CPU(s), load average at start ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (DynamoDB Local, this process and anything else running share them)`);
    say(`request: GET /departments (client cache off, 1 attempt); arrivals timestamped by a loopback proxy in front of the sandbox`);

    // Warm the DynamoDB connections (reads only: nothing is granted) so the first window measures the limiter, not TLS/TCP set-up.
    await Promise.all(ours.map((w) => w.limiter.snapshot()));
    counters.calls = 0;
    counters.conflicts = 0;
    counters.latencies = [];

    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const a = await runPhase('ours', ours, proxy, sandboxLog);
    loopDelay.disable();
    const aCalls = { ...counters, latency: summarize(counters.latencies) };
    let b: PhaseResult | undefined;
    if (WITH_BASELINE) {
      const base = baselineWorkers(WORKERS, proxy.url, apiKey);
      all.push(...base);
      b = await runPhase('baseline', base, proxy, sandboxLog);
    }

    const report = (r: PhaseResult) => {
      const densest = densestWindow(r.arrivals, WINDOW_MS);
      const runRate = (countBetween(r.arrivals, r.start, r.end) * 1000) / (r.end - r.start);
      return { densest, ratio: densest.count / LIMIT, runRate, perWindow: perWindowCounts(r.arrivals, r.start, r.end, WINDOW_MS), waits: summarize(r.waits) };
    };

    const ra = report(a);
    const sandboxA = densestWindow(a.sandboxArrivals, WINDOW_MS);
    const slotsA = densestWindow(a.slots, WINDOW_MS);
    const slotsPadded = densestWindow(a.slots, WINDOW_MS + padding);
    const late = summarize(a.lateness);
    const lateMax = a.lateness.length ? Math.max(...a.lateness) : Number.NaN;
    const lateOverPadding = a.lateness.filter((l) => l >= padding).length;
    const grants = a.slots.length;
    const rateMet = ra.runRate / limitPerSecond >= RATE_TARGET;
    say('');
    say(`A. Ours — DynamoRateLimiter × ${WORKERS} sharing one table (DynamoDB Local)`);
    say(`   requests arrived                      ${a.arrivals.length} (completed ${a.completed}, errors ${a.errors.size ? JSON.stringify(Object.fromEntries(a.errors)) : 0}; sandbox log saw ${a.sandboxArrivals.length})`);
    say(`   densest sliding window of ${WINDOW_MS} ms    ${ra.densest.count} arrivals → ${fixed(ra.ratio)} × L   target ≤ 1.00: ${ra.ratio <= 1 ? 'MET' : 'MISSED'}`);
    say(`     cross-check, sandbox's own log       ${sandboxA.count} → ${fixed(sandboxA.count / LIMIT)} × L`);
    say(`     the limiter's ledger (slots)         ${slotsA.count} in W → ${fixed(slotsA.count / LIMIT)} × L;  ${slotsPadded.count} in W + padding (its guarantee: ≤ ${LIMIT})`);
    if (ra.densest.count > LIMIT) {
      const inWindow = a.arrivals.map((at, i) => ({ at, late: a.arrivalLateness[i] })).filter((x) => x.at >= ra.densest.start && x.at < ra.densest.start + WINDOW_MS).sort((x, y) => x.at - y.at);
      const lates = inWindow.map((x) => x.late).filter((l): l is number => l !== undefined);
      say(`     why: its ${inWindow.length} requests reached the server between ${fixed(Math.min(...lates), 0)} and ${fixed(Math.max(...lates), 0)} ms after their slots — a spread > padding ${padding} ms lets ${LIMIT} + 1 ledger-compliant slots land in one window`);
    }
    say(`   requests/s over the phase             ${fixed(ra.runRate)} req/s = ${fixed(ra.runRate / limitPerSecond)} of L/W   target ≥ ${RATE_TARGET}: ${rateMet ? 'MET' : 'MISSED'}`);
    say(`     per consecutive window of W          ${ra.perWindow.join(', ')} (of ${LIMIT});  steady-state ceiling with the padding: L/(W+P) = ${fixed(WINDOW_MS / (WINDOW_MS + padding))} of L/W`);
    say(`   gate wait per request                 p50 ${ms(ra.waits.p50)}  p99 ${ms(ra.waits.p99)}  mean ${ms(ra.waits.mean)}  (n=${ra.waits.n})`);
    say(`   arrival − slot (send lateness)        p50 ${ms(late.p50)}  p99 ${ms(late.p99)}  max ${ms(lateMax)};  ${lateOverPadding} of ${late.n} ≥ padding ${padding} ms`);
    say(`   DynamoDB                              ${aCalls.calls} calls (${fixed(aCalls.calls / Math.max(1, grants), 1)} per grant), ${aCalls.conflicts} lost conditional writes (${fixed(aCalls.conflicts / Math.max(1, grants), 2)} per grant); call latency p50 ${ms(aCalls.latency.p50)}  p99 ${ms(aCalls.latency.p99)}`);
    say(`   this process's event-loop delay       p50 ${ms(loopDelay.percentile(50) / 1e6)}  p99 ${ms(loopDelay.percentile(99) / 1e6)}  max ${ms(loopDelay.max / 1e6)}`);

    if (b) {
      const rb = report(b);
      const sandboxB = densestWindow(b.sandboxArrivals, WINDOW_MS);
      say('');
      say(`B. Baseline — per-process fixed-interval limiter (p-throttle limit ${LIMIT}, interval ${WINDOW_MS}) × ${WORKERS}`);
      say(`   requests arrived                      ${b.arrivals.length} (completed ${b.completed}, errors ${b.errors.size ? JSON.stringify(Object.fromEntries(b.errors)) : 0}; sandbox log saw ${b.sandboxArrivals.length})`);
      say(`   densest sliding window of ${WINDOW_MS} ms    ${rb.densest.count} arrivals → ${fixed(rb.ratio)} × L   (expected ≈ ${WORKERS}, up to ${2 * WORKERS}: each instance's fixed intervals let a sliding window straddle two)`);
      say(`     cross-check, sandbox's own log       ${sandboxB.count} → ${fixed(sandboxB.count / LIMIT)} × L`);
      say(`   requests/s over the phase             ${fixed(rb.runRate)} req/s = ${fixed(rb.runRate / limitPerSecond)} of L/W;  per consecutive window of W: ${rb.perWindow.join(', ')}`);
      say(`   gate wait per request                 p50 ${ms(rb.waits.p50)}  p99 ${ms(rb.waits.p99)}  mean ${ms(rb.waits.mean)}  (n=${rb.waits.n})`);
      say('');
      say(`C. Ours vs baseline`);
      say(`   densest-window ratio                  ours ${fixed(ra.ratio)} × L  vs  baseline ${fixed(rb.ratio)} × L  → baseline ÷ ours = ${fixed(rb.ratio / ra.ratio, 1)}×`);
      say(`   worst overshoot of the limit          ours ${Math.max(0, ra.densest.count - LIMIT)} requests  vs  baseline ${Math.max(0, rb.densest.count - LIMIT)} requests in one window`);
    }
    say('');
    say(`Targets: ours ≤ 1.00 × L in any sliding window: ${ra.ratio <= 1 ? 'MET' : 'MISSED'};  ours ≥ ${RATE_TARGET} of L/W: ${rateMet ? 'MET' : 'MISSED'}`);
    if (process.env.BENCH_RL_DUMP) {
      writeFileSync(process.env.BENCH_RL_DUMP, JSON.stringify({ limit: LIMIT, windowMs: WINDOW_MS, paddingMs: padding, ours: { start: a.start, end: a.end, arrivals: a.arrivals, lateness: a.arrivalLateness, slots: a.slots } }));
      say(`(arrivals of A written to ${process.env.BENCH_RL_DUMP})`);
    }
  } finally {
    for (const w of all) w.destroy();
    admin.destroy();
    await proxy.stop();
    await sandbox.stop();
    await emulators.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
