/**
 * Template assertions for releases (versions, `live` aliases, CodeDeploy groups and their rollback alarms,
 * every invoker on the alias), edge protection (route throttles, resource policy, WAF) and backups, per stage.
 * Expected values come from the wiring, the alarms and the stage config.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { alarmSpecs, deploymentAlarmId } from '../../infra/alarms';
import { STAGES, type StageConfig, type StageName } from '../../infra/config/stages';
import { COUNT_ONLY_ON_PUBLIC_ROUTES } from '../../infra/constructs/web-firewall';
import { executeApiResource } from '../../infra/constructs/public-api';
import { deploymentApplicationName, deploymentGroupName, LIVE_ALIAS_NAME } from '../../infra/release';
import { addStage } from '../../infra/stacks/stage-app';
import { physicalName, tableNameInUse, wiring, type FunctionKey } from '../../infra/wiring';
import { cdkJsonContext, synthStage, type SynthesizedStage } from './synth-stage';
import { logicalIdWhere, resourcesOf } from './template-queries';

const stages = Object.keys(STAGES) as StageName[];
const synthesized = new Map<StageName, SynthesizedStage>();
function get(stage: StageName): SynthesizedStage {
  let s = synthesized.get(stage);
  if (!s) synthesized.set(stage, (s = synthStage(stage)));
  return s;
}

const PREDEFINED_CONFIG: Record<StageName, string> = {
  dev: 'CodeDeployDefault.LambdaAllAtOnce',
  staging: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
  prod: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
};

function ids(s: SynthesizedStage, key: FunctionKey): { fnId: string; versionId: string; aliasId: string; groupId: string } {
  const w = wiring(s.config);
  const fnId = logicalIdWhere(s.template, 'AWS::Lambda::Function', 'FunctionName', physicalName(w, w.functions[key].folder));
  const versions = Object.entries(resourcesOf(s.template, 'AWS::Lambda::Version')).filter(([, r]) => JSON.stringify(r.Properties?.FunctionName) === JSON.stringify({ Ref: fnId }));
  expect(versions).toHaveLength(1);
  const aliasId = logicalIdWhere(s.template, 'AWS::Lambda::Alias', 'FunctionName', { Ref: fnId });
  const groupId = logicalIdWhere(s.template, 'AWS::CodeDeploy::DeploymentGroup', 'DeploymentGroupName', deploymentGroupName(w, key));
  return { fnId, versionId: versions[0][0], aliasId, groupId };
}

describe.each(stages)('Moncreneau-%s releases', (stage) => {
  const config = STAGES[stage];
  const w = wiring(config);
  const keys = Object.keys(w.functions) as FunctionKey[];

  it('publishes every function as a version behind its live alias, updated by CodeDeploy', () => {
    const s = get(stage);
    s.template.resourceCountIs('AWS::Lambda::Alias', keys.length);
    s.template.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', keys.length);
    s.template.hasResourceProperties('AWS::CodeDeploy::Application', { ApplicationName: deploymentApplicationName(w), ComputePlatform: 'Lambda' });
    for (const key of keys) {
      const { versionId, aliasId, groupId } = ids(s, key);
      const alias = resourcesOf(s.template, 'AWS::Lambda::Alias')[aliasId] as { Properties: Record<string, unknown>; UpdatePolicy?: Record<string, unknown> };
      expect(alias.Properties).toMatchObject({ Name: LIVE_ALIAS_NAME, FunctionVersion: { 'Fn::GetAtt': [versionId, 'Version'] } });
      expect(alias.UpdatePolicy).toEqual({ CodeDeployLambdaAliasUpdate: { ApplicationName: { Ref: expect.any(String) }, DeploymentGroupName: { Ref: groupId } } });
    }
  });

  it(`shifts traffic per the stage config (${config.deployment.strategy}) and rolls back on failure, stop and alarm`, () => {
    const s = get(stage);
    for (const key of keys) {
      s.template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentGroupName: deploymentGroupName(w, key),
        DeploymentConfigName: PREDEFINED_CONFIG[stage],
        AutoRollbackConfiguration: { Enabled: true, Events: Match.arrayWith(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']) },
        AlarmConfiguration: Match.objectLike({ Enabled: true, IgnorePollAlarmFailure: false }),
      });
    }
    expect(STAGES.prod.deployment).toEqual({ strategy: 'canary', percent: 10, intervalMinutes: 5 });
  });

  it('rolls each function back on its new version\'s errors and on the on-call alarms that guard it', () => {
    const s = get(stage);
    const specs = alarmSpecs(config);
    for (const key of keys) {
      const { versionId, groupId } = ids(s, key);
      const functionName = physicalName(w, w.functions[key].folder);
      const errorsId = logicalIdWhere(s.template, 'AWS::CloudWatch::Alarm', 'AlarmName', `${w.prefix}-${deploymentAlarmId(w.functions[key].folder)}`);
      expect(resourcesOf(s.template, 'AWS::CloudWatch::Alarm')[errorsId].Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: expect.arrayContaining([
          { Name: 'FunctionName', Value: functionName },
          { Name: 'Resource', Value: `${functionName}:${LIVE_ALIAS_NAME}` },
          // Scoped to the version being deployed.
          { Name: 'ExecutedVersion', Value: { 'Fn::GetAtt': [versionId, 'Version'] } },
        ]),
        Period: 60,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmDescription: expect.stringContaining('docs/runbook.md#deploymenterrors'),
      });
      const guards = specs.filter((a) => a.guards?.includes(key)).map((a) => logicalIdWhere(s.template, 'AWS::CloudWatch::Alarm', 'AlarmName', `${w.prefix}-${a.id}`));
      // Every function is guarded at least by its own LambdaErrors alarm.
      expect(guards.length).toBeGreaterThan(0);
      const group = resourcesOf(s.template, 'AWS::CodeDeploy::DeploymentGroup')[groupId].Properties as { AlarmConfiguration: { Alarms: Array<{ Name: { Ref: string } }> } };
      expect(group.AlarmConfiguration.Alarms.map((a) => a.Name.Ref).sort()).toEqual([errorsId, ...guards].sort());
    }
    // What a bad receiver release sets off: its 5xx, failed enqueues, parked events, secret trouble, its errors.
    const receiverGuards = specs.filter((a) => a.guards?.includes('webhookReceiver')).map((a) => a.id).sort();
    expect(receiverGuards).toEqual(['LambdaErrors-webhook-receiver', 'SecretProblems', 'Webhook5xxRate', 'WebhookEnqueueFailures', 'WebhooksParked']);
    // A stage that is merely unhealthy (a DLQ holding messages, a low balance) must not block deployments.
    for (const id of ['WebhookDlqNotEmpty', 'OutboundDlqNotEmpty', 'CreditsLow', 'StuckWebhookEvents', 'InsufficientCredits', 'MoncreneauErrorRate']) {
      expect({ id, guards: specs.find((a) => a.id === id)?.guards ?? [] }).toEqual({ id, guards: [] });
    }
  });

  it("gives CodeDeploy a role of its own that may only read and move this function's alias and read its alarms", () => {
    const s = get(stage);
    for (const key of keys) {
      const { fnId, groupId } = ids(s, key);
      const group = resourcesOf(s.template, 'AWS::CodeDeploy::DeploymentGroup')[groupId].Properties as { ServiceRoleArn: { 'Fn::GetAtt': [string, string] } };
      const role = resourcesOf(s.template, 'AWS::IAM::Role')[group.ServiceRoleArn['Fn::GetAtt'][0]].Properties as Record<string, unknown>;
      expect(role.ManagedPolicyArns).toBeUndefined();
      const statements = (role.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } }>)[0].PolicyDocument.Statement;
      expect(statements.map((st) => st.Action)).toEqual([['lambda:GetAlias', 'lambda:GetProvisionedConcurrencyConfig', 'lambda:UpdateAlias'], 'cloudwatch:DescribeAlarms']);
      expect(statements[0].Resource).toEqual([{ 'Fn::GetAtt': [fnId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [fnId, 'Arn'] }, `:${LIVE_ALIAS_NAME}`]] }]);
      expect(JSON.stringify(statements[1].Resource)).not.toContain('"*"');
    }
  });

  it('lets API Gateway and the schedules invoke the alias only, never the function itself', () => {
    const s = get(stage);
    const aliasIds = keys.map((k) => ids(s, k).aliasId);
    const fnIds = keys.map((k) => ids(s, k).fnId);
    const permissions = Object.values(resourcesOf(s.template, 'AWS::Lambda::Permission'));
    expect(permissions.length).toBeGreaterThan(0);
    for (const p of permissions) {
      expect(aliasIds.map((id) => JSON.stringify({ Ref: id }))).toContain(JSON.stringify(p.Properties?.FunctionName));
      expect(fnIds.map((id) => JSON.stringify({ Ref: id }))).not.toContain(JSON.stringify(p.Properties?.FunctionName));
    }
    for (const key of keys.filter((k) => w.functions[k].schedule)) {
      s.template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: { Ref: ids(s, key).aliasId } })] });
    }
  });
});

describe.each(stages)('Moncreneau-%s edge protection', (stage) => {
  const config = STAGES[stage];
  const w = wiring(config);
  const routes = Object.values(w.functions).flatMap((f) => f.routes ?? []);

  it('throttles each route by its kind: the public webhook and the IAM commands have separate buckets', () => {
    const stageProps = Object.values(resourcesOf(get(stage).template, 'AWS::ApiGateway::Stage'))[0].Properties as { MethodSettings: Array<Record<string, unknown>> };
    for (const route of routes) {
      const throttle = config.api.routeThrottle[route.auth];
      expect(stageProps.MethodSettings).toContainEqual({
        HttpMethod: route.method === 'ANY' ? '*' : route.method,
        ResourcePath: route.path.replace(/\//g, '~1').replace(/^/, '/'),
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
        MetricsEnabled: true,
        DataTraceEnabled: false,
        LoggingLevel: 'OFF',
      });
    }
    expect(routes.some((r) => r.auth === 'none') && routes.some((r) => r.auth === 'iam')).toBe(true);
  });

  it('keeps the webhook open to all and the IAM routes to the configured callers (the stack account by default)', () => {
    const policy = Object.values(resourcesOf(get(stage).template, 'AWS::ApiGateway::RestApi'))[0].Properties?.Policy as { Statement: Array<Record<string, unknown>> };
    const open = routes.filter((r) => r.auth === 'none').map(executeApiResource);
    const signed = routes.filter((r) => r.auth === 'iam').map(executeApiResource).sort();
    expect(open).toEqual(['execute-api:/*/*/webhooks/moncreneau']);
    expect(policy.Statement).toContainEqual({ Sid: 'PublicRoutes', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'execute-api:Invoke', Resource: open[0] });
    const deny = policy.Statement.find((st) => st.Sid === 'IamRoutesOthers')!;
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Condition: { StringNotEquals: { 'aws:PrincipalAccount': [{ Ref: 'AWS::AccountId' }] } } });
    expect([...(deny.Resource as string[])].sort()).toEqual(signed);
    // The deny never covers the webhook route.
    expect(JSON.stringify(deny.Resource)).not.toContain('webhooks');
  });

  it(config.waf ? 'associates a WAF web ACL: per-IP rate rule, common rule set, body rules count-only on the webhook' : 'has no WAF (APIG3 acknowledged)', () => {
    const { template } = get(stage);
    if (!config.waf) {
      template.resourceCountIs('AWS::WAFv2::WebACL', 0);
      return;
    }
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    const aclId = Object.keys(resourcesOf(template, 'AWS::WAFv2::WebACL'))[0];
    const stageId = Object.keys(resourcesOf(template, 'AWS::ApiGateway::Stage'))[0];
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
      ResourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: stageId }])] },
    });
    const acl = resourcesOf(template, 'AWS::WAFv2::WebACL')[aclId].Properties as { Scope: string; DefaultAction: unknown; Rules: Array<Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(acl.Scope).toBe('REGIONAL');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    const [rate, common, publicCommon] = acl.Rules;
    expect(rate).toMatchObject({ Name: 'RatePerSourceIp', Action: { Block: {} }, Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: config.waf.requestsPerIpPer5Minutes } } });
    const webhookPath = { ByteMatchStatement: expect.objectContaining({ FieldToMatch: { UriPath: {} }, PositionalConstraint: 'EXACTLY', SearchString: `/${stage}/webhooks/moncreneau` }) };
    expect(common).toMatchObject({ OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } } });
    expect(common.Statement.ManagedRuleGroupStatement.ScopeDownStatement).toEqual({ NotStatement: { Statement: webhookPath } });
    expect(common.Statement.ManagedRuleGroupStatement.RuleActionOverrides).toBeUndefined();
    expect(publicCommon.Statement.ManagedRuleGroupStatement).toMatchObject({ Name: 'AWSManagedRulesCommonRuleSet', ScopeDownStatement: webhookPath });
    const counted = (publicCommon.Statement.ManagedRuleGroupStatement.RuleActionOverrides as Array<{ Name: string; ActionToUse: unknown }>).map((o) => {
      expect(o.ActionToUse).toEqual({ Count: {} });
      return o.Name;
    });
    // Webhook bodies go up to maxBodyBytes (~190 KiB); the managed size rule blocks above 8 KB.
    expect(counted).toContain('SizeRestrictions_BODY');
    expect(counted).toEqual([...COUNT_ONLY_ON_PUBLIC_ROUTES]);
    expect(config.webhooks.maxBodyBytes).toBeGreaterThan(8 * 1024);
  });

  it(config.backup ? `backs every table up daily with AWS Backup, kept ${config.backup.retentionDays} days in a retained vault` : 'relies on PITR only (no backup plan)', () => {
    const { template } = get(stage);
    if (!config.backup) {
      template.resourceCountIs('AWS::Backup::BackupPlan', 0);
      return;
    }
    template.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain', Properties: { BackupVaultName: `${w.prefix}-backups` } });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanName: `${w.prefix}-tables`, BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(0 3 * * ? *)', Lifecycle: { DeleteAfterDays: config.backup.retentionDays } })] },
    });
    const selection = Object.values(resourcesOf(template, 'AWS::Backup::BackupSelection'))[0].Properties as { BackupSelection: { Resources: unknown[] } };
    const tableArns = Object.values(w.tables).map((t) => ({ 'Fn::GetAtt': [logicalIdWhere(template, 'AWS::DynamoDB::Table', 'TableName', physicalName(w, t.name)), 'Arn'] }));
    expect(selection.BackupSelection.Resources).toEqual(tableArns);
  });
});

