/** The appointments API with in-memory ports: status codes, idempotency, credits refusal, error mapping. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createAppointmentsApi, type ApiDeps } from '../../shared/commands/api';
import { NotFoundError, RateLimitedError, ServerError, GateRejectedError, AuthenticationError } from '../../shared/moncreneau/client/errors';
import { stageConfig } from '../../infra/config/stages';
import { wiring } from '../../infra/wiring';
import { IDEMPOTENCY_KEY_GRACE_DAYS } from '../../shared/commands/accept';
import { buildProxyEvent } from '../../infra/local/api-event';
import { FixedSwitch, MemoryCommandStore, MemoryLedger, MemoryQueue, fakeAppointments } from '../support/commands-fakes';

const BODY = { departmentId: 5, dateTime: '2026-02-15T10:00:00', name: 'Jean Dupont' };

let autoKeys = 0;

/**
 * A REST proxy event as API Gateway sends it. A POST gets its own Idempotency-Key (required on create)
 * unless the test gives one or asks for none (`withoutKey`).
 */
function event(method: string, resource: string, init: { body?: unknown; headers?: Record<string, string>; id?: string; query?: Record<string, string>; raw?: string; withoutKey?: boolean } = {}): APIGatewayProxyEvent {
  const hasKey = Object.keys(init.headers ?? {}).some((name) => name.toLowerCase() === 'idempotency-key');
  const key = method === 'POST' && !hasKey && !init.withoutKey ? { 'Idempotency-Key': `auto-${++autoKeys}` } : {};
  return {
    httpMethod: method,
    resource,
    path: resource.replace('{id}', init.id ?? ''),
    headers: { 'Content-Type': 'application/json', ...key, ...init.headers },
    multiValueHeaders: {},
    body: init.raw ?? (init.body === undefined ? null : JSON.stringify(init.body)),
    isBase64Encoded: false,
    pathParameters: init.id === undefined ? null : { id: init.id },
    queryStringParameters: init.query ?? null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}

function setup(overrides: Partial<ApiDeps> = {}) {
  let n = 0;
  const store = new MemoryCommandStore();
  const queue = new MemoryQueue();
  const ledger = new MemoryLedger(10);
  const outbound = new FixedSwitch(true);
  const appointments = fakeAppointments();
  const deps: ApiDeps = { store, queue, ledger, outbound, appointments, newId: () => `cmd-${++n}`, now: () => new Date('2026-01-10T09:00:00Z'), retentionDays: 7, refuseWhenNoCredits: true, ...overrides };
  const api = createAppointmentsApi(deps);
  const call = async (e: APIGatewayProxyEvent) => (await api(e, { remainingTimeMs: () => 20_000 })).response;
  return { store, queue, ledger, outbound, appointments, call };
}

const json = (body: string) => JSON.parse(body) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('POST /credits/purchases', () => {
  it('202 with a purchase command; the phone is stored masked and travels only in the queue message', async () => {
    const { call, store, queue } = setup();
    const res = await call(event('POST', '/credits/purchases', { body: { credits: 50, phone: '+224621234567', reason: 'top-up' } }));
    expect(res.statusCode).toBe(202);
    expect(json(res.body)).toEqual({ commandId: 'cmd-1', status: 'QUEUED', statusUrl: '/commands/cmd-1' });
    expect(store.commands.get('cmd-1')?.payload).toEqual({ type: 'purchase', credits: 50, origin: 'api', reason: 'top-up', phoneMasked: '+224•••••••67' });
    expect(JSON.stringify([...store.commands.values()])).not.toContain('621234567');
    expect(queue.main()).toEqual([{ queue: 'main', commandId: 'cmd-1', phone: '+224621234567' }]);
  });

  it('requires an Idempotency-Key (a retry must never pay twice), and the same key replays the same purchase', async () => {
    const { call, store } = setup();
    const missing = await call(event('POST', '/credits/purchases', { body: { credits: 5 }, withoutKey: true }));
    expect([missing.statusCode, json(missing.body).error.code]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED']);
    expect(json(missing.body).error.message).toMatch(/pay twice/);
    const headers = { 'Idempotency-Key': 'buy-1' };
    await call(event('POST', '/credits/purchases', { body: { credits: 5 }, headers }));
    const again = await call(event('POST', '/credits/purchases', { body: { credits: 5 }, headers }));
    expect([again.statusCode, again.headers?.['idempotent-replayed']]).toEqual([202, 'true']);
    expect(store.commands.size).toBe(1);
  });

  it('400 VALIDATION_ERROR for bad credits or phone, without echoing the phone', async () => {
    const { call, store } = setup();
    const res = await call(event('POST', '/credits/purchases', { body: { credits: 0, phone: '0621234567', extra: 1 } }));
    expect(res.statusCode).toBe(400);
    expect(json(res.body).error.details.map((d: { field: string }) => d.field)).toEqual(['credits', 'phone', 'extra']);
    expect(res.body).not.toContain('0621234567');
    expect(store.commands.size).toBe(0);
  });
});

describe('POST /appointments', () => {
  it('202 with the command id, Location, stored QUEUED command with a default externalUserId, one message enqueued', async () => {
    const { call, store, queue } = setup();
    const res = await call(event('POST', '/appointments', { body: BODY }));
    expect(res.statusCode).toBe(202);
    expect(json(res.body)).toEqual({ commandId: 'cmd-1', status: 'QUEUED', statusUrl: '/commands/cmd-1' });
    expect(res.headers?.location).toBe('/commands/cmd-1');
    const command = store.commands.get('cmd-1');
    expect(command).toMatchObject({ status: 'QUEUED', type: 'create', attempts: 0, payload: { type: 'create', request: { ...BODY, externalUserId: 'kit-cmd-1' } } });
    expect(command?.expiresAt).toBe(Date.parse('2026-01-10T09:00:00Z') / 1000 + 7 * 86_400);
    expect(command?.enqueuedAt).toBeDefined();
    expect(queue.main()).toEqual([{ queue: 'main', commandId: 'cmd-1' }]);
  });

  it('keeps a caller-supplied externalUserId', async () => {
    const { call, store } = setup();
    await call(event('POST', '/appointments', { body: { ...BODY, externalUserId: 'user-42' } }));
    expect(store.commands.get('cmd-1')?.payload).toMatchObject({ request: { externalUserId: 'user-42' } });
  });

  it('400 VALIDATION_ERROR lists each bad field; nothing stored or queued', async () => {
    const { call, store, queue } = setup();
    const res = await call(event('POST', '/appointments', { body: { departmentId: 0, dateTime: 'x', name: '' } }));
    expect(res.statusCode).toBe(400);
    const body = json(res.body);
    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(body.error.details.map((d: { field: string }) => d.field)).toEqual(['departmentId', 'dateTime', 'name']);
    expect(store.commands.size).toBe(0);
    expect(queue.sent).toHaveLength(0);
  });

  it('415 for a non-JSON body, 400 for malformed or empty JSON', async () => {
    const { call } = setup();
    expect((await call(event('POST', '/appointments', { raw: 'a=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }))).statusCode).toBe(415);
    const malformed = await call(event('POST', '/appointments', { raw: '{"departmentId":' }));
    expect([malformed.statusCode, json(malformed.body).error.code]).toEqual([400, 'MALFORMED_JSON']);
    expect((await call(event('POST', '/appointments', { raw: '' }))).statusCode).toBe(400);
  });

  it('402 INSUFFICIENT_CREDITS with the ledger balance when it is 0 — nothing queued, MONCRENEAU not called', async () => {
    const { call, ledger, queue, appointments } = setup();
    ledger.current = 0;
    const res = await call(event('POST', '/appointments', { body: BODY }));
    expect(res.statusCode).toBe(402);
    const body = json(res.body);
    expect(body.error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', details: { required: 1, available: 0 } });
    expect(body.error.message).toContain('balance is 0');
    expect(queue.sent).toHaveLength(0);
    expect(appointments.createDetailed).not.toHaveBeenCalled();
  });

  it('does not refuse while the balance is unknown (null) or when refusal is off', async () => {
    const unknown = setup();
    unknown.ledger.current = null;
    expect((await unknown.call(event('POST', '/appointments', { body: BODY }))).statusCode).toBe(202);
    const off = setup({ refuseWhenNoCredits: false });
    off.ledger.current = 0;
    expect((await off.call(event('POST', '/appointments', { body: BODY }))).statusCode).toBe(202);
  });

  it('accepts while outbound writes are paused (202 QUEUED + notice): nothing is lost', async () => {
    const { call, outbound, queue } = setup();
    outbound.enabled = false;
    outbound.reason = 'incident 7';
    const res = await call(event('POST', '/appointments', { body: BODY }));
    expect(res.statusCode).toBe(202);
    expect(json(res.body)).toMatchObject({ status: 'QUEUED', notice: expect.stringContaining('incident 7') });
    expect(queue.main()).toHaveLength(1);
  });
});

describe('Idempotency-Key', () => {
  it('same key + same body → the same command, one message, never two bookings', async () => {
    const { call, store, queue } = setup();
    const first = await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'k-1' } }));
    const second = await call(event('POST', '/appointments', { body: { name: 'Jean Dupont', dateTime: '2026-02-15T10:00:00', departmentId: 5 }, headers: { 'idempotency-key': 'k-1' } }));
    expect(second.statusCode).toBe(202);
    expect(json(second.body).commandId).toBe(json(first.body).commandId);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
    expect(store.commands.size).toBe(1);
    expect(queue.main()).toHaveLength(1);
  });

  it('same key + different body → 409 IDEMPOTENCY_KEY_REUSED naming the original command', async () => {
    const { call, store } = setup();
    await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'k-2' } }));
    const res = await call(event('POST', '/appointments', { body: { ...BODY, name: 'Autre' }, headers: { 'Idempotency-Key': 'k-2' } }));
    expect(res.statusCode).toBe(409);
    expect(json(res.body).error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', details: { commandId: 'cmd-1' } });
    expect(store.commands.size).toBe(1);
  });

  it('a replay answers its command even after credits ran out', async () => {
    const { call, ledger } = setup();
    await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'k-3' } }));
    ledger.current = 0;
    expect((await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'k-3' } }))).statusCode).toBe(202);
  });

  it('a failed enqueue answers 5xx (thrown) and the retry with the same key enqueues the same command', async () => {
    const { call, store, queue } = setup();
    queue.failNext = true;
    await expect(call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'k-4' } }))).rejects.toThrow('SQS unavailable');
    expect(store.commands.get('cmd-1')?.enqueuedAt).toBeUndefined();
    const retry = await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'k-4' } }));
    expect(json(retry.body).commandId).toBe('cmd-1');
    expect(queue.main()).toEqual([{ queue: 'main', commandId: 'cmd-1' }]);
  });

  it('the key is separate per operation: DELETE with a key used by POST → 409', async () => {
    const { call } = setup();
    await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'k-5' } }));
    expect((await call(event('DELETE', '/appointments/{id}', { id: '12', headers: { 'Idempotency-Key': 'k-5' } }))).statusCode).toBe(409);
  });

  it('refuses a malformed key', async () => {
    const { call } = setup();
    expect((await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'has space' } }))).statusCode).toBe(400);
  });
});

