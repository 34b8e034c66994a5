/**
 * A thin loopback HTTP proxy that timestamps every request when it *arrives* (the `request` event,
 * i.e. once its headers have been read) and forwards it unchanged to `target`. Used by the rate-limit
 * benchmark as the server-side edge: what a rate limit at MONCRENEAU would count is arrivals, not
 * what the client believes it sent.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  /** Epoch ms (Date.now(), the clock the limiter uses). */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  /** The client's X-Request-Id (one per logical call, the same for all its attempts). */
  readonly requestId?: string;
  /** The server's answer once it came (502: the proxy could not reach it); absent while pending or unanswered. */
  status?: number;
}

export interface ArrivalProxy {
  /** Same path prefix as `target`, host:port of the proxy. */
  readonly url: string;
  /** Arrivals since the last reset. */
  arrivals(): readonly Arrival[];
  reset(): void;
  stop(): Promise<void>;
}

export async function startArrivalProxy(target: string): Promise<ArrivalProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let log: Arrival[] = [];

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers['x-request-id'];
    const arrival: Arrival = { at: Date.now(), method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], requestId: Array.isArray(header) ? header[0] : header };
    log.push(arrival);
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        arrival.status = answer.statusCode ?? 502;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      arrival.status ??= 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"BAD_GATEWAY","message":"bench proxy: upstream failed"}}');
    });
    req.pipe(forward);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(target);
  url.host = `127.0.0.1:${port}`;

  return {
    url: url.toString().replace(/\/$/, ''),
    arrivals: () => log,
    reset: () => {
      log = [];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
