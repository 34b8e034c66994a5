/** One HTTP POST of a webhook body, with a timeout; reports status or a network error and the latency. */
import http from 'node:http';
import https from 'node:https';

export interface PostResult {
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
}

export function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  const started = performance.now();
  const latency = (): number => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ statusCode: null, error: 'INVALID_URL', latencyMs: 0 });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(
      target,
      { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, agent: false },
      (res) => {
        res.resume(); // the receiver's body is irrelevant, but must be drained
        res.on('end', () => resolve({ statusCode: res.statusCode ?? null, error: null, latencyMs: latency() }));
        res.on('error', (err) => resolve({ statusCode: null, error: err.message, latencyMs: latency() }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('TIMEOUT')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ statusCode: null, error: err.code ?? err.message, latencyMs: latency() }));
    req.end(body);
  });
}
