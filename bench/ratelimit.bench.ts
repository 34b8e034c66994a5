/**
 * npm run bench:ratelimit [-- --window 60] [-- --json] — the global rate limiter (shared/ratelimit) under
 * saturation, against a per-process limiter (p-throttle-like) measured in the same run.
 *
 * N workers stand for N Lambda instances: each has its own DynamoRateLimiter (own DynamoDB client,
 * all sharing one table on DynamoDB Local) and its own MONCRENEAU client, and calls GET /departments
 * (cache off) in a loop as fast as its gate lets it, for a fixed duration. Arrivals are timestamped by
 * a thin HTTP proxy in front of the sandbox (the server-side edge), both in a child process of their own
 * (bench/lib/server-edge.ts); the sandbox's own log gives a cross-check. Figures: the densest sliding window
 * of W ÷ L (ours must be ≤ 1.00; the baseline is expected ≈ N), requests/s vs L/W (target ≥ 0.95 for
 * W < 60 s, ≥ 0.98 for W ≥ 60 s), acquire waits, lateness (release − slot, arrival − release), DynamoDB
 * requests and lost conditional writes per grant (target ≤ 2), counted by a middleware on every worker's
 * DynamoDB client.
 *
 * Options: --window <seconds> (W; default 6), --json (end with one JSON line: the figures and each target
 *          MET/MISSED). Progress goes to stderr.
 * Env: BENCH_RL_LIMIT (100), BENCH_RL_WINDOW_MS (6000; --window wins), BENCH_RL_WORKERS (20),
 *      BENCH_RL_DURATION_MS (3 windows, 2.5 for W ≥ 60 s), BENCH_RL_BASELINE_MS (the baseline phase: as long,
 *      1.25 windows for W ≥ 60 s — enough to straddle two of its fixed intervals), BENCH_RL_PADDING_MS
 *      (limiter default), BENCH_RL_BASELINE (1; 0 = skip), BENCH_RL_DUMP (file: write A's arrivals,
 *      lateness and slots as JSON).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { localClients } from '../infra/local/clients';
import { LOCAL_CREDENTIALS, startEmulators, type Emulators } from '../infra/local/emulators';
import { createMoncreneauClient, DeadlineExceededError, GateRejectedError, MoncreneauError, type MoncreneauClient, type RequestGate } from '../shared/moncreneau/client';
import { stageConfig } from '../infra/config/stages';
import { ensureTable } from '../infra/local/provision';
import { wiring } from '../infra/wiring';
import { DynamoRateLimiter } from '../shared/adapters/dynamo-rate-limiter';
import { RateLimitDeadlineError, rateLimitGate } from '../shared/ratelimit';
import { parseArgs } from '../scripts/lib/args';
import { fixedIntervalThrottle } from './lib/fixed-interval-throttle';
import { startServerEdge, type ServerEdge } from './lib/server-edge';
import { ms, summarize } from './lib/stats';
import { countBetween, densestWindow, perWindowCounts } from './lib/windows';

/** The table as the wiring declares it (its one declaration). */
const RATE_LIMIT_TABLE_SPEC = wiring(stageConfig('dev')).tables.rateLimits;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

const { options: ARGS } = parseArgs(process.argv.slice(2));
const JSON_OUTPUT = ARGS.json === true;
const WINDOW_ARG = typeof ARGS.window === 'string' ? Number(ARGS.window) : undefined;
if (WINDOW_ARG !== undefined && !(WINDOW_ARG > 0)) throw new Error(`--window must be a number of seconds > 0, got "${ARGS.window}"`);
const LIMIT = intEnv('BENCH_RL_LIMIT', 100);
const WINDOW_MS = WINDOW_ARG !== undefined ? Math.round(WINDOW_ARG * 1000) : intEnv('BENCH_RL_WINDOW_MS', 6000);
const LONG_WINDOW = WINDOW_MS >= 60_000;
const WORKERS = intEnv('BENCH_RL_WORKERS', 20);
const DURATION_MS = intEnv('BENCH_RL_DURATION_MS', (LONG_WINDOW ? 2.5 : 3) * WINDOW_MS);
const BASELINE_MS = intEnv('BENCH_RL_BASELINE_MS', LONG_WINDOW ? 1.25 * WINDOW_MS : DURATION_MS);
const PADDING_MS = process.env.BENCH_RL_PADDING_MS ? intEnv('BENCH_RL_PADDING_MS', 250) : undefined;
const WITH_BASELINE = process.env.BENCH_RL_BASELINE !== '0';
/** The client's default safetyMarginMs + the gate's default minAttemptMs: the limiter's deadline is then the end of the run. */
const DEADLINE_SLACK_MS = 2000;
/** Performance issue targets: throughput ≥ 0.95 of L/W at W = 6 s, ≥ 0.98 at W = 60 s; ≤ 2 DynamoDB requests per grant. */
const RATE_TARGET = LONG_WINDOW ? 0.98 : 0.95;
const CALLS_TARGET = 2;

