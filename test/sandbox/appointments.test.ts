/** POST/GET/PATCH/DELETE /appointments (docs/moncreneau-api.md §3.4–3.8, §4). */
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { call, uniqueSlot } from './helpers';

let sandbox: RunningSandbox;
let slotIndex = 100;
/** A fresh free slot for every booking. */
const nextSlot = (time = '09:00'): string => uniqueSlot(slotIndex++, time);

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, webhookUrl: null });
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.control.setCredits(50));

const post = (body: unknown, headers?: Record<string, string>) => call(sandbox.apiBaseUrl, 'POST', '/appointments', { body, headers });
const book = (extra: Record<string, unknown> = {}) => post({ departmentId: 5, dateTime: nextSlot(), name: 'Jean Dupont', ...extra });

describe('POST /appointments', () => {
  it('creates: 201, the documented body, one credit consumed', async () => {
    const dateTime = nextSlot('10:30');
    const res = await post({ departmentId: 5, dateTime, name: 'Jean Dupont', externalUserId: 'user-1' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      departmentId: 5,
      dateTime,
      status: 'SCHEDULED',
      name: 'Jean Dupont',
      externalUserId: 'user-1',
      creditsConsumed: 1,
    });
    expect(res.body.qrCode).toBe(`https://moncreneau.gn/qr/${res.body.id}`);
    expect(res.body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(sandbox.control.getCredits()).toBe(49);
  });

  it('accepts departmentId as a numeric string (older SDK shapes)', async () => {
    const res = await post({ departmentId: '5', dateTime: nextSlot(), name: 'A' });
    expect(res.status).toBe(201);
    expect(res.body.departmentId).toBe(5);
  });

  it('answers 200 when the createStatus assumption says so', async () => {
    sandbox.control.setAssumptions({ createStatus: 200 });
    try {
      expect((await book()).status).toBe(200);
    } finally {
      sandbox.control.setAssumptions({ createStatus: 201 });
    }
  });

  it.each([
    ['no departmentId', { dateTime: 'SLOT', name: 'A' }, 400, 'MISSING_REQUIRED_FIELD', 'departmentId'],
    ['no dateTime', { departmentId: 5, name: 'A' }, 400, 'MISSING_REQUIRED_FIELD', 'dateTime'],
    ['no name', { departmentId: 5, dateTime: 'SLOT' }, 400, 'MISSING_REQUIRED_FIELD', 'name'],
    ['blank name', { departmentId: 5, dateTime: 'SLOT', name: '  ' }, 400, 'MISSING_REQUIRED_FIELD', 'name'],
    ['departmentId not a number', { departmentId: 'dept_123', dateTime: 'SLOT', name: 'A' }, 422, 'INVALID_FIELD_VALUE', 'departmentId'],
    ['name not a string', { departmentId: 5, dateTime: 'SLOT', name: 12 }, 422, 'INVALID_FIELD_VALUE', 'name'],
    ['dateTime with an offset', { departmentId: 5, dateTime: '2030-01-07T09:00:00Z', name: 'A' }, 422, 'INVALID_DATE_TIME', 'dateTime'],
    ['dateTime not a date', { departmentId: 5, dateTime: 'tomorrow', name: 'A' }, 422, 'INVALID_DATE_TIME', 'dateTime'],
    ['dateTime in the past', { departmentId: 5, dateTime: '2020-01-06T09:00:00', name: 'A' }, 422, 'INVALID_DATE_TIME', 'dateTime'],
    ['bad phone', { departmentId: 5, dateTime: 'SLOT', name: 'A', phone: '0621234567' }, 422, 'INVALID_PHONE_NUMBER', 'phone'],
    ['bad email', { departmentId: 5, dateTime: 'SLOT', name: 'A', email: 'nope' }, 422, 'INVALID_EMAIL', 'email'],
    ['workerId missing where showAdminsInBooking', { departmentId: 6, dateTime: 'SLOT', name: 'A' }, 400, 'MISSING_REQUIRED_FIELD', 'workerId'],
    ['workerId not in the department', { departmentId: 6, dateTime: 'SLOT', name: 'A', workerId: 99 }, 422, 'INVALID_FIELD_VALUE', 'workerId'],
  ])('%s → validation error, no credit taken', async (_label, body, status, code, field) => {
    const payload = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v === 'SLOT' ? nextSlot() : v]));
    const res = await post(payload);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.details.field).toBe(field);
    expect(sandbox.control.getCredits()).toBe(50);
  });

  it('400 INVALID_REQUEST for a body that is not JSON', async () => {
    const res = await call(sandbox.apiBaseUrl, 'POST', '/appointments', { rawBody: '{not json' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
  });

  it('404 DEPARTMENT_NOT_FOUND / 403 DEPARTMENT_ACCESS_DENIED', async () => {
    const missing = await post({ departmentId: 404, dateTime: nextSlot(), name: 'A' });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'DEPARTMENT_NOT_FOUND']);
    const foreign = await post({ departmentId: 9, dateTime: nextSlot(), name: 'A' });
    expect([foreign.status, foreign.body.error.code]).toEqual([403, 'DEPARTMENT_ACCESS_DENIED']);
  });

  it('books a worker department with a workerId; one seat per worker and slot', async () => {
    const dateTime = nextSlot();
    const first = await post({ departmentId: 6, dateTime, name: 'A', workerId: 42 });
    const second = await post({ departmentId: 6, dateTime, name: 'B', workerId: '43' });
    const third = await post({ departmentId: 6, dateTime, name: 'C', workerId: 42 });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body.workerId).toBe(42);
    expect(second.body.workerId).toBe(43);
    expect([third.status, third.body.error.code]).toEqual([409, 'SLOT_NOT_AVAILABLE']);
    expect(sandbox.control.getCredits()).toBe(48);
  });

  it('409 SLOT_NOT_AVAILABLE for a taken slot, an off-grid time and a closed day', async () => {
    const dateTime = nextSlot();
    expect((await post({ departmentId: 5, dateTime, name: 'First' })).status).toBe(201);
    const taken = await post({ departmentId: 5, dateTime, name: 'Second' });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'SLOT_NOT_AVAILABLE']);
    const offGrid = await post({ departmentId: 5, dateTime: nextSlot('09:10'), name: 'A' });
    expect(offGrid.body.error.code).toBe('SLOT_NOT_AVAILABLE');
    const afternoon = await post({ departmentId: 5, dateTime: nextSlot('15:00'), name: 'A' });
    expect(afternoon.body.error.code).toBe('SLOT_NOT_AVAILABLE');
    expect(sandbox.control.getCredits()).toBe(49);
  });

  it('409 DUPLICATE_APPOINTMENT when the same person books the same slot again (retried POST)', async () => {
    const body = { departmentId: 5, dateTime: nextSlot(), name: 'Retry Person', externalUserId: 'user-dup' };
    const first = await post(body);
    const again = await post(body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'DUPLICATE_APPOINTMENT', details: { appointmentId: first.body.id } });
    const sameNameNoExternalId = { departmentId: 5, dateTime: nextSlot(), name: 'Jane' };
    await post(sameNameNoExternalId);
    expect((await post({ ...sameNameNoExternalId, name: 'JANE' })).body.error.code).toBe('DUPLICATE_APPOINTMENT');
    expect(sandbox.control.getCredits()).toBe(48);
  });

  it('402 INSUFFICIENT_CREDITS with required/available when the balance is 0, and nothing is booked', async () => {
    sandbox.control.setCredits(0);
    const before = sandbox.control.appointments().length;
    const res = await book();
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', details: { required: 1, available: 0 } });
    expect(sandbox.control.appointments()).toHaveLength(before);
    expect(sandbox.control.getCredits()).toBe(0);
  });

  it('the last credit can be spent, the next booking gets 402', async () => {
    sandbox.control.setCredits(1);
    expect((await book()).status).toBe(201);
    expect((await book()).status).toBe(402);
  });
});

