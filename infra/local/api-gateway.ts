/**
 * The local API: a node:http server on 127.0.0.1 with API Gateway REST (v1) proxy semantics for
 * the given routes. Routes carry their invocation function, so tests can pass stubs and the stack
 * passes the real functions (see stack.ts).
 */
import type { MetricsSink } from './metrics-sink';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { buildProxyEvent, gatewayError, proxyResultToResponse, traceId, type HttpResponse } from './api-event';
import { matchRoute } from './api-routes';
import type { Invoke } from './invoke';

export interface ApiRoute {
  readonly method: 'ANY' | 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  /** Resource template, e.g. `/appointments/{id}`. */
  readonly path: string;
  readonly auth: 'none' | 'iam';
  /** For logs. */
  readonly functionName: string;
  readonly invoke: Invoke<APIGatewayProxyEvent, unknown>;
}

export interface ApiGatewayOptions {
  readonly routes: readonly ApiRoute[];
  /** Default: `PORT` or 3000; 0 picks a free port. */
  readonly port?: number;
  /** Loopback only. */
  readonly host?: '127.0.0.1';
  /** `requestContext.stage`. Default `dev`. */
  readonly stage?: string;
  /** API Gateway's payload limit (10 MB); larger requests get 413. */
  readonly maxPayloadBytes?: number;
  readonly log?: (line: string) => void;
  /** Where to publish what API Gateway would (Count, 4XXError, 5XXError, Latency by ApiName and Stage). */
  readonly metrics?: { readonly sink: MetricsSink; readonly apiName: string };
}

export interface ApiGateway {
  /** `http://127.0.0.1:<port>` (no stage segment: routes are served at the root). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

class PayloadTooLarge extends Error {}

// An oversize body is still drained (discarded) before answering 413, so the client reliably
// reads the response instead of seeing its upload reset.
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(new PayloadTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: HttpResponse, requestId: string, close = false): void {
  res.statusCode = response.statusCode;
  for (const [name, values] of Object.entries(response.headers)) res.setHeader(name, values.length === 1 ? values[0] : values);
  // Headers API Gateway adds to every response.
  res.setHeader('x-amzn-RequestId', requestId);
  if (!res.hasHeader('x-amzn-trace-id')) res.setHeader('X-Amzn-Trace-Id', traceId());
  if (close) res.setHeader('Connection', 'close');
  res.end(response.body);
}

export async function startApiGateway(options: ApiGatewayOptions): Promise<ApiGateway> {
  const log = options.log ?? ((line: string) => console.log(line));
  const stage = options.stage ?? 'dev';
  const limit = options.maxPayloadBytes ?? API_GATEWAY_MAX_PAYLOAD_BYTES;
  const warnedIam = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    const match = matchRoute(options.routes, method, path);
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (error) {
      if (!(error instanceof PayloadTooLarge)) throw error;
      send(res, gatewayError(413, 'Request Too Long', 'RequestTooLongException'), randomUUID(), true);
      log(`API ${method} ${path} → 413 (payload over ${limit} bytes)`);
      return;
    }
    if (!match) {
      // REST APIs answer an unknown resource or method with 403, not 404.
      send(res, gatewayError(403, 'Missing Authentication Token', 'MissingAuthenticationTokenException'), randomUUID());
      log(`API ${method} ${path} → 403 (no route)`);
      return;
    }
    const { route } = match;
    if (route.auth === 'iam' && !warnedIam.has(route.path)) {
      warnedIam.add(route.path);
      log(`API note: ${route.method} ${route.path} uses IAM auth in AWS; it is NOT enforced locally (no SigV4 check).`);
    }
    const address = req.socket.address() as AddressInfo;
    const event = buildProxyEvent(
      { method, url, rawHeaders: req.rawHeaders, body, sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1', localPort: address.port },
      { resource: route.path, pathParameters: match.pathParameters, stage },
    );
    const requestId = event.requestContext.requestId;
    let response: HttpResponse;
    try {
      response = proxyResultToResponse(await route.invoke(event));
    } catch (error) {
      // Handler error, timeout or malformed proxy response: API Gateway answers 502.
      log(`API ${method} ${path} → ${route.functionName} failed: ${(error as Error).message}`);
      response = gatewayError(502, 'Internal server error', 'InternalServerErrorException');
    }
    send(res, response, requestId);
    log(`API ${method} ${path} → ${response.statusCode} (${route.functionName}, ${Date.now() - started} ms, ${requestId})`);
    options.metrics?.sink.record(
      'AWS/ApiGateway',
      { ApiName: options.metrics.apiName, Stage: stage },
      {
        Count: { value: 1, unit: 'Count' },
        '4XXError': { value: response.statusCode >= 400 && response.statusCode < 500 ? 1 : 0, unit: 'Count' },
        '5XXError': { value: response.statusCode >= 500 ? 1 : 0, unit: 'Count' },
        Latency: { value: Date.now() - started, unit: 'Milliseconds' },
      },
    );
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`API internal error: ${(error as Error).message}`);
      if (!res.headersSent) send(res, gatewayError(500, 'Internal server error', 'InternalServerErrorException'), randomUUID(), true);
      else res.destroy();
    });
  });
  const port = options.port ?? Number(process.env.PORT ?? 3000);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
