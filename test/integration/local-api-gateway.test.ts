import { request } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { startApiGateway, type ApiGateway, type ApiRoute } from '../../infra/local/api-gateway';

let api: ApiGateway;
const events: APIGatewayProxyEvent[] = [];
const logs: string[] = [];

const echo = async (event: APIGatewayProxyEvent): Promise<unknown> => {
  events.push(event);
  return { statusCode: 200, body: JSON.stringify({ ok: true }) };
};

const routes: ApiRoute[] = [
  { method: 'ANY', path: '/webhooks/moncreneau', auth: 'none', functionName: 'echo', invoke: echo },
  { method: 'GET', path: '/appointments/{id}', auth: 'iam', functionName: 'echo', invoke: echo },
  { method: 'GET', path: '/appointments/special', auth: 'none', functionName: 'special', invoke: async () => ({ statusCode: 204 }) },
  { method: 'POST', path: '/boom', auth: 'none', functionName: 'boom', invoke: async () => Promise.reject(new Error('handler exploded')) },
  { method: 'GET', path: '/malformed', auth: 'none', functionName: 'malformed', invoke: async () => ({ body: 'no status code' }) },
  {
    method: 'GET',
    path: '/custom',
    auth: 'none',
    functionName: 'custom',
    invoke: async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'image/png', 'X-One': 'a', 'X-Both': 'from-headers' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'X-Both': ['from-multi-1', 'from-multi-2'] },
      body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]).toString('base64'),
      isBase64Encoded: true,
    }),
  },
];

beforeAll(async () => {
  api = await startApiGateway({ routes, port: 0, stage: 'dev', log: (l) => logs.push(l) });
});
afterAll(() => api.close());
beforeEach(() => {
  events.length = 0;
});

/** Raw HTTP (not fetch) so the test controls header casing, duplicates and exact body bytes. */
function send(method: string, path: string, headers: Array<[string, string]>, body?: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; rawHeaders: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // Raw header arrays get no automatic Host/Content-Length: add them as a client would.
    const all: Array<[string, string]> = [['Host', `127.0.0.1:${api.port}`], ...headers, ...(body ? [['Content-Length', String(body.length)] as [string, string]] : [])];
    const req = request({ host: '127.0.0.1', port: api.port, method, path, headers: all.flat() as unknown as Record<string, string> }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('local API Gateway (REST v1 proxy)', () => {
  it('builds the proxy event: raw text body byte-for-byte, headers and multi-value headers, query, resource, requestContext', async () => {
    const raw = Buffer.from('{ "id":"evt_1",  "note":"é\\u00e9 ✓", "n": 1.0 }\n', 'utf8');
    const res = await send('POST', '/webhooks/moncreneau?x=1&tag=a&tag=b&empty=', [
      ['Content-Type', 'application/json; charset=utf-8'],
      ['X-Moncreneau-Signature', 'sha256=abc'],
      ['X-Multi', 'one'],
      ['x-multi', 'two'],
      ['User-Agent', 'jest-test'],
    ], raw);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ ok: true });
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-amzn-requestid']).toEqual(expect.any(String));

    const e = events[0];
    expect(e.httpMethod).toBe('POST');
    expect(e.path).toBe('/webhooks/moncreneau');
    expect(e.resource).toBe('/webhooks/moncreneau');
    expect(e.isBase64Encoded).toBe(false);
    expect(Buffer.from(e.body ?? '', 'utf8').equals(raw)).toBe(true);
    expect(e.headers['X-Moncreneau-Signature']).toBe('sha256=abc');
    expect(e.headers['X-Multi']).toBe('two'); // last value wins, first-seen casing kept
    expect(e.multiValueHeaders['X-Multi']).toEqual(['one', 'two']);
    expect(e.headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(e.headers['X-Forwarded-Proto']).toBe('http');
    expect(e.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(e.queryStringParameters).toEqual({ x: '1', tag: 'b', empty: '' });
    expect(e.multiValueQueryStringParameters).toEqual({ x: ['1'], tag: ['a', 'b'], empty: [''] });
    expect(e.pathParameters).toBeNull();
    expect(e.stageVariables).toBeNull();
    expect(e.requestContext).toMatchObject({
      stage: 'dev',
      httpMethod: 'POST',
      resourcePath: '/webhooks/moncreneau',
      path: '/dev/webhooks/moncreneau',
      protocol: 'HTTP/1.1',
      identity: { sourceIp: '127.0.0.1', userAgent: 'jest-test' },
    });
    expect(e.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(e.requestContext.requestTimeEpoch - Date.now())).toBeLessThan(60_000);
    expect(e.requestContext.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('passes a binary body base64-encoded, exactly', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f, 0xc3]);
    await send('PUT', '/webhooks/moncreneau', [['Content-Type', 'application/octet-stream']], bytes);
    expect(events[0].isBase64Encoded).toBe(true);
    expect(Buffer.from(events[0].body ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it('base64-encodes a "text" body that is not valid UTF-8 rather than altering it', async () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    await send('POST', '/webhooks/moncreneau', [['Content-Type', 'application/json']], bytes);
    expect(events[0].isBase64Encoded).toBe(true);
    expect(Buffer.from(events[0].body ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it('gives a null body when there is none', async () => {
    await send('GET', '/webhooks/moncreneau', []);
    expect(events[0]).toMatchObject({ body: null, isBase64Encoded: false, queryStringParameters: null, multiValueQueryStringParameters: null });
  });

  it('extracts {id} path parameters and prefers a static resource over a parameter', async () => {
    const res = await send('GET', '/appointments/apt%2042', []);
    expect(res.status).toBe(200);
    expect(events[0].resource).toBe('/appointments/{id}');
    expect(events[0].pathParameters).toEqual({ id: 'apt 42' });
    expect((await send('GET', '/appointments/special', [])).status).toBe(204);
    expect(logs.some((l) => l.includes('IAM auth') && l.includes('/appointments/{id}'))).toBe(true);
  });

  it('answers 403 Missing Authentication Token for an unknown path or a method the resource lacks', async () => {
    for (const [method, path] of [['GET', '/nope'], ['DELETE', '/appointments/1'], ['GET', '/appointments']]) {
      const res = await send(method, path, []);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body.toString())).toEqual({ message: 'Missing Authentication Token' });
      expect(res.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    }
  });

  it('answers 502 Internal server error when the handler throws or returns a malformed response', async () => {
    for (const [method, path] of [['POST', '/boom'], ['GET', '/malformed']]) {
      const res = await send(method, path, []);
      expect(res.status).toBe(502);
      expect(JSON.parse(res.body.toString())).toEqual({ message: 'Internal server error' });
    }
  });

  it('maps statusCode, headers merged with multiValueHeaders, and a base64 body back to HTTP', async () => {
    const res = await send('GET', '/custom', []);
    expect(res.status).toBe(201);
    expect(res.body.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]))).toBe(true);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-one']).toBe('a');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    const both = res.rawHeaders.filter((_, i) => i % 2 === 1 && res.rawHeaders[i - 1].toLowerCase() === 'x-both');
    expect(both).toEqual(['from-multi-1', 'from-multi-2']);
  });

  it('rejects a payload over 10 MB with 413 without invoking the function', async () => {
    const res = await send('POST', '/webhooks/moncreneau', [['Content-Type', 'application/json']], Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));
    expect(res.status).toBe(413);
    expect(events).toHaveLength(0);
  });
});