describe('a restored table named in the stage config (tableOverrides)', () => {
  const restored = 'moncreneau-prod-credits-ledger-restored-20261203';
  const config: StageConfig = { ...STAGES.prod, tableOverrides: { ledger: restored } };
  let template: Template;
  beforeAll(() => {
    const app = new App({ context: { ...cdkJsonContext(), stage: 'prod', [cxapi.BUNDLING_STACKS]: [] } });
    template = Template.fromStack(addStage(app, config));
  });

  it('points every function that uses the table at the restored one, and keeps the stack\'s own table as it is', () => {
    const w = wiring(config);
    expect(tableNameInUse(w, 'ledger')).toBe(restored);
    expect(tableNameInUse(w, 'events')).toBe('moncreneau-prod-webhook-events');
    // The original is still there, retained and protected: nothing is deleted by re-pointing.
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ TableName: physicalName(w, w.tables.ledger.name), DeletionProtectionEnabled: true }) });
    const users = Object.values(w.functions).filter((f) => Object.values(f.environment).some((v) => 'tableName' in v && v.tableName === 'ledger'));
    expect(users.length).toBeGreaterThan(1);
    for (const fn of users) {
      const props = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).find((r) => r.Properties?.FunctionName === physicalName(w, fn.folder))!.Properties!;
      const vars = (props.Environment as { Variables: Record<string, unknown> }).Variables;
      const name = Object.entries(fn.environment).find(([, v]) => 'tableName' in v && v.tableName === 'ledger')![0];
      expect(vars[name]).toBe(restored);
    }
  });

  it('grants on the restored table (not the original) and backs it up', () => {
    const json = JSON.stringify(resourcesOf(template, 'AWS::IAM::Policy'));
    expect(json).toContain(`:table/${restored}`);
    const selection = JSON.stringify(resourcesOf(template, 'AWS::Backup::BackupSelection'));
    expect(selection).toContain(`:table/${restored}`);
  });

  it('refuses an unknown table key or an invalid name', () => {
    expect(() => wiring({ ...STAGES.prod, tableOverrides: { ledgr: restored } })).toThrow(/unknown table "ledgr"/);
    expect(() => wiring({ ...STAGES.prod, tableOverrides: { ledger: 'no spaces allowed' } })).toThrow(/not a DynamoDB table name/);
  });
});

