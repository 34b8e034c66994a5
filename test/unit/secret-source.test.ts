/** Secrets Manager (mocked: no emulator here): clear problems, and the last good value through a blip, for a bounded time. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerSource } from '../../shared/adapters/secret-source';
import type { SecretProblem } from '../../shared/webhooks/ports';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:moncreneau-prod-webhook-secret-AbCdEf';
const VALUE = 'whsec_value_that_must_never_be_logged_0123456789';

function setup() {
  const client = new SecretsManagerClient({ region: 'eu-west-1' });
  const sm = mockClient(client);
  let now = 1_000_000;
  const problems: SecretProblem[] = [];
  const source = new SecretsManagerSource(ARN, { client, ttlMs: 1000, maxStaleMs: 10_000, now: () => now, onProblem: (p) => problems.push(p) });
  return { sm, source, problems, advance: (ms: number) => (now += ms) };
}

describe('SecretsManagerSource', () => {
  it('serves the last good value while reads fail, for at most maxStaleMs past its TTL, reporting each failure', async () => {
    const { sm, source, problems, advance } = setup();
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify({ current: VALUE }) }).rejects(Object.assign(new Error('Service unavailable'), { name: 'InternalServiceError' }));
    expect(await source.get()).toEqual({ current: VALUE });
    advance(2000);
    expect(await source.get()).toEqual({ current: VALUE });
    expect(problems).toEqual([expect.objectContaining({ secret: 'moncreneau-prod-webhook-secret-AbCdEf', kind: 'fetch_failed', servingLastGoodForMs: 9000 })]);
    advance(9500);
    await expect(source.get()).rejects.toThrow('Service unavailable');
    expect(problems[1]).toMatchObject({ kind: 'fetch_failed' });
    expect(problems[1].servingLastGoodForMs).toBeUndefined();
  });

  it('does not paper over a malformed value (a broken rotation), and never puts the value in the problem', async () => {
    const { sm, source, problems, advance } = setup();
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify({ current: VALUE }) }).resolves({ SecretString: `not json ${VALUE}` });
    await source.get();
    advance(2000);
    await expect(source.get()).rejects.toThrow('Secret value is not valid JSON');
    expect(problems).toEqual([expect.objectContaining({ kind: 'not_json' })]);
    expect(JSON.stringify(problems.map(({ error, ...rest }) => ({ ...rest, message: (error as Error).message })))).not.toContain(VALUE);
  });

  it('names every malformed shape', async () => {
    for (const [value, kind] of [[undefined, 'no_string_value'], ['[1]', 'not_an_object'], ['{', 'not_json']] as const) {
      const { sm, source, problems } = setup();
      sm.on(GetSecretValueCommand).resolves({ SecretString: value });
      await expect(source.get()).rejects.toThrow();
      expect(problems.map((p) => p.kind)).toEqual([kind]);
    }
  });
});
