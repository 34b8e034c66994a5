/**
 * One HTTP exchange, nothing else: no retries, no auth, no JSON. Built on node:http/https rather
 * than global fetch because (1) we need to know whether the whole request reached the socket
 * (`requestSent`) to decide if a failed POST /appointments may have been processed; (2) gzip is
 * requested and decoded explicitly (checklist §7) instead of relying on undici internals; (3) the
 * keep-alive Agent is tunable: LIFO reuse and a short idle timeout so a socket left idle while a
 * Lambda sandbox was frozen is dropped rather than reused into an ECONNRESET.
 * A body is never buffered beyond `maxBodyBytes`, on the wire or after decoding (zlib's
 * `maxOutputLength` stops a decompression bomb at the cap): an oversized body rejects with
 * UnexpectedResponseError `RESPONSE_TOO_LARGE` — the response did arrive, so it is not a TransportError.
 */
import { constants as bufferConstants } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ConfigurationError, UnexpectedResponseError } from './errors';
import type { HttpMethod } from './types';

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Whole exchange (connect → last body byte) must finish within this. */
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyText: string;
}

export type TransportFailure = 'timeout' | 'network';

export class TransportError extends Error {
  constructor(
    readonly kind: TransportFailure,
    message: string,
    /** The complete request was handed to the socket: the server may have acted on it. */
    readonly requestSent: boolean,
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
}

export interface NodeTransportOptions {
  /**
   * Max response body, on the wire and after gzip/deflate/br decoding (protects the Lambda's memory from
   * large bodies and decompression bombs); default DEFAULT_MAX_BODY_BYTES.
   */
  readonly maxBodyBytes?: number;
  readonly maxSockets?: number;
  /** Idle keep-alive sockets are closed after this (below typical LB idle timeouts of 60 s). */
  readonly idleSocketTimeoutMs?: number;
}

/** 4 MiB: the largest documented response (a page of 100 appointments) is tens of KB. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotli = promisify(zlib.brotliDecompress);

export class NodeHttpTransport implements HttpTransport {
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent: http.Agent;
  private readonly maxBodyBytes: number;

  constructor(options: NodeTransportOptions = {}) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 50, scheduling: 'lifo' as const, timeout: options.idleSocketTimeoutMs ?? 30_000 };
    this.httpsAgent = new https.Agent(agentOptions);
    this.httpAgent = new http.Agent(agentOptions);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isSafeInteger(this.maxBodyBytes) || this.maxBodyBytes < 1 || this.maxBodyBytes > bufferConstants.MAX_LENGTH) {
      throw new ConfigurationError(`maxBodyBytes must be an integer between 1 and ${bufferConstants.MAX_LENGTH}`);
    }
  }

  /** Closes pooled sockets (tests, graceful shutdown). */
  destroy(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  send(request: HttpRequest): Promise<HttpResponse> {
    const secure = request.url.protocol === 'https:';
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const headers: Record<string, string> = { ...request.headers, 'accept-encoding': 'gzip, deflate, br' };
    if (body) headers['content-length'] = String(body.length);

    return new Promise<HttpResponse>((resolve, reject) => {
      let requestSent = false;
      let settled = false;
      const controller = new AbortController();
      const fail = (error: TransportError | UnexpectedResponseError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        controller.abort();
        reject(error);
      };
      // One timer covers connect, upload, wait and download: a slow-dripping body cannot outlive it.
      const timer = setTimeout(
        () => fail(new TransportError('timeout', `No complete response within ${request.timeoutMs} ms`, requestSent, 'ETIMEDOUT')),
        Math.max(1, request.timeoutMs),
      );

      const req = (secure ? https : http).request(request.url, {
        method: request.method,
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
        signal: controller.signal,
      });
      // 'finish' = the last byte was handed to the OS; before it the server cannot hold a complete request.
      req.on('finish', () => (requestSent = true));
      req.on('error', (error: NodeJS.ErrnoException) => {
        fail(new TransportError('network', `Network error: ${error.code ?? error.message}`, requestSent, error.code));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const encoding = String(res.headers['content-encoding'] ?? 'identity');
        const tooLarge = (where: string) =>
          fail(
            new UnexpectedResponseError({
              status: res.statusCode,
              code: 'RESPONSE_TOO_LARGE',
              message: `${request.method} ${request.url.pathname}: HTTP ${res.statusCode} body exceeds ${this.maxBodyBytes} bytes ${where}`,
              details: { maxBodyBytes: this.maxBodyBytes, contentEncoding: encoding },
              requestId: String(res.headers['x-request-id'] ?? '') || request.headers['x-request-id'],
            }),
          );
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBodyBytes) tooLarge('on the wire');
          else chunks.push(chunk);
        });
        res.on('error', (error: NodeJS.ErrnoException) => fail(new TransportError('network', `Response interrupted: ${error.code ?? error.message}`, true, error.code)));
        res.on('aborted', () => fail(new TransportError('network', 'Response aborted by the server', true, 'ECONNRESET')));
        res.on('end', () => {
          if (settled) return;
          decode(Buffer.concat(chunks), encoding, this.maxBodyBytes)
            .then((decoded) => {
              if (decoded.length > this.maxBodyBytes) return tooLarge(`after ${encoding} decoding`);
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), bodyText: decoded.toString('utf8') });
            })
            .catch((error: NodeJS.ErrnoException) => {
              // zlib stops at maxOutputLength: a bomb costs at most the cap, never the whole expansion.
              if (error?.code === 'ERR_BUFFER_TOO_LARGE') tooLarge(`after ${encoding} decoding`);
              else fail(new TransportError('network', 'Response body could not be decoded', true, 'EBADENCODING'));
            });
        });
      });
      req.end(body);
    });
  }
}

/** Rejects with ERR_BUFFER_TOO_LARGE as soon as the output would exceed `maxOutputLength`. */
async function decode(raw: Buffer, encoding: string, maxOutputLength: number): Promise<Buffer> {
  switch (encoding.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzip(raw, { maxOutputLength });
    case 'deflate':
      return inflate(raw, { maxOutputLength });
    case 'br':
      return brotli(raw, { maxOutputLength });
    default:
      return raw;
  }
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
