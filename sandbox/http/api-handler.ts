/**
 * Serves one /api/v1 request: injected faults, authentication, hourly quota, routing, and the
 * documented error envelope. Faults apply before the request takes effect, or after it when the
 * profile says `afterCommit` (the client then never learns that its appointment exists).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxCore } from '../core';
import { authenticate, extractKey } from '../domain/auth';
import { ApiError } from '../domain/errors';
import { maskSecret } from '../domain/mask';
import type { RequestFault } from '../domain/faults';
import type { ApiHandler } from './api-routes';
import { parseJson, queryOf, readRaw } from './body';
import { send, type HttpResult } from './respond';
import type { Router } from './router';

export const API_PREFIX = '/api/v1';

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function handleApiRequest(
  core: SandboxCore,
  router: Router<ApiHandler>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  onHang: (req: IncomingMessage) => void,
): Promise<void> {
  const started = Date.now();
  const fault = core.faults.decideRequest();
  const latency = core.faults.profile.latencyMs;
  const afterCommit = core.faults.profile.afterCommit;
  let keyLabel = '-';

  if (!afterCommit && fault.kind !== 'none') {
    if (latency > 0) await sleep(latency);
    await applyFault(fault, req, res, onHang);
    core.logger(`${req.method} ${url.pathname} fault=${fault.kind}`);
    return;
  }

  let result: HttpResult;
  try {
    const raw = await readRaw(req);
    const presented = extractKey({ xApiKey: header(req, 'x-api-key'), authorization: header(req, 'authorization') }, core.assumptions);
    keyLabel = maskSecret(presented);
    const key = authenticate(core.store.state.keys, presented, core.clock.now());
    const quotaHeaders = core.limiter.consume(key.key, key.quotaPerHour, core.assumptions);
    const extra = core.assumptions.rateLimitHeadersOnSuccess ? quotaHeaders : {};
    const path = url.pathname.slice(API_PREFIX.length) || '/';
    const match = router.match(req.method ?? 'GET', path);
    if (match === null) throw new ApiError(404, 'NOT_FOUND', `No route for ${req.method} ${url.pathname}`);
    if (match === 'method-not-allowed') throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`);
    try {
      result = match.handler(core, { key, params: match.params, query: queryOf(url), body: parseJson(raw) });
      result = { ...result, headers: { ...extra, ...result.headers } };
    } catch (err) {
      if (err instanceof ApiError) throw new ApiError(err.status, err.code, err.message, err.details, { ...extra, ...err.headers });
      throw err;
    }
  } catch (err) {
    result = toErrorResult(err, core);
  }

  if (latency > 0) await sleep(latency);
  if (afterCommit && fault.kind !== 'none') {
    await applyFault(fault, req, res, onHang);
    core.logger(`${req.method} ${url.pathname} ${result.status} then fault=${fault.kind} key=${keyLabel}`);
    return;
  }
  send(req, res, result);
  core.logger(`${req.method} ${url.pathname}${url.search ? '?…' : ''} ${result.status} ${Date.now() - started}ms key=${keyLabel}`);
}

function toErrorResult(err: unknown, core: SandboxCore): HttpResult {
  if (err instanceof ApiError) return { status: err.status, body: err.toBody(), headers: err.headers };
  core.logger(`internal error: ${err instanceof Error ? err.stack : String(err)}`);
  return { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'Internal sandbox error' } } };
}

async function applyFault(fault: RequestFault, req: IncomingMessage, res: ServerResponse, onHang: (req: IncomingMessage) => void): Promise<void> {
  switch (fault.kind) {
    case 'hang':
      onHang(req); // never answered; the server destroys it on stop
      return;
    case 'drop':
      req.socket.destroy();
      return;
    case 'error': {
      req.resume(); // discard the unread body so the connection stays usable
      const code = fault.status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_ERROR';
      send(req, res, { status: fault.status, body: { error: { code, message: 'Injected fault (sandbox fault profile)' } } });
      return;
    }
    default:
      return;
  }
}
