/** The key-age gauge: days since each secret's AWSCURRENT version was written (mocked Secrets Manager), and a health check that still publishes the rest when the ages cannot be read. */
import { ListSecretVersionIdsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerAges } from '../../shared/adapters/secret-ages';
import { checkHealth } from '../../shared/monitoring/health';
import { FakeSecret, mockSecretsManager } from '../support/fake-secrets-manager';

const ARN = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:moncreneau-test-api-key-AbCdEf';

describe('secret ages', () => {
  it('is the age of the AWSCURRENT version, which a rotation replaces', async () => {
    const clock = { now: new Date('2026-06-01T00:00:00Z') };
    const secret = new FakeSecret(ARN, JSON.stringify({ apiKey: 'old' }), () => clock.now);
    mockSecretsManager(secret);
    const ages = new SecretsManagerAges({ apiKey: ARN }, () => new SecretsManagerClient({ region: 'eu-west-3' }));
    expect(await ages.ages(new Date('2026-11-28T12:00:00Z'))).toEqual([{ secret: 'apiKey', ageDays: 180.5 }]);

    // A value staged but not promoted does not reset the age; its promotion does.
    clock.now = new Date('2026-11-28T00:00:00Z');
    const staged = secret.stage(JSON.stringify({ apiKey: 'new' }));
    expect((await ages.ages(new Date('2026-11-28T12:00:00Z')))[0].ageDays).toBe(180.5);
    secret.versions.get(staged)!.labels.add('AWSCURRENT');
    for (const [id, v] of secret.versions) if (id !== staged) v.labels.delete('AWSCURRENT');
    expect((await ages.ages(new Date('2026-11-28T12:00:00Z')))[0].ageDays).toBe(0.5);
  });

  it('a failure to read the ages does not stop the balance and stuck-event gauges', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(ListSecretVersionIdsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const report = await checkHealth({
      ledger: { balance: async () => 42 },
      events: { countStuck: async () => ({ processing: 0, failed: 1, parked: 0 }) },
      secrets: new SecretsManagerAges({ apiKey: ARN }, () => new SecretsManagerClient({ region: 'eu-west-3' })),
      lowCreditThreshold: 10,
      stuckAfterMs: 60_000,
      sweepDays: 2,
      now: () => Date.parse('2026-12-03T10:00:00Z'),
    });
    expect(report.balance?.balance).toBe(42);
    expect(report.stuck.total).toBe(1);
    expect(report.secretAges).toEqual([]);
    expect((report.secretAgesError as Error).name).toBe('AccessDeniedException');
    sm.restore();
  });
});
