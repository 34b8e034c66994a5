/**
 * The contract the kit relies on, checked through the kit's own client (checklist §8, "integration tests
 * with the TEST API"): list departments, read availability, create → get → find by externalUserId → cancel one
 * appointment, and the error envelope. It always runs against the local sandbox (so it is proven to work and
 * cannot rot), and against the real TEST API when both variables are set — before go-live:
 *
 *   MONCRENEAU_TEST_BASE_URL=https://…/api/v1 MONCRENEAU_TEST_API_KEY=mk_test_… npx jest test/contract
 *
 * Optional: MONCRENEAU_TEST_DEPARTMENT_ID (else the first department with a free slot in the next 14 days).
 * It books one appointment and cancels it (a credit spent, then refunded). docs/load-testing.md#contract-test.
 */
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { createMoncreneauClient, MoncreneauError, type Appointment, type MoncreneauClient } from '../../shared/moncreneau/client';

interface Target {
  readonly name: string;
  readonly enabled: boolean;
  connect(): Promise<{ client: MoncreneauClient; departmentId?: number; close(): Promise<void> }>;
}

const realBaseUrl = process.env.MONCRENEAU_TEST_BASE_URL;
const realKey = process.env.MONCRENEAU_TEST_API_KEY;

const TARGETS: readonly Target[] = [
  {
    name: 'the local sandbox',
    enabled: true,
    async connect() {
      const sandbox: RunningSandbox = await startSandbox({ port: 0, webhookUrl: null, seed: 11 });
      const key = sandbox.control.createKey({ name: 'contract test' }).key;
      const client = createMoncreneauClient({ keySource: { get: async () => ({ apiKey: key }) }, baseUrl: sandbox.apiBaseUrl, cacheTtlMs: 0 });
      return { client, close: async () => (client.close(), await sandbox.stop()) };
    },
  },
  {
    name: 'the MONCRENEAU TEST API (MONCRENEAU_TEST_BASE_URL)',
    enabled: Boolean(realBaseUrl && realKey),
    async connect() {
      // The key only ever travels in the request header (never in a URL or a log line).
      const client = createMoncreneauClient({ keySource: { get: async () => ({ apiKey: realKey ?? '' }) }, baseUrl: realBaseUrl, cacheTtlMs: 0, attemptTimeoutMs: 15_000 });
      const departmentId = process.env.MONCRENEAU_TEST_DEPARTMENT_ID ? Number(process.env.MONCRENEAU_TEST_DEPARTMENT_ID) : undefined;
      return { client, departmentId, close: async () => client.close() };
    },
  },
];

const DAY = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** `YYYY-MM-DDTHH:mm:ss`, no offset: the wall-clock form the API uses (docs/moncreneau-api.md §3). */
const WALL_CLOCK = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

function expectAppointmentShape(a: Appointment): void {
  expect(a).toEqual(expect.objectContaining({ id: expect.anything(), departmentId: expect.any(Number), dateTime: expect.stringMatching(WALL_CLOCK), status: expect.any(String), name: expect.any(String) }));
  expect(['number', 'string']).toContain(typeof a.id);
}

for (const target of TARGETS) {
  (target.enabled ? describe : describe.skip)(`MONCRENEAU API contract against ${target.name}`, () => {
    let conn: Awaited<ReturnType<Target['connect']>>;
    let departmentId: number;
    let workerId: number | undefined;
    let slot: string;
    let booked: Appointment | undefined;
    const externalUserId = `kit-contract-${Date.now().toString(36)}`;

    beforeAll(async () => {
      conn = await target.connect();
    });
    afterAll(async () => {
      // A booking left behind by a failed step is cancelled (its credit refunded) before leaving.
      if (booked) await conn.client.appointments.cancel(booked.id).catch(() => undefined);
      await conn.close();
    });

    test('GET /departments: an array of {id: number, name: string, …}', async () => {
      const departments = await conn.client.departments.list();
      expect(Array.isArray(departments)).toBe(true);
      expect(departments.length).toBeGreaterThan(0);
      for (const d of departments) expect(d).toEqual(expect.objectContaining({ id: expect.any(Number), name: expect.any(String) }));
      departmentId = conn.departmentId ?? departments[0].id;
      const chosen = departments.find((d) => d.id === departmentId);
      expect(chosen).toBeDefined();
      // A department that shows its agents needs a workerId on create (docs/moncreneau-api.md §3).
      const workers = chosen?.workers as Array<{ id: number }> | undefined;
      workerId = chosen?.showAdminsInBooking && workers?.length ? workers[0].id : undefined;
    });

    test('GET /departments/{id}/availability: {departmentId, availability: [{date, slots: [{time, available, dateTime}]}]}', async () => {
      const today = Date.now();
      const availability = await conn.client.departments.availability(departmentId, { startDate: isoDate(today + DAY), endDate: isoDate(today + 14 * DAY) });
      expect(availability.departmentId).toBe(departmentId);
      expect(Array.isArray(availability.availability)).toBe(true);
      for (const day of availability.availability) {
        expect(day.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        for (const s of day.slots) expect(s).toEqual(expect.objectContaining({ time: expect.any(String), available: expect.any(Boolean), dateTime: expect.stringMatching(WALL_CLOCK) }));
      }
      const free = availability.availability.flatMap((d) => d.slots).find((s) => s.available);
      expect(free).toBeDefined();
      slot = free!.dateTime;
    });

    test('POST /appointments → GET /appointments/{id} → GET /appointments?externalUserId → DELETE /appointments/{id}', async () => {
      booked = await conn.client.appointments.create({ departmentId, dateTime: slot, name: 'Kit Contract Test', externalUserId, ...(workerId ? { workerId } : {}) });
      expectAppointmentShape(booked);
      expect(booked).toMatchObject({ departmentId, status: 'SCHEDULED', name: 'Kit Contract Test' });
      expect(booked.dateTime.slice(0, 16)).toBe(slot.slice(0, 16));

      const read = await conn.client.appointments.get(booked.id);
      expectAppointmentShape(read);
      expect(read).toMatchObject({ id: booked.id, departmentId, status: 'SCHEDULED' });

      // What lookup-before-retry relies on (no double booking): the list filters by externalUserId and department.
      const page = await conn.client.appointments.listPage({ externalUserId, departmentId, size: 100 });
      expect(Array.isArray(page.content)).toBe(true);
      expect(page.content.map((a) => String(a.id))).toContain(String(booked.id));

      expect(await conn.client.appointments.cancel(booked.id)).toBe('cancelled');
      const cancelled = await conn.client.appointments.get(booked.id);
      expect(cancelled.status).toBe('CANCELLED');
      booked = undefined;
    });

    test('errors come as {error: {code, message}} with the documented code', async () => {
      const missing = await conn.client.appointments.get(999_999_999).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(missing).toBeInstanceOf(MoncreneauError);
      expect(missing).toMatchObject({ status: 404, code: 'APPOINTMENT_NOT_FOUND' });
    });
  });
}
