/**
 * The webhook receiver's logic, independent of Lambda wiring: check method, size, content type,
 * signature (on the raw bytes, before any parsing), envelope; then enqueue and answer at once.
 * Every refusal is a JSON error and nothing is enqueued; only an enqueue failure answers 503,
 * so that MONCRENEAU retries the delivery instead of losing it. Returns the answer and what
 * happened (the function's observer turns that into logs and metrics).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse, header, jsonResponse } from '../http/responses';
import { findSignature, verifySignature } from '../moncreneau/signature';
import { parseWebhookEvent } from '../moncreneau/webhook-event';
import type { Enqueue, SecretSource } from './ports';

/** Why the receiver refused a request. */
export type RejectionReason = 'method' | 'content_type' | 'too_large' | 'signature' | 'malformed' | 'too_old';

export type Receipt =
  | { readonly kind: 'accepted'; readonly eventId: string; readonly eventType: string }
  | { readonly kind: 'rejected'; readonly reason: RejectionReason }
  | { readonly kind: 'enqueue_failed'; readonly error: unknown };

export interface Received {
  readonly response: APIGatewayProxyResult;
  readonly receipt: Receipt;
}

export interface ReceiverDeps {
  readonly secrets: SecretSource;
  readonly enqueue: Enqueue;
  readonly maxBodyBytes: number;
  /** 0 = accept any age (the docs sign no timestamp; dedupe by event id is the replay defence). */
  readonly maxEventAgeSeconds: number;
  readonly now?: () => number;
  /** Least interval between forced secret refreshes after a signature miss (rotation picked up without a cold start). */
  readonly refreshIntervalMs?: number;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function createReceiver(deps: ReceiverDeps): (event: APIGatewayProxyEvent) => Promise<Received> {
  const now = deps.now ?? Date.now;
  const refreshIntervalMs = deps.refreshIntervalMs ?? 30_000;
  let lastForcedRefresh = 0;

  const reject = (reason: RejectionReason, response: APIGatewayProxyResult): Received => ({ response, receipt: { kind: 'rejected', reason } });

  const signatureMatches = async (raw: Buffer, signature: string | undefined): Promise<boolean> => {
    const secrets = await deps.secrets.get();
    if (verifySignature(raw, signature, [secrets.current ?? '', secrets.previous ?? ''])) return true;
    // A miss may mean the secret was rotated after we cached it: re-read once, at a bounded rate.
    if (!signature || now() - lastForcedRefresh < refreshIntervalMs) return false;
    lastForcedRefresh = now();
    const fresh = await deps.secrets.get({ forceRefresh: true });
    return verifySignature(raw, signature, [fresh.current ?? '', fresh.previous ?? '']);
  };

  return async (event) => {
    if (event.httpMethod !== 'POST') {
      return reject('method', errorResponse(405, 'METHOD_NOT_ALLOWED', 'Only POST is accepted on this endpoint', undefined, { allow: 'POST' }));
    }
    const raw = event.body == null ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
    if (raw.length > deps.maxBodyBytes) {
      return reject('too_large', errorResponse(413, 'PAYLOAD_TOO_LARGE', `Body exceeds ${deps.maxBodyBytes} bytes`));
    }
    if (!JSON_TYPE.test(header(event.headers, 'content-type') ?? '')) {
      return reject('content_type', errorResponse(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json'));
    }
    if (!(await signatureMatches(raw, findSignature(event.headers)))) {
      return reject('signature', errorResponse(401, 'INVALID_SIGNATURE', 'Missing or invalid webhook signature'));
    }
    const rawText = raw.toString('utf8');
    const checked = parseWebhookEvent(rawText);
    if (!checked.ok) {
      return reject('malformed', errorResponse(400, 'INVALID_EVENT', 'Body is not a valid MONCRENEAU event', checked.problems));
    }
    const { event: webhook } = checked;
    if (deps.maxEventAgeSeconds > 0 && now() - Date.parse(webhook.created) > deps.maxEventAgeSeconds * 1000) {
      return reject('too_old', errorResponse(400, 'EVENT_TOO_OLD', `Event is older than ${deps.maxEventAgeSeconds}s`));
    }
    try {
      await deps.enqueue(rawText, webhook);
    } catch (error) {
      return {
        response: errorResponse(503, 'TEMPORARILY_UNAVAILABLE', 'Event could not be queued; please retry', undefined, { 'retry-after': '5' }),
        receipt: { kind: 'enqueue_failed', error },
      };
    }
    return { response: jsonResponse(200, { received: true, id: webhook.id }), receipt: { kind: 'accepted', eventId: webhook.id, eventType: webhook.type } };
  };
}