describe('GET /appointments/{id}', () => {
  it('returns the appointment; 404 APPOINTMENT_NOT_FOUND otherwise', async () => {
    const created = (await book()).body;
    const res = await call(sandbox.apiBaseUrl, 'GET', `/appointments/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
    for (const id of ['999999', 'nope']) {
      const missing = await call(sandbox.apiBaseUrl, 'GET', `/appointments/${id}`);
      expect([missing.status, missing.body.error.code]).toEqual([404, 'APPOINTMENT_NOT_FOUND']);
    }
  });

  it('403 ORGANIZATION_MISMATCH for another organization’s key', async () => {
    const created = (await book()).body;
    const { key } = sandbox.control.createKey({ organizationId: 2 });
    const res = await call(sandbox.apiBaseUrl, 'GET', `/appointments/${created.id}`, { auth: 'none', headers: { 'X-API-Key': key } });
    expect([res.status, res.body.error.code]).toEqual([403, 'ORGANIZATION_MISMATCH']);
  });
});

describe('GET /appointments (Spring-style page)', () => {
  let key: string;
  const list = (query: string) => call(sandbox.apiBaseUrl, 'GET', `/appointments${query}`, { auth: 'none', headers: { 'X-API-Key': key } });

  beforeAll(async () => {
    // A dedicated organization-2 key isolates this listing from the other tests' bookings.
    key = sandbox.control.createKey({ organizationId: 2, key: 'mk_test_listing_org2_key' }).key;
    sandbox.control.setCredits(50, 2);
    for (let i = 0; i < 5; i += 1) {
      const res = await call(sandbox.apiBaseUrl, 'POST', '/appointments', {
        auth: 'none',
        headers: { 'X-API-Key': key },
        body: { departmentId: 9, dateTime: uniqueSlot(i, '08:15'), name: `P${i}`, externalUserId: i % 2 === 0 ? 'even' : 'odd' },
      });
      expect(res.status).toBe(201);
    }
  });

  it('pages from 0 with size, totalElements, totalPages, last', async () => {
    const first = await list('?page=0&size=2');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 0, size: 2, totalElements: 5, totalPages: 3, last: false });
    expect(first.body.content.map((a: { name: string }) => a.name)).toEqual(['P0', 'P1']);
    const last = await list('?page=2&size=2');
    expect(last.body).toMatchObject({ page: 2, last: true });
    expect(last.body.content.map((a: { name: string }) => a.name)).toEqual(['P4']);
    const beyond = await list('?page=5&size=2');
    expect(beyond.body.content).toEqual([]);
  });

  it('defaults to page 0 and size 20', async () => {
    const res = await list('');
    expect(res.body).toMatchObject({ page: 0, size: 20, totalElements: 5, totalPages: 1, last: true });
  });

  it('size above 100 is rejected (or clamped when configured); bad page/size are rejected', async () => {
    expect((await list('?size=100')).status).toBe(200);
    const over = await list('?size=101');
    expect([over.status, over.body.error.code, over.body.error.details.field]).toEqual([422, 'INVALID_FIELD_VALUE', 'size']);
    expect((await list('?size=0')).status).toBe(422);
    expect((await list('?page=-1')).status).toBe(422);
    expect((await list('?page=x')).status).toBe(422);
    sandbox.control.setAssumptions({ oversizedPage: 'clamp' });
    try {
      expect((await list('?size=500')).body.size).toBe(100);
    } finally {
      sandbox.control.setAssumptions({ oversizedPage: 'reject' });
    }
  });

  it('filters by externalUserId, departmentId, status and date range', async () => {
    expect((await list('?externalUserId=even')).body.totalElements).toBe(3);
    expect((await list('?departmentId=9')).body.totalElements).toBe(5);
    expect((await list('?departmentId=5')).body.totalElements).toBe(0);
    const day0 = uniqueSlot(0).slice(0, 10);
    const day1 = uniqueSlot(1).slice(0, 10);
    expect((await list(`?startDate=${day0}&endDate=${day0}`)).body.content.map((a: { name: string }) => a.name)).toEqual(['P0']);
    expect((await list(`?startDate=${day1}`)).body.totalElements).toBe(4);
    expect((await list(`?endDate=${day1}`)).body.totalElements).toBe(2);
    expect((await list('?startDate=31-12-2030')).body.error.code).toBe('INVALID_DATE_TIME');
    const cancelledId = (await list('?size=1')).body.content[0].id;
    await call(sandbox.apiBaseUrl, 'DELETE', `/appointments/${cancelledId}`, { auth: 'none', headers: { 'X-API-Key': key } });
    expect((await list('?status=CANCELLED')).body.content.map((a: { id: number }) => a.id)).toEqual([cancelledId]);
    expect((await list('?status=SCHEDULED')).body.totalElements).toBe(4);
  });

  it('never shows another organization’s appointments', async () => {
    const org1 = await call(sandbox.apiBaseUrl, 'GET', '/appointments?size=100');
    expect(org1.body.content.some((a: { departmentId: number }) => a.departmentId === 9)).toBe(false);
  });
});

describe('DELETE /appointments/{id}', () => {
  it('cancels: 204 with no body, status CANCELLED, one credit refunded', async () => {
    const created = (await book()).body;
    expect(sandbox.control.getCredits()).toBe(49);
    const res = await call(sandbox.apiBaseUrl, 'DELETE', `/appointments/${created.id}`);
    expect(res.status).toBe(204);
    expect(res.raw.length).toBe(0);
    expect(sandbox.control.getCredits()).toBe(50);
    const after = await call(sandbox.apiBaseUrl, 'GET', `/appointments/${created.id}`);
    expect(after.body).toMatchObject({ status: 'CANCELLED', cancelledBy: 'user', cancelledAt: expect.any(String) });
  });

  it('a second cancel is refused and refunds nothing; the slot is free again', async () => {
    const created = (await book()).body;
    await call(sandbox.apiBaseUrl, 'DELETE', `/appointments/${created.id}`);
    const again = await call(sandbox.apiBaseUrl, 'DELETE', `/appointments/${created.id}`);
    expect([again.status, again.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(sandbox.control.getCredits()).toBe(50);
    expect((await post({ departmentId: 5, dateTime: created.dateTime, name: 'Someone else' })).status).toBe(201);
  });

  it('takes an optional reason, and answers 200 with the body when cancelStatus=200', async () => {
    sandbox.control.setAssumptions({ cancelStatus: 200 });
    try {
      const created = (await book()).body;
      const res = await call(sandbox.apiBaseUrl, 'DELETE', `/appointments/${created.id}`, { body: { reason: 'Sick' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: created.id, status: 'CANCELLED', cancelReason: 'Sick' });
    } finally {
      sandbox.control.setAssumptions({ cancelStatus: 204 });
    }
  });

  it('404 for an unknown appointment', async () => {
    const res = await call(sandbox.apiBaseUrl, 'DELETE', '/appointments/999999');
    expect([res.status, res.body.error.code]).toEqual([404, 'APPOINTMENT_NOT_FOUND']);
  });
});

describe('PATCH /appointments/{id} (assumed update)', () => {
  it('moves an appointment to a free slot and changes the name', async () => {
    const created = (await book()).body;
    const to = nextSlot('11:00');
    const res = await call(sandbox.apiBaseUrl, 'PATCH', `/appointments/${created.id}`, { body: { dateTime: to, name: 'New Name' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, dateTime: to, name: 'New Name', updatedAt: expect.any(String) });
    expect(sandbox.control.getCredits()).toBe(49); // an update costs nothing
  });

  it('409 SLOT_NOT_AVAILABLE when moving onto a taken slot; 400 when cancelled or empty', async () => {
    const a = (await book()).body;
    const b = (await book()).body;
    const clash = await call(sandbox.apiBaseUrl, 'PATCH', `/appointments/${a.id}`, { body: { dateTime: b.dateTime } });
    expect([clash.status, clash.body.error.code]).toEqual([409, 'SLOT_NOT_AVAILABLE']);
    const empty = await call(sandbox.apiBaseUrl, 'PATCH', `/appointments/${a.id}`, { body: {} });
    expect([empty.status, empty.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
    await call(sandbox.apiBaseUrl, 'DELETE', `/appointments/${a.id}`);
    const cancelled = await call(sandbox.apiBaseUrl, 'PATCH', `/appointments/${a.id}`, { body: { name: 'X' } });
    expect([cancelled.status, cancelled.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
  });
});

describe('gzip', () => {
  it('compresses when the client sends Accept-Encoding: gzip, not otherwise', async () => {
    const zipped = await call(sandbox.apiBaseUrl, 'GET', '/departments', { headers: { 'Accept-Encoding': 'gzip, deflate' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(zipped.body).toHaveLength(2);
    const plain = await call(sandbox.apiBaseUrl, 'GET', '/departments');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.raw.toString('utf8'))).toEqual(zipped.body);
  });

  it('compresses error envelopes too', async () => {
    const res = await call(sandbox.apiBaseUrl, 'GET', '/appointments/999999', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.body.error.code).toBe('APPOINTMENT_NOT_FOUND');
  });
});
