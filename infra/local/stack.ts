/**
 * The whole local runtime from the wiring: emulators (started or reused), every table and queue,
 * one worker-thread function per wiring function, the API (routes from the wiring), a poller per
 * SQS event source, and optionally the MONCRENEAU sandbox. Everything is derived by looping over
 * the wiring, so a new function, route, table or queue needs no change here.
 */
import type { APIGatewayProxyEvent, SQSEvent } from 'aws-lambda';
import { stageConfig, type StageName } from '../config/stages';
import { wiring, type FunctionKey, type QueueKey, type Wiring } from '../wiring';
import { startApiGateway, type ApiGateway, type ApiRoute } from './api-gateway';
import { localClients } from './clients';
import { startEmulators, type Emulators } from './emulators';
import { lambdaRuntimeEnvironment, localFunctionName, resolveFunctionEnvironment } from './function-env';
import { DEFAULT_FUNCTIONS_DIR, handlerPath, loadWorkerFunction, type LocalFunction } from './invoke';
import { provision, type LocalResources } from './provision';
import { documentClient } from '../../shared/adapters/appointments-table';
import { CreditsLedger } from '../../shared/adapters/credits-ledger';
import { loadSandbox, type SandboxHandle } from './sandbox-loader';
import { startSqsPoller, type SqsPoller } from './sqs-poller';

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
  readonly log?: (line: string) => void;
}

export interface LocalStack {
  readonly apiUrl: string;
  /** Where MONCRENEAU (or the sandbox) should deliver webhooks; undefined if no function owns the webhook route. */
  readonly webhookUrl?: string;
  readonly sandboxUrl?: string;
  readonly resources: LocalResources;
  readonly emulators: Emulators;
  stop(): Promise<void>;
}

export const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 5;
/** The wiring function whose route receives MONCRENEAU webhooks (its path comes from the wiring). */
export const WEBHOOK_FUNCTION: FunctionKey = 'webhookReceiver';

const STOP_ORDER = ['sandbox', 'API', 'SQS poller', 'function', 'SDK clients', 'emulators'] as const;
type Phase = (typeof STOP_ORDER)[number];

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
  const stops: Array<{ what: Phase; stop: () => Promise<void> | void }> = [];
  // Shutdown order: no new work in (sandbox, API), drain pollers' in-flight batches while their
  // functions still run, then the functions, and the emulators last.
  const stopAll = async (): Promise<void> => {
    const ordered = stops.splice(0).sort((a, b) => STOP_ORDER.indexOf(a.what) - STOP_ORDER.indexOf(b.what));
    for (const { what, stop } of ordered) {
      await Promise.resolve()
        .then(stop)
        .catch((error: unknown) => log(`local: stopping ${what} failed: ${(error as Error).message}`));
    }
  };

  try {
    const emulators = options.emulators ?? (await startEmulators());
    if (!options.emulators) stops.push({ what: 'emulators', stop: () => emulators.stop() });
    const clients = localClients(emulators);
    stops.push({ what: 'SDK clients', stop: () => clients.destroy() });
    const resources = await provision(w, clients, {
      namePrefix: options.namePrefix,
      // Short locally so a failed message comes back quickly, but never shorter than its consumer's
      // timeout: a slow invocation must not see its own message redelivered (and burn receives) mid-run.
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? ((queue) => Math.max(LOCAL_VISIBILITY_TIMEOUT_SECONDS, consumerTimeout(w, queue))),
    });

    // Routes exist before the functions load (the sandbox needs the API URL first, the functions
    // need the sandbox URL); a request arriving meanwhile waits for its function.
    let functionsReady!: (fns: Record<FunctionKey, LocalFunction>) => void;
    let functionsFailed!: (error: Error) => void;
    const functions = new Promise<Record<FunctionKey, LocalFunction>>((resolve, reject) => {
      functionsReady = resolve;
      functionsFailed = reject;
    });
    functions.catch(() => undefined);
    const routes: ApiRoute[] = functionKeys(w).flatMap((key) => {
      return (w.functions[key].routes ?? []).map((route) => ({
        ...route,
        functionName: localFunctionName(w, key),
        invoke: async (event: APIGatewayProxyEvent) => (await functions)[key].invoke(event),
      }));
    });
    const api: ApiGateway = await startApiGateway({ routes, port: options.port, stage: config.stage, log });
    stops.push({ what: 'API', stop: () => api.close() });
    const webhookPath = w.functions[WEBHOOK_FUNCTION]?.routes?.[0]?.path;
    const webhookUrl = webhookPath ? `${api.url}${webhookPath}` : undefined;

    let sandbox: SandboxHandle | undefined;
    if (options.withSandbox) {
      if (!webhookUrl) throw new Error(`No route for ${WEBHOOK_FUNCTION} in the wiring: the sandbox has nowhere to deliver webhooks.`);
      const { startSandbox } = await loadSandbox();
      sandbox = await startSandbox({
        port: options.sandboxPort ?? Number(process.env.SANDBOX_PORT ?? 4010),
        host: '127.0.0.1',
        webhookUrl,
        logger: (line) => log(`sandbox: ${line}`),
      });
      stops.push({ what: 'sandbox', stop: () => sandbox?.stop() });
      // The kit's ledger starts where MONCRENEAU (here the sandbox) stands, as an operator would set it.
      const credits = sandbox.control.getCredits();
      await new CreditsLedger(resources.tables.ledger, { db: documentClient(clients.dynamodb) }).setBalance(credits, 'local: seeded from the MONCRENEAU sandbox');
      log(`Credits ledger seeded from the sandbox: ${credits}`);
    }

    const loaded = {} as Record<FunctionKey, LocalFunction>;
    try {
      for (const key of functionKeys(w)) {
        const spec = w.functions[key];
        const env = {
          ...lambdaRuntimeEnvironment(w, key, emulators),
          ...resolveFunctionEnvironment(w, config, key, resources),
          ...(sandbox ? { MONCRENEAU_BASE_URL: sandbox.apiBaseUrl } : {}),
        };
        loaded[key] = await loadWorkerFunction({
          functionName: localFunctionName(w, key),
          timeoutSeconds: spec.timeoutSeconds,
          memoryMb: spec.memoryMb,
          region: emulators.region,
          handlerPath: handlerPath(options.functionsDir ?? DEFAULT_FUNCTIONS_DIR, spec.folder),
          env,
        });
        stops.push({ what: 'function', stop: () => loaded[key].close() });
      }
    } catch (error) {
      functionsFailed(error as Error);
      throw error;
    }
    functionsReady(loaded);

    const pollers: SqsPoller[] = functionKeys(w).flatMap((key) => {
      const source = w.functions[key].queueSource;
      if (!source) return [];
      const queue = resources.queues[source.queue];
      return [
        startSqsPoller({
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
          log,
        }),
      ];
    });
    for (const poller of pollers) stops.push({ what: 'SQS poller', stop: () => poller.stop() });

    return { apiUrl: api.url, webhookUrl, sandboxUrl: sandbox?.url, resources, emulators, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
