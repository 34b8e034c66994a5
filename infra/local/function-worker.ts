/**
 * Runs inside a worker thread: one per local function, so each function has its own
 * `process.env` (set from its wiring before the handler module loads, as Lambda does) and its
 * own module state (clients, caches) — the isolation separate Lambda functions have.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runHandler, type LambdaHandler } from './run-handler';
import type { ContextInit } from './lambda-context';

export interface WorkerData {
  readonly handlerPath: string;
  readonly exportName: string;
}
export type WorkerRequest = { readonly id: number; readonly event: unknown; readonly init: ContextInit };
export type SerialisedError = { readonly name: string; readonly message: string; readonly stack?: string };
export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'load-error'; readonly error: SerialisedError }
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'result'; readonly id: number; readonly ok: false; readonly error: SerialisedError };

function serialise(error: unknown): SerialisedError {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, stack: e.stack };
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('function-worker.ts must run in a worker thread');
  const data = workerData as WorkerData;
  let handler: LambdaHandler;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(data.handlerPath) as Record<string, unknown>;
    const candidate = mod[data.exportName];
    if (typeof candidate !== 'function') throw new Error(`${data.handlerPath} does not export a function named "${data.exportName}"`);
    handler = candidate as LambdaHandler;
  } catch (error) {
    port.postMessage({ type: 'load-error', error: serialise(error) } satisfies WorkerReply);
    return;
  }
  port.on('message', (request: WorkerRequest) => {
    runHandler(handler, request.event, request.init).then(
      (result) => port.postMessage({ type: 'result', id: request.id, ok: true, result } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ type: 'result', id: request.id, ok: false, error: serialise(error) } satisfies WorkerReply),
    );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}

main();
