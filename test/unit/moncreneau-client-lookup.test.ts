/**
 * The lookup after an uncertain create adopts only our own booking (Hardening #5): the same
 * externalUserId AND name, departmentId and dateTime. A field the server's list did not echo is not
 * guessed: the booking is adopted only if every other field matches, and the result says which field
 * could not be compared (`matchedWithout`). Real HTTP server on 127.0.0.1 with scripted answers.
 */
import { MoncreneauClient, type Appointment, type KeySource } from '../../shared/moncreneau/client';
import { matchBooking, sameBooking } from '../../shared/moncreneau/client/resources/appointments';
import { envelope, startScriptServer, type ScriptServer } from '../support/http-script-server';

const keys: KeySource = { get: async () => ({ apiKey: 'mk_test_lookup123' }) };
const request = { departmentId: 5, dateTime: '2026-02-15T10:00:00', name: 'Jean Dupont', externalUserId: 'user-42' };
const ours = (id: number, over: Record<string, unknown> = {}): Appointment =>
  ({ id, departmentId: 5, dateTime: '2026-02-15T10:00:00', status: 'SCHEDULED', name: 'Jean Dupont', externalUserId: 'user-42', ...over }) as Appointment;
const without = (a: Appointment, field: string): Appointment => Object.fromEntries(Object.entries(a).filter(([k]) => k !== field)) as Appointment;

describe('matchBooking (pure)', () => {
  it.each([
    ['everything equal', ours(1), { matched: true, without: [] }],
    ['name differs only in case and spaces', ours(1, { name: '  jean   DUPONT ' }), { matched: true, without: [] }],
    ['minute precision on dateTime', ours(1, { dateTime: '2026-02-15T10:00' }), { matched: true, without: [] }],
    ['another externalUserId', ours(1, { externalUserId: 'user-7' }), { matched: false }],
    ['our externalUserId, another name', ours(1, { name: 'Awa Camara' }), { matched: false }],
    ['another department', ours(1, { departmentId: 6 }), { matched: false }],
    ['another slot', ours(1, { dateTime: '2026-02-15T10:30:00' }), { matched: false }],
    ['cancelled', ours(1, { status: 'CANCELLED' }), { matched: false }],
    ['externalUserId not echoed, the rest equal', without(ours(1), 'externalUserId'), { matched: true, without: ['externalUserId'] }],
    ['externalUserId not echoed, another name', without(ours(1, { name: 'Awa Camara' }), 'externalUserId'), { matched: false }],
    ['name not echoed, our externalUserId', without(ours(1), 'name'), { matched: true, without: ['name'] }],
    ['neither echoed: nothing identifies the person', without(without(ours(1), 'name'), 'externalUserId'), { matched: false }],
    ['externalUserId null (not echoed)', ours(1, { externalUserId: null }), { matched: true, without: ['externalUserId'] }],
  ])('%s', (_l, appointment, expected) => {
    expect(matchBooking(appointment, request)).toEqual(expected);
    expect(sameBooking(appointment, request)).toBe(expected.matched);
  });
});

describe('the client\'s lookup after an uncertain POST', () => {
  let server: ScriptServer;
  const clients: MoncreneauClient[] = [];
  beforeEach(async () => {
    server = await startScriptServer();
  });
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await server.close();
  });
  const client = () => {
    const c = new MoncreneauClient({ keySource: keys, baseUrl: server.baseUrl, sleep: async () => {}, random: () => 0.5, minAttemptMs: 50, safetyMarginMs: 100 });
    clients.push(c);
    return c;
  };
  /** First POST: 500 (outcome unknown); the list answers `listed`; a second POST creates 21. */
  const script = (listed: Appointment[]) =>
    server.setScript((r, i) => {
      if (r.method === 'POST') return i === 0 ? envelope(500, 'INTERNAL_ERROR') : { status: 201, json: ours(21) };
      return { status: 200, json: { content: listed, last: true } };
    });

  it('does not adopt a booking of someone else on our slot when the server does not echo externalUserId', async () => {
    script([without(ours(20, { name: 'Awa Camara' }), 'externalUserId')]);
    const result = await client().appointments.createDetailed(request);
    expect(result).toMatchObject({ outcome: 'created', appointment: { id: 21 }, postAttempts: 2 });
    expect(result.matchedWithout).toBeUndefined();
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
  });

  it('does not adopt a booking with our externalUserId but another name', async () => {
    script([ours(20, { name: 'Awa Camara' })]);
    const result = await client().appointments.createDetailed(request);
    expect(result).toMatchObject({ outcome: 'created', appointment: { id: 21 } });
  });

  it('adopts a booking whose externalUserId was not echoed when everything else matches, and says so', async () => {
    script([without(ours(20), 'externalUserId')]);
    const result = await client().appointments.createDetailed(request);
    expect(result).toMatchObject({ outcome: 'recovered', appointment: { id: 20 }, postAttempts: 1, matchedWithout: ['externalUserId'] });
  });

  it('prefers a full match to a partial one, and adopts nothing when two partial matches are ambiguous', async () => {
    script([without(ours(19), 'externalUserId'), ours(20)]);
    expect(await client().appointments.createDetailed(request)).toMatchObject({ outcome: 'recovered', appointment: { id: 20 } });
    expect((await client().appointments.createDetailed(request)).matchedWithout).toBeUndefined();

    script([without(ours(18), 'externalUserId'), without(ours(19), 'externalUserId')]);
    expect(await client().appointments.createDetailed(request)).toMatchObject({ outcome: 'created', appointment: { id: 21 } });
  });
});
