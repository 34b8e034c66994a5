/**
 * Rotation in the template of every stage: each secret has a rotation schedule (≤ 180 days) on the
 * rotation function, which only Secrets Manager may invoke, for that secret only; the function may do
 * exactly the four-step protocol's actions on exactly these secrets (no GetRandomPassword: nothing is
 * generated); the health monitor may only list versions (ages); no SMG4 acknowledgement is left.
 */
import { STAGES, type StageName } from '../../infra/config/stages';
import { MAX_ROTATION_DAYS, physicalName, wiring, type SecretKey } from '../../infra/wiring';
import { synthStage, type SynthesizedStage } from './synth-stage';
import { actionsOf, functionIds, logicalIdWhere, resourcesOf, roleStatements } from './template-queries';

const stages = Object.keys(STAGES) as StageName[];
const cache = new Map<StageName, SynthesizedStage>();
const get = (stage: StageName) => cache.get(stage) ?? (cache.set(stage, synthStage(stage)), cache.get(stage)!);


describe.each(stages)('rotation in Moncreneau-%s', (stage) => {
  const secretIds = (s: SynthesizedStage) => {
    const w = wiring(s.config);
    return Object.fromEntries((Object.keys(w.secrets) as SecretKey[]).map((k) => [k, logicalIdWhere(s.template, 'AWS::SecretsManager::Secret', 'Name', physicalName(w, w.secrets[k].name))])) as Record<SecretKey, string>;
  };

  it('schedules every secret\'s rotation on the rotation function\'s live alias, at most every 180 days, never at deploy time', () => {
    const s = get(stage);
    // Secrets Manager invokes the `live` alias, like every other invoker (a rollback moves it).
    const { aliasId } = functionIds(s, 'secretRotation');
    const schedules = Object.values(resourcesOf(s.template, 'AWS::SecretsManager::RotationSchedule'));
    const secrets = secretIds(s);
    expect(schedules).toHaveLength(Object.keys(secrets).length);
    for (const secretId of Object.values(secrets)) {
      const schedule = schedules.find((r) => JSON.stringify(r.Properties?.SecretId) === JSON.stringify({ Ref: secretId }));
      expect(schedule?.Properties).toMatchObject({ RotationLambdaARN: { Ref: aliasId }, RotateImmediatelyOnUpdate: false });
      const days = Number(/^rate\((\d+) days?\)$/.exec(String((schedule?.Properties?.RotationRules as { ScheduleExpression?: string }).ScheduleExpression))?.[1]);
      expect(days).toBeGreaterThan(0);
      expect(days).toBeLessThanOrEqual(MAX_ROTATION_DAYS);
      expect(days).toBe(s.config.secrets.rotationDays);
    }
  });

  it('lets only Secrets Manager invoke the rotation function, one permission per secret (SourceArn), created before the schedule', () => {
    const s = get(stage);
    const { aliasId } = functionIds(s, 'secretRotation');
    const permissions = Object.entries(resourcesOf(s.template, 'AWS::Lambda::Permission')).filter(([, p]) => JSON.stringify(p.Properties?.FunctionName) === JSON.stringify({ Ref: aliasId }));
    expect(permissions.map(([, p]) => p.Properties?.Principal)).toEqual(Object.keys(secretIds(s)).map(() => 'secretsmanager.amazonaws.com'));
    for (const secretId of Object.values(secretIds(s))) {
      const found = permissions.find(([, p]) => JSON.stringify(p.Properties?.SourceArn) === JSON.stringify({ Ref: secretId }));
      expect(found?.[1].Properties).toMatchObject({ Action: 'lambda:InvokeFunction', SourceAccount: { Ref: 'AWS::AccountId' } });
      const schedule = Object.values(s.template.findResources('AWS::SecretsManager::RotationSchedule')).find((r) => JSON.stringify(r.Properties.SecretId) === JSON.stringify({ Ref: secretId }));
      expect(schedule?.DependsOn).toEqual(expect.arrayContaining([found![0]]));
    }
  });

  it('grants the rotation function exactly DescribeSecret, GetSecretValue, PutSecretValue and UpdateSecretVersionStage on the two secrets', () => {
    const s = get(stage);
    const statements = roleStatements(s.template, functionIds(s, 'secretRotation').roleId).filter((st) => actionsOf(st).some((a) => a.startsWith('secretsmanager:')));
    const expected = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];
    for (const statement of statements) expect([...actionsOf(statement)].sort()).toEqual(expected);
    // CDK may merge the two grants into one statement: the resources, together, are exactly the two secrets.
    const resources = statements.flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource])).map((r) => JSON.stringify(r));
    expect(resources.sort()).toEqual(Object.values(secretIds(s)).map((id) => JSON.stringify({ Ref: id })).sort());
    const all = roleStatements(s.template, functionIds(s, 'secretRotation').roleId).flatMap(actionsOf);
    expect(all).not.toContain('secretsmanager:GetRandomPassword');
    expect(all.filter((a) => a.startsWith('dynamodb:') || a.startsWith('sqs:'))).toEqual([]);
  });

  it('lets the health monitor list the secrets\' versions (their ages), never read their values', () => {
    const s = get(stage);
    const actions = roleStatements(s.template, functionIds(s, 'healthMonitor').roleId).flatMap(actionsOf).filter((a) => a.startsWith('secretsmanager:'));
    expect([...new Set(actions)]).toEqual(['secretsmanager:ListSecretVersionIds']);
  });

  it('acknowledges no AwsSolutions-SMG4: rotation is configured, not excused', () => {
    const s = get(stage);
    expect(JSON.stringify(s.template.toJSON())).not.toContain('AwsSolutions-SMG4');
  });
});

describe('rotation period', () => {
  it('is refused above 180 days (checklist: at least every 6 months)', () => {
    expect(() => wiring({ ...STAGES.prod, secrets: { ...STAGES.prod.secrets, rotationDays: 181 } })).toThrow(/between 1 and 180/);
    expect(wiring({ ...STAGES.prod, secrets: { ...STAGES.prod.secrets, rotationDays: 180 } }).secrets.apiKey.rotation.everyDays).toBe(180);
  });
});
