/** Defaults that the rest of the repo relies on, and the optional JSON state file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as defaults from '../../sandbox/defaults';
import { startSandbox } from '../../sandbox/server';
import { call, uniqueSlot } from './helpers';

describe('defaults', () => {
  it('exports the exact values .env.example refers to', () => {
    expect(defaults.DEFAULT_API_KEY).toBe('mk_test_sandbox_local_key_0123456789');
    expect(defaults.DEFAULT_WEBHOOK_SECRET).toBe('whsec_sandbox_local_secret_0123456789abcdef');
    expect(defaults.DEFAULT_WEBHOOK_URL).toBe('http://127.0.0.1:3000/webhooks/moncreneau');
    expect(defaults.DEFAULT_PORT).toBe(4010);
    expect(defaults.DEFAULT_CREDITS).toBe(50);
  });

  it('hands out appointment ids that cannot collide with the docs examples (12345)', async () => {
    const sandbox = await startSandbox({ webhookUrl: null });
    try {
      const created = await call(sandbox.apiBaseUrl, 'POST', '/appointments', { body: { departmentId: 5, dateTime: uniqueSlot(510), name: 'First' } });
      expect(created.status).toBe(201);
      expect(created.body.id).toBe(defaults.FIRST_APPOINTMENT_ID);
      expect(defaults.FIRST_APPOINTMENT_ID).toBeGreaterThan(12345);
    } finally {
      await sandbox.stop();
    }
  });

  it('SANDBOX_WEBHOOK_URL overrides the endpoint; an empty string means none', () => {
    expect(defaults.webhookUrlFromEnv({})).toBe(defaults.DEFAULT_WEBHOOK_URL);
    expect(defaults.webhookUrlFromEnv({ SANDBOX_WEBHOOK_URL: 'http://127.0.0.1:5000/hook' })).toBe('http://127.0.0.1:5000/hook');
    expect(defaults.webhookUrlFromEnv({ SANDBOX_WEBHOOK_URL: '' })).toBeNull();
  });

  it('startSandbox without a webhookUrl targets the default endpoint with the default secret', async () => {
    const sandbox = await startSandbox();
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.apiBaseUrl).toBe(`${sandbox.url}/api/v1`);
      expect(sandbox.control.webhooks()).toEqual([
        expect.objectContaining({ url: defaults.DEFAULT_WEBHOOK_URL, secret: defaults.DEFAULT_WEBHOOK_SECRET }),
      ]);
    } finally {
      await sandbox.stop();
    }
  });
});

describe('state file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps appointments, credits, keys and id counters across a restart', async () => {
    const stateFile = path.join(dir, 'state.json');
    const first = await startSandbox({ webhookUrl: null, stateFile });
    const created = await call(first.apiBaseUrl, 'POST', '/appointments', { body: { departmentId: 5, dateTime: uniqueSlot(500), name: 'Persisted' } });
    expect(created.status).toBe(201);
    const { key } = first.control.createKey({ key: 'mk_test_persisted_key_1' });
    await first.stop();

    const second = await startSandbox({ webhookUrl: null, stateFile });
    try {
      expect(second.control.getCredits()).toBe(49);
      const fetched = await call(second.apiBaseUrl, 'GET', `/appointments/${created.body.id}`, { auth: 'none', headers: { 'X-API-Key': key } });
      expect(fetched.body).toMatchObject({ id: created.body.id, name: 'Persisted' });
      const next = await call(second.apiBaseUrl, 'POST', '/appointments', { body: { departmentId: 5, dateTime: uniqueSlot(501), name: 'Next' } });
      expect(next.body.id).toBe(created.body.id + 1);
    } finally {
      await second.stop();
    }
  });

  it('without a state file, a restart starts from the defaults', async () => {
    const first = await startSandbox({ webhookUrl: null });
    first.control.setCredits(3);
    await first.stop();
    const second = await startSandbox({ webhookUrl: null });
    expect(second.control.getCredits()).toBe(50);
    await second.stop();
  });
});
