/**
 * The rotation function as Secrets Manager drives it (composition root, real adapter, real logic, its
 * observer), against a stateful mocked Secrets Manager (test/support/fake-secrets-manager.ts) and the
 * MONCRENEAU sandbox for the API key's testSecret: a good key promoted, a bad key refused, nothing staged
 * → the "rotation due" metric, the pending value read by version id between steps, every step idempotent,
 * the webhook secret's previous window, and a running function picking the new key up without a redeploy.
 */
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startSandbox } from '../../sandbox/server';
import { SecretsManagerSource } from '../../shared/adapters/secret-source';
import { composeSecretRotation } from '../../shared/composition/secret-rotation';
import { FUNCTION_ENV } from '../../shared/config/function-env';
import { metrics } from '../../shared/observability/powertools';
import { capturedLogs } from '../support/capture-logs';
import { FakeSecret, mockSecretsManager } from '../support/fake-secrets-manager';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
const ENV = FUNCTION_ENV.secretRotation;
const API_KEY_ARN = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:moncreneau-test-api-key-AbCdEf';
const WEBHOOK_ARN = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:moncreneau-test-webhook-secret-GhIjKl';
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
// Not whsec_-prefixed: the suite's log scan would (rightly) flag a real-looking secret in a failure diff.
const OLD_WEBHOOK = `old-${'o'.repeat(40)}`;
const NEW_WEBHOOK = `new-${'n'.repeat(40)}`;
const clock = { now: Date.parse('2026-12-03T10:00:00Z') };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, webhookUrl: null, seed: 11 });
});
afterAll(() => sandbox.stop());

function setup() {
  const oldKey = sandbox.control.createKey({ scopes: ['appointments:read'] }).key;
  const apiKey = new FakeSecret(API_KEY_ARN, JSON.stringify({ apiKey: oldKey }));
  const webhook = new FakeSecret(WEBHOOK_ARN, JSON.stringify({ current: OLD_WEBHOOK, previous: '' }));
  const sm = mockSecretsManager(apiKey, webhook);
  const rotate = composeSecretRotation({
    [ENV.apiKeySecretArn]: API_KEY_ARN,
    [ENV.webhookSecretArn]: WEBHOOK_ARN,
    [ENV.baseUrl]: sandbox.apiBaseUrl,
    [ENV.authScheme]: 'x-api-key',
    [ENV.webhookPreviousWindowHours]: '72',
  }, { now: () => clock.now });
  const step = (secret: FakeSecret, Step: string, token: string) => rotate({ Step, SecretId: secret.arn, ClientRequestToken: token });
  const all = async (secret: FakeSecret, token: string) => {
    for (const s of STEPS) await step(secret, s, token);
  };
  return { oldKey, apiKey, webhook, sm, step, all };
}

/** The EMF metrics printed since `from` (the observer's single metrics publish at once). */
function metricsSince(from: number): Array<{ name: string; secret?: string }> {
  metrics.publishStoredMetrics();
  return capturedLogs()
    .slice(from)
    .split('\n')
    .filter((line) => line.startsWith('{"_aws"'))
    .flatMap((line) => {
      const doc = JSON.parse(line) as { _aws: { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> }; secret?: string };
      return doc._aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => ({ name: m.Name, secret: doc.secret })));
    });
}

