/** GET /departments, /departments/{id}, /departments/{id}/availability (docs/moncreneau-api.md §3.2–3.3). */
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { call, futureSaturday, uniqueSlot } from './helpers';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, webhookUrl: null });
});
afterAll(() => sandbox.stop());

const api = (path: string) => call(sandbox.apiBaseUrl, 'GET', path);

it('lists the organization’s departments as a plain array with the documented and SDK fields', async () => {
  const res = await api('/departments');
  expect(res.status).toBe(200);
  expect(Array.isArray(res.body)).toBe(true);
  expect(res.body.map((d: { id: number }) => d.id)).toEqual([5, 6]); // department 9 belongs to another organization
  expect(res.body[0]).toMatchObject({
    id: 5,
    name: 'Passport Service',
    description: expect.any(String),
    organization: { id: 1, name: 'Ministry of Interior' },
    slotDuration: 30,
    isActive: true,
  });
  expect(res.body[1]).toMatchObject({ id: 6, showAdminsInBooking: true, workers: [{ id: 42 }, { id: 43 }] });
});

it('retrieves one department by a string id, as the SDKs send it', async () => {
  const res = await api('/departments/6');
  expect(res.status).toBe(200);
  expect(res.body.id).toBe(6);
});

it.each([['404'], ['abc']])('404 DEPARTMENT_NOT_FOUND for id %s', async (id) => {
  const res = await api(`/departments/${id}`);
  expect(res.status).toBe(404);
  expect(res.body.error.code).toBe('DEPARTMENT_NOT_FOUND');
});

it('403 DEPARTMENT_ACCESS_DENIED for another organization’s department', async () => {
  const res = await api('/departments/9');
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('DEPARTMENT_ACCESS_DENIED');
});

describe('availability', () => {
  it('returns the SDK Availability shape: one entry per date, slots with time/available/dateTime', async () => {
    const date = uniqueSlot(0).slice(0, 10);
    const res = await api(`/departments/5/availability?startDate=${date}&endDate=${date}`);
    expect(res.status).toBe(200);
    expect(res.body.departmentId).toBe(5);
    expect(res.body.availability).toHaveLength(1);
    const day = res.body.availability[0];
    expect(day.date).toBe(date);
    expect(day.slots).toHaveLength(8); // 08:00–12:00 in 30-minute slots
    expect(day.slots[0]).toEqual({ time: '08:00', available: true, dateTime: `${date}T08:00:00` });
  });

  it('a booked slot becomes unavailable; closed days have no slots', async () => {
    const slot = uniqueSlot(1, '10:00');
    const date = slot.slice(0, 10);
    const created = await call(sandbox.apiBaseUrl, 'POST', '/appointments', { body: { departmentId: 5, dateTime: slot, name: 'Awa Diallo' } });
    expect(created.status).toBe(201);
    const res = await api(`/departments/5/availability?startDate=${date}&endDate=${date}`);
    const byTime = Object.fromEntries(res.body.availability[0].slots.map((s: { time: string; available: boolean }) => [s.time, s.available]));
    expect(byTime['10:00']).toBe(false);
    expect(byTime['10:30']).toBe(true);
    const saturday = futureSaturday(7);
    const weekend = await api(`/departments/5/availability?startDate=${saturday}&endDate=${saturday}`);
    expect(weekend.body.availability[0].slots).toEqual([]);
  });

  it('past slots are never available', async () => {
    const res = await api('/departments/5/availability?startDate=2020-01-06&endDate=2020-01-06');
    expect(res.status).toBe(200);
    expect(res.body.availability[0].slots.length).toBe(8);
    expect(res.body.availability[0].slots.every((s: { available: boolean }) => !s.available)).toBe(true);
  });

  it('spans several days inclusively', async () => {
    const res = await api('/departments/5/availability?startDate=2030-01-07&endDate=2030-01-13');
    expect(res.body.availability.map((d: { date: string }) => d.date)).toEqual([
      '2030-01-07', '2030-01-08', '2030-01-09', '2030-01-10', '2030-01-11', '2030-01-12', '2030-01-13',
    ]);
  });

  it.each([
    ['startDate missing', '?endDate=2030-01-07', 400, 'MISSING_REQUIRED_FIELD'],
    ['endDate missing', '?startDate=2030-01-07', 400, 'MISSING_REQUIRED_FIELD'],
    ['malformed date', '?startDate=07/01/2030&endDate=2030-01-07', 422, 'INVALID_FIELD_VALUE'],
    ['impossible date', '?startDate=2030-02-30&endDate=2030-03-01', 422, 'INVALID_FIELD_VALUE'],
    ['end before start', '?startDate=2030-01-08&endDate=2030-01-07', 422, 'INVALID_FIELD_VALUE'],
    ['range over 31 days', '?startDate=2030-01-01&endDate=2030-02-01', 422, 'INVALID_FIELD_VALUE'],
  ])('%s is rejected with the documented code', async (_label, query, status, code) => {
    const res = await api(`/departments/5/availability${query}`);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('the invalid-value status follows the assumption (400 instead of 422)', async () => {
    sandbox.control.setAssumptions({ invalidValueStatus: 400 });
    try {
      const res = await api('/departments/5/availability?startDate=bad&endDate=2030-01-07');
      expect(res.status).toBe(400);
    } finally {
      sandbox.control.setAssumptions({ invalidValueStatus: 422 });
    }
  });
});
