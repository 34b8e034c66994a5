/** Authentication and authorization, as in docs/moncreneau-api.md §2.3 and §4. */
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { call, KEY } from './helpers';

let sandbox: RunningSandbox;
const logLines: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, webhookUrl: null, logger: (l) => logLines.push(l) });
});
afterAll(() => sandbox.stop());

const get = (headers: Record<string, string>) => call(sandbox.apiBaseUrl, 'GET', '/departments', { auth: 'none', headers });

describe('API key authentication', () => {
  it('accepts the default key in X-API-Key (the header every SDK sends)', async () => {
    const res = await get({ 'X-API-Key': KEY });
    expect(res.status).toBe(200);
  });

  it('accepts Authorization: Bearer <key>', async () => {
    const res = await get({ Authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(200);
  });

  it('401 MISSING_API_KEY without any key header, in the documented envelope', async () => {
    const res = await get({});
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'MISSING_API_KEY', message: expect.any(String) } });
  });

  it('401 INVALID_API_KEY for an unknown key, without echoing the key in full', async () => {
    const res = await get({ 'X-API-Key': 'mk_test_unknown_key_000000000000' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_API_KEY');
    expect(JSON.stringify(res.body)).not.toContain('mk_test_unknown_key_000000000000');
  });

  it('401 INVALID_API_KEY for a key that does not look like mk_…', async () => {
    const res = await get({ 'X-API-Key': 'not-a-key' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_API_KEY');
  });

  // Labels in test names: the suite's output is scanned for keys.
  it.each([
    ['a Basic scheme', 'Basic abc'],
    ['Bearer without a token', 'Bearer'],
    ['a token that is not mk_…', 'Bearer not_a_moncreneau_key'],
    ['trailing garbage', `Bearer ${KEY} extra`],
  ])(
    '401 INVALID_TOKEN_FORMAT for %s',
    async (_label, value) => {
      const res = await get({ Authorization: value });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_TOKEN_FORMAT');
      expect(res.body.error.details.field).toBe('Authorization');
    },
  );

  it('401 INVALID_API_KEY after revocation (takes effect immediately)', async () => {
    const { key } = sandbox.control.createKey();
    expect((await get({ 'X-API-Key': key })).status).toBe(200);
    sandbox.control.revokeKey(key);
    const res = await get({ 'X-API-Key': key });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_API_KEY');
  });

  it('401 EXPIRED_API_KEY for an expired key', async () => {
    const { key } = sandbox.control.createKey({ expired: true });
    const res = await get({ 'X-API-Key': key });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('EXPIRED_API_KEY');
  });

  it('a key expires when the sandbox clock passes expiresAt', async () => {
    const expiresAt = Date.now() + 60 * 60_000;
    const { key } = sandbox.control.createKey({ expiresAt });
    expect((await get({ 'X-API-Key': key })).status).toBe(200);
    sandbox.control.advanceClock(2 * 60 * 60_000);
    expect((await get({ 'X-API-Key': key })).body.error.code).toBe('EXPIRED_API_KEY');
  });

  it('with acceptBearer=false, a Bearer-only request is MISSING_API_KEY', async () => {
    sandbox.control.setAssumptions({ acceptBearer: false });
    try {
      const res = await get({ Authorization: `Bearer ${KEY}` });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('MISSING_API_KEY');
    } finally {
      sandbox.control.setAssumptions({ acceptBearer: true });
    }
  });

  it('never logs a key in full', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(KEY);
  });
});

describe('scopes', () => {
  it('403 INSUFFICIENT_SCOPE when reading without appointments:read', async () => {
    const { key } = sandbox.control.createKey({ scopes: ['appointments:create'] });
    for (const path of ['/departments', '/departments/5', '/appointments', '/appointments/1']) {
      const res = await call(sandbox.apiBaseUrl, 'GET', path, { auth: 'none', headers: { 'X-API-Key': key } });
      expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'INSUFFICIENT_SCOPE']);
    }
  });

  it('403 INSUFFICIENT_SCOPE when creating, cancelling or buying credits with a read-only key', async () => {
    const { key } = sandbox.control.createKey({ scopes: ['appointments:read'] });
    const headers = { 'X-API-Key': key };
    const create = await call(sandbox.apiBaseUrl, 'POST', '/appointments', { auth: 'none', headers, body: {} });
    const cancel = await call(sandbox.apiBaseUrl, 'DELETE', '/appointments/1', { auth: 'none', headers });
    const buy = await call(sandbox.apiBaseUrl, 'POST', '/credits/purchases', { auth: 'none', headers, body: { credits: 1 } });
    expect([create.status, create.body.error.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    expect([cancel.status, cancel.body.error.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    expect([buy.status, buy.body.error.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    expect(create.body.error.details).toEqual({ requiredScope: 'appointments:create' });
  });
});

describe('routing outside the documented API', () => {
  it('unknown paths under /api/v1 answer 404 in the error envelope', async () => {
    const res = await call(sandbox.apiBaseUrl, 'GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('a wrong method on a known path answers 405', async () => {
    const res = await call(sandbox.apiBaseUrl, 'PUT', '/departments');
    expect(res.status).toBe(405);
  });
});