describe('IAM callers from the stage config', () => {
  it('allows the listed account and role, denies the rest, and redeploys the API when the list changes', () => {
    const role = 'arn:aws:iam::222222222222:role/integrator';
    const config: StageConfig = { ...STAGES.dev, api: { ...STAGES.dev.api, iamCallers: { accounts: ['111111111111'], principalArns: [role] } } };
    const app = new App({ context: { ...cdkJsonContext(), stage: 'dev', [cxapi.BUNDLING_STACKS]: [] } });
    const template = Template.fromStack(addStage(app, config));
    const policy = Object.values(resourcesOf(template, 'AWS::ApiGateway::RestApi'))[0].Properties?.Policy as { Statement: Array<Record<string, unknown>> };
    const allowed = (policy.Statement.find((st) => st.Sid === 'IamRoutesCallers')?.Principal as { AWS: unknown[] }).AWS;
    expect(allowed).toHaveLength(2);
    expect(allowed).toEqual(expect.arrayContaining([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] }, role]));
    expect(policy.Statement.find((st) => st.Sid === 'IamRoutesOthers')?.Condition).toEqual({
      StringNotEquals: { 'aws:PrincipalAccount': ['111111111111'] },
      ArnNotLike: { 'aws:PrincipalArn': [role] },
    });
    const deploymentOf = (t: Template): string => Object.keys(resourcesOf(t, 'AWS::ApiGateway::Deployment'))[0];
    expect(deploymentOf(template)).not.toBe(deploymentOf(get('dev').template));
  });
});
