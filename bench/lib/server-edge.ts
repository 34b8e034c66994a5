/**
 * The rate-limit benchmark's server side — the MONCRENEAU sandbox behind the arrival-timestamping proxy —
 * in a child process of its own, as the real server is on another machine: the arrivals it records do not
 * depend on the event loop of the process that runs the N limiter instances (a busy loop there would
 * otherwise delay the proxy's timestamps and bunch them). The same machine's clock (Date.now()) is used on
 * both sides. Talks to the parent over the fork IPC channel.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { startSandbox } from '../../sandbox/server';
import { startArrivalProxy, type Arrival } from './arrival-proxy';

export interface ServerEdge {
  /** The proxy's API base URL (what the clients call). */
  readonly url: string;
  /** The child's scheduling priority (nice), raised when allowed so that a busy machine delays its timestamps less. */
  readonly priority: string;
  /** A sandbox API key whose own quota never gets in the way. */
  readonly apiKey: string;
  /** Forget the arrivals so far. */
  reset(): Promise<void>;
  /** Arrivals at the proxy since the last reset, and the sandbox's own arrival instants for GET /departments (cross-check). */
  collect(): Promise<{ arrivals: Arrival[]; sandbox: number[] }>;
  stop(): Promise<void>;
}

type Request = { id: number; op: 'reset' | 'collect' | 'stop' };
type Reply = { id: number; result?: unknown; error?: string };
const CHILD_FLAG = '--rate-limit-bench-server-edge';

export async function startServerEdge(): Promise<ServerEdge> {
  // The parent runs under tsx: the child inherits its loader through execArgv (fork's default).
  const child: ChildProcess = fork(__filename, [CHILD_FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let ready: (v: { url: string; apiKey: string }) => void = () => undefined;
  let failed: (e: Error) => void = () => undefined;
  const started = new Promise<{ url: string; apiKey: string }>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  child.on('message', (message: Reply | { ready: { url: string; apiKey: string } }) => {
    if ('ready' in message) return ready(message.ready);
    const p = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) p?.reject(new Error(message.error));
    else p?.resolve(message.result);
  });
  child.once('exit', (code) => {
    const error = new Error(`server edge process exited (${code})`);
    failed(error);
    for (const p of pending.values()) p.reject(error);
  });
  const call = <T>(op: Request['op']): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = (next += 1);
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op } satisfies Request);
    });
  const { url, apiKey } = await started;
  // MONCRENEAU runs on its own machine: when this one is busy, the server side should not be the one that waits for
  // a CPU (its arrival timestamps would bunch). Raising a priority needs privileges; without them it stays as it is.
  let priority = 'default (nice 0)';
  try {
    if (child.pid !== undefined) {
      setPriority(child.pid, -10);
      priority = 'raised (nice -10)';
    }
  } catch {
    priority = 'default (nice 0; raising it needs privileges)';
  }
  return {
    url,
    apiKey,
    priority,
    reset: () => call<void>('reset'),
    collect: () => call<{ arrivals: Arrival[]; sandbox: number[] }>('collect'),
    stop: async () => {
      await call<void>('stop').catch(() => undefined);
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function childMain(): Promise<void> {
  // The sandbox's log line for an API request is written when the answer is sent, with its handling time:
  // "GET /api/v1/departments 200 3ms key=…" → it started at (now − 3 ms): the sandbox's own arrival instant (±1 ms).
  let sandboxLog: number[] = [];
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
  const apiKey = sandbox.control.createKey({ name: 'bench-ratelimit', quotaPerHour: 10_000_000 }).key;
  const send = (message: unknown) => process.send?.(message);
  process.on('message', async (request: Request) => {
    try {
      if (request.op === 'reset') {
        proxy.reset();
        sandboxLog = [];
        send({ id: request.id });
      } else if (request.op === 'collect') {
        send({ id: request.id, result: { arrivals: [...proxy.arrivals()], sandbox: [...sandboxLog] } });
      } else {
        await proxy.stop();
        await sandbox.stop();
        send({ id: request.id });
        process.disconnect?.();
        process.exit(0);
      }
    } catch (error) {
      send({ id: request.id, error: (error as Error).message });
    }
  });
  process.on('disconnect', () => process.exit(0)); // the parent went away
  send({ ready: { url: proxy.url, apiKey } });
}

if (process.argv.includes(CHILD_FLAG)) {
  childMain().catch((error: unknown) => {
    console.error(`server edge failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  });
}