describe('API key rotation', () => {
  it('promotes a staged key that MONCRENEAU accepts; the old one becomes AWSPREVIOUS; no label is left behind', async () => {
    const { apiKey, oldKey, all } = setup();
    const newKey = sandbox.control.createKey({ scopes: ['appointments:read'] }).key;
    apiKey.stage(JSON.stringify({ apiKey: newKey }));
    const token = apiKey.openRotation();
    const from = capturedLogs().length;

    await all(apiKey, token);

    expect(JSON.parse(apiKey.valueWith('AWSCURRENT')!)).toEqual({ apiKey: newKey });
    expect(apiKey.holder('AWSCURRENT')).toBe(token);
    expect(JSON.parse(apiKey.valueWith('AWSPREVIOUS')!)).toEqual({ apiKey: oldKey });
    expect(apiKey.holder('AWSPENDING')).toBeUndefined();
    expect(apiKey.holder('STAGED')).toBeUndefined();
    expect(metricsSince(from)).toContainEqual({ name: 'SecretRotated', secret: 'apiKey' });
  });

  it('refuses a key MONCRENEAU does not accept at testSecret: AWSCURRENT stays, RotationFailed is counted', async () => {
    const { apiKey, oldKey, step } = setup();
    const revoked = sandbox.control.createKey({ scopes: ['appointments:read'] }).key;
    sandbox.control.revokeKey(revoked);
    apiKey.stage(JSON.stringify({ apiKey: revoked }));
    const token = apiKey.openRotation();
    const from = capturedLogs().length;

    await step(apiKey, 'createSecret', token);
    await step(apiKey, 'setSecret', token);
    await expect(step(apiKey, 'testSecret', token)).rejects.toThrow(/key_refused: MONCRENEAU refused the new key \(401/);

    expect(JSON.parse(apiKey.valueWith('AWSCURRENT')!)).toEqual({ apiKey: oldKey });
    expect(apiKey.holder('AWSPENDING')).toBe(token);
    expect(metricsSince(from)).toContainEqual({ name: 'RotationFailed', secret: 'apiKey' });
    expect(capturedLogs().slice(from)).not.toContain(revoked);
  });

  it('fails loudly when the schedule rotates with nothing staged (RotationNothingStaged, the "rotation due" alarm)', async () => {
    const { apiKey, oldKey, step } = setup();
    const token = apiKey.openRotation();
    const from = capturedLogs().length;

    await expect(step(apiKey, 'createSecret', token)).rejects.toThrow(/nothing_staged/);

    expect(apiKey.puts).toBe(0);
    expect(JSON.parse(apiKey.valueWith('AWSCURRENT')!)).toEqual({ apiKey: oldKey });
    const emitted = metricsSince(from);
    expect(emitted).toContainEqual({ name: 'RotationNothingStaged', secret: 'apiKey' });
    expect(emitted.some((m) => m.name === 'RotationFailed')).toBe(false);
  });

  it('reads the pending value by the token\'s version id in every step, and refuses to promote a version that lost AWSPENDING meanwhile', async () => {
    const { apiKey, oldKey, step } = setup();
    apiKey.stage(JSON.stringify({ apiKey: sandbox.control.createKey({ scopes: ['appointments:read'] }).key }));
    const token = apiKey.openRotation();
    for (const s of ['createSecret', 'setSecret', 'testSecret'] as const) await step(apiKey, s, token);

    const pendingReads = apiKey.reads.filter((r) => r.VersionStage === 'AWSPENDING');
    expect(pendingReads.length).toBeGreaterThanOrEqual(3);
    expect(pendingReads.every((r) => r.VersionId === token)).toBe(true);

    // Another rotation opened between testSecret and finishSecret (AWSPENDING moved, the tested version has no
    // label left, so Secrets Manager no longer lists it): it is not promoted blindly.
    apiKey.openRotation();
    await expect(step(apiKey, 'finishSecret', token)).rejects.toThrow(/unknown_version|not_pending/);
    expect(JSON.parse(apiKey.valueWith('AWSCURRENT')!)).toEqual({ apiKey: oldKey });
  });

  it('runs every step twice (Secrets Manager retries) with one write and one promotion', async () => {
    const { apiKey, step } = setup();
    const newKey = sandbox.control.createKey({ scopes: ['appointments:read'] }).key;
    apiKey.stage(JSON.stringify({ apiKey: newKey }));
    const token = apiKey.openRotation();
    for (const s of STEPS) {
      await step(apiKey, s, token);
      await step(apiKey, s, token);
    }
    expect(apiKey.puts).toBe(1);
    expect(apiKey.holder('AWSCURRENT')).toBe(token);
    expect(JSON.parse(apiKey.valueWith('AWSCURRENT')!)).toEqual({ apiKey: newKey });
    // A step replayed after the promotion is a no-op, not a failure.
    for (const s of STEPS) await expect(step(apiKey, s, token)).resolves.toBeUndefined();
    expect(apiKey.holder('AWSCURRENT')).toBe(token);
  });

  it('awaits its writes: when a step resolves, Secrets Manager holds what it wrote', async () => {
    const { apiKey, step } = setup();
    apiKey.stage(JSON.stringify({ apiKey: sandbox.control.createKey({ scopes: ['appointments:read'] }).key }));
    const token = apiKey.openRotation();
    await step(apiKey, 'createSecret', token);
    expect(apiKey.versions.get(token)?.value).toBeDefined();
    for (const s of ['setSecret', 'testSecret', 'finishSecret'] as const) await step(apiKey, s, token);
    expect(apiKey.holder('AWSCURRENT')).toBe(token);
    expect(apiKey.holder('AWSPENDING')).toBeUndefined();
  });

  it('refuses a secret it is not wired to rotate, a disabled rotation, an unknown token and an unknown step', async () => {
    const { apiKey, step } = setup();
    const stranger = new FakeSecret('arn:aws:secretsmanager:eu-west-3:123456789012:secret:someone-else-XyZ', JSON.stringify({ apiKey: 'x' }));
    await expect(step(stranger, 'createSecret', stranger.openRotation())).rejects.toThrow(/unknown_secret/);
    await expect(step(apiKey, 'createSecret', 'no-such-token')).rejects.toThrow(/unknown_version/);
    await expect(step(apiKey, 'rotate', apiKey.openRotation())).rejects.toThrow(/unknown_step/);
    apiKey.rotationEnabled = false;
    await expect(step(apiKey, 'createSecret', apiKey.openRotation())).rejects.toThrow(/rotation_disabled/);
  });

  it('a MONCRENEAU outage at testSecret fails the rotation without promoting (test_unavailable), and a rerun succeeds', async () => {
    const { apiKey, step } = setup();
    const newKey = sandbox.control.createKey({ scopes: ['appointments:read'] }).key;
    apiKey.stage(JSON.stringify({ apiKey: newKey }));
    const token = apiKey.openRotation();
    await step(apiKey, 'createSecret', token);
    sandbox.control.setFaults({ errorRate: 1, errorStatuses: [503] });
    try {
      await expect(step(apiKey, 'testSecret', token)).rejects.toThrow(/test_unavailable/);
    } finally {
      sandbox.control.clearFaults();
    }
    await step(apiKey, 'testSecret', token);
    await step(apiKey, 'finishSecret', token);
    expect(JSON.parse(apiKey.valueWith('AWSCURRENT')!)).toEqual({ apiKey: newKey });
  });

  it('a running function picks the new key up without a redeploy: at its cache TTL, or at once after a 401', async () => {
    const { apiKey, oldKey, all, sm } = setup();
    let now = 0;
    const source = new SecretsManagerSource(API_KEY_ARN, { ttlMs: 5 * 60_000, now: () => now });
    expect((await source.get()).apiKey).toBe(oldKey);
    const newKey = sandbox.control.createKey({ scopes: ['appointments:read'] }).key;
    apiKey.stage(JSON.stringify({ apiKey: newKey }));
    await all(apiKey, apiKey.openRotation());

    expect((await source.get()).apiKey).toBe(oldKey); // cached: the old key must stay valid until caches expire
    expect((await source.get({ forceRefresh: true })).apiKey).toBe(newKey); // what the client does after a 401
    now += 5 * 60_000;
    expect((await source.get()).apiKey).toBe(newKey);
    expect(sm.commandCalls(GetSecretValueCommand).length).toBeGreaterThan(0);
    expect(sm.commandCalls(DescribeSecretCommand).length).toBeGreaterThan(0);
  });
});

describe('the remaining failure paths', () => {
  it('setSecret and testSecret on a version with no value fail (pending_missing), without promoting', async () => {
    const { apiKey, oldKey, step } = setup();
    const token = apiKey.openRotation();
    await expect(step(apiKey, 'setSecret', token)).rejects.toThrow(/pending_missing/);
    await expect(step(apiKey, 'testSecret', token)).rejects.toThrow(/pending_missing/);
    expect(JSON.parse(apiKey.valueWith('AWSCURRENT')!)).toEqual({ apiKey: oldKey });
  });

  it('a token whose version carries another label than AWSPENDING is refused (not_pending)', async () => {
    const { apiKey, step } = setup();
    const staged = apiKey.stage(JSON.stringify({ apiKey: 'mk_test_never_promoted_x' }));
    await expect(step(apiKey, 'finishSecret', staged)).rejects.toThrow(/not_pending/);
    expect(apiKey.holder('AWSCURRENT')).not.toBe(staged);
  });

  it('a secret without an AWSCURRENT value is refused at createSecret (no_current)', async () => {
    const { apiKey, step } = setup();
    apiKey.stage(JSON.stringify({ apiKey: 'mk_test_never_promoted_y' }));
    for (const v of apiKey.versions.values()) v.labels.delete('AWSCURRENT');
    await expect(step(apiKey, 'createSecret', apiKey.openRotation())).rejects.toThrow(/no_current/);
  });

  it('a concurrent createSecret that wrote first wins: the second write is refused (ResourceExistsException) and its value kept', async () => {
    const { webhook, step } = setup();
    webhook.stage(JSON.stringify({ current: NEW_WEBHOOK }));
    const token = webhook.openRotation();
    const theirs = JSON.stringify({ current: NEW_WEBHOOK, previous: OLD_WEBHOOK, previousUntil: '2026-12-06T09:59:00.000Z' });
    const put = webhook.put.bind(webhook);
    // The other invocation's write lands between our "is there a value?" read and our write.
    jest.spyOn(webhook, 'put').mockImplementationOnce(async (input) => {
      webhook.versions.get(token)!.value = theirs;
      return put(input);
    });
    await step(webhook, 'createSecret', token);
    expect(webhook.versions.get(token)!.value).toBe(theirs);
    await step(webhook, 'testSecret', token);
    jest.restoreAllMocks();
  });
});

describe('webhook secret rotation', () => {
  it('promotes {current: new, previous: old, previousUntil: now + the window}', async () => {
    const { webhook, all } = setup();
    webhook.stage(JSON.stringify({ current: NEW_WEBHOOK }));
    const token = webhook.openRotation();
    await all(webhook, token);
    expect(JSON.parse(webhook.valueWith('AWSCURRENT')!)).toEqual({ current: NEW_WEBHOOK, previous: OLD_WEBHOOK, previousUntil: '2026-12-06T10:00:00.000Z' });
    expect(webhook.holder('STAGED')).toBeUndefined();
  });

  it('refuses a staged secret shorter than 32 characters (and one equal to the secret in use)', async () => {
    const { webhook, step } = setup();
    webhook.stage(JSON.stringify({ current: 'too-short-31-characters-long-xx' }));
    await expect(step(webhook, 'createSecret', webhook.openRotation())).rejects.toThrow(/invalid_staged: .*shorter than 32 characters/);
    webhook.stage(JSON.stringify({ current: OLD_WEBHOOK }));
    await expect(step(webhook, 'createSecret', webhook.openRotation())).rejects.toThrow(/invalid_staged: .*equal to the value in use/);
    expect(webhook.puts).toBe(0);
  });

  it('testSecret refuses a pending value whose window has already closed (a stale pending version)', async () => {
    const { webhook, step } = setup();
    webhook.stage(JSON.stringify({ current: NEW_WEBHOOK }));
    const token = webhook.openRotation();
    await step(webhook, 'createSecret', token);
    clock.now += 73 * 3_600_000;
    try {
      await expect(step(webhook, 'testSecret', token)).rejects.toThrow(/previousUntil" has already passed/);
    } finally {
      clock.now -= 73 * 3_600_000;
    }
  });
});

describe('npm run keys (the operator\'s side)', () => {
  const lib = () => import('../../scripts/lib/keys');
  const client = () => new SecretsManagerClient({ region: 'eu-west-3' });

  /** The fake Secrets Manager, with RotateSecret running the rotation function's four steps. */
  function withRotation() {
    const base = setup();
    mockSecretsManager(base.apiKey, base.webhook, { onRotate: (secret, token) => base.all(secret, token) });
    return base;
  }

  it('stages a key read elsewhere, starts the rotation and sees it promoted', async () => {
    const { apiKey } = withRotation();
    const { stageValue, startRotation, waitForRotation, keyStatus } = await lib();
    const newKey = sandbox.control.createKey({ scopes: ['appointments:read'] }).key;
    const staged = await stageValue(client(), 'moncreneau-test-api-key', 'apiKey', newKey);
    expect(staged.problems).toEqual([]);
    expect((await keyStatus(client(), API_KEY_ARN, 'apiKey', new Date())).staged).toBe(true);
    const started = await startRotation(client(), 'moncreneau-test-api-key');
    expect(await waitForRotation(client(), API_KEY_ARN, started.versionId!, { sleep: async () => undefined })).toBe('promoted');
    expect(JSON.parse(apiKey.valueWith('AWSCURRENT')!)).toEqual({ apiKey: newKey });
    const status = await keyStatus(client(), API_KEY_ARN, 'apiKey', new Date());
    expect(status).toMatchObject({ staged: false, pendingOpen: false, currentAgeDays: 0 });
  });

  it('refuses to stage a webhook secret under 32 characters, and writes nothing', async () => {
    const { webhook } = withRotation();
    const { stageValue } = await lib();
    const result = await stageValue(client(), WEBHOOK_ARN, 'webhookSecret', 'x'.repeat(31));
    expect(result).toEqual({ problems: ['shorter than 32 characters'] });
    expect(webhook.holder('STAGED')).toBeUndefined();
    expect(webhook.puts).toBe(0);
  });

  it('after a due rotation failed with nothing staged, clears its empty AWSPENDING so the next one uses the staged value', async () => {
    const { webhook, step } = withRotation();
    const failedToken = webhook.openRotation();
    await expect(step(webhook, 'createSecret', failedToken)).rejects.toThrow(/nothing_staged/);
    const { stageValue, startRotation, waitForRotation, keyStatus } = await lib();
    expect((await keyStatus(client(), WEBHOOK_ARN, 'webhookSecret', new Date())).pendingOpen).toBe(true);
    await stageValue(client(), WEBHOOK_ARN, 'webhookSecret', NEW_WEBHOOK);
    const started = await startRotation(client(), WEBHOOK_ARN);
    expect(started.clearedFailedPending).toBe(true);
    expect(await waitForRotation(client(), WEBHOOK_ARN, started.versionId!, { sleep: async () => undefined })).toBe('promoted');
    expect((await keyStatus(client(), WEBHOOK_ARN, 'webhookSecret', new Date())).previousUntil).toBe('2026-12-06T10:00:00.000Z');
  });

  it('reports a refused key as not promoted, and unstage takes a staged value back', async () => {
    const { apiKey, oldKey } = withRotation();
    const { stageValue, startRotation, waitForRotation, unstage } = await lib();
    const revoked = sandbox.control.createKey({ scopes: ['appointments:read'] }).key;
    sandbox.control.revokeKey(revoked);
    await stageValue(client(), API_KEY_ARN, 'apiKey', revoked);
    const started = await startRotation(client(), API_KEY_ARN);
    expect(await waitForRotation(client(), API_KEY_ARN, started.versionId!, { attempts: 2, sleep: async () => undefined })).toBe('not_promoted');
    expect(JSON.parse(apiKey.valueWith('AWSCURRENT')!)).toEqual({ apiKey: oldKey });
    expect(await unstage(client(), API_KEY_ARN)).toBe(true);
    expect(apiKey.holder('STAGED')).toBeUndefined();
    expect(await unstage(client(), API_KEY_ARN)).toBe(false);
  });
});