describe('Idempotency-Key required on create', () => {
  it('POST without Idempotency-Key → 400 IDEMPOTENCY_KEY_REQUIRED saying why and the format; nothing stored or queued', async () => {
    const { call, store, queue } = setup();
    const res = await call(event('POST', '/appointments', { body: BODY, withoutKey: true }));
    expect(res.statusCode).toBe(400);
    const { error } = json(res.body);
    expect(error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    expect(error.message).toMatch(/retry/i);
    expect(error.message).toMatch(/book twice/i);
    expect(error.message).toContain('1 to 200 printable ASCII characters');
    expect(error.details).toEqual([{ field: 'Idempotency-Key', problem: expect.stringContaining('required') }]);
    expect(store.commands.size).toBe(0);
    expect(queue.sent).toHaveLength(0);
  });

  it('PATCH and DELETE without a key are still accepted (update and cancel are naturally idempotent)', async () => {
    const { call } = setup();
    expect((await call(event('PATCH', '/appointments/{id}', { id: '12', body: { name: 'Autre' } }))).statusCode).toBe(202);
    expect((await call(event('DELETE', '/appointments/{id}', { id: '12' }))).statusCode).toBe(202);
  });
});

describe('Idempotency-Key after its command record expired (DynamoDB TTL deletes late, in any order)', () => {
  const DAY_S = 86_400;
  const T0 = Date.parse('2026-01-10T09:00:00Z');
  const withClock = () => {
    const clock = { now: T0 };
    return { clock, ...setup({ now: () => new Date(clock.now) }) };
  };

  it('the key reservation outlives its command by the grace period', async () => {
    const { call, store } = withClock();
    await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'exp-1' } }));
    const commandExpiresAt = store.commands.get('cmd-1')?.expiresAt ?? NaN;
    expect(store.keyExpiresAt.get('exp-1')).toBeGreaterThan(commandExpiresAt);
    expect(store.keyExpiresAt.get('exp-1')).toBe(commandExpiresAt + IDEMPOTENCY_KEY_GRACE_DAYS * DAY_S);
    expect(store.keys.get('exp-1')?.commandExpiresAt).toBe(commandExpiresAt);
  });

  it('a retry after the command was deleted → 410 IDEMPOTENCY_KEY_EXPIRED; no second command, nothing queued', async () => {
    const { call, store, queue, clock } = withClock();
    await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'exp-2' } }));
    clock.now += 8 * DAY_S * 1000; // retention is 7 days
    store.commands.delete('cmd-1'); // TTL removed cmd#, idem# is still there
    const retry = await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'exp-2' } }));
    expect(retry.statusCode).toBe(410);
    expect(json(retry.body).error).toMatchObject({ code: 'IDEMPOTENCY_KEY_EXPIRED', details: { commandId: 'cmd-1', expiredAt: '2026-01-17T09:00:00.000Z' } });
    expect(json(retry.body).error.message).toMatch(/new Idempotency-Key/);
    expect(store.commands.size).toBe(0);
    expect(queue.main()).toHaveLength(1);
  });

  it('the same for a cancel: an expired key never runs the command again', async () => {
    const { call, store, queue, clock } = withClock();
    await call(event('DELETE', '/appointments/{id}', { id: '12', headers: { 'Idempotency-Key': 'exp-3' } }));
    clock.now += 8 * DAY_S * 1000;
    store.commands.delete('cmd-1');
    const retry = await call(event('DELETE', '/appointments/{id}', { id: '12', headers: { 'Idempotency-Key': 'exp-3' } }));
    expect([retry.statusCode, json(retry.body).error.code]).toEqual([410, 'IDEMPOTENCY_KEY_EXPIRED']);
    expect(queue.main()).toHaveLength(1);
  });

  it('an expired command TTL has not deleted yet is still replayed (same command, 202)', async () => {
    const { call, clock } = withClock();
    await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'exp-4' } }));
    clock.now += 8 * DAY_S * 1000;
    const retry = await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'exp-4' } }));
    expect([retry.statusCode, json(retry.body).commandId]).toEqual([202, 'cmd-1']);
  });

  it('within retention, a key whose command was never stored (crash between claim and put) is still repaired', async () => {
    const { call, store, queue } = withClock();
    const fingerprintOf = async () => {
      await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'probe' } }));
      return store.keys.get('probe')?.fingerprint ?? '';
    };
    const fingerprint = await fingerprintOf();
    const commandExpiresAt = T0 / 1000 + 7 * DAY_S;
    await store.claimIdempotencyKey({ key: 'crashed', commandId: 'cmd-crashed', fingerprint, commandExpiresAt }, commandExpiresAt + IDEMPOTENCY_KEY_GRACE_DAYS * DAY_S);
    const retry = await call(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'crashed' } }));
    expect([retry.statusCode, json(retry.body).commandId]).toEqual([202, 'cmd-crashed']);
    expect(store.commands.get('cmd-crashed')?.expiresAt).toBe(commandExpiresAt);
    expect(queue.main().map((m) => m.commandId)).toEqual(['cmd-1', 'cmd-crashed']);
  });
});

