/**
 * The typed client against the MONCRENEAU sandbox (a real HTTP server speaking the documented API):
 * automatic pagination beyond 100 appointments, and a key rotation recovered by one forced refresh.
 */
import { startSandbox } from '../../sandbox/server';
import { createMoncreneauClient, type RequestObservation } from '../../shared/moncreneau/client';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, webhookUrl: null, seed: 7 });
});
afterAll(() => sandbox.stop());

describe('MONCRENEAU client against the sandbox', () => {
  it('lists more than 100 appointments through pages of 100 and returns each exactly once', async () => {
    const key = sandbox.control.createKey({ scopes: ['appointments:read', 'appointments:create'], quotaPerHour: 10_000 }).key;
    sandbox.control.setCredits(1000);
    for (let i = 0; i < 250; i++) sandbox.control.triggerEvent({ type: 'appointment.created', appointment: { departmentId: 5, name: `Guest ${i}`, externalUserId: 'bulk' } });
    const seen: RequestObservation[] = [];
    const client = createMoncreneauClient({ keySource: { get: async () => ({ apiKey: key }) }, baseUrl: sandbox.apiBaseUrl, onRequest: (o) => seen.push(o) });
    const all = await client.appointments.listAll({ externalUserId: 'bulk' });
    expect(all).toHaveLength(250);
    expect(new Set(all.map((a) => a.id)).size).toBe(250);
    expect(seen.filter((o) => o.route === '/appointments')).toHaveLength(3);
  });

  it('recovers from a rotated key: 401 with the cached key, one forced refresh, success with the new one', async () => {
    const oldKey = sandbox.control.createKey({ scopes: ['appointments:read'] }).key;
    const newKey = sandbox.control.createKey({ scopes: ['appointments:read'] }).key;
    let refreshes = 0;
    const keySource = {
      get: async (o?: { forceRefresh?: boolean }) => {
        if (o?.forceRefresh) refreshes++;
        return { apiKey: refreshes > 0 ? newKey : oldKey };
      },
    };
    const client = createMoncreneauClient({ keySource, baseUrl: sandbox.apiBaseUrl, cacheTtlMs: 0 });
    expect((await client.departments.list()).length).toBeGreaterThan(0);
    sandbox.control.revokeKey(oldKey); // the operator rotated: the old key is revoked at MONCRENEAU
    expect((await client.departments.list()).length).toBeGreaterThan(0);
    expect(refreshes).toBe(1);
  });
});
