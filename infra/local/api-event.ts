/**
 * The REST API (v1) Lambda proxy integration contract, both directions: an HTTP request →
 * `APIGatewayProxyEvent`, and the handler's `APIGatewayProxyResult` → an HTTP response.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './lambda-context';

export interface RawRequest {
  readonly method: string;
  /** Path and query as received (`/a/b?x=1`). */
  readonly url: string;
  /** Node's `rawHeaders`: [name, value, name, value, …] with the client's casing and order. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly localPort: number;
}

export interface EventContext {
  readonly resource: string;
  readonly pathParameters: Record<string, string> | null;
  readonly stage: string;
  readonly now?: Date;
}

/**
 * Bodies API Gateway passes as text. Anything else is passed base64-encoded with
 * isBase64Encoded: true, as a REST API does for types listed in its binaryMediaTypes.
 * A text type whose bytes are not valid UTF-8 is also base64-encoded, so the handler always
 * sees the exact bytes that were sent (signatures are computed over them).
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return true; // API Gateway treats a missing Content-Type as application/json.
  const type = contentType.split(';')[0].trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/x-www-form-urlencoded'
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function encodeBody(body: Buffer, contentType: string | undefined): { body: string | null; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: null, isBase64Encoded: false };
  if (isTextContentType(contentType)) {
    try {
      return { body: utf8.decode(body), isBase64Encoded: false };
    } catch {
      // invalid UTF-8: fall through to base64
    }
  }
  return { body: body.toString('base64'), isBase64Encoded: true };
}

/** headers (last value wins) and multiValueHeaders (all values, in order), keyed by first-seen casing. */
export function collectHeaders(rawHeaders: readonly string[]): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const casing = new Map<string, string>();
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const lower = rawHeaders[i].toLowerCase();
    const name = casing.get(lower) ?? rawHeaders[i];
    casing.set(lower, name);
    (multiValueHeaders[name] ??= []).push(rawHeaders[i + 1]);
  }
  const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([k, v]) => [k, v[v.length - 1]]));
  return { headers, multiValueHeaders };
}

export function collectQuery(search: string): { single: Record<string, string> | null; multi: Record<string, string[]> | null } {
  const params = new URLSearchParams(search);
  const multi: Record<string, string[]> = {};
  for (const [k, v] of params) (multi[k] ??= []).push(v);
  if (Object.keys(multi).length === 0) return { single: null, multi: null };
  return { single: Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1]])), multi };
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's requestTime format. */
export function apiGatewayTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function traceId(now = Date.now()): string {
  return `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

export const LOCAL_API_ID = 'local';

export function buildProxyEvent(req: RawRequest, ctx: EventContext): APIGatewayProxyEvent {
  const now = ctx.now ?? new Date();
  const queryAt = req.url.indexOf('?');
  const path = queryAt === -1 ? req.url : req.url.slice(0, queryAt);
  const query = collectQuery(queryAt === -1 ? '' : req.url.slice(queryAt + 1));
  // Headers API Gateway adds in front of the integration (regional endpoint).
  const incoming = collectHeaders(req.rawHeaders).headers;
  const previousFor = headerValue(incoming, 'x-forwarded-for');
  const added = [
    'X-Forwarded-For', previousFor ? `${previousFor}, ${req.sourceIp}` : req.sourceIp,
    'X-Forwarded-Port', String(req.localPort),
    'X-Forwarded-Proto', 'http',
    ...(headerValue(incoming, 'x-amzn-trace-id') ? [] : ['X-Amzn-Trace-Id', traceId(now.getTime())]),
  ];
  const withoutReplaced = stripHeaders(req.rawHeaders, ['x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto']);
  const { headers, multiValueHeaders } = collectHeaders([...withoutReplaced, ...added]);
  const body = encodeBody(req.body, headerValue(headers, 'content-type'));
  const requestId = randomUUID();
  return {
    resource: ctx.resource,
    path,
    httpMethod: req.method.toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: ctx.pathParameters,
    stageVariables: null,
    body: body.body,
    isBase64Encoded: body.isBase64Encoded,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      authorizer: undefined,
      domainName: headerValue(headers, 'host') ?? `127.0.0.1:${req.localPort}`,
      domainPrefix: LOCAL_API_ID,
      extendedRequestId: randomBytes(12).toString('base64'),
      httpMethod: req.method.toUpperCase(),
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.sourceIp,
        user: null,
        userAgent: headerValue(headers, 'user-agent') ?? null,
        userArn: null,
      },
      path: `/${ctx.stage}${path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: apiGatewayTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: randomBytes(3).toString('hex'),
      resourcePath: ctx.resource,
      stage: ctx.stage,
    },
  };
}

function stripHeaders(rawHeaders: readonly string[], lowerNames: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!lowerNames.includes(rawHeaders[i].toLowerCase())) out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return out;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string[]>;
  readonly body: Buffer;
}

export class MalformedProxyResponseError extends Error {}

/**
 * Maps a proxy result back to HTTP. A result API Gateway would reject ("Malformed Lambda proxy
 * response") throws, so the caller answers 502 like API Gateway.
 */
export function proxyResultToResponse(result: unknown): HttpResponse {
  if (typeof result !== 'object' || result === null) throw new MalformedProxyResponseError('Lambda proxy response is not an object');
  const r = result as Partial<APIGatewayProxyResult> & Record<string, unknown>;
  const statusCode = Number(r.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) throw new MalformedProxyResponseError('Lambda proxy response has no valid statusCode');
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') throw new MalformedProxyResponseError('Lambda proxy response body is not a string');
  // headers and multiValueHeaders are merged; for a name in both, multiValueHeaders wins.
  const merged = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of Object.entries(r.headers ?? {})) merged.set(name.toLowerCase(), { name, values: [String(value)] });
  for (const [name, values] of Object.entries(r.multiValueHeaders ?? {})) {
    if (Array.isArray(values)) merged.set(name.toLowerCase(), { name, values: values.map(String) });
  }
  if (!merged.has('content-type')) merged.set('content-type', { name: 'Content-Type', values: ['application/json'] });
  const body = typeof r.body === 'string' ? Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  return { statusCode, headers: Object.fromEntries([...merged.values()].map((h) => [h.name, h.values])), body };
}

/** API Gateway's own error responses (gateway responses), JSON `{"message": …}`. */
export function gatewayError(statusCode: number, message: string, errorType: string): HttpResponse {
  return {
    statusCode,
    headers: { 'Content-Type': ['application/json'], 'x-amzn-ErrorType': [errorType] },
    body: Buffer.from(JSON.stringify({ message })),
  };
}
