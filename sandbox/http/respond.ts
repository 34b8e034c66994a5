/** Writes JSON responses, gzip-compressed when the client sends `Accept-Encoding: gzip`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  const value = Array.isArray(header) ? header.join(',') : header ?? '';
  return value
    .split(',')
    .map((part) => part.trim().split(';'))
    .some(([coding, q]) => coding.toLowerCase() === 'gzip' && q?.trim() !== 'q=0');
}

export function send(req: IncomingMessage, res: ServerResponse, result: HttpResult): void {
  const headers: Record<string, string> = { ...result.headers };
  if (result.status === 204 || result.body === undefined) {
    res.writeHead(result.status, headers);
    res.end();
    return;
  }
  let payload: Buffer = Buffer.from(JSON.stringify(result.body));
  headers['Content-Type'] = 'application/json; charset=utf-8';
  headers.Vary = 'Accept-Encoding';
  if (acceptsGzip(req)) {
    payload = gzipSync(payload);
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = String(payload.length);
  res.writeHead(result.status, headers);
  res.end(payload);
}