describe('Location and statusUrl: a path the caller can follow', () => {
  const through = (e: APIGatewayProxyEvent, path: string, context: Record<string, string>): APIGatewayProxyEvent => ({
    ...e,
    path,
    requestContext: { ...e.requestContext, ...context } as APIGatewayProxyEvent['requestContext'],
  });
  const EXECUTE_API = 'a1b2c3d4e5.execute-api.eu-west-3.amazonaws.com';

  it.each([
    ['the default execute-api endpoint: the stage prefix', '/appointments', { stage: 'prod', domainName: EXECUTE_API, path: '/prod/appointments' }, '/prod/commands/cmd-1'],
    ['a custom domain with a base path mapping: the base path, no stage', '/booking/appointments', { stage: 'prod', domainName: 'api.example.com', path: '/booking/appointments' }, '/booking/commands/cmd-1'],
    ['a custom domain mapped at its root: no prefix', '/appointments', { stage: 'prod', domainName: 'api.example.com', path: '/appointments' }, '/commands/cmd-1'],
    ['no request context: no prefix', '/appointments', {}, '/commands/cmd-1'],
  ])('POST through %s', async (_label, path, context, url) => {
    const { call } = setup();
    const res = await call(through(event('POST', '/appointments', { body: BODY }), path, context));
    expect(res.statusCode).toBe(202);
    expect(res.headers?.location).toBe(url);
    expect(json(res.body).statusUrl).toBe(url);
  });

  it('the local runtime serves at the root: /commands/{id} although its requestContext.path has the stage', async () => {
    const { call } = setup();
    const local = buildProxyEvent(
      {
        method: 'POST',
        url: '/appointments',
        rawHeaders: ['Host', '127.0.0.1:3000', 'Content-Type', 'application/json', 'Idempotency-Key', 'local-1'],
        body: Buffer.from(JSON.stringify(BODY)),
        sourceIp: '127.0.0.1',
        localPort: 3000,
      },
      { resource: '/appointments', pathParameters: null, stage: 'dev' },
    );
    expect(local.requestContext.path).toBe('/dev/appointments');
    const res = await call(local);
    expect([res.statusCode, res.headers?.location, json(res.body).statusUrl]).toEqual([202, '/commands/cmd-1', '/commands/cmd-1']);
  });

  it('GET /commands/{id}, PATCH and the 409 of a reused key carry the prefix too', async () => {
    const { call } = setup();
    const ctx = (path: string) => ({ stage: 'prod', domainName: EXECUTE_API, path: `/prod${path}` });
    await call(through(event('POST', '/appointments', { body: BODY, headers: { 'Idempotency-Key': 'pre-1' } }), '/appointments', ctx('/appointments')));
    const view = await call(through(event('GET', '/commands/{id}', { id: 'cmd-1' }), '/commands/cmd-1', ctx('/commands/cmd-1')));
    expect(json(view.body).statusUrl).toBe('/prod/commands/cmd-1');
    const patch = await call(through(event('PATCH', '/appointments/{id}', { id: '12', body: { name: 'Autre' } }), '/appointments/12', ctx('/appointments/12')));
    expect(patch.headers?.location).toBe('/prod/commands/cmd-2');
    const reused = await call(through(event('POST', '/appointments', { body: { ...BODY, name: 'Autre' }, headers: { 'Idempotency-Key': 'pre-1' } }), '/appointments', ctx('/appointments')));
    expect(json(reused.body).error.details.statusUrl).toBe('/prod/commands/cmd-1');
  });

  it('never puts anything but path characters in Location', async () => {
    const { call } = setup();
    const res = await call(through(event('POST', '/appointments', { body: BODY }), '/a b\r\nx/appointments', { stage: 'prod', domainName: 'api.example.com', path: '/a b\r\nx/appointments' }));
    expect(res.headers?.location).toBe('/commands/cmd-1');
  });
});

