/**
 * Decompression bombs and oversized bodies (Hardening): a MONCRENEAU response may not make the client
 * buffer more than `maxBodyBytes` (default 4 MiB) — on the wire or after gzip/deflate/br decoding — and
 * an oversized body is a typed, non-retried UnexpectedResponseError (code RESPONSE_TOO_LARGE), never a
 * crash or an unbounded buffer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { MoncreneauClient, NodeHttpTransport, UnexpectedResponseError, type MoncreneauClientOptions } from '../../shared/moncreneau/client';
import { DEFAULT_MAX_BODY_BYTES } from '../../shared/moncreneau/client/transport';
import { startScriptServer, type ScriptServer } from '../support/http-script-server';

const MiB = 1024 * 1024;

function client(baseUrl: string, extra: Partial<MoncreneauClientOptions> = {}): MoncreneauClient {
  return new MoncreneauClient({ keySource: { get: async () => ({ apiKey: 'mk_test_bomb' }) }, baseUrl, sleep: async () => undefined, cacheTtlMs: 0, ...extra });
}

/** Valid JSON (`[]` padded with whitespace) of `bytes` bytes: compresses about 1000:1. */
const paddedJson = (bytes: number) => `${' '.repeat(bytes - 2)}[]`;

/** Peak growth of the process's ArrayBuffer memory (Buffers) while `work` runs, sampled every ms. */
async function peakBufferGrowth<T>(work: () => Promise<T>): Promise<{ outcome: PromiseSettledResult<T>; growth: number }> {
  const base = process.memoryUsage().arrayBuffers;
  let peak = base;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().arrayBuffers));
  const timer = setInterval(sample, 1);
  const [outcome] = await Promise.allSettled([work()]);
  clearInterval(timer);
  sample();
  return { outcome, growth: peak - base };
}

/** A server answering every request with one precompressed payload (what the script server cannot send). */
async function rawServer(body: Buffer, encoding: string): Promise<{ baseUrl: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': String(body.length), 'x-request-id': 'srv-bomb' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('MONCRENEAU client — response size cap (decompression bombs)', () => {
  let server: ScriptServer;
  beforeEach(async () => {
    server = await startScriptServer();
  });
  afterEach(() => server.close());

  it('defaults to a few MiB', () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(4 * MiB);
  });

  it('a gzip bomb from the script server (64 MiB of JSON in ~64 KB) is RESPONSE_TOO_LARGE, not retried', async () => {
    server.setScript(() => ({ status: 200, text: paddedJson(64 * MiB), gzip: true, headers: { 'content-type': 'application/json' } }));
    const c = client(server.baseUrl);
    try {
      const error = await c.departments.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE', status: 200, retryable: false, outcomeUnknown: false });
      expect((error as Error).message).toMatch(/exceeds 4194304 bytes after gzip decoding/);
      expect(server.requests).toHaveLength(1);
    } finally {
      c.close();
    }
  });

  it('a 1 GiB gzip bomb (1 MB on the wire) never makes the client buffer more than the cap', async () => {
    const member = zlib.gzipSync(Buffer.alloc(MiB), { level: 9 });
    const bomb = await rawServer(Buffer.concat(Array.from({ length: 1024 }, () => member)), 'gzip');
    const c = client(bomb.baseUrl);
    try {
      const { outcome, growth } = await peakBufferGrowth(() => c.departments.list());
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as unknown;
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE', status: 200, requestId: 'srv-bomb' });
      expect(growth).toBeLessThan(64 * MiB);
      expect(bomb.requests()).toBe(1);
    } finally {
      c.close();
      await bomb.close();
    }
  });

  it.each([
    ['deflate', () => zlib.deflateSync(Buffer.alloc(64 * MiB), { level: 9 })],
    ['br', () => zlib.brotliCompressSync(Buffer.alloc(64 * MiB), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } })],
  ])('a %s bomb is RESPONSE_TOO_LARGE too', async (encoding, compress) => {
    const bomb = await rawServer(compress(), encoding);
    const c = client(bomb.baseUrl);
    try {
      await expect(c.departments.list()).rejects.toMatchObject({ name: 'UnexpectedResponseError', code: 'RESPONSE_TOO_LARGE', status: 200 });
      expect(bomb.requests()).toBe(1);
    } finally {
      c.close();
      await bomb.close();
    }
  });

  it('the cap is configurable through the client\'s transport option; a body under it decodes', async () => {
    server.setScript(() => ({ status: 200, text: paddedJson(2 * MiB), gzip: true, headers: { 'content-type': 'application/json' } }));
    const roomy = client(server.baseUrl);
    const transport = new NodeHttpTransport({ maxBodyBytes: MiB });
    const tight = client(server.baseUrl, { transport });
    try {
      await expect(roomy.departments.list()).resolves.toEqual([]);
      await expect(tight.departments.list()).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE', message: expect.stringMatching(/exceeds 1048576 bytes/) });
      expect(() => new NodeHttpTransport({ maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    } finally {
      roomy.close();
      transport.destroy();
    }
  });

  it('a corrupt gzip body is still a (retryable) undecodable-body network error, not RESPONSE_TOO_LARGE', async () => {
    const corrupt = await rawServer(Buffer.from('this is not gzip'), 'gzip');
    const c = client(corrupt.baseUrl, { retry: { maxAttempts: 2 } });
    try {
      await expect(c.departments.list()).rejects.toMatchObject({ name: 'NetworkError', code: 'NETWORK_ERROR', message: expect.stringMatching(/could not be decoded/) });
      expect(corrupt.requests()).toBe(2);
    } finally {
      c.close();
      await corrupt.close();
    }
  });

  it('an uncompressed body over the cap is the same typed error', async () => {
    server.setScript(() => ({ status: 200, text: paddedJson(5 * MiB), headers: { 'content-type': 'application/json' } }));
    const c = client(server.baseUrl);
    try {
      await expect(c.departments.list()).rejects.toMatchObject({ name: 'UnexpectedResponseError', code: 'RESPONSE_TOO_LARGE', status: 200 });
      expect(server.requests).toHaveLength(1);
    } finally {
      c.close();
    }
  });
});

describe('an oversized answer is an observed attempt', () => {
  it('is reported to onRequest with its code and counted as one attempt sent', async () => {
    const bomb = zlib.gzipSync(Buffer.from(paddedJson(8 * MiB)));
    const server = await rawServer(bomb, 'gzip');
    const seen: Array<{ errorCode?: string; status?: number; attempt: number }> = [];
    const c = client(server.baseUrl, { onRequest: (o) => seen.push({ errorCode: o.errorCode, status: o.status, attempt: o.attempt }) });
    try {
      const error = await c.departments.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect((error as UnexpectedResponseError).attempts).toBe(1);
      expect(seen).toEqual([{ errorCode: 'RESPONSE_TOO_LARGE', status: 200, attempt: 1 }]);
    } finally {
      c.close();
      await server.close();
    }
  });
});
