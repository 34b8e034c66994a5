/**
 * A real HTTP server on 127.0.0.1:0 that answers with scripted responses, for client tests.
 * Every request is recorded (method, path+query, headers, body). The script sees the request and
 * its index and returns a response, 'hang' (never answer) or 'destroy' (drop the connection).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly json?: unknown;
}

export interface ScriptedResponse {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly gzip?: boolean;
  /** Answer after this many ms. */
  readonly delayMs?: number;
}

export type Script = (request: RecordedRequest, index: number) => ScriptedResponse | 'hang' | 'destroy';

export interface ScriptServer {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  setScript(script: Script): void;
  close(): Promise<void>;
}

export async function startScriptServer(script: Script = () => ({ status: 404, json: { error: { code: 'NOT_FOUND', message: 'no script' } } })): Promise<ScriptServer> {
  let current = script;
  const requests: RecordedRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body, json };
      requests.push(recorded);
      const answer = current(recorded, requests.length - 1);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      if (answer === 'destroy') {
        req.socket.destroy();
        return;
      }
      const send = () => {
        let payload: Buffer = Buffer.from(answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json)), 'utf8');
        const headers: Record<string, string> = { 'content-type': answer.text !== undefined ? 'text/html' : 'application/json', ...answer.headers };
        if (answer.gzip) {
          payload = zlib.gzipSync(payload);
          headers['content-encoding'] = 'gzip';
        }
        headers['content-length'] = String(payload.length);
        res.writeHead(answer.status, headers);
        res.end(payload);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/v1`,
    requests,
    setScript: (s) => {
      current = s;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The documented error envelope. */
export function envelope(status: number, code: string, message = code, details?: Record<string, unknown>, headers?: Record<string, string>): ScriptedResponse {
  return { status, json: { error: { code, message, ...(details ? { details } : {}) } }, headers };
}
