/** Test helpers: a raw HTTP caller, a tiny webhook receiver, an independent signature check, future slots. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

export const KEY = 'mk_test_sandbox_local_key_0123456789';
export const SECRET = 'whsec_sandbox_local_secret_0123456789abcdef';

export interface CallResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** Bytes as received on the wire (still gzip-compressed when Content-Encoding: gzip). */
  raw: Buffer;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests index into arbitrary JSON
}

export interface CallOptions {
  headers?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  /** Default: send the sandbox test key as X-API-Key. */
  auth?: 'default' | 'none';
  timeoutMs?: number;
}

export function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = { ...(options.auth === 'none' ? {} : { 'X-API-Key': KEY }), ...options.headers };
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
    // Explicit length: Node does not chunk DELETE bodies by default.
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, body: text ? JSON.parse(text) : undefined });
      });
      res.on('error', reject);
    });
    if (options.timeoutMs) req.setTimeout(options.timeoutMs, () => req.destroy(new Error('CLIENT_TIMEOUT')));
    req.on('error', reject);
    req.end(payload);
  });
}

export interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- arbitrary webhook JSON
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides the answer to the n-th request (1-based): an HTTP status, or 'hang' to never answer. */
  respond: (n: number, req: Received) => number | 'hang';
  close(): Promise<void>;
}

export async function startReceiver(respond: Receiver['respond'] = () => 200): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const receiver: Receiver = { url: '', received: [], respond, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const entry: Received = { headers: req.headers, raw, json: JSON.parse(raw.toString('utf8')), at: Date.now() };
      receiver.received.push(entry);
      const answer = receiver.respond(receiver.received.length, entry);
      if (answer === 'hang') return;
      res.writeHead(answer, { 'Content-Type': 'text/plain' });
      res.end(answer < 300 ? 'OK' : 'NO');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}/webhooks/moncreneau`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return receiver;
}

/** Independent implementation of the documented scheme: HMAC-SHA256(secret incl. whsec_, raw bytes), hex, `sha256=` prefix. */
export function signatureIsValid(raw: Buffer, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(raw).digest('hex'), 'utf8');
  const given = Buffer.from(header.slice('sha256='.length), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `YYYY-MM-DDTHH:mm:00` on a weekday at least `daysAhead` days from now (default departments open Mon–Fri 08:00–12:00). */
export function futureSlot(daysAhead: number, time = '09:00'): string {
  const d = new Date(Date.now() + daysAhead * 86_400_000);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return `${d.toISOString().slice(0, 10)}T${time}:00`;
}

/** The next Saturday at least `daysAhead` days away, as YYYY-MM-DD. */
export function futureSaturday(daysAhead: number): string {
  const d = new Date(Date.now() + daysAhead * 86_400_000);
  while (d.getUTCDay() !== 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A distinct weekday slot per index i (whole weeks apart, so two indexes never collide). */
export function uniqueSlot(i: number, time = '09:00'): string {
  return futureSlot(7 * (i + 1), time);
}
