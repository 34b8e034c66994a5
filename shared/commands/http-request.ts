/**
 * Reading an API Gateway (REST v1 proxy) request: decoded body, JSON content type, JSON parsing.
 * Pure; the answers are the API's error responses.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse, header } from '../http/responses';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly response: APIGatewayProxyResult };

const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

function isJsonType(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/** 415 unless the body is declared JSON (a missing Content-Type is read as JSON, as API Gateway does); 400 if it is not valid JSON. */
export function parseJsonBody(event: APIGatewayProxyEvent): Parsed<unknown> {
  const contentType = header(event.headers, 'content-type');
  if (contentType !== undefined && !isJsonType(contentType)) {
    return { ok: false, response: errorResponse(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, got "${contentType.slice(0, 100)}"`) };
  }
  const raw = event.body == null ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (raw.trim() === '') return { ok: false, response: errorResponse(400, 'MALFORMED_JSON', 'The request body is empty; a JSON object is expected') };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, response: errorResponse(400, 'MALFORMED_JSON', 'The request body is not valid JSON') };
  }
}

const IDEMPOTENCY_KEY_FORMAT = `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces`;

/** The optional Idempotency-Key header: 1–200 printable ASCII characters. */
export function idempotencyKey(event: APIGatewayProxyEvent): Parsed<string | undefined> {
  const key = header(event.headers, 'idempotency-key');
  if (key === undefined) return { ok: true, value: undefined };
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    return {
      ok: false,
      response: errorResponse(400, 'VALIDATION_ERROR', 'Invalid Idempotency-Key header', [{ field: 'Idempotency-Key', problem: `must be ${IDEMPOTENCY_KEY_FORMAT}` }]),
    };
  }
  return { ok: true, value: key };
}

/**
 * The Idempotency-Key a create must carry: without one, a retry after a timeout or a 503 cannot be
 * told from a new booking. 400 IDEMPOTENCY_KEY_REQUIRED when absent.
 */
export function requiredIdempotencyKey(
  event: APIGatewayProxyEvent,
  what: { readonly route: string; readonly risk: string; readonly unit: string } = { route: 'POST /appointments', risk: 'book twice', unit: 'booking' },
): Parsed<string> {
  const key = idempotencyKey(event);
  if (!key.ok) return key;
  if (key.value !== undefined) return { ok: true, value: key.value };
  return {
    ok: false,
    response: errorResponse(
      400,
      'IDEMPOTENCY_KEY_REQUIRED',
      `${what.route} requires an Idempotency-Key header: without it a retry (after a timeout, a network error or a 503) cannot be told apart from a new request and could ${what.risk}. Send one unique value per ${what.unit} (${IDEMPOTENCY_KEY_FORMAT}, e.g. a UUID or your order id) and send the same value again on every retry of that ${what.unit}.`,
      [{ field: 'Idempotency-Key', problem: `is required on ${what.route}; must be ${IDEMPOTENCY_KEY_FORMAT}` }],
    ),
  };
}

/** Path segments a URL path may carry as is (RFC 3986 pchar), so a prefix can go into Location safely. */
const SAFE_PREFIX = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*$/;
/** The API's own default endpoint (regional/edge, incl. private APIs' `<api>-<vpce>` host), never a custom domain. */
const EXECUTE_API_HOST = /\.execute-api\.[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/i;

/**
 * The path prefix in front of our routes in the URL the caller used, so that the links we answer
 * (Location, statusUrl) can be followed:
 * - default execute-api endpoint: `/<stage>` (API Gateway strips it from `event.path`;
 *   `requestContext.path` keeps it);
 * - custom domain with a base path mapping: the base path (API Gateway keeps it in `event.path`, which
 *   then ends with the route; there is no stage segment);
 * - custom domain at its root, the local runtime (serves at the root, although its
 *   `requestContext.path` mimics the stage segment), a request without context: ''.
 */
export function publicBasePath(event: Pick<APIGatewayProxyEvent, 'path' | 'resource'> & { readonly requestContext?: Partial<APIGatewayProxyEvent['requestContext']> | null }): string {
  const context = event.requestContext ?? {};
  const path = event.path ?? '';
  if (context.stage && context.path === `/${context.stage}${path}` && EXECUTE_API_HOST.test(context.domainName ?? '')) return safePrefix(`/${context.stage}`);
  return safePrefix(prefixBeforeRoute(path, event.resource ?? ''));
}

/** What precedes the route in `path`: '/booking' for '/booking/appointments/12' and '/appointments/{id}'. */
function prefixBeforeRoute(path: string, resource: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  const route = resource.split('/').filter((s) => s !== '');
  if (route.length === 0 || route.length > segments.length || route.some((s) => s.endsWith('+}'))) return '';
  const tail = segments.slice(segments.length - route.length);
  if (!route.every((s, i) => (s.startsWith('{') && s.endsWith('}')) || s === tail[i])) return '';
  const head = segments.slice(0, segments.length - route.length);
  return head.length === 0 ? '' : `/${head.join('/')}`;
}

function safePrefix(prefix: string): string {
  return SAFE_PREFIX.test(prefix) ? prefix : '';
}
