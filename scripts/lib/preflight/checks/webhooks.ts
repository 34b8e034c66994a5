/**
 * The webhook endpoint as MONCRENEAU sees it: HTTPS, a correctly signed test event accepted and then
 * processed (read back from the event store), an unsigned one refused. The test event has a type no
 * applier knows (`kit.preflight`), so processing it moves no appointment and no credit.
 */
import { randomUUID } from 'node:crypto';
import { signatureHeader } from '../../../../shared/moncreneau/signature';
import { fail, pass, skip, type CheckResult } from '../types';
import type { Check, CheckContext } from './context';

export const PREFLIGHT_EVENT_TYPE = 'kit.preflight';
const TIMEOUT_MS = 10_000;

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; ms: number } | { error: string }> {
  const started = Date.now();
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - started };
  } catch (error) {
    return { error: (error as Error).name === 'TimeoutError' ? `no answer in ${TIMEOUT_MS / 1000} s` : (error as Error).message };
  }
}

async function endpoint(context: CheckContext): Promise<string | CheckResult> {
  const url = await context.probe.webhookUrl();
  return url ?? fail('no webhook URL found for this stage', 'deploy the stage (the WebhookReceiverUrl output)');
}

export const webhookHttps: Check = async (context) => {
  const url = await endpoint(context);
  if (typeof url !== 'string') return url;
  if (context.probe.kind === 'local') return skip(`local: ${url} (API Gateway serves HTTPS only on a deployed stage)`);
  return url.startsWith('https://') ? pass(url) : fail(`${url} is not HTTPS`, 'register the https:// WebhookReceiverUrl output in the MONCRENEAU dashboard');
};

/** Loopback, link-local and private addresses: MONCRENEAU could not deliver there. */
const NOT_PUBLIC = /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|\[?::1\]?$|0\.0\.0\.0)/;

export const webhookPublic: Check = async (context) => {
  const url = await endpoint(context);
  if (typeof url !== 'string') return url;
  if (context.probe.kind === 'local') return skip(`local: ${url} is loopback by design (the sandbox delivers there)`);
  const host = new URL(url).hostname;
  return NOT_PUBLIC.test(host) ? fail(`${host} is not a public address`, 'register the stage\'s public WebhookReceiverUrl in the MONCRENEAU dashboard') : pass(`${host} is public; MONCRENEAU delivers to ${url}`);
};

export const webhookSignedAccepted: Check = async (context) => {
  const url = await endpoint(context);
  if (typeof url !== 'string') return url;
  const secret = (await context.probe.secret('webhookSecret')).current;
  if (typeof secret !== 'string' || !secret) return fail('no current webhook secret to sign with', 'set the webhookSecret secret');
  const id = `evt_preflight_${randomUUID()}`;
  const body = JSON.stringify({ id, type: PREFLIGHT_EVENT_TYPE, created: context.now().toISOString(), data: { object: { note: 'preflight test event: applies nothing' } } });
  const res = await post(url, body, { 'x-moncreneau-signature': signatureHeader(body, secret) });
  if ('error' in res) return fail(`POST ${url}: ${res.error}`, 'is the receiver deployed and running? (docs/runbook.md#webhook5xxrate)');
  if (res.status !== 200) return fail(`signed test event → ${res.status}`, res.status === 401 ? 'the stored secret does not sign like MONCRENEAU: check webhookSecret' : 'see docs/runbook.md#webhook5xxrate');
  const deadline = Date.now() + context.processedWithinMs;
  let status: string | undefined;
  while (Date.now() < deadline) {
    status = await context.probe.eventStatus(id);
    if (status === 'COMPLETED') return pass(`signed test event ${id} → 200 in ${res.ms} ms, processed (COMPLETED)`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return fail(`signed test event ${id} accepted (200) but ${status ?? 'not seen'} after ${context.processedWithinMs / 1000} s`, 'check the processor and the webhook queue (docs/runbook.md#stuckwebhookevents)');
};

export const webhookUnsignedRefused: Check = async (context) => {
  const url = await endpoint(context);
  if (typeof url !== 'string') return url;
  const body = JSON.stringify({ id: `evt_preflight_unsigned_${randomUUID()}`, type: PREFLIGHT_EVENT_TYPE, created: context.now().toISOString(), data: { object: {} } });
  const res = await post(url, body, {});
  if ('error' in res) return fail(`POST ${url}: ${res.error}`, 'is the receiver deployed and running?');
  return res.status === 401 ? pass(`unsigned event → 401 in ${res.ms} ms`) : fail(`unsigned event → ${res.status}, expected 401`, 'the receiver must verify every signature: check the deployed code');
};