interface Worker {
  readonly client: MoncreneauClient;
  /** Gate wait per HTTP attempt (ms). */
  readonly waits: number[];
  /** Slot of each grant (ours only), in order. */
  readonly slots: number[];
  /** request id → slot of the attempt that carried it (ours only; one attempt per call here). */
  readonly slotOf: Map<string, number>;
  /** When the limiter released each grant (ours only), in order with `slots`. */
  readonly releases: number[];
  /** request id → release instant of the attempt that carried it (ours only). */
  readonly releaseOf: Map<string, number>;
  destroy(): void;
}

interface DbCounters {
  calls: number;
  reads: number;
  updates: number;
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
  /** Ours: release − slot (what the limiter's release check bounds) and arrival − release (the caller's send path + transit). */
  readonly releaseLateness: number[];
  readonly sendDelays: number[];
  readonly completed: number;
  readonly errors: Map<string, number>;
}

/** Records every gate wait. */
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
      (next, context) => async (args) => {
        counters.calls += 1;
        if (context.commandName === 'GetItemCommand') counters.reads += 1;
        if (context.commandName === 'UpdateItemCommand') counters.updates += 1;
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

function ourWorkers(n: number, emulators: Emulators, tableName: string, limiterName: string, baseUrl: string, apiKey: string, counters: DbCounters): Array<Worker & { limiter: DynamoRateLimiter; db: DynamoDBDocumentClient }> {
  return Array.from({ length: n }, () => {
    const raw = newDynamoClient(emulators, counters);
    const db = DynamoDBDocumentClient.from(raw);
    const limiter = new DynamoRateLimiter({
      tableName,
      name: limiterName,
      rules: [{ name: 'bench-window', limit: LIMIT, windowMs: WINDOW_MS }],
      paddingMs: PADDING_MS,
      db,
    });
    const waits: number[] = [];
    const slots: number[] = [];
    const slotOf = new Map<string, number>();
    const releases: number[] = [];
    const releaseOf = new Map<string, number>();
    const recording = {
      acquire: async (options: { deadline?: number }) => {
        const grant = await limiter.acquire(options);
        releases.push(Date.now());
        slots.push(grant.slot);
        return grant;
      },
      penalize: (until: number) => limiter.penalize(until),
    };
    const client = moncreneauClient(baseUrl, apiKey, timedGate(rateLimitGate(recording), waits));
    return {
      client,
      limiter,
      db,
      waits,
      slots,
      slotOf,
      releases,
      releaseOf,
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
    return { client, waits, slots: [], slotOf: new Map(), releases: [], releaseOf: new Map(), destroy: () => client.close() };
  });
}

/** Every worker calls GET /departments in a loop until the end of the run; the gate paces it. */
async function runPhase(label: string, durationMs: number, workers: Worker[], edge: ServerEdge, progress: (completed: number) => string): Promise<PhaseResult> {
  await edge.reset();
  const errors = new Map<string, number>();
  let completed = 0;
  const start = Date.now();
  const end = start + durationMs;
  const every = Math.max(5000, Math.min(15_000, WINDOW_MS));
  const ticker = setInterval(() => console.error(`[bench:ratelimit] ${label}: ${Math.round((Date.now() - start) / 1000)} / ${Math.round(durationMs / 1000)} s — ${progress(completed)}`), every);
  try {
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
            if (worker.slots.length > slotsBefore) {
              worker.slotOf.set(requestId, worker.slots[worker.slots.length - 1]);
              worker.releaseOf.set(requestId, worker.releases[worker.releases.length - 1]);
            }
          }
        }
      }),
    );
  } finally {
    clearInterval(ticker);
  }
  // Let the last responses' log lines land.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const collected = await edge.collect();
  const arrivals = collected.arrivals.filter((a) => a.path.endsWith('/departments'));
  const slotOf = new Map(workers.flatMap((w) => [...w.slotOf]));
  const releaseOf = new Map(workers.flatMap((w) => [...w.releaseOf]));
  const arrivalLateness = arrivals.map((a) => (a.requestId !== undefined && slotOf.has(a.requestId) ? a.at - (slotOf.get(a.requestId) as number) : undefined));
  const sendDelays = arrivals.filter((a) => a.requestId !== undefined && releaseOf.has(a.requestId)).map((a) => a.at - (releaseOf.get(a.requestId as string) as number));
  const releaseLateness = [...slotOf].filter(([id]) => releaseOf.has(id)).map(([id, slot]) => (releaseOf.get(id) as number) - slot);
  const lateness = arrivalLateness.filter((l): l is number => l !== undefined);
  return {
    label,
    start,
    end,
    arrivals: arrivals.map((a) => a.at),
    arrivalLateness,
    sandboxArrivals: collected.sandbox,
    waits: workers.flatMap((w) => w.waits),
    slots: workers.flatMap((w) => w.slots),
    lateness,
    releaseLateness,
    sendDelays,
    completed,
    errors,
  };
}

