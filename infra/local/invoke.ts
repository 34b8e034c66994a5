/**
 * Loads and invokes local functions.
 *
 * Environment: a handler reads its configuration from `process.env` at module load, and two
 * functions may disagree on a variable (POWERTOOLS_SERVICE_NAME differs per function), so one
 * process-wide environment cannot serve them all. Each function is therefore loaded in its own
 * worker thread whose `process.env` is `{...process.env, ...functionEnv}`, set before the handler
 * module is required — like a Lambda execution environment, with its own module state too.
 * Invocations to one function run concurrently on that worker's event loop (Node is async; Lambda
 * would use several instances — the observable difference is shared module state, which handlers
 * must tolerate anyway across warm invocations).
 *
 * Tests and embedders can instead wrap a plain handler function in-process (`inProcessFunction`).
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { contextInit } from './lambda-context';
import { asError, runHandler, type LambdaHandler } from './run-handler';
import type { WorkerData, WorkerReply, WorkerRequest, SerialisedError } from './function-worker';
import type { MetricsSink } from './metrics-sink';

/** What the API gateway and the pollers call: one invocation, Lambda context built inside. */
export type Invoke<E, R> = (event: E) => Promise<R>;

export interface FunctionIdentity {
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly region: string;
}

export interface LocalFunction extends FunctionIdentity {
  invoke<E, R>(event: E): Promise<R>;
  /**
   * Kills the execution environment now, as a crash would (load and fault runs): the invocations in
   * flight fail with Runtime.ExitError and the next one starts a fresh environment. Returns how many
   * invocations it interrupted.
   */
  kill(): Promise<number>;
  close(): Promise<void>;
}

/** `<functionsDir>/<folder>/handler.ts`, the layout the CDK stacks bundle from. */
export function handlerPath(functionsDir: string, folder: string): string {
  return path.join(functionsDir, folder, 'handler.ts');
}

export const DEFAULT_FUNCTIONS_DIR = path.resolve(__dirname, '..', '..', 'functions');

export function inProcessFunction(handler: LambdaHandler, identity: FunctionIdentity): LocalFunction {
  return {
    ...identity,
    invoke: async <E, R>(event: E) => (await runHandler(handler, event, contextInit({ ...identity }))) as R,
    kill: async () => {
      throw new Error(`${identity.functionName} runs in-process: it cannot be killed`);
    },
    close: async () => undefined,
  };
}

// The worker runs TypeScript: tsx's CJS hook is registered inside it (a no-op conflict-wise when
// the parent already runs under tsx, since the hook is namespaced per registration).
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
require(workerData.tsxApi).register({ namespace: 'moncreneau-local' }).require(workerData.entry, workerData.entry);
`;

/** Grace on top of the function timeout before the parent gives up on a wedged worker. */
const PARENT_GRACE_MS = 2000;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export async function loadWorkerFunction(
  options: FunctionIdentity & { handlerPath: string; env: Readonly<Record<string, string>>; exportName?: string; metrics?: MetricsSink },
): Promise<LocalFunction> {
  if (!existsSync(options.handlerPath)) throw new Error(`Handler not found: ${options.handlerPath} (expected an exported "handler")`);
  const identity: FunctionIdentity = { functionName: options.functionName, timeoutSeconds: options.timeoutSeconds, memoryMb: options.memoryMb, region: options.region };
  const data: WorkerData & { tsxApi: string; entry: string } = {
    handlerPath: options.handlerPath,
    exportName: options.exportName ?? 'handler',
    tsxApi: require.resolve('tsx/cjs/api'),
    entry: path.join(__dirname, 'function-worker.ts'),
  };
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closing = false;
  let current: Promise<Worker> | undefined;

  const failAll = (error: Error): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(error);
      pending.delete(id);
    }
  };

  // (Re)spawns the worker; a crashed one (uncaught error in a handler's stray promise) is replaced
  // on the next invocation, as Lambda replaces a crashed execution environment.
  const spawn = (): Promise<Worker> =>
    new Promise<Worker>((resolve, reject) => {
      // The worker's output is re-emitted through this process's streams (not piped natively), so
      // whatever wraps process.stdout here — the test suite's log capture, a benchmark's mute — sees it.
      const worker = new Worker(BOOTSTRAP, { eval: true, workerData: data, env: { ...process.env, ...options.env }, stdout: true, stderr: true });
      worker.stdout.on('data', (chunk: Buffer) => {
        process.stdout.write(chunk);
        options.metrics?.observeOutput(options.functionName, chunk);
      });
      worker.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      let ready = false;
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') {
          ready = true;
          resolve(worker);
        } else if (reply.type === 'load-error') {
          reject(revive(reply.error, `Cannot load ${options.functionName} (Runtime.ImportModuleError)`));
        } else {
          const p = pending.get(reply.id);
          if (!p) return;
          pending.delete(reply.id);
          clearTimeout(p.timer);
          if (reply.ok) p.resolve(reply.result);
          else p.reject(revive(reply.error));
        }
      });
      worker.on('error', (error) => {
        if (!ready) return reject(error);
        failAll(new Error(`${options.functionName} crashed (Runtime.ExitError): ${error.message}`));
      });
      worker.on('exit', (code) => {
        if (!ready) reject(new Error(`${options.functionName} worker exited during load (code ${code})`));
        current = undefined;
        if (!closing) failAll(new Error(`${options.functionName} exited (Runtime.ExitError, code ${code})`));
      });
    });

  current = spawn();
  // Fail fast (at start-up) on a handler that does not load, rather than at the first request.
  await current.catch((error: unknown) => {
    current = undefined;
    throw asError(error);
  });

  return {
    ...identity,
    async invoke<E, R>(event: E): Promise<R> {
      if (closing) throw new Error(`${options.functionName} is stopped`);
      current ??= spawn();
      const worker = await current;
      const init = contextInit({ ...identity });
      const id = nextId++;
      const invocation = new Promise<R>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${options.functionName} did not answer within its timeout (worker blocked?)`));
        }, options.timeoutSeconds * 1000 + PARENT_GRACE_MS);
        pending.set(id, { resolve: (v) => resolve(v as R), reject, timer });
        worker.postMessage({ id, event, init } satisfies WorkerRequest);
      });
      // What Lambda itself publishes for the function (its Errors alarm reads this locally).
      const published = (errors: number) => options.metrics?.record('AWS/Lambda', { FunctionName: options.functionName }, { Invocations: { value: 1, unit: 'Count' }, Errors: { value: errors, unit: 'Count' } });
      return invocation.then(
        (result) => (published(0), result),
        (error: unknown) => {
          published(1);
          throw error;
        },
      );
    },
    async kill(): Promise<number> {
      const worker = await current?.catch(() => undefined);
      if (!worker) return 0;
      const interrupted = pending.size;
      // The 'exit' handler fails what was in flight and forgets the worker; the next invoke respawns it.
      await worker.terminate();
      return interrupted;
    },
    async close(): Promise<void> {
      closing = true;
      const worker = await current?.catch(() => undefined);
      failAll(new Error(`${options.functionName} stopped`));
      await worker?.terminate();
    },
  };
}

function revive(error: SerialisedError, prefix?: string): Error {
  const e = new Error(prefix ? `${prefix}: ${error.message}` : error.message);
  e.name = error.name;
  if (error.stack) e.stack = prefix ? `${prefix}\n${error.stack}` : error.stack;
  return e;
}
