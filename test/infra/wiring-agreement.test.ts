/**
 * One source of truth: what `cdk synth` deploys and what `npm start` provisions locally are both
 * derived from infra/wiring.ts. This compares the synthesized dev template with the resources the
 * local runtime actually creates on the emulators, attribute by attribute.
 */
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { stageConfig } from '../../infra/config/stages';
import { commonEnvironment, resolveFunctionEnvironment } from '../../infra/local/function-env';
import { wiring, type FunctionKey } from '../../infra/wiring';
import { testResources, type TestResources } from '../support/resources';
import { synthStage } from './synth-stage';

type Resource = { Type: string; Properties: Record<string, unknown> };

const config = stageConfig('dev');
const w = wiring(config);
const { template } = synthStage('dev');
const resources = Object.values(template.toJSON().Resources as Record<string, Resource>);
const ofType = (type: string) => resources.filter((r) => r.Type === type).map((r) => r.Properties);

let local: TestResources;
// The same prefix-stripping the local runtime applies to names.
const unprefix = (name: string) => name.replace(/^t[0-9a-f]{8}-/, '');

beforeAll(async () => {
  local = await testResources();
});
afterAll(() => local.destroy());

describe('CDK template and local runtime agree (both from infra/wiring.ts)', () => {
  it('create the same tables: names, keys, indexes, TTL', async () => {
    const cdkTables = ofType('AWS::DynamoDB::Table');
    expect(cdkTables).toHaveLength(Object.keys(w.tables).length);
    for (const name of Object.values(local.tables)) {
      const { Table } = await local.dynamodb.send(new DescribeTableCommand({ TableName: name }));
      const ttl = await local.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name }));
      const cdk = cdkTables.find((t) => t.TableName === unprefix(name));
      expect(cdk).toBeDefined();
      expect(Table?.KeySchema).toEqual(cdk!.KeySchema);
      expect(new Set(Table?.AttributeDefinitions?.map((a) => `${a.AttributeName}:${a.AttributeType}`))).toEqual(
        new Set((cdk!.AttributeDefinitions as Array<{ AttributeName: string; AttributeType: string }>).map((a) => `${a.AttributeName}:${a.AttributeType}`)),
      );
      const projection = (p: { ProjectionType?: string; NonKeyAttributes?: string[] } | undefined) => ({ type: p?.ProjectionType ?? 'ALL', include: [...(p?.NonKeyAttributes ?? [])].sort() });
      const localIndexes = (Table?.GlobalSecondaryIndexes ?? [])
        .map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: projection(g.Projection) }))
        .sort((a, b) => String(a.IndexName).localeCompare(String(b.IndexName)));
      const cdkIndexes = ((cdk!.GlobalSecondaryIndexes as Array<{ IndexName: string; KeySchema: unknown; Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] } }> | undefined) ?? []).map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: projection(g.Projection),
      }));
      expect(localIndexes).toEqual(cdkIndexes);
      const cdkTtl = cdk!.TimeToLiveSpecification as { AttributeName?: string } | undefined;
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe(cdkTtl?.AttributeName);
    }
  });

  it('create the same queues: names, visibility timeout, retention, redrive target and count', async () => {
    const cdkQueues = ofType('AWS::SQS::Queue');
    expect(cdkQueues).toHaveLength(Object.keys(w.queues).length);
    for (const queue of Object.values(local.queues)) {
      const { Attributes: a = {} } = await local.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] }));
      const name = unprefix(queue.url.split('/').pop()!);
      const cdk = cdkQueues.find((q) => q.QueueName === name);
      expect(cdk).toBeDefined();
      expect(Number(a.VisibilityTimeout)).toBe(cdk!.VisibilityTimeout);
      expect(Number(a.MessageRetentionPeriod)).toBe(cdk!.MessageRetentionPeriod);
      const cdkRedrive = cdk!.RedrivePolicy as { maxReceiveCount: number } | undefined;
      const localRedrive = a.RedrivePolicy ? (JSON.parse(a.RedrivePolicy) as { maxReceiveCount: number | string; deadLetterTargetArn: string }) : undefined;
      expect(localRedrive ? Number(localRedrive.maxReceiveCount) : undefined).toBe(cdkRedrive?.maxReceiveCount);
      if (localRedrive) expect(unprefix(localRedrive.deadLetterTargetArn.split(':').pop()!)).toMatch(/-dlq$/);
    }
  });

  it('give every function the same environment variable names (secret ARNs become local variables)', () => {
    const cdkFunctions = ofType('AWS::Lambda::Function');
    for (const key of Object.keys(w.functions) as FunctionKey[]) {
      const localEnv = resolveFunctionEnvironment(w, config, key, local, { MONCRENEAU_WEBHOOK_SECRET: 'x', MONCRENEAU_WEBHOOK_SECRET_PREVIOUS: 'y' });
      const description = w.functions[key].description;
      const cdk = cdkFunctions.find((f) => f.Description === description);
      expect(cdk).toBeDefined();
      const cdkVars = (cdk!.Environment as { Variables: Record<string, unknown> }).Variables;
      const secretArnVars = Object.entries(w.functions[key].environment).filter(([, v]) => 'secretArn' in v).map(([k]) => k);
      const localSecretVars = Object.keys(localEnv).filter((k) => !(k in cdkVars));
      expect(new Set(Object.keys(cdkVars).filter((k) => !secretArnVars.includes(k)))).toEqual(new Set(Object.keys(localEnv).filter((k) => !localSecretVars.includes(k))));
      // Literal values (limits, retention, Powertools settings) are identical.
      for (const [name, value] of Object.entries({ ...commonEnvironment(config, key) })) expect(cdkVars[name]).toBe(value);
      for (const [name, value] of Object.entries(w.functions[key].environment)) if ('value' in value) expect(cdkVars[name]).toBe(value.value);
      // Each secret ARN variable locally is replaced by exactly the secret's declared local variables.
      for (const variable of localSecretVars) {
        expect(Object.values(w.secrets).flatMap((s) => Object.values(s.localEnv))).toContain(variable);
      }
    }
  });
});