const fixed = (v: number | undefined, digits = 2): string => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));
const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;
const status = (met: boolean): 'MET' | 'MISSED' => (met ? 'MET' : 'MISSED');
/** Slots are exact to the µs in DynamoDB; JS reads them as doubles (±0.25 µs at today's epoch): count in whole µs. */
const inUs = (instants: readonly number[]) => instants.map((t) => Math.round(t * 1000));

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (!(LIMIT >= 1 && Number.isInteger(LIMIT)) || !(WINDOW_MS > 0) || !(WORKERS >= 1 && Number.isInteger(WORKERS)) || !(DURATION_MS > 0) || !(BASELINE_MS > 0)) {
    throw new Error('BENCH_RL_LIMIT and BENCH_RL_WORKERS must be integers ≥ 1, the window and the durations > 0');
  }
  const emulators = await startEmulators();
  const admin = localClients(emulators);
  // The server side (sandbox + arrival proxy) runs in a process of its own, as MONCRENEAU does on its own machine.
  const edge = await startServerEdge();
  const counters: DbCounters = { calls: 0, reads: 0, updates: 0, conflicts: 0, latencies: [] };
  const all: Worker[] = [];
  const say = (line = ''): void => console.log(line);
  try {
    // A key whose own quota never gets in the way: the only limiter under test is ours.
    const apiKey = edge.apiKey;
    const tableName = `${RATE_LIMIT_TABLE_SPEC.name}-bench`;
    await ensureTable(admin.dynamodb, tableName, RATE_LIMIT_TABLE_SPEC);
    const limiterName = `bench-${process.pid}-${Date.now()}`;
    const ours = ourWorkers(WORKERS, emulators, tableName, limiterName, edge.url, apiKey, counters);
    all.push(...ours);
    const padding = PADDING_MS ?? 250;
    const limitPerSecond = (LIMIT * 1000) / WINDOW_MS;
    const startLoad = loadavg();

    say(`MONCRENEAU global rate limit benchmark — node ${process.version}, ${new Date().toISOString()}`);
    say(`limit L = ${LIMIT} per W = ${WINDOW_MS} ms (${limitPerSecond.toFixed(2)} req/s), ${WORKERS} workers (own limiter + client each), ${DURATION_MS} ms for ours, ${WITH_BASELINE ? `${BASELINE_MS} ms for the baseline` : 'no baseline'}, padding ${padding} ms`);
    say(`machine: ${cpus().length} CPU(s), load average at start ${startLoad.map((l) => l.toFixed(2)).join(' / ')} (DynamoDB Local, this process and anything else running share them)`);
    say(`request: GET /departments (client cache off, 1 attempt); arrivals timestamped by a loopback proxy in front of the sandbox, both in a process of their own, priority ${edge.priority}`);

    // Warm the DynamoDB connections and DynamoDB Local's JVM (a few grants on a scratch limiter, with the workers'
    // own clients) so that the first window measures the limiter, not TLS/TCP set-up and JIT compilation. The
    // limiters under test start cold (no state, no latency estimate), as new Lambda instances do.
    await Promise.all(ours.map((w) => w.limiter.snapshot()));
    await Promise.all(
      ours.map(async (w, i) => {
        const scratch = new DynamoRateLimiter({ tableName, name: `${limiterName}-warm-up-${i}`, rules: [{ name: 'warm-up', limit: 1_000_000, windowMs: 1000 }], paddingMs: 0, db: w.db });
        for (let i = 0; i < 5; i += 1) await scratch.acquire();
      }),
    );
    Object.assign(counters, { calls: 0, reads: 0, updates: 0, conflicts: 0, latencies: [] });

    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const grantsSoFar = () => ours.reduce((n, w) => n + w.slots.length, 0);
    const a = await runPhase('ours', DURATION_MS, ours, edge, (completed) => {
      const g = grantsSoFar();
      return `${completed} requests answered, ${g} grants, ${counters.calls} DynamoDB requests (${fixed(counters.calls / Math.max(1, g))} per grant), ${counters.conflicts} failed conditions`;
    });
    loopDelay.disable();
    const aCalls = { ...counters, latency: summarize(counters.latencies) };
    const lateReleases = ours.reduce((n, w) => n + w.limiter.lateReleases, 0);
    const guardMisses = ours.reduce((n, w) => n + w.limiter.guardMisses, 0);
    let b: PhaseResult | undefined;
    if (WITH_BASELINE) {
      const base = baselineWorkers(WORKERS, edge.url, apiKey);
      all.push(...base);
      b = await runPhase('baseline', BASELINE_MS, base, edge, (completed) => `${completed} requests answered`);
    }

    const report = (r: PhaseResult) => {
      const densest = densestWindow(r.arrivals, WINDOW_MS);
      const runRate = (countBetween(r.arrivals, r.start, r.end) * 1000) / (r.end - r.start);
      return { densest, ratio: densest.count / LIMIT, runRate, perWindow: perWindowCounts(r.arrivals, r.start, r.end, WINDOW_MS), waits: summarize(r.waits) };
    };

    const ra = report(a);
    const sandboxA = densestWindow(a.sandboxArrivals, WINDOW_MS);
    const slotsA = densestWindow(inUs(a.slots), WINDOW_MS * 1000);
    const slotsPadded = densestWindow(inUs(a.slots), (WINDOW_MS + padding) * 1000);
    const late = summarize(a.lateness);
    const lateMax = a.lateness.length ? Math.max(...a.lateness) : Number.NaN;
    const lateOverPadding = a.lateness.filter((l) => l >= padding).length;
    const grants = a.slots.length;
    const rateRatio = ra.runRate / limitPerSecond;
    const callsPerGrant = aCalls.calls / Math.max(1, grants);
    const conflictsPerGrant = aCalls.conflicts / Math.max(1, grants);
    say('');
    say(`A. Ours — DynamoRateLimiter × ${WORKERS} sharing one table (DynamoDB Local)`);
    say(`   requests arrived                      ${a.arrivals.length} (completed ${a.completed}, errors ${a.errors.size ? JSON.stringify(Object.fromEntries(a.errors)) : 0}; sandbox log saw ${a.sandboxArrivals.length})`);
    say(`   densest sliding window of ${WINDOW_MS} ms    ${ra.densest.count} arrivals → ${fixed(ra.ratio)} × L   target ≤ 1.00: ${status(ra.ratio <= 1)}`);
    say(`     cross-check, sandbox's own log       ${sandboxA.count} → ${fixed(sandboxA.count / LIMIT)} × L`);
    say(`     the limiter's ledger (slots)         ${slotsA.count} in W → ${fixed(slotsA.count / LIMIT)} × L;  ${slotsPadded.count} in W + padding (its guarantee: ≤ ${LIMIT})`);
    if (ra.densest.count > LIMIT) {
      const inWindow = a.arrivals.map((at, i) => ({ at, late: a.arrivalLateness[i] })).filter((x) => x.at >= ra.densest.start && x.at < ra.densest.start + WINDOW_MS).sort((x, y) => x.at - y.at);
      const lates = inWindow.map((x) => x.late).filter((l): l is number => l !== undefined);
      say(`     why: its ${inWindow.length} requests reached the server between ${fixed(Math.min(...lates), 0)} and ${fixed(Math.max(...lates), 0)} ms after their slots — a spread > padding ${padding} ms lets ${LIMIT} + 1 ledger-compliant slots land in one window`);
    }
    say(`   requests/s over the phase             ${fixed(ra.runRate)} req/s = ${fixed(rateRatio)} of L/W   target ≥ ${RATE_TARGET}: ${status(rateRatio >= RATE_TARGET)}`);
    say(`     per consecutive window of W          ${ra.perWindow.join(', ')} (of ${LIMIT});  steady-state ceiling with the padding: L/(W+P) = ${fixed(WINDOW_MS / (WINDOW_MS + padding), 3)} of L/W`);
    say(`   gate wait per request                 p50 ${ms(ra.waits.p50)}  p99 ${ms(ra.waits.p99)}  mean ${ms(ra.waits.mean)}  (n=${ra.waits.n})`);
    say(`   arrival − slot (send lateness)        p50 ${ms(late.p50)}  p99 ${ms(late.p99)}  max ${ms(lateMax)};  ${lateOverPadding} of ${late.n} ≥ padding ${padding} ms;  ${lateReleases} slots given up (woken > padding/2 late)`);
    const rel = summarize(a.releaseLateness);
    const send = summarize(a.sendDelays);
    say(`     = release − slot (limiter's check)   p50 ${ms(rel.p50)}  p99 ${ms(rel.p99)}  max ${ms(a.releaseLateness.length ? Math.max(...a.releaseLateness) : Number.NaN)}  (≤ padding/2 = ${padding / 2} ms by the release check)`);
    say(`     + arrival − release (send path)      p50 ${ms(send.p50)}  p99 ${ms(send.p99)}  max ${ms(a.sendDelays.length ? Math.max(...a.sendDelays) : Number.NaN)}  (the client and the proxy on this machine's CPUs)`);
    say(`   DynamoDB requests                     ${aCalls.calls} for ${grants} grants = ${fixed(callsPerGrant)} per grant   target ≤ ${CALLS_TARGET}: ${status(callsPerGrant <= CALLS_TARGET)}`);
    say(`     by kind                              ${aCalls.updates} updates, ${aCalls.reads} reads, ${aCalls.calls - aCalls.updates - aCalls.reads} other`);
    say(`     lost conditional writes               ${aCalls.conflicts} = ${fixed(conflictsPerGrant)} per grant (${guardMisses} guesses the item did not match, ${Math.max(0, aCalls.conflicts - guardMisses)} deadline answers: a slot past the caller's deadline, nothing written)`);
    say(`     call latency                          p50 ${ms(aCalls.latency.p50)}  p99 ${ms(aCalls.latency.p99)}`);
    say(`   this process's event-loop delay       p50 ${ms(loopDelay.percentile(50) / 1e6)}  p99 ${ms(loopDelay.percentile(99) / 1e6)}  max ${ms(loopDelay.max / 1e6)}`);

    let baseline: Record<string, unknown> | undefined;
    if (b) {
      const rb = report(b);
      const sandboxB = densestWindow(b.sandboxArrivals, WINDOW_MS);
      say('');
      say(`B. Baseline — per-process fixed-interval limiter (p-throttle limit ${LIMIT}, interval ${WINDOW_MS}) × ${WORKERS}, ${BASELINE_MS} ms`);
      say(`   requests arrived                      ${b.arrivals.length} (completed ${b.completed}, errors ${b.errors.size ? JSON.stringify(Object.fromEntries(b.errors)) : 0}; sandbox log saw ${b.sandboxArrivals.length})`);
      say(`   densest sliding window of ${WINDOW_MS} ms    ${rb.densest.count} arrivals → ${fixed(rb.ratio)} × L   (expected ≈ ${WORKERS}, up to ${2 * WORKERS}: each instance's fixed intervals let a sliding window straddle two)`);
      say(`     cross-check, sandbox's own log       ${sandboxB.count} → ${fixed(sandboxB.count / LIMIT)} × L`);
      say(`   requests/s over the phase             ${fixed(rb.runRate)} req/s = ${fixed(rb.runRate / limitPerSecond)} of L/W;  per consecutive window of W: ${rb.perWindow.join(', ')}`);
      say(`   gate wait per request                 p50 ${ms(rb.waits.p50)}  p99 ${ms(rb.waits.p99)}  mean ${ms(rb.waits.mean)}  (n=${rb.waits.n})`);
      say(`   DynamoDB requests                     0 (nothing shared: that is why it overshoots)`);
      say('');
      say(`C. Ours vs baseline`);
      say(`   densest-window ratio                  ours ${fixed(ra.ratio)} × L  vs  baseline ${fixed(rb.ratio)} × L  → baseline ÷ ours = ${fixed(rb.ratio / ra.ratio, 1)}×`);
      say(`   worst overshoot of the limit          ours ${Math.max(0, ra.densest.count - LIMIT)} requests  vs  baseline ${Math.max(0, rb.densest.count - LIMIT)} requests in one window`);
      say(`   throughput                            ours ${fixed(rateRatio)} of L/W  vs  baseline ${fixed(rb.runRate / limitPerSecond)} of L/W (it ignores the other instances)`);
      baseline = {
        durationMs: BASELINE_MS,
        arrivals: b.arrivals.length,
        densestWindow: rb.densest.count,
        densestRatio: round(rb.ratio),
        throughputRatio: round(rb.runRate / limitPerSecond),
        perWindow: rb.perWindow,
        baselineOverOurs: round(rb.ratio / ra.ratio),
      };
    }
    const targets = [
      { name: 'densest window at the server ≤ 1.00 × L', value: round(ra.ratio), target: '<= 1.00', status: status(ra.ratio <= 1) },
      { name: `throughput ≥ ${RATE_TARGET} of L/W at W = ${WINDOW_MS / 1000} s`, value: round(rateRatio), target: `>= ${RATE_TARGET}`, status: status(rateRatio >= RATE_TARGET) },
      { name: `DynamoDB requests per grant ≤ ${CALLS_TARGET} at ${WORKERS} instances`, value: round(callsPerGrant), target: `<= ${CALLS_TARGET}`, status: status(callsPerGrant <= CALLS_TARGET) },
    ];
    say('');
    say(`Targets: ${targets.map((t) => `${t.name}: ${t.value} ${t.status}`).join(';  ')}`);
    if (process.env.BENCH_RL_DUMP) {
      writeFileSync(process.env.BENCH_RL_DUMP, JSON.stringify({ limit: LIMIT, windowMs: WINDOW_MS, paddingMs: padding, ours: { start: a.start, end: a.end, arrivals: a.arrivals, lateness: a.arrivalLateness, slots: a.slots } }));
      say(`(arrivals of A written to ${process.env.BENCH_RL_DUMP})`);
    }
    if (JSON_OUTPUT) {
      const figures = {
        bench: 'ratelimit',
        at: new Date().toISOString(),
        limit: LIMIT,
        windowMs: WINDOW_MS,
        workers: WORKERS,
        paddingMs: padding,
        cpus: cpus().length,
        loadAverageAtStart: startLoad.map((l) => round(l, 2)),
        ours: {
          durationMs: DURATION_MS,
          arrivals: a.arrivals.length,
          grants,
          densestWindow: ra.densest.count,
          densestRatio: round(ra.ratio),
          ledgerInWindowPlusPadding: slotsPadded.count,
          throughputRatio: round(rateRatio),
          perWindow: ra.perWindow,
          gateWaitMs: { p50: ra.waits.p50, p99: ra.waits.p99 },
          latenessMs: { p50: late.p50, p99: late.p99, max: lateMax },
          releaseLatenessMaxMs: a.releaseLateness.length ? Math.max(...a.releaseLateness) : null,
          sendDelayMs: { p50: summarize(a.sendDelays).p50, p99: summarize(a.sendDelays).p99, max: a.sendDelays.length ? Math.max(...a.sendDelays) : null },
          slotsGivenUp: lateReleases,
          dynamoRequests: aCalls.calls,
          dynamoRequestsPerGrant: round(callsPerGrant),
          lostConditionalWrites: aCalls.conflicts,
          lostConditionalWritesPerGrant: round(conflictsPerGrant),
          guardMisses,
          dynamoLatencyMs: { p50: round(aCalls.latency.p50, 1), p99: round(aCalls.latency.p99, 1) },
        },
        baseline,
        targets,
      };
      say(JSON.stringify(figures));
    }
  } finally {
    for (const w of all) w.destroy();
    admin.destroy();
    await edge.stop();
    await emulators.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
