/**
 * The whole local runtime from the wiring: emulators (started or reused), every table and queue,
 * one worker-thread function per wiring function, the API (routes from the wiring), a poller per
 * SQS event source, and optionally the MONCRENEAU sandbox. Everything is derived by looping over
 * the wiring, so a new function, route, table or queue needs no change here; steps that belong to
 * the application (seeding the ledger) come in through `prepare`.
 */
import type { APIGatewayProxyEvent, SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { FeatureFlags } from '../../shared/adapters/feature-flags';
import { stageConfig, type StageConfig, type StageName } from '../config/stages';
import { wiring, type FunctionKey, type QueueKey, type Wiring } from '../wiring';
import { startApiGateway, type ApiGateway, type ApiRoute } from './api-gateway';
import { localClients, type LocalClients } from './clients';
import { startEmulators, type Emulators } from './emulators';
import { lambdaRuntimeEnvironment, localFunctionName, resolveFunctionEnvironment } from './function-env';
import { DEFAULT_FUNCTIONS_DIR, handlerPath, loadWorkerFunction, type LocalFunction } from './invoke';
import { MetricsSink } from './metrics-sink';
import { provision, type LocalResources } from './provision';
import { startSqsPoller } from './sqs-poller';

/** What `prepare` gets: everything that exists before the functions load. */
export interface PrepareContext {
  readonly resources: LocalResources;
  readonly clients: LocalClients;
  readonly sandbox?: RunningSandbox;
  readonly log: (line: string) => void;
}

export interface LocalStackOptions {
  /** API port; default `PORT` or 3000; 0 = a free port. */
  readonly port?: number;
  /** Local always runs the dev stage config. */
  readonly stage?: Extract<StageName, 'dev'>;
  /** Prefix for every table/queue name (isolates runs sharing emulators). */
  readonly namePrefix?: string;
  /** Queue visibility timeout locally (default 5 s so failures retry quickly; AWS uses the wiring value). */
  readonly visibilityTimeoutSeconds?: number;
  /** Reuse running emulators (tests); otherwise they are started and stopped with the stack. */
  readonly emulators?: Emulators;
  readonly withSandbox?: boolean;
  /** Default `SANDBOX_PORT` or 4010; 0 = a free port. */
  readonly sandboxPort?: number;
  /** Where `<folder>/handler.ts` live; default `functions/`. Tests point it at fixtures. */
  readonly functionsDir?: string;
  /** Pollers' long-poll wait (Lambda: 20 s). */
  readonly pollWaitTimeSeconds?: number;
  /** How long a poller paused by a flag waits before checking the flag again (default 1 s). */
  readonly pausedCheckMs?: number;
  /** Scheduled functions run every `everyMinutes` × this many ms (default 60 000: real minutes; tests shorten it). */
  readonly scheduleMinuteMs?: number;
  /** Where the functions' metrics (and what API Gateway and Lambda would publish) are appended, for `npm run alarms`. */
  readonly metricsFile?: string;
  /** Application steps once tables, queues and the sandbox exist, before any function runs. */
  readonly prepare?: (context: PrepareContext) => Promise<void>;
  /**
   * Variables given to every function last, over the wiring's values (load and fault runs: a proxy in
   * front of the sandbox, scaled rate limits, a key of their own). `npm start` never sets it.
   */
  readonly functionEnv?: (context: PrepareContext) => Readonly<Record<string, string>>;
  readonly log?: (line: string) => void;
}

export interface LocalStack {
  readonly apiUrl: string;
  /** Where MONCRENEAU (or the sandbox) should deliver webhooks; undefined if no function owns the webhook route. */
  readonly webhookUrl?: string;
  readonly sandboxUrl?: string;
  readonly resources: LocalResources;
  readonly emulators: Emulators;
  readonly metricsFile?: string;
  /** The running functions (fault runs kill one mid-batch with `kill()`). */
  readonly functions: Readonly<Record<FunctionKey, LocalFunction>>;
  stop(): Promise<void>;
}

export const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 5;
/** The wiring function whose route receives MONCRENEAU webhooks (its path comes from the wiring). */
export const WEBHOOK_FUNCTION: FunctionKey = 'webhookReceiver';

const STOP_ORDER = ['sandbox', 'API', 'schedule', 'SQS poller', 'function', 'SDK clients', 'emulators'] as const;
type Phase = (typeof STOP_ORDER)[number];

/** What has been started so far, stopped in an order that loses no in-flight work. */
class Stoppables {
  private readonly stops: Array<{ what: Phase; stop: () => Promise<void> | void }> = [];
  constructor(private readonly log: (line: string) => void) {}

  add(what: Phase, stop: () => Promise<void> | void): void {
    this.stops.push({ what, stop });
  }

  /** No new work in (sandbox, API), drain pollers' in-flight batches while their functions still run, then the functions, the emulators last. */
  async stopAll(): Promise<void> {
    const ordered = this.stops.splice(0).sort((a, b) => STOP_ORDER.indexOf(a.what) - STOP_ORDER.indexOf(b.what));
    for (const { what, stop } of ordered) {
      await Promise.resolve()
        .then(stop)
        .catch((error: unknown) => this.log(`local: stopping ${what} failed: ${(error as Error).message}`));
    }
  }
}

/** Timeout of the function consuming `queue` (0 if none), plus a little slack for the poller's own calls. */
function consumerTimeout(w: Wiring, queue: QueueKey): number {
  const consumer = Object.values(w.functions).find((f) => f.queueSource?.queue === queue);
  return consumer ? consumer.timeoutSeconds + 5 : 0;
}

function functionKeys(w: Wiring): FunctionKey[] {
  return Object.keys(w.functions) as FunctionKey[];
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const config = stageConfig(options.stage ?? 'dev');
  const w = wiring(config);
  const running = new Stoppables(log);
  try {
    const emulators = options.emulators ?? (await startEmulators());
    if (!options.emulators) running.add('emulators', () => emulators.stop());
    const clients = localClients(emulators);
    running.add('SDK clients', () => clients.destroy());
    const resources = await provision(w, clients, {
      namePrefix: options.namePrefix,
      // Short locally so a failed message comes back quickly, but never shorter than its consumer's
      // timeout: a slow invocation must not see its own message redelivered (and burn receives) mid-run.
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? ((queue) => Math.max(LOCAL_VISIBILITY_TIMEOUT_SECONDS, consumerTimeout(w, queue))),
    });

    // Routes exist before the functions load (the sandbox needs the API URL first, the functions
    // need the sandbox URL); a request arriving meanwhile waits for its function.
    const metrics = options.metricsFile ? new MetricsSink(options.metricsFile) : undefined;
    const started: Started = { w, config, options, running, log, emulators, clients, resources, metrics };
    const functions = deferred<Record<FunctionKey, LocalFunction>>();
    const api = await startApi(started, functions.promise);
    const webhookPath = w.functions[WEBHOOK_FUNCTION]?.routes?.[0]?.path;
    const webhookUrl = webhookPath ? `${api.url}${webhookPath}` : undefined;
    const sandbox = options.withSandbox ? await startLocalSandbox(started, webhookUrl) : undefined;
    const context: PrepareContext = { resources, clients, sandbox, log };
    await options.prepare?.(context);

    let loaded: Record<FunctionKey, LocalFunction>;
    try {
      loaded = await loadFunctions(started, sandbox, options.functionEnv?.(context) ?? {});
    } catch (error) {
      functions.reject(error as Error);
      throw error;
    }
    functions.resolve(loaded);
    startPollers(started, loaded);
    startSchedules(started, loaded);

    return { apiUrl: api.url, webhookUrl, sandboxUrl: sandbox?.url, resources, emulators, metricsFile: options.metricsFile, functions: loaded, stop: () => running.stopAll() };
  } catch (error) {
    await running.stopAll();
    throw error;
  }
}

/** What the phases after provisioning share. */
interface Started {
  readonly w: Wiring;
  readonly config: StageConfig;
  readonly options: LocalStackOptions;
  readonly running: Stoppables;
  readonly log: (line: string) => void;
  readonly emulators: Emulators;
  readonly clients: LocalClients;
  readonly resources: LocalResources;
  readonly metrics?: MetricsSink;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

async function startApi({ w, config, options, running, log, metrics }: Started, functions: Promise<Record<FunctionKey, LocalFunction>>): Promise<ApiGateway> {
  const routes: ApiRoute[] = functionKeys(w).flatMap((key) =>
    (w.functions[key].routes ?? []).map((route) => ({
      ...route,
      functionName: localFunctionName(w, key),
      invoke: async (event: APIGatewayProxyEvent) => (await functions)[key].invoke(event),
    })),
  );
  const api = await startApiGateway({ routes, port: options.port, stage: config.stage, log, metrics: metrics ? { sink: metrics, apiName: w.prefix } : undefined });
  running.add('API', () => api.close());
  return api;
}

async function startLocalSandbox({ options, running, log }: Started, webhookUrl: string | undefined): Promise<RunningSandbox> {
  if (!webhookUrl) throw new Error(`No route for ${WEBHOOK_FUNCTION} in the wiring: the sandbox has nowhere to deliver webhooks.`);
  const sandbox = await startSandbox({
    port: options.sandboxPort ?? Number(process.env.SANDBOX_PORT ?? 4010),
    host: '127.0.0.1',
    webhookUrl,
    logger: (line) => log(`sandbox: ${line}`),
  });
  running.add('sandbox', () => sandbox.stop());
  return sandbox;
}

async function loadFunctions({ w, config, emulators, resources, options, running, metrics }: Started, sandbox: RunningSandbox | undefined, extraEnv: Readonly<Record<string, string>>): Promise<Record<FunctionKey, LocalFunction>> {
  const loaded = {} as Record<FunctionKey, LocalFunction>;
  for (const key of functionKeys(w)) {
    const spec = w.functions[key];
    const env = {
      ...lambdaRuntimeEnvironment(w, key, emulators),
      ...resolveFunctionEnvironment(w, config, key, resources),
      ...(sandbox ? { MONCRENEAU_BASE_URL: sandbox.apiBaseUrl } : {}),
      ...extraEnv,
    };
    loaded[key] = await loadWorkerFunction({
      functionName: localFunctionName(w, key),
      timeoutSeconds: spec.timeoutSeconds,
      memoryMb: spec.memoryMb,
      region: emulators.region,
      handlerPath: handlerPath(options.functionsDir ?? DEFAULT_FUNCTIONS_DIR, spec.folder),
      env,
      metrics,
    });
    running.add('function', () => loaded[key].close());
  }
  return loaded;
}

function startPollers({ w, clients, emulators, resources, options, running, log }: Started, loaded: Record<FunctionKey, LocalFunction>): void {
  // What a disabled event source mapping is in AWS (npm run flags disables it there): the flag, read with no cache.
  const flags = new FeatureFlags(resources.tables.flags, { db: DynamoDBDocumentClient.from(clients.dynamodb), cacheMs: 0 });
  for (const key of functionKeys(w)) {
    const source = w.functions[key].queueSource;
    if (!source) continue;
    const queue = resources.queues[source.queue];
    const flag = source.pausedByFlag;
    const poller = startSqsPoller({
      sqs: clients.sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      region: emulators.region,
      functionName: loaded[key].functionName,
      invoke: (event: SQSEvent) => loaded[key].invoke(event),
      batchSize: source.batchSize,
      maxBatchingWindowSeconds: source.maxBatchingWindowSeconds,
      maxConcurrency: source.maxConcurrency,
      reportBatchItemFailures: source.reportBatchItemFailures,
      waitTimeSeconds: options.pollWaitTimeSeconds,
      ...(flag ? { paused: async () => !(await flags.enabled(flag)), pausedCheckMs: options.pausedCheckMs } : {}),
      log,
    });
    running.add('SQS poller', () => poller.stop());
  }
}

/** Like an EventBridge rule: each scheduled function is invoked on its rate with a Scheduled Event. */
function startSchedules({ w, emulators, options, running, log }: Started, loaded: Record<FunctionKey, LocalFunction>): void {
  for (const key of functionKeys(w)) {
    const schedule = w.functions[key].schedule;
    if (!schedule) continue;
    const everyMs = schedule.everyMinutes * (options.scheduleMinuteMs ?? 60_000);
    const run = () => {
      loaded[key].invoke(scheduledEvent(emulators.region, `${loaded[key].functionName}-schedule`)).catch((error: unknown) => log(`schedule: ${loaded[key].functionName} failed: ${(error as Error).message}`));
    };
    // Once at start (as a fresh deploy's first run comes within minutes), then on the rate.
    const first = setTimeout(run, 1000);
    const timer = setInterval(run, everyMs);
    first.unref();
    timer.unref();
    running.add('schedule', () => (clearTimeout(first), clearInterval(timer)));
  }
}

function scheduledEvent(region: string, rule: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString(),
    region,
    resources: [`arn:aws:events:${region}:000000000000:rule/${rule}`],
    detail: {},
  };
}

