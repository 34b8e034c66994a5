/**
 * The webhook receiver's logic, independent of Lambda wiring: check method, size, content type,
 * signature (on the raw bytes, before any parsing), envelope; then enqueue and answer at once.
 * Every refusal is a JSON error and nothing is enqueued; only an enqueue failure answers 503,
 * so that MONCRENEAU retries the delivery instead of losing it.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { SecretSource } from '../adapters/secret-source';
import type { Enqueue } from '../adapters/webhook-queue';
import { errorResponse, header, jsonResponse } from '../http/responses';
import { findSignature, verifySignature } from '../moncreneau/signature';
import { parseWebhookEvent } from '../moncreneau/webhook-event';
import type { RejectionReason } from '../observability/metric-names';

export interface ReceiverDeps {
  readonly secrets: SecretSource;
  readonly enqueue: Enqueue;
  readonly maxBodyBytes: number;
  /** 0 = accept any age (the docs sign no timestamp; dedupe by event id is the replay defence). */
  readonly maxEventAgeSeconds: number;
  readonly now?: () => number;
  /** Least interval between forced secret refreshes after a signature miss (rotation picked up without a cold start). */
  readonly refreshIntervalMs?: number;
  readonly onRejected?: (reason: RejectionReason) => void;
  readonly onAccepted?: (eventId: string, eventType: string) => void;
  readonly onEnqueueFailed?: (error: unknown) => void;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function createReceiver(deps: ReceiverDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const now = deps.now ?? Date.now;
  const refreshIntervalMs = deps.refreshIntervalMs ?? 30_000;
  let lastForcedRefresh = 0;

  const reject = (reason: RejectionReason, result: APIGatewayProxyResult): APIGatewayProxyResult => {
    deps.onRejected?.(reason);
    return result;
  };

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
      deps.onEnqueueFailed?.(error);
      return errorResponse(503, 'TEMPORARILY_UNAVAILABLE', 'Event could not be queued; please retry', undefined, { 'retry-after': '5' });
    }
    deps.onAccepted?.(webhook.id, webhook.type);
    return jsonResponse(200, { received: true, id: webhook.id });
  };
}
