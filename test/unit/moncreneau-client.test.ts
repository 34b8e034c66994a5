/**
 * The typed MONCRENEAU client against real local HTTP servers (127.0.0.1:0) with scripted answers.
 * Sleeps are faked (recorded, instant) so backoff delays are asserted exactly; timeouts use real,
 * short per-attempt limits.
 */
import {
  AuthenticationError,
  ConfigurationError,
  ConflictError,
  CreateOutcomeUnknownError,
  DeadlineExceededError,
  ForbiddenError,
  InsufficientCreditsError,
  MoncreneauClient,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  TransportError,
  ValidationError,
  NodeHttpTransport,
  type KeySource,
  type MoncreneauClientOptions,
  type RequestGate,
  type RequestObservation,
} from '../../shared/moncreneau/client';
import { envelope, startScriptServer, type ScriptServer } from '../support/http-script-server';

const KEY = 'mk_test_current123';

function staticKeys(key = KEY): KeySource & { calls: Array<boolean | undefined> } {
  const calls: Array<boolean | undefined> = [];
  return { calls, get: async (o) => (calls.push(o?.forceRefresh), { apiKey: key }) };
}

/** A rotating secret: the cached value is stale until a forced refresh. */
function rotatingKeys(stale: string, fresh: string): KeySource & { refreshes: number } {
  const source = {
    refreshes: 0,
    get: async (o?: { forceRefresh?: boolean }) => {
      if (o?.forceRefresh) source.refreshes += 1;
      return { apiKey: source.refreshes > 0 ? fresh : stale };
    },
  };
  return source;
}

const appointment = (id: number, over: Record<string, unknown> = {}) => ({
  id,
  departmentId: 5,
  dateTime: '2026-02-15T10:00:00',
  status: 'SCHEDULED',
  name: 'Jean Dupont',
  externalUserId: 'user-42',
  ...over,
});

