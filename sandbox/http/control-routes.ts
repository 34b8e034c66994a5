/**
 * The HTTP control plane under /_sandbox (no auth: loopback-only tool). It maps 1:1 onto
 * SandboxControl; errors come back as `{error:{code:"CONTROL_ERROR",message}}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ControlError, type SandboxControl } from '../control';
import { ApiError } from '../domain/errors';
import { maskSecret } from '../domain/mask';
import type { DeliveryStatus } from '../webhooks/dispatcher';
import { TriggerError } from '../triggers';
import { parseJson, queryOf, readRaw } from './body';
import { send, type HttpResult } from './respond';
import { Router } from './router';

export const CONTROL_PREFIX = '/_sandbox';

type Body = Record<string, unknown>;
type ControlHandler = (control: SandboxControl, body: Body, params: Record<string, string>, query: Record<string, string | undefined>) => Promise<HttpResult> | HttpResult;

const ok = (body: unknown, status = 200): HttpResult => ({ status, body });
const num = (v: unknown, fallback?: number): number | undefined => (v === undefined || v === null || v === '' ? fallback : Number(v));

function controlRouter(): Router<ControlHandler> {
  return new Router<ControlHandler>()
    .add('GET', '/health', () => ok({ status: 'ok' }))
    .add('POST', '/reset', (c) => {
      c.reset();
      return ok({ reset: true });
    })
    .add('GET', '/credits', (c, _b, _p, q) => ok({ organizationId: num(q.organizationId, 1), credits: c.getCredits(num(q.organizationId, 1)) }))
    .add('PUT', '/credits', (c, b) => ok({ organizationId: num(b.organizationId, 1), credits: c.setCredits(Number(b.credits), num(b.organizationId, 1)) }))
    .add('GET', '/keys', (c) => ok(c.listKeys()))
    .add('POST', '/keys', (c, b) => ok(c.createKey(b), 201))
    // The key travels in the body, never in a URL.
    .add('POST', '/keys/revoke', (c, b) => {
      c.revokeKey(String(b.key));
      return ok({ revoked: maskSecret(String(b.key)) });
    })
    .add('GET', '/webhooks', (c, _b, _p, q) =>
      ok(c.webhooks().map((w) => (q.reveal === 'true' ? w : { ...w, secret: maskSecret(w.secret) }))),
    )
    .add('PUT', '/webhooks', (c, b) => ok(c.setWebhook(b.url ? (b as unknown as Parameters<SandboxControl['setWebhook']>[0]) : null)))
    .add('POST', '/webhooks', (c, b) => ok(c.addWebhook(b as unknown as Parameters<SandboxControl['addWebhook']>[0]), 201))
    .add('DELETE', '/webhooks/:id', (c, _b, p) => {
      c.removeWebhook(p.id);
      return { status: 204 };
    })
    .add('GET', '/webhooks/retry-schedule', (c) => ok({ retryScheduleMs: c.retrySchedule() }))
    .add('PUT', '/webhooks/retry-schedule', (c, b) => {
      c.setRetrySchedule(b.retryScheduleMs as number[]);
      return ok({ retryScheduleMs: c.retrySchedule() });
    })
    .add('GET', '/faults', (c) => ok(c.getFaults()))
    .add('PUT', '/faults', (c, b, _p, q) => ok(c.setFaults(b, { replace: q.replace === 'true' })))
    .add('DELETE', '/faults', (c) => ok(c.clearFaults()))
    .add('GET', '/assumptions', (c) => ok(c.getAssumptions()))
    .add('PUT', '/assumptions', (c, b) => ok(c.setAssumptions(b)))
    .add('PUT', '/payments/delay', (c, b) => {
      c.setPaymentDelay(Number(b.ms));
      return ok({ paymentDelayMs: Number(b.ms) });
    })
    .add('GET', '/payments', (c) => ok(c.payments()))
    .add('POST', '/payments/:id/settle', (c, b, p) => ok(c.settlePayment(p.id, b.status === 'FAILED' ? 'FAILED' : 'SUCCESSFUL')))
    .add('GET', '/appointments', (c) => ok(c.appointments()))
    .add('POST', '/events', (c, b) => ok(c.triggerEvent(b as unknown as Parameters<SandboxControl['triggerEvent']>[0]), 201))
    .add('GET', '/deliveries', (c, _b, _p, q) =>
      ok(c.deliveries({ eventId: q.eventId, eventType: q.eventType, status: q.status as DeliveryStatus | undefined })),
    )
    .add('DELETE', '/deliveries', (c) => {
      c.clearDeliveries();
      return { status: 204 };
    })
    .add('POST', '/deliveries/flush', async (c, b) => ok(await c.flushDeliveries(num(b.timeoutMs, 30_000))))
    .add('GET', '/clock', (c) => ok({ now: c.now() }))
    .add('POST', '/clock/advance', (c, b) => ok({ now: c.advanceClock(Number(b.ms)) }));
}

const router = controlRouter();

export async function handleControlRequest(control: SandboxControl, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  let result: HttpResult;
  try {
    const match = router.match(req.method ?? 'GET', url.pathname.slice(CONTROL_PREFIX.length) || '/');
    if (match === null || match === 'method-not-allowed') {
      result = { status: 404, body: { error: { code: 'NOT_FOUND', message: `No control route ${req.method} ${url.pathname}` } } };
    } else {
      const parsed = parseJson(await readRaw(req));
      const body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Body) : {};
      result = await match.handler(control, body, match.params, queryOf(url));
    }
  } catch (err) {
    result = controlError(err);
  }
  send(req, res, result);
}

function controlError(err: unknown): HttpResult {
  if (err instanceof ApiError) return { status: err.status, body: err.toBody() };
  const known = err instanceof ControlError || err instanceof TriggerError;
  const message = err instanceof Error ? err.message : String(err);
  return { status: known ? 400 : 500, body: { error: { code: 'CONTROL_ERROR', message } } };
}