describe('PATCH and DELETE /appointments/{id}', () => {
  it('queue update and cancel commands (202)', async () => {
    const { call, store } = setup();
    const patch = await call(event('PATCH', '/appointments/{id}', { id: '12', body: { dateTime: '2026-02-16T09:00:00' } }));
    const del = await call(event('DELETE', '/appointments/{id}', { id: '12', raw: '' }));
    expect([patch.statusCode, del.statusCode]).toEqual([202, 202]);
    expect(store.commands.get('cmd-1')?.payload).toEqual({ type: 'update', appointmentId: '12', changes: { dateTime: '2026-02-16T09:00:00' } });
    expect(store.commands.get('cmd-2')?.payload).toEqual({ type: 'cancel', appointmentId: '12' });
  });

  it('404 for an id that cannot exist, 400 for a bad patch', async () => {
    const { call } = setup();
    expect((await call(event('DELETE', '/appointments/{id}', { id: 'abc' }))).statusCode).toBe(404);
    expect((await call(event('PATCH', '/appointments/{id}', { id: '12', body: { status: 'X' } }))).statusCode).toBe(400);
  });
});

describe('GET /commands/{id}', () => {
  it('returns the status view without the beneficiary name; 404 for unknown ids', async () => {
    const { call } = setup();
    await call(event('POST', '/appointments', { body: BODY }));
    const res = await call(event('GET', '/commands/{id}', { id: 'cmd-1' }));
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ commandId: 'cmd-1', type: 'create', status: 'QUEUED', attempts: 0, externalUserId: 'kit-cmd-1' });
    expect(res.body).not.toContain('Jean');
    const missing = await call(event('GET', '/commands/{id}', { id: 'nope' }));
    expect([missing.statusCode, json(missing.body).error.code]).toEqual([404, 'COMMAND_NOT_FOUND']);
  });
});

