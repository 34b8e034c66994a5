/**
 * The webhook receiver's logic, independent of Lambda wiring: check method, size, content type,
 * signature (on the raw bytes, before any parsing), envelope; then enqueue and answer at once.
 * Every refusal is a JSON error and nothing is enqueued. A correctly signed event is never lost: it is
 * queued byte for byte (queue-body.ts), or — when the queue refuses that message for good — parked in
 * the event store and acknowledged; only a transient failure (throttling, an outage, the secret or the
 * store unreachable) answers 503, so that MONCRENEAU retries the delivery. Returns the answer and what
 * happened (the function's observer turns that into logs and metrics).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse, header, jsonResponse } from '../http/responses';
import { findSignature, matchingSecret, verifySignature } from '../moncreneau/signature';
import { parseWebhookEvent } from '../moncreneau/webhook-event';
import { QueueRefusedError, type Enqueue, type EventParking, type SecretFields, type SecretSource } from './ports';
import { toQueueBody } from './queue-body';
import { acceptedSecrets, webhookSecretProblems, type SecretName, type WebhookSecretProblem } from './secret-check';

/** Why the receiver refused a request. */
export type RejectionReason = 'method' | 'content_type' | 'too_large' | 'signature' | 'malformed' | 'too_old';

export type Receipt = (
  | { readonly kind: 'accepted'; readonly eventId: string; readonly eventType: string }
  /** The queue refused the message for good; the event is in the event store as PARKED. */
  | { readonly kind: 'parked'; readonly eventId: string; readonly eventType: string; readonly cause: QueueRefusedError; readonly duplicate: boolean }
  | { readonly kind: 'rejected'; readonly reason: RejectionReason }
  | { readonly kind: 'enqueue_failed'; readonly error: unknown }
  | { readonly kind: 'secret_unavailable'; readonly error: unknown }
) & {
  /** What is wrong with the webhook secret as read (missing field, too short), whatever the outcome. */
  readonly secretProblems?: readonly WebhookSecretProblem[];
  /**
   * Which secret verified the signature; `previous_expired`: only the previous secret matched, after its
   * window (refused) — MONCRENEAU still signs with the old secret.
   */
  readonly secretMatched?: SecretName | 'previous_expired';
};

export interface Received {
  readonly response: APIGatewayProxyResult;
  readonly receipt: Receipt;
}

export interface ReceiverDeps {
  readonly secrets: SecretSource;
  readonly enqueue: Enqueue;
  readonly parking: EventParking;
  readonly maxBodyBytes: number;
  /** 0 = accept any age (the docs sign no timestamp; dedupe by event id is the replay defence). */
  readonly maxEventAgeSeconds: number;
  readonly now?: () => number;
  /** Least interval between forced secret refreshes after a signature miss (rotation picked up without a cold start). */
  readonly refreshIntervalMs?: number;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

const retryLater = (message: string): APIGatewayProxyResult => errorResponse(503, 'TEMPORARILY_UNAVAILABLE', message, undefined, { 'retry-after': '5' });

export function createReceiver(deps: ReceiverDeps): (event: APIGatewayProxyEvent) => Promise<Received> {
  const now = deps.now ?? Date.now;
  const refreshIntervalMs = deps.refreshIntervalMs ?? 30_000;
  let lastForcedRefresh = 0;

  /** Which secret signed the body (undefined: none accepted now), and the secret as last read (to report its problems). */
  const check = (raw: Buffer, signature: string | undefined, secret: SecretFields): { matched?: SecretName | 'previous_expired'; secret: SecretFields } => {
    const { candidates, expired } = acceptedSecrets(secret, now());
    const matched = matchingSecret(raw, signature, candidates);
    if (matched) return { matched, secret };
    return expired && verifySignature(raw, signature, [expired]) ? { matched: 'previous_expired', secret } : { secret };
  };

  const checkSignature = async (raw: Buffer, signature: string | undefined): Promise<{ matched?: SecretName | 'previous_expired'; secret: SecretFields }> => {
    const first = check(raw, signature, await deps.secrets.get());
    if (first.matched && first.matched !== 'previous_expired') return first;
    // A miss may mean the secret was rotated after we cached it: re-read once, at a bounded rate.
    if (!signature || now() - lastForcedRefresh < refreshIntervalMs) return first;
    lastForcedRefresh = now();
    return check(raw, signature, await deps.secrets.get({ forceRefresh: true }));
  };

  return async (event) => {
    const reject = (reason: RejectionReason, response: APIGatewayProxyResult): Received => ({ response, receipt: { kind: 'rejected', reason } });
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
    let verified: { matched?: SecretName | 'previous_expired'; secret: SecretFields };
    try {
      verified = await checkSignature(raw, findSignature(event.headers));
    } catch (error) {
      return { response: retryLater('Signing secret unavailable; please retry'), receipt: { kind: 'secret_unavailable', error } };
    }
    const problems = webhookSecretProblems(verified.secret);
    const matched = verified.matched ? { secretMatched: verified.matched } : {};
    const secretProblems = { ...(problems.length > 0 ? { secretProblems: problems } : {}), ...matched };
    if (!verified.matched || verified.matched === 'previous_expired') {
      return { response: errorResponse(401, 'INVALID_SIGNATURE', 'Missing or invalid webhook signature'), receipt: { kind: 'rejected', reason: 'signature', ...secretProblems } };
    }
    const checked = parseWebhookEvent(raw.toString('utf8'));
    if (!checked.ok) {
      return { response: errorResponse(400, 'INVALID_EVENT', 'Body is not a valid MONCRENEAU event', checked.problems), receipt: { kind: 'rejected', reason: 'malformed', ...secretProblems } };
    }
    const { event: webhook } = checked;
    if (deps.maxEventAgeSeconds > 0 && now() - Date.parse(webhook.created) > deps.maxEventAgeSeconds * 1000) {
      return { response: errorResponse(400, 'EVENT_TOO_OLD', `Event is older than ${deps.maxEventAgeSeconds}s`), receipt: { kind: 'rejected', reason: 'too_old', ...secretProblems } };
    }
    const queued = { eventId: webhook.id, eventType: webhook.type, body: toQueueBody(raw) };
    try {
      await deps.enqueue(queued);
    } catch (error) {
      if (!(error instanceof QueueRefusedError)) {
        return { response: retryLater('Event could not be queued; please retry'), receipt: { kind: 'enqueue_failed', error, ...secretProblems } };
      }
      try {
        const parked = await deps.parking.park({ ...queued, created: webhook.created, reason: `${error.code}: ${error.message}` });
        return {
          response: jsonResponse(200, { received: true, id: webhook.id }),
          receipt: { kind: 'parked', eventId: webhook.id, eventType: webhook.type, cause: error, duplicate: parked === 'already_known', ...secretProblems },
        };
      } catch (parkError) {
        return { response: retryLater('Event could not be stored; please retry'), receipt: { kind: 'enqueue_failed', error: parkError, ...secretProblems } };
      }
    }
    return { response: jsonResponse(200, { received: true, id: webhook.id }), receipt: { kind: 'accepted', eventId: webhook.id, eventType: webhook.type, ...secretProblems } };
  };
}