describe('MONCRENEAU client', () => {
  let server: ScriptServer;
  let sleeps: number[];
  const clients: MoncreneauClient[] = [];

  beforeEach(async () => {
    server = await startScriptServer();
    sleeps = [];
  });
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await server.close();
  });

  function client(options: Partial<MoncreneauClientOptions> = {}): MoncreneauClient {
    const c = new MoncreneauClient({
      keySource: staticKeys(),
      baseUrl: server.baseUrl,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      minAttemptMs: 50,
      safetyMarginMs: 100,
      ...options,
    });
    clients.push(c);
    return c;
  }

  describe('auth and transport', () => {
    it('sends X-API-Key by default, never the key in the URL, plus X-Request-Id and Accept-Encoding gzip', async () => {
      server.setScript(() => ({ status: 200, json: [{ id: 5, name: 'Passport Service' }] }));
      const departments = await client().departments.list();
      expect(departments).toEqual([{ id: 5, name: 'Passport Service' }]);
      const [req] = server.requests;
      expect(req.path).toBe('/api/v1/departments');
      expect(req.headers['x-api-key']).toBe(KEY);
      expect(req.headers.authorization).toBeUndefined();
      expect(req.url).not.toContain(KEY);
      expect(req.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(req.headers['accept-encoding']).toContain('gzip');
      expect(req.headers.connection).toBe('keep-alive');
    });

    it('sends Authorization: Bearer when configured', async () => {
      server.setScript(() => ({ status: 200, json: [] }));
      await client({ authScheme: 'bearer' }).departments.list();
      expect(server.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
      expect(server.requests[0].headers['x-api-key']).toBeUndefined();
    });

    it('refuses a non-HTTPS base URL unless it is loopback, and URLs with credentials', () => {
      expect(() => client({ baseUrl: 'http://mc-prd.duckdns.org/api/v1' })).toThrow(ConfigurationError);
      expect(() => client({ baseUrl: 'https://user:pw@mc-prd.duckdns.org/api/v1' })).toThrow(ConfigurationError);
      expect(() => client({ baseUrl: 'http://localhost:4010/api/v1' })).not.toThrow();
      expect(() => client({ baseUrl: 'https://mc-prd.duckdns.org/api/v1/' })).not.toThrow();
      expect(() => client({ attemptTimeoutMs: 31_000 })).toThrow(ConfigurationError);
    });

    it('decodes a gzip body', async () => {
      server.setScript(() => ({ status: 200, json: appointment(7), gzip: true }));
      const got = await client().appointments.get(7);
      expect(got.id).toBe(7);
      expect(server.requests[0].path).toBe('/api/v1/appointments/7');
    });

    it('reports every attempt to onRequest with a templated route, and reads back the server request id', async () => {
      const seen: RequestObservation[] = [];
      server.setScript((_r, i) => (i === 0 ? envelope(503, 'UNAVAILABLE') : { status: 200, json: appointment(9), headers: { 'x-request-id': 'srv-1' } }));
      await client({ onRequest: (o) => seen.push(o) }).appointments.get(9);
      expect(seen.map((o) => [o.method, o.route, o.status, o.attempt, o.outcome])).toEqual([
        ['GET', '/appointments/{id}', 503, 1, 'server_error'],
        ['GET', '/appointments/{id}', 200, 2, 'success'],
      ]);
      expect(seen[1].requestId).toBe('srv-1');
      expect(seen.every((o) => o.durationMs >= 0)).toBe(true);
    });
  });

  describe('401 and key rotation', () => {
    it('refreshes the secret once on a 401 and succeeds with the new key', async () => {
      const keys = rotatingKeys('mk_live_old', 'mk_live_new');
      server.setScript((r) => (r.headers['x-api-key'] === 'mk_live_new' ? { status: 200, json: appointment(1) } : envelope(401, 'INVALID_API_KEY')));
      const got = await client({ keySource: keys }).appointments.get(1);
      expect(got.id).toBe(1);
      expect(keys.refreshes).toBe(1);
      expect(server.requests.map((r) => r.headers['x-api-key'])).toEqual(['mk_live_old', 'mk_live_new']);
      expect(sleeps).toEqual([]); // no backoff for a rotation retry
    });

    it('gives up after one refresh when the key did not change, without leaking the key', async () => {
      const keys = staticKeys();
      server.setScript(() => envelope(401, 'INVALID_API_KEY', `Key ${KEY} is revoked`, { field: 'Authorization', value: `Bearer ${KEY}` }));
      const error = await client({ keySource: keys }).appointments.get(1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      const e = error as AuthenticationError;
      expect(e.status).toBe(401);
      expect(e.code).toBe('INVALID_API_KEY');
      expect(server.requests).toHaveLength(1);
      expect(keys.calls).toEqual([undefined, true]);
      expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain(KEY);
      expect(e.message).not.toContain('current123');
    });
  });

  describe('retries', () => {
    it('retries 5xx with 2 s / 4 s bases and full jitter, then succeeds', async () => {
      server.setScript((_r, i) => (i < 2 ? envelope(500, 'INTERNAL_ERROR') : { status: 200, json: appointment(3) }));
      const got = await client({ random: () => 0.5 }).appointments.get(3);
      expect(got.id).toBe(3);
      expect(server.requests).toHaveLength(3);
      expect(sleeps).toEqual([1000, 2000]); // 0.5 × 2000, 0.5 × 4000
      expect(new Set(server.requests.map((r) => r.headers['x-request-id'])).size).toBe(1); // one logical call
    });

    it('keeps every delay within [0, base] for full jitter and follows 2/4/8 s', async () => {
      server.setScript(() => envelope(503, 'UNAVAILABLE'));
      for (const r of [0.001, 0.999999]) {
        sleeps = [];
        const error = await client({ random: () => r, retry: { maxAttempts: 4 } }).appointments.get(3).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ServerError);
        expect(sleeps).toHaveLength(3);
        [2000, 4000, 8000].forEach((base, i) => {
          expect(sleeps[i]).toBeGreaterThanOrEqual(0);
          expect(sleeps[i]).toBeLessThanOrEqual(base);
        });
        if (r > 0.9) expect(sleeps).toEqual([2000, 4000, 8000]);
      }
    });

    it('decorrelated jitter stays within [base, 3 × previous]', async () => {
      server.setScript(() => envelope(500, 'INTERNAL_ERROR'));
      await client({ random: () => 0.999999, retry: { maxAttempts: 4, jitter: 'decorrelated' } }).appointments.get(3).catch(() => undefined);
      expect(sleeps[0]).toBeGreaterThanOrEqual(2000);
      expect(sleeps[0]).toBeLessThanOrEqual(6000);
      for (let i = 1; i < sleeps.length; i += 1) {
        expect(sleeps[i]).toBeGreaterThanOrEqual(2000);
        expect(sleeps[i]).toBeLessThanOrEqual(Math.min(16_000, 3 * sleeps[i - 1]));
      }
    });

    it('stops after 3 attempts of 5xx with a ServerError', async () => {
      server.setScript(() => envelope(503, 'SERVICE_UNAVAILABLE', 'down'));
      const error = await client().appointments.get(3).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect((error as ServerError).attempts).toBe(3);
      expect(server.requests).toHaveLength(3);
      expect(sleeps).toHaveLength(2);
    });

    it('honours Retry-After on a 429 and exposes the X-RateLimit-* values', async () => {
      const reset = Math.floor(Date.now() / 1000) + 30;
      server.setScript((_r, i) =>
        i === 0
          ? envelope(429, 'RATE_LIMIT_EXCEEDED', 'slow down', undefined, { 'retry-after': '7', 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) })
          : { status: 200, json: appointment(4) },
      );
      const responses: number[] = [];
      const gate: RequestGate = { acquire: async () => undefined, onResponse: (r) => void responses.push(r.status) };
      await client({ gate }).appointments.get(4);
      expect(sleeps).toHaveLength(1);
      expect(sleeps[0]).toBeGreaterThanOrEqual(7000);
      expect(sleeps[0]).toBeLessThanOrEqual(8000);
      expect(responses).toEqual([429, 200]);

      server.setScript(() => envelope(429, 'TOO_MANY_REQUESTS', 'x', undefined, { 'retry-after': '1', 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }));
      const error = (await client({ retry: { maxAttempts: 1 } }).appointments.get(4).catch((e: unknown) => e)) as RateLimitedError;
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error.retryAfterMs).toBe(1000);
      expect(error.rateLimit).toEqual({ limit: 1000, remaining: 0, resetAtMs: reset * 1000 });
    });

    it('never retries other 4xx and maps each family to its type', async () => {
      const cases: Array<[number, string, new (...a: never[]) => Error, Record<string, unknown>?]> = [
        [400, 'INVALID_REQUEST', ValidationError],
        [422, 'INVALID_DATE_TIME', ValidationError],
        [402, 'INSUFFICIENT_CREDITS', InsufficientCreditsError, { required: 1, available: 0 }],
        [403, 'INSUFFICIENT_SCOPE', ForbiddenError],
        [404, 'APPOINTMENT_NOT_FOUND', NotFoundError],
        [409, 'SLOT_NOT_AVAILABLE', ConflictError],
      ];
      for (const [status, code, type, details] of cases) {
        server.requests.length = 0;
        server.setScript(() => envelope(status, code, 'nope', details));
        const error = await client().appointments.get(1).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(type);
        expect(error).toMatchObject({ status, code, message: 'nope' });
        expect((error as { requestId?: string }).requestId).toBeDefined();
        expect(server.requests).toHaveLength(1);
      }
      expect(sleeps).toEqual([]);
      server.setScript(() => envelope(402, 'INSUFFICIENT_CREDITS', 'none left', { required: 1, available: 0 }));
      const credits = (await client().appointments.get(1).catch((e: unknown) => e)) as InsufficientCreditsError;
      expect(credits.available).toBe(0);
      expect(credits.required).toBe(1);
    });

    it('turns an HTML 502 page and a flat {code,message} body into clean typed errors', async () => {
      server.setScript(() => ({ status: 502, text: '<html><body><h1>502 Bad Gateway</h1></body></html>' }));
      const html = (await client({ retry: { maxAttempts: 1 } }).appointments.get(1).catch((e: unknown) => e)) as ServerError;
      expect(html).toBeInstanceOf(ServerError);
      expect(html.status).toBe(502);
      expect(html.code).toBe('SERVER_ERROR');
      expect(html.message).toContain('502');
      expect(html.details?.bodyExcerpt).toContain('Bad Gateway');

      server.setScript(() => ({ status: 400, json: { code: 'VALIDATION_ERROR', message: 'name is required' } }));
      const flat = (await client().appointments.get(1).catch((e: unknown) => e)) as ValidationError;
      expect(flat).toBeInstanceOf(ValidationError);
      expect(flat.code).toBe('VALIDATION_ERROR');
      expect(flat.message).toBe('name is required');
    });
  });

  describe('timeouts and the deadline', () => {
    it('cuts a hanging attempt at its own timeout and retries', async () => {
      server.setScript((_r, i) => (i === 0 ? 'hang' : { status: 200, json: appointment(5) }));
      const seen: RequestObservation[] = [];
      const got = await client({ attemptTimeoutMs: 200, onRequest: (o) => seen.push(o) }).appointments.get(5);
      expect(got.id).toBe(5);
      expect(seen.map((o) => o.outcome)).toEqual(['timeout', 'success']);
      expect(sleeps).toHaveLength(1);
    });

    it('stops at the overall deadline with DeadlineExceededError, before the attempt timeout', async () => {
      server.setScript(() => 'hang');
      const started = Date.now();
      const error = await client({ attemptTimeoutMs: 30_000 })
        .appointments.get(5, { deadline: Date.now() + 600 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect((error as DeadlineExceededError).lastError).toBeInstanceOf(TimeoutError);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(server.requests).toHaveLength(1);
    });

    it('does not sleep past the deadline: a retry that cannot fit fails fast (remainingTimeMs from a Lambda context)', async () => {
      server.setScript(() => envelope(503, 'UNAVAILABLE'));
      const error = (await client({ random: () => 0.9 })
        .appointments.get(5, { remainingTimeMs: () => 1500 })
        .catch((e: unknown) => e)) as DeadlineExceededError;
      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect(error.lastError).toBeInstanceOf(ServerError);
      expect(sleeps).toEqual([]); // 1800 ms backoff > remaining budget
      expect(server.requests).toHaveLength(1);
    });

    it('refuses to start when the budget is already spent', async () => {
      server.setScript(() => ({ status: 200, json: appointment(1) }));
      await expect(client().appointments.get(1, { deadline: Date.now() + 100 })).rejects.toBeInstanceOf(DeadlineExceededError);
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('no double booking on create', () => {
    const request = { departmentId: 5, dateTime: '2026-02-15T10:00:00', name: 'Jean Dupont', externalUserId: 'user-42' };

    it('after a hanging POST, finds the appointment by lookup and does not POST again', async () => {
      server.setScript((r) => {
        if (r.method === 'POST') return 'hang';
        return { status: 200, json: { content: [appointment(11, { dateTime: '2026-02-15T09:00:00' }), appointment(12)], page: 0, size: 100, totalPages: 1, last: true } };
      });
      const result = await client({ attemptTimeoutMs: 200 }).appointments.createDetailed(request);
      expect(result).toMatchObject({ outcome: 'recovered', postAttempts: 1 });
      expect(result.appointment.id).toBe(12);
      expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      const lookup = server.requests.find((r) => r.method === 'GET');
      expect(lookup?.query.get('externalUserId')).toBe('user-42');
      expect(lookup?.query.get('departmentId')).toBe('5');
      expect(sleeps).toHaveLength(1); // waited before looking up
    });

    it('re-POSTs only when the lookup finds nothing', async () => {
      server.setScript((r, i) => {
        if (r.method === 'POST') return i === 0 ? envelope(500, 'INTERNAL_ERROR') : { status: 201, json: appointment(13) };
        return { status: 200, json: { content: [], last: true } };
      });
      const result = await client().appointments.createDetailed(request);
      expect(result).toMatchObject({ outcome: 'created', postAttempts: 2 });
      expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
    });

    it('resolves 409 DUPLICATE_APPOINTMENT to the existing appointment', async () => {
      server.setScript((r) => (r.method === 'POST' ? envelope(409, 'DUPLICATE_APPOINTMENT', 'exists') : { status: 200, json: { content: [appointment(14)], last: true } }));
      const result = await client().appointments.createDetailed(request);
      expect(result).toMatchObject({ outcome: 'duplicate', postAttempts: 1 });
      expect(result.appointment.id).toBe(14);
      expect(await client().appointments.create(request)).toMatchObject({ id: 14 });
    });

    it('throws CreateOutcomeUnknownError (one POST) when no externalUserId allows a lookup', async () => {
      server.setScript(() => envelope(500, 'INTERNAL_ERROR'));
      const { externalUserId: _omit, ...anonymous } = request;
      const error = (await client().appointments.create(anonymous).catch((e: unknown) => e)) as CreateOutcomeUnknownError;
      expect(error).toBeInstanceOf(CreateOutcomeUnknownError);
      expect(error.lastError).toBeInstanceOf(ServerError);
      expect(server.requests).toHaveLength(1);
    });

    it('uses a custom lookupExisting hook when given', async () => {
      server.setScript(() => 'hang');
      const lookupExisting = jest.fn(async () => appointment(15));
      const { externalUserId: _omit, ...anonymous } = request;
      const result = await client({ attemptTimeoutMs: 150, lookupExisting }).appointments.createDetailed(anonymous);
      expect(result).toMatchObject({ outcome: 'recovered' });
      expect(lookupExisting).toHaveBeenCalledTimes(1);
      expect(server.requests).toHaveLength(1);
    });

    it('resends a POST that provably never left (connection refused) without a lookup', async () => {
      const real = new NodeHttpTransport();
      let calls = 0;
      const transport = {
        send: (req: Parameters<NodeHttpTransport['send']>[0]) => {
          calls += 1;
          if (calls === 1) return Promise.reject(new TransportError('network', 'Network error: ECONNREFUSED', false, 'ECONNREFUSED'));
          return real.send(req);
        },
      };
      server.setScript(() => ({ status: 201, json: appointment(16) }));
      try {
        const result = await client({ transport }).appointments.createDetailed(request);
        expect(result).toMatchObject({ outcome: 'created', postAttempts: 2 });
        expect(server.requests.map((r) => r.method)).toEqual(['POST']);
      } finally {
        real.destroy();
      }
    });

    it('a dropped connection after sending a GET is retried as a network error', async () => {
      server.setScript((_r, i) => (i === 0 ? 'destroy' : { status: 200, json: appointment(17) }));
      const seen: string[] = [];
      await client({ onRequest: (o) => seen.push(o.outcome) }).appointments.get(17);
      expect(seen).toEqual(['network_error', 'success']);
      await expect(Promise.reject(new NetworkError({ code: 'X', message: 'x', requestSent: true }))).rejects.toHaveProperty('outcomeUnknown', true);
    });
  });

  describe('lists, cancel, update and caching', () => {
    it('paginates 250 appointments in 3 pages of size 100 (iterator and listAll)', async () => {
      const all = Array.from({ length: 250 }, (_, i) => appointment(i + 1));
      server.setScript((r) => {
        const page = Number(r.query.get('page'));
        const size = Number(r.query.get('size'));
        const content = all.slice(page * size, page * size + size);
        return { status: 200, json: { content, page, size, totalElements: 250, totalPages: 3, last: page === 2 } };
      });
      const c = client();
      const listed = await c.appointments.listAll({ status: 'SCHEDULED' });
      expect(listed).toHaveLength(250);
      expect(listed[249].id).toBe(250);
      expect(server.requests.map((r) => [r.query.get('page'), r.query.get('size'), r.query.get('status')])).toEqual([
        ['0', '100', 'SCHEDULED'],
        ['1', '100', 'SCHEDULED'],
        ['2', '100', 'SCHEDULED'],
      ]);
      let count = 0;
      for await (const a of c.appointments.iterate()) if (a.id) count += 1;
      expect(count).toBe(250);
    });

    it('cancels with DELETE, and treats a 404 on a retry as already cancelled', async () => {
      server.setScript(() => ({ status: 204 }));
      expect(await client().appointments.cancel(21)).toBe('cancelled');
      expect(server.requests[0]).toMatchObject({ method: 'DELETE', path: '/api/v1/appointments/21' });

      server.requests.length = 0;
      server.setScript((_r, i) => (i === 0 ? envelope(503, 'UNAVAILABLE') : envelope(404, 'APPOINTMENT_NOT_FOUND')));
      expect(await client().appointments.cancel(21)).toBe('already_cancelled');
      server.setScript(() => envelope(404, 'APPOINTMENT_NOT_FOUND'));
      await expect(client().appointments.cancel(22)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('updates with the assumed PATCH /appointments/{id}', async () => {
      server.setScript((r) => ({ status: 200, json: appointment(23, r.json as Record<string, unknown>) }));
      const updated = await client().appointments.update(23, { dateTime: '2026-02-16T11:00:00' });
      expect(updated.dateTime).toBe('2026-02-16T11:00:00');
      expect(server.requests[0]).toMatchObject({ method: 'PATCH', path: '/api/v1/appointments/23', json: { dateTime: '2026-02-16T11:00:00' } });
      expect(server.requests[0].headers['content-type']).toBe('application/json');
    });

    it('caches departments and availability for the TTL', async () => {
      let now = 1_000_000;
      server.setScript((r) =>
        r.path.endsWith('/availability')
          ? { status: 200, json: { departmentId: 5, availability: [{ date: r.query.get('startDate'), slots: [] }] } }
          : r.path === '/api/v1/departments/5'
            ? { status: 200, json: { id: 5, name: 'Passport Service' } }
            : { status: 200, json: [{ id: 5, name: 'Passport Service' }] },
      );
      const c = client({ cacheTtlMs: 60_000, now: () => now });
      await Promise.all([c.departments.list(), c.departments.list()]);
      await c.departments.list();
      await c.departments.get(5);
      await c.departments.get(5);
      await c.departments.availability(5, { startDate: '2026-02-01', endDate: '2026-02-07' });
      await c.departments.availability(5, { startDate: '2026-02-01', endDate: '2026-02-07' });
      await c.departments.availability(5, { startDate: '2026-02-08', endDate: '2026-02-14' });
      expect(server.requests).toHaveLength(4);
      now += 60_001;
      await c.departments.list();
      expect(server.requests).toHaveLength(5);
      c.clearCache();
      await c.departments.get(5);
      expect(server.requests).toHaveLength(6);
      const availability = server.requests.find((r) => r.path.endsWith('/availability'));
      expect(availability?.query.get('startDate')).toBe('2026-02-01');
    });

    it('passes every attempt through the gate', async () => {
      const acquired: string[] = [];
      const gate: RequestGate = { acquire: async (r) => void acquired.push(`${r.method} ${r.route}`) };
      server.setScript((_r, i) => (i === 0 ? envelope(500, 'X') : { status: 200, json: appointment(1) }));
      await client({ gate }).appointments.get(1);
      expect(acquired).toEqual(['GET /appointments/{id}', 'GET /appointments/{id}']);
    });
  });
});

describe('MONCRENEAU client — create when the gate refuses the retry', () => {
  it('reports CreateOutcomeUnknownError, never a plain gate error, once a POST may have landed', async () => {
    const server = await startScriptServer((r) => (r.method === 'POST' ? envelope(500, 'INTERNAL_ERROR') : { status: 200, json: { content: [], last: true } }));
    let acquisitions = 0;
    const gate: RequestGate = {
      acquire: async () => {
        acquisitions += 1;
        if (acquisitions > 2) throw new Error('next slot after the deadline');
      },
    };
    const c = new MoncreneauClient({ keySource: staticKeys(), baseUrl: server.baseUrl, gate, sleep: async () => undefined });
    try {
      const error = (await c.appointments
        .create({ departmentId: 5, dateTime: '2026-02-15T10:00:00', name: 'A', externalUserId: 'u1' })
        .catch((e: unknown) => e)) as CreateOutcomeUnknownError;
      expect(error).toBeInstanceOf(CreateOutcomeUnknownError);
      expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    } finally {
      c.close();
      await server.close();
    }
  });
});