describe('routing', () => {
  it('405 with Allow for a wrong method, 404 for an unknown resource', async () => {
    const { call } = setup();
    const res = await call(event('PUT', '/appointments/{id}', { id: '1' }));
    expect(res.statusCode).toBe(405);
    expect(res.headers?.allow).toBe('GET, PATCH, DELETE');
    expect((await call(event('GET', '/nowhere'))).statusCode).toBe(404);
  });

  it('a resource named like an Object.prototype member is 404, not a 405 with an empty Allow', async () => {
    const { call } = setup();
    for (const resource of ['constructor', '__proto__', 'toString']) expect((await call(event('GET', resource))).statusCode).toBe(404);
  });
});

describe('synchronous reads', () => {
  it('GET /appointments/{id} passes the Lambda deadline to the client', async () => {
    const { call, appointments } = setup();
    appointments.get.mockResolvedValue({ id: 12, departmentId: 5, dateTime: '2026-02-15T10:00:00', status: 'SCHEDULED', name: 'x' });
    const res = await call(event('GET', '/appointments/{id}', { id: '12' }));
    expect(res.statusCode).toBe(200);
    const options = appointments.get.mock.calls[0][1];
    expect(options?.remainingTimeMs?.()).toBe(20_000);
  });

  it('GET /appointments validates the query and returns the page', async () => {
    const { call, appointments } = setup();
    appointments.listPage.mockResolvedValue({ content: [], page: 1, size: 10, totalElements: 0, totalPages: 0, last: true });
    expect((await call(event('GET', '/appointments', { query: { page: '1', size: '10', externalUserId: 'u' } }))).statusCode).toBe(200);
    expect(appointments.listPage.mock.calls[0][0]).toMatchObject({ page: 1, size: 10, externalUserId: 'u' });
    expect((await call(event('GET', '/appointments', { query: { size: '500' } }))).statusCode).toBe(400);
  });

  it.each([
    ['404 stays 404', new NotFoundError({ status: 404, code: 'APPOINTMENT_NOT_FOUND', message: 'not found' }), 404, 'APPOINTMENT_NOT_FOUND', undefined],
    ['429 → 503 + Retry-After from the server', new RateLimitedError({ status: 429, code: 'RATE_LIMIT_EXCEEDED', message: 'slow down', retryAfterMs: 7_500 }), 503, 'UPSTREAM_RATE_LIMITED', '8'],
    ['5xx → 503 + Retry-After', new ServerError({ status: 500, code: 'INTERNAL_ERROR', message: 'boom' }), 503, 'UPSTREAM_UNAVAILABLE', '5'],
    ['local limiter → 503', new GateRejectedError({ code: 'GATE_REJECTED', message: 'no slot' }), 503, 'RATE_LIMITED', '5'],
    ['401 → 502', new AuthenticationError({ status: 401, code: 'INVALID_API_KEY', message: 'bad key' }), 502, 'UPSTREAM_AUTH_FAILED', undefined],
    ['anything else → 500 without a stack trace', new TypeError('x is undefined'), 500, 'INTERNAL_ERROR', undefined],
  ])('%s', async (_label, error, status, code, retryAfter) => {
    const { call, appointments } = setup();
    appointments.get.mockRejectedValue(error);
    const res = await call(event('GET', '/appointments/{id}', { id: '12' }));
    expect([res.statusCode, json(res.body).error.code]).toEqual([status, code]);
    expect(res.headers?.['retry-after']).toBe(retryAfter);
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('the router and the wiring', () => {
  it('serves exactly the routes the wiring sends to the appointments-api function', () => {
    const api = createAppointmentsApi({
      store: new MemoryCommandStore(),
      queue: new MemoryQueue(),
      ledger: new MemoryLedger(10),
      outbound: new FixedSwitch(true),
      appointments: fakeAppointments(),
      newId: () => 'x',
      now: () => new Date(),
      retentionDays: 7,
      refuseWhenNoCredits: true,
    });
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    const wired = wiring(stageConfig('dev')).functions.appointmentsApi.routes ?? [];
    expect(api.routes.map(key).sort()).toEqual(wired.map(key).sort());
    expect(wired.length).toBeGreaterThan(0);
  });
});
