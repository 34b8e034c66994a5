/** The checks' judgement on facts a deployed stage reports (secret history, rotation, contacts), with a fake probe. */
import { stageConfig } from '../../infra/config/stages';
import { wiring } from '../../infra/wiring';
import type { CheckContext } from '../../scripts/lib/preflight/checks/context';
import { emergencyContact, onCallTargets } from '../../scripts/lib/preflight/checks/configuration';
import { alarmsPresent, creditsAboveThreshold, testPage } from '../../scripts/lib/preflight/checks/operations';
import { keyRotation, secretsReal, webhookSecretLength } from '../../scripts/lib/preflight/checks/secrets';
import { webhookPublic } from '../../scripts/lib/preflight/checks/webhooks';
import type { SecretHistory, StageProbe } from '../../scripts/lib/preflight/probe';

const NOW = new Date('2026-12-03T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
// Built at run time: a live-looking key written out here would trip the preflight's own repository scan.
const API_KEY = ['mk', 'live', '0123456789abcdefghijklmnopqrstuv'].join('_');
const WEBHOOK = 'whsec_0123456789abcdefghijklmnopqrstuvwxyzAB';

function context(overrides: Partial<StageProbe> = {}, extra: Partial<CheckContext> = {}): CheckContext {
  const config = stageConfig('prod');
  const history: SecretHistory = { neverSet: false, rotationEnabled: true, rotationDays: 90, lastChanged: daysAgo(10) };
  const probe: StageProbe = {
    kind: 'aws',
    label: 'stage prod (test)',
    config,
    wiring: wiring(config),
    moncreneauBaseUrl: config.moncreneau.baseUrl,
    secret: async (key) => (key === 'apiKey' ? { apiKey: API_KEY } : { current: WEBHOOK, previous: '' }),
    secretHistory: async () => history,
    webhookUrl: async () => 'https://abc123.execute-api.eu-west-3.amazonaws.com/prod/webhooks/moncreneau',
    queueDepth: async () => 0,
    pointInTimeRecovery: async () => true,
    alarms: async () => [],
    pageSubscribers: async () => 1,
    eventStatus: async () => undefined,
    creditsBalance: async () => 100,
    flags: async () => [],
    ...overrides,
  };
  return { probe, repoRoot: '.', processedWithinMs: 1000, now: () => NOW, ...extra };
}

describe('secrets', () => {
  it('fails a secret that still holds its deploy-time value, naming it but not its value', async () => {
    const result = await secretsReal(context({ secretHistory: async (key) => ({ neverSet: key === 'webhookSecret', rotationEnabled: true, rotationDays: 90 }) }));
    expect(result).toMatchObject({ status: 'fail', detail: 'webhookSecret still holds the value generated at deploy time' });
    expect(JSON.stringify(result)).not.toContain(WEBHOOK);
  });

  it('warns on a webhook secret that does not look like a dashboard secret', async () => {
    const result = await secretsReal(context({ secret: async (key) => (key === 'apiKey' ? { apiKey: API_KEY } : { current: 'x'.repeat(40) }) }));
    expect(result.status).toBe('warn');
  });

  it('counts the random part of each webhook secret, previous included', async () => {
    const result = await webhookSecretLength(context({ secret: async () => ({ current: WEBHOOK, previous: 'whsec_short' }) }));
    expect(result).toMatchObject({ status: 'fail', detail: 'previous: 5 characters after the prefix' });
  });
});

describe('key rotation (checklist §1: at least every 6 months)', () => {
  const withHistory = (history: SecretHistory) => context({ secretHistory: async () => history });

  it('passes a scheduled, recent key', async () => {
    expect(await keyRotation(withHistory({ neverSet: false, rotationEnabled: true, rotationDays: 90, lastChanged: daysAgo(10) }))).toMatchObject({ status: 'pass' });
  });
  it('warns from 150 days, fails past 180 days, and fails without a schedule or with one longer than 180 days', async () => {
    expect((await keyRotation(withHistory({ neverSet: false, rotationEnabled: true, rotationDays: 90, lastChanged: daysAgo(151) }))).status).toBe('warn');
    expect((await keyRotation(withHistory({ neverSet: false, rotationEnabled: true, rotationDays: 90, lastChanged: daysAgo(181) }))).status).toBe('fail');
    expect((await keyRotation(withHistory({ neverSet: false, rotationEnabled: false, lastChanged: daysAgo(1) }))).status).toBe('fail');
    expect((await keyRotation(withHistory({ neverSet: false, rotationEnabled: true, rotationDays: 365, lastChanged: daysAgo(1) }))).status).toBe('fail');
  });
});

describe('operations', () => {
  it('fails a missing alarm and an alarm without action', async () => {
    const some = [{ id: 'Webhook5xxRate', state: 'OK' as const, actions: 0 }];
    const result = await alarmsPresent(context({ alarms: async () => some }));
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/^missing: /);
  });
  it('fails a page topic nobody confirmed', async () => {
    expect((await onCallTargets(context({ pageSubscribers: async () => 0 }))).status).toBe('fail');
  });
  it('sends the test page only when asked, with the reason', async () => {
    const sent: string[] = [];
    const sendTestPage = async (reason: string) => (sent.push(reason), 'topic, message 1');
    expect((await testPage(context({ sendTestPage }))).status).toBe('warn');
    expect(sent).toEqual([]);
    expect((await testPage(context({ sendTestPage }, { testPageReason: 'go-live' }))).status).toBe('pass');
    expect(sent).toEqual(['go-live']);
  });
  it('fails credits at the threshold and an unknown balance', async () => {
    const threshold = stageConfig('prod').credits.lowThreshold;
    expect((await creditsAboveThreshold(context({ creditsBalance: async () => threshold }))).status).toBe('fail');
    expect((await creditsAboveThreshold(context({ creditsBalance: async () => null }))).status).toBe('fail');
  });
  it('warns in prod when the emergency contact is a mailbox only', async () => {
    expect((await emergencyContact(context())).status).toBe('warn');
    const config = { ...stageConfig('prod'), emergencyContact: { name: 'MONCRENEAU on-call', phone: '+224 000 00 00 00' } };
    expect((await emergencyContact(context({ config }))).status).toBe('pass');
  });
  it('fails a webhook URL MONCRENEAU could not reach', async () => {
    expect((await webhookPublic(context())).status).toBe('pass');
    expect((await webhookPublic(context({ webhookUrl: async () => 'https://192.168.1.10/webhooks/moncreneau' }))).status).toBe('fail');
  });
});
