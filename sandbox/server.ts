/**
 * startSandbox(): the MONCRENEAU sandbox as an HTTP server — /api/v1 (the simulated public API) and
 * /_sandbox (the control plane) — plus the in-process SandboxControl. Used by `npm run sandbox`,
 * the local runtime (`npm start`) and the tests.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SandboxControl } from './control';
import { SandboxCore } from './core';
import {
  DEFAULT_HOST,
  DEFAULT_PAYMENT_DELAY_MS,
  DEFAULT_SEED,
  DEFAULT_WEBHOOK_RETRY_SCHEDULE,
  DEFAULT_WEBHOOK_URL,
  type SandboxAssumptions,
} from './defaults';
import type { NowFn } from './domain/clock';
import { API_PREFIX, handleApiRequest } from './http/api-handler';
import { apiRouter } from './http/api-routes';
import { CONTROL_PREFIX, handleControlRequest } from './http/control-routes';
import { send } from './http/respond';

export { SandboxControl } from './control';

export interface SandboxOptions {
  /** 0 = a free port. Default 0 (the CLI passes SANDBOX_PORT or 4010). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  seed?: number;
  /** Default webhook endpoint; null = none; undefined = the documented default URL. */
  webhookUrl?: string | null;
  /** JSON file that mirrors the state so a restart keeps it. */
  stateFile?: string;
  /** Delays (ms) before each webhook retry. */
  webhookRetrySchedule?: number[];
  /** Delay before the simulated Orange Money answers a purchase. */
  paymentDelayMs?: number;
  logger?: (line: string) => void;
  /** Overrides of the assumed behaviours (see defaults.ts / docs/sandbox.md). */
  assumptions?: Partial<SandboxAssumptions>;
  /** Base clock (ms since epoch), for tests that need to control time. */
  now?: NowFn;
}

export interface RunningSandbox {
  url: string;
  apiBaseUrl: string;
  stop(): Promise<void>;
  control: SandboxControl;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const logger = options.logger ?? (() => undefined);
  const core = new SandboxCore({
    seed: options.seed ?? DEFAULT_SEED,
    webhookUrl: options.webhookUrl === undefined ? DEFAULT_WEBHOOK_URL : options.webhookUrl,
    stateFile: options.stateFile,
    webhookRetrySchedule: options.webhookRetrySchedule ?? DEFAULT_WEBHOOK_RETRY_SCHEDULE,
    paymentDelayMs: options.paymentDelayMs ?? DEFAULT_PAYMENT_DELAY_MS,
    assumptions: options.assumptions,
    now: options.now,
    logger,
  });
  const control = new SandboxControl(core);
  const router = apiRouter();
  const hanging = new Set<Socket>();
  const onHang = (req: IncomingMessage): void => {
    hanging.add(req.socket);
    req.socket.once('close', () => hanging.delete(req.socket));
  };

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const path = url.pathname;
    let work: Promise<void>;
    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) work = handleApiRequest(core, router, req, res, url, onHang);
    else if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) work = handleControlRequest(control, req, res, url);
    else {
      send(req, res, { status: 404, body: { error: { code: 'NOT_FOUND', message: `Nothing at ${path}; the API lives under ${API_PREFIX}` } } });
      return;
    }
    work.catch((err: unknown) => {
      logger(`unhandled: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) send(req, res, { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'Internal sandbox error' } } });
    });
  });

  const host = options.host ?? DEFAULT_HOST;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  logger(`MONCRENEAU sandbox listening on ${url} (API ${url}${API_PREFIX}, control ${url}${CONTROL_PREFIX})`);

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= new Promise<void>((resolve) => {
      core.stop();
      for (const socket of hanging) socket.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return stopped;
  };

  return { url, apiBaseUrl: `${url}${API_PREFIX}`, stop, control };
}
