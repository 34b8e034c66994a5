/**
 * Template assertions for every stage. Expected values come from wiring()/STAGES, so the tests
 * keep passing (and keep checking) when entries are added to the wiring.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { STAGES, type StageName } from '../../infra/config/stages';
import { commonEnvironment, physicalName, VISIBILITY_FACTOR, wiring, type FunctionKey, type FunctionSpec } from '../../infra/wiring';
import { synthStage, type SynthesizedStage } from './synth-stage';
import { functionGrants } from '../../infra/permissions';
import { actionsOf, apiResourcePath, functionIds, logicalIdWhere, resourcesOf, roleStatements } from './template-queries';

const stages = Object.keys(STAGES) as StageName[];
const synthesized = new Map<StageName, SynthesizedStage>();
function get(stage: StageName): SynthesizedStage {
  let s = synthesized.get(stage);
  if (!s) {
    s = synthStage(stage);
    synthesized.set(stage, s);
  }
  return s;
}

/** Logical id of a function's `live` alias. */
function aliasId(s: SynthesizedStage, key: FunctionKey): string {
  const { fnId } = functionIds(s, key);
  const ids = Object.entries(resourcesOf(s.template, 'AWS::Lambda::Alias'))
    .filter(([, r]) => JSON.stringify(r.Properties?.FunctionName) === JSON.stringify({ Ref: fnId }) && r.Properties?.Name === 'live')
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0];
}


describe.each(stages)('Moncreneau-%s stack', (stage) => {
  const retained = STAGES[stage].retainData;
  const expectedDeletionPolicy = retained ? 'Retain' : 'Delete';

  describe('DynamoDB tables', () => {
    it('creates every wired table on-demand, with PITR, AWS-managed SSE, TTL and GSIs', () => {
      const { template, config } = get(stage);
      const w = wiring(config);
      const specs = Object.values(w.tables);
      template.resourceCountIs('AWS::DynamoDB::Table', specs.length);
      for (const spec of specs) {
        template.hasResource('AWS::DynamoDB::Table', {
          DeletionPolicy: expectedDeletionPolicy,
          UpdateReplacePolicy: expectedDeletionPolicy,
          Properties: Match.objectLike({
            TableName: physicalName(w, spec.name),
            BillingMode: 'PAY_PER_REQUEST',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { SSEEnabled: true },
            KeySchema: Match.arrayWith([{ AttributeName: spec.partitionKey.name, KeyType: 'HASH' }]),
            TimeToLiveSpecification: spec.timeToLiveAttribute
              ? { AttributeName: spec.timeToLiveAttribute, Enabled: true }
              : Match.absent(),
            GlobalSecondaryIndexes: spec.globalIndexes?.length
              ? spec.globalIndexes.map((gsi) =>
                  Match.objectLike({
                    IndexName: gsi.indexName,
                    KeySchema: [
                      { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' },
                      ...(gsi.sortKey ? [{ AttributeName: gsi.sortKey.name, KeyType: 'RANGE' }] : []),
                    ],
                    Projection: gsi.include ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...gsi.include] } : { ProjectionType: 'ALL' },
                  }),
                )
              : Match.absent(),
            DeletionProtectionEnabled: retained,
          }),
        });
      }
    });
  });

  describe('SQS queues', () => {
    it('encrypts every wired queue (SSE-SQS) with the spec timeouts and the redrive policy', () => {
      const { template, config } = get(stage);
      const w = wiring(config);
      template.resourceCountIs('AWS::SQS::Queue', Object.keys(w.queues).length);
      for (const spec of Object.values(w.queues)) {
        const redrive = spec.deadLetter
          ? {
              deadLetterTargetArn: {
                'Fn::GetAtt': [
                  logicalIdWhere(template, 'AWS::SQS::Queue', 'QueueName', physicalName(w, w.queues[spec.deadLetter.queue].name)),
                  'Arn',
                ],
              },
              maxReceiveCount: spec.deadLetter.maxReceiveCount,
            }
          : Match.absent();
        template.hasResource('AWS::SQS::Queue', {
          DeletionPolicy: expectedDeletionPolicy,
          Properties: Match.objectLike({
            QueueName: physicalName(w, spec.name),
            SqsManagedSseEnabled: true,
            VisibilityTimeout: spec.visibilityTimeoutSeconds,
            MessageRetentionPeriod: spec.retentionSeconds,
            RedrivePolicy: redrive,
          }),
        });
      }
      // The DLQ receive count is the stage's setting.
      const withDlq = Object.values(w.queues).filter((q) => q.deadLetter);
      expect(withDlq.map((q) => q.deadLetter?.maxReceiveCount)).toEqual(withDlq.map(() => config.webhooks.maxReceiveCount));
    });

    it('denies non-TLS access on every queue', () => {
      const { template, config } = get(stage);
      const w = wiring(config);
      for (const spec of Object.values(w.queues)) {
        const queueId = logicalIdWhere(template, 'AWS::SQS::Queue', 'QueueName', physicalName(w, spec.name));
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: queueId }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 'sqs:*',
                Principal: { AWS: '*' },
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      }
    });

    it(`gives every event-source queue a visibility timeout ≥ ${VISIBILITY_FACTOR}× its consumer's timeout`, () => {
      const { template, config } = get(stage);
      const w = wiring(config);
      const consumers = Object.values(w.functions).filter((f) => f.queueSource);
      expect(consumers.length).toBeGreaterThan(0);
      for (const fn of consumers) {
        const queue = w.queues[fn.queueSource!.queue];
        const queueId = logicalIdWhere(template, 'AWS::SQS::Queue', 'QueueName', physicalName(w, queue.name));
        const deployed = resourcesOf(template, 'AWS::SQS::Queue')[queueId].Properties?.VisibilityTimeout as number;
        expect(deployed).toBeGreaterThanOrEqual(VISIBILITY_FACTOR * fn.timeoutSeconds);
      }
    });
  });

  describe('Lambda functions', () => {
    it('builds every wired function: nodejs22.x, arm64, X-Ray, memory/timeout from the spec, own log group', () => {
      const { template, config } = get(stage);
      const w = wiring(config);
      template.resourceCountIs('AWS::Lambda::Function', Object.keys(w.functions).length);
      for (const key of Object.keys(w.functions) as FunctionKey[]) {
        const spec = w.functions[key];
        const { fnId } = functionIds(get(stage), key);
        const fn = resourcesOf(template, 'AWS::Lambda::Function')[fnId].Properties ?? {};
        expect(fn).toMatchObject({
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          MemorySize: spec.memoryMb,
          Timeout: spec.timeoutSeconds,
        });
        const logGroupId = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        expect(resourcesOf(template, 'AWS::Logs::LogGroup')[logGroupId].Properties?.RetentionInDays).toBe(retained ? 365 : 30);
      }
    });

    it('sets the common environment (log level per stage) and resolves every wired value', () => {
      const { template, config } = get(stage);
      const w = wiring(config);
      for (const key of Object.keys(w.functions) as FunctionKey[]) {
        const { fnId } = functionIds(get(stage), key);
        const vars = (resourcesOf(template, 'AWS::Lambda::Function')[fnId].Properties?.Environment as { Variables: Record<string, unknown> })
          .Variables;
        expect(vars).toMatchObject(commonEnvironment(config, key));
        expect(vars.POWERTOOLS_LOG_LEVEL).toBe(config.logLevel);
        for (const [name, value] of Object.entries(w.functions[key].environment)) {
          if ('value' in value) expect(vars[name]).toBe(value.value);
          else if ('tableName' in value)
            expect(vars[name]).toEqual({
              Ref: logicalIdWhere(template, 'AWS::DynamoDB::Table', 'TableName', physicalName(w, w.tables[value.tableName].name)),
            });
          else if ('queueUrl' in value)
            expect(vars[name]).toEqual({
              Ref: logicalIdWhere(template, 'AWS::SQS::Queue', 'QueueName', physicalName(w, w.queues[value.queueUrl].name)),
            });
          else
            expect(vars[name]).toEqual({
              Ref: logicalIdWhere(template, 'AWS::SecretsManager::Secret', 'Name', physicalName(w, w.secrets[value.secretArn].name)),
            });
        }
      }
      expect(STAGES.dev.logLevel).toBe('DEBUG');
      expect(STAGES.prod.logLevel).toBe('INFO');
    });

    it('maps queue sources to event source mappings with partial batch failures and a concurrency cap', () => {
      const { template, config } = get(stage);
      const w = wiring(config);
      const consumers = (Object.keys(w.functions) as FunctionKey[]).filter((k) => w.functions[k].queueSource);
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', consumers.length);
      for (const key of consumers) {
        const source = w.functions[key].queueSource!;
        const queueId = logicalIdWhere(template, 'AWS::SQS::Queue', 'QueueName', physicalName(w, w.queues[source.queue].name));
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          // The live alias, not the function: a rollback moves what the queue invokes.
          FunctionName: { 'Fn::Join': ['', [{ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: aliasId(get(stage), key) }] }] }, ':live']] },
          EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
          BatchSize: source.batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: source.maxConcurrency },
        });
      }
    });
  });

  describe('IAM least privilege', () => {
    /** Service prefixes a function may use: its wired permissions and queue source, plus logs (own group) and X-Ray. */
    function allowedServices(spec: FunctionSpec): Set<string> {
      const services = new Set(['logs', 'xray']);
      if (spec.queueSource) services.add('sqs');
      for (const p of spec.permissions) services.add('table' in p ? 'dynamodb' : 'queue' in p ? 'sqs' : 'secretsmanager');
      return services;
    }

    it('gives each role only its own statements: no managed policies, no foreign services, "*" only for X-Ray', () => {
      const { template, config } = get(stage);
      const w = wiring(config);
      for (const key of Object.keys(w.functions) as FunctionKey[]) {
        const { roleId } = functionIds(get(stage), key);
        const role = resourcesOf(template, 'AWS::IAM::Role')[roleId].Properties ?? {};
        expect(role.ManagedPolicyArns).toBeUndefined();
        const statements = roleStatements(template, roleId);
        const allowed = allowedServices(w.functions[key]);
        for (const statement of statements) {
          for (const action of actionsOf(statement)) expect({ key, action, allowed: allowed.has(action.split(':')[0]) }).toEqual({ key, action, allowed: true });
          if (JSON.stringify(statement.Resource).includes('"*"')) {
            expect(actionsOf(statement).every((a) => a.startsWith('xray:'))).toBe(true);
          }
          expect(actionsOf(statement).some((a) => a.endsWith(':*'))).toBe(false);
        }
      }
    });

    it('lets the receiver send to the queue, read the secret and park events (UpdateItem on the event store only), nothing more', () => {
      const s = get(stage);
      const w = wiring(s.config);
      const actions = roleStatements(s.template, functionIds(s, 'webhookReceiver').roleId).flatMap(actionsOf);
      expect(actions).toEqual(expect.arrayContaining(['sqs:SendMessage', 'secretsmanager:GetSecretValue']));
      // UpdateItem only, to park an event the queue refuses for good; it never reads a table.
      expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:UpdateItem']);
      expect(actions).not.toContain('sqs:ReceiveMessage');
      expect(actions).not.toContain('sqs:DeleteMessage');
      expect(actions.filter((a) => a.startsWith('secretsmanager:') && !['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'].includes(a))).toEqual([]);
      // The secret grant is on the wired secret only.
      const secretId = logicalIdWhere(s.template, 'AWS::SecretsManager::Secret', 'Name', physicalName(w, w.secrets.webhookSecret.name));
      const secretStatement = roleStatements(s.template, functionIds(s, 'webhookReceiver').roleId).find((st) =>
        actionsOf(st).includes('secretsmanager:GetSecretValue'),
      );
      expect(secretStatement?.Resource).toEqual({ Ref: secretId });
      const eventsId = logicalIdWhere(s.template, 'AWS::DynamoDB::Table', 'TableName', physicalName(w, w.tables.events.name));
      const tableStatement = roleStatements(s.template, functionIds(s, 'webhookReceiver').roleId).find((st) => actionsOf(st).includes('dynamodb:UpdateItem'));
      expect(JSON.stringify(tableStatement?.Resource)).toContain(eventsId);
    });

    /** The reviewed list: exactly these actions on exactly these resources (logs and X-Ray are checked apart). */
    const EXPECTED: Partial<Record<FunctionKey, Record<string, string[]>>> = {
      webhookReceiver: {
        'queue:webhookEvents': ['sqs:SendMessage'],
        'table:events': ['dynamodb:UpdateItem'],
        'secret:webhookSecret': ['secretsmanager:GetSecretValue'],
      },
      webhookProcessor: {
        'queue:webhookEvents': ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        'table:events': ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        'table:appointments': ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        'table:ledger': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        'table:payments': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      },
      healthMonitor: {
        'table:ledger': ['dynamodb:GetItem'],
        'table:events/index/byDay': ['dynamodb:Query'],
        'secret:apiKey': ['secretsmanager:ListSecretVersionIds'],
        'secret:webhookSecret': ['secretsmanager:ListSecretVersionIds'],
      },
      secretRotation: {
        'secret:apiKey': ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        'secret:webhookSecret': ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
      },
      paymentsSweeper: {
        'table:commands': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        'table:ledger': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        'table:payments': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        'table:payments/index/due': ['dynamodb:Query'],
        'table:flags': ['dynamodb:GetItem'],
        'table:rateLimits': ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        'queue:outboundCommands': ['sqs:SendMessage'],
        'secret:apiKey': ['secretsmanager:GetSecretValue'],
      },
      appointmentsApi: {
        'table:commands': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        'table:ledger': ['dynamodb:GetItem'],
        'table:flags': ['dynamodb:GetItem'],
        'table:rateLimits': ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        'queue:outboundCommands': ['sqs:SendMessage'],
        'secret:apiKey': ['secretsmanager:GetSecretValue'],
      },
      outboundWorker: {
        'table:commands': ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        'table:ledger': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        'table:flags': ['dynamodb:GetItem'],
        'table:rateLimits': ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        'queue:outboundCommands': ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage'],
        'queue:outboundCommandsDlq': ['sqs:SendMessage'],
        'secret:apiKey': ['secretsmanager:GetSecretValue'],
        'table:payments': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      },
    };

    /** `table:<key>`, `table:<key>/index/<name>`, `queue:<key>`, `secret:<key>` for a statement's resource. */
    function resourceLabel(s: SynthesizedStage, resource: unknown): string {
      const w = wiring(s.config);
      const json = JSON.stringify(resource);
      for (const key of Object.keys(w.tables)) {
        const id = logicalIdWhere(s.template, 'AWS::DynamoDB::Table', 'TableName', physicalName(w, w.tables[key as keyof typeof w.tables].name));
        if (json === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })) return `table:${key}`;
        const index = /^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["([^"]+)","Arn"\]\},"\/index\/([^"]+)"\]\]\}$/.exec(json);
        if (index && index[1] === id) return `table:${key}/index/${index[2]}`;
      }
      for (const key of Object.keys(w.queues)) {
        const id = logicalIdWhere(s.template, 'AWS::SQS::Queue', 'QueueName', physicalName(w, w.queues[key as keyof typeof w.queues].name));
        if (json === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })) return `queue:${key}`;
      }
      for (const key of Object.keys(w.secrets)) {
        const id = logicalIdWhere(s.template, 'AWS::SecretsManager::Secret', 'Name', physicalName(w, w.secrets[key as keyof typeof w.secrets].name));
        if (json === JSON.stringify({ Ref: id })) return `secret:${key}`;
      }
      return json;
    }

    /** Data-plane actions of a function's role, by resource label (logs and X-Ray left out). */
    function grantedActions(s: SynthesizedStage, key: FunctionKey): Record<string, string[]> {
      const granted: Record<string, Set<string>> = {};
      for (const statement of roleStatements(s.template, functionIds(s, key).roleId)) {
        const actions = actionsOf(statement).filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'));
        if (actions.length === 0) continue;
        for (const resource of Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]) {
          const label = resourceLabel(s, resource);
          granted[label] ??= new Set();
          for (const a of actions) granted[label].add(a);
        }
      }
      return Object.fromEntries(Object.entries(granted).map(([label, set]) => [label, [...set].sort()]));
    }

    it('grants each function exactly the actions its adapters call, on exactly their resources', () => {
      const s = get(stage);
      const w = wiring(s.config);
      for (const key of Object.keys(w.functions) as FunctionKey[]) {
        // Functions added later are held to what their wiring declares (infra/permissions.ts).
        const expected =
          EXPECTED[key] ??
          Object.fromEntries(
            functionGrants(w.functions[key], w).map((g) => [
              'table' in g.target ? `table:${g.target.table}${g.target.index ? `/index/${g.target.index}` : ''}` : 'queue' in g.target ? `queue:${g.target.queue}` : `secret:${g.target.secret}`,
              [...g.actions],
            ]),
          );
        expect({ key, granted: grantedActions(s, key) }).toEqual({ key, granted: expected });
      }
    });

    it('lets no function delete an item or scan a table, and only the processor, the worker and the payments sweeper (a poll that finds a purchase paid) write the ledger', () => {
      const s = get(stage);
      const w = wiring(s.config);
      for (const key of Object.keys(w.functions) as FunctionKey[]) {
        const granted = grantedActions(s, key);
        const all = Object.values(granted).flat();
        expect({ key, forbidden: all.filter((a) => ['dynamodb:DeleteItem', 'dynamodb:Scan', 'dynamodb:BatchWriteItem', 'sqs:PurgeQueue'].includes(a)) }).toEqual({ key, forbidden: [] });
        const writesLedger = (granted['table:ledger'] ?? []).some((a) => a !== 'dynamodb:GetItem');
        expect({ key, writesLedger }).toEqual({ key, writesLedger: ['webhookProcessor', 'outboundWorker', 'paymentsSweeper'].includes(key) });
      }
    });

    it('lets each function write only to its own log group', () => {
      const s = get(stage);
      for (const key of Object.keys(wiring(s.config).functions) as FunctionKey[]) {
        const { fnId, roleId } = functionIds(s, key);
        const logGroupId = (resourcesOf(s.template, 'AWS::Lambda::Function')[fnId].Properties?.LoggingConfig as { LogGroup: { Ref: string } })
          .LogGroup.Ref;
        const logStatements = roleStatements(s.template, roleId).filter((st) => actionsOf(st).some((a) => a.startsWith('logs:')));
        expect(logStatements).toHaveLength(1);
        expect(logStatements[0].Resource).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
        expect(actionsOf(logStatements[0]).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      }
    });
  });

  describe('REST API', () => {
    it('is a REGIONAL REST API with one stage named after the deployment stage, throttled, traced, with JSON access logs', () => {
      const { template, config } = get(stage);
      template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
      template.resourceCountIs('AWS::ApiGateway::Account', 0);
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: config.stage,
        TracingEnabled: true,
        AccessLogSetting: {
          DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] },
          Format: Match.serializedJson(Match.objectLike({ requestId: '$context.requestId', status: '$context.status' })),
        },
        MethodSettings: Match.arrayWith([
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            MetricsEnabled: true,
            DataTraceEnabled: false,
            ThrottlingRateLimit: config.api.throttleRateLimit,
            ThrottlingBurstLimit: config.api.throttleBurstLimit,
          }),
        ]),
      });
    });

    it('exposes every routed function at its wired path and method, with the wired auth, as a Lambda proxy', () => {
      const s = get(stage);
      const w = wiring(s.config);
      const routed = (Object.keys(w.functions) as FunctionKey[]).flatMap((key) => (w.functions[key].routes ?? []).map((route) => ({ key, route })));
      expect(routed.length).toBeGreaterThan(0);
      const methods = Object.values(resourcesOf(s.template, 'AWS::ApiGateway::Method'));
      expect(methods).toHaveLength(routed.length);
      for (const { key, route } of routed) {
        const { fnId } = functionIds(s, key);
        const method = methods.find(
          (m) => m.Properties?.HttpMethod === route.method && apiResourcePath(s.template, m.Properties?.ResourceId) === route.path,
        );
        expect(method).toBeDefined();
        expect(method?.Properties?.AuthorizationType).toBe(route.auth === 'iam' ? 'AWS_IAM' : 'NONE');
        const integration = method?.Properties?.Integration as { Type: string; Uri: unknown };
        expect(integration.Type).toBe('AWS_PROXY');
        // The live alias, never the function's $LATEST.
        expect(JSON.stringify(integration.Uri)).toContain(`{"Ref":"${aliasId(s, key)}"}`);
        expect(JSON.stringify(integration.Uri)).not.toContain(`"${fnId}"`);
      }
    });
  });

  describe('Secrets', () => {
    it('creates every wired secret with a generated placeholder of the right shape (no value in the template)', () => {
      const { template, config } = get(stage);
      const w = wiring(config);
      template.resourceCountIs('AWS::SecretsManager::Secret', Object.keys(w.secrets).length);
      for (const spec of Object.values(w.secrets)) {
        template.hasResource('AWS::SecretsManager::Secret', {
          DeletionPolicy: expectedDeletionPolicy,
          Properties: Match.objectLike({
            Name: physicalName(w, spec.name),
            SecretString: Match.absent(),
            GenerateSecretString: Match.objectLike({
              GenerateStringKey: Object.keys(spec.localEnv)[0],
              SecretStringTemplate: JSON.stringify(Object.fromEntries(Object.keys(spec.localEnv).slice(1).map((f) => [f, '']))),
            }),
          }),
        });
      }
    });
  });

  describe('Stack-level settings', () => {
    it('outputs the stage, API and route URLs, queue URLs, table names and secret ARNs', () => {
      const { template, config } = get(stage);
      const w = wiring(config);
      const outputs = Object.keys(template.findOutputs('*'));
      const pascal = (k: string): string => k.charAt(0).toUpperCase() + k.slice(1);
      const expected = [
        'Stage',
        'ApiUrl',
        ...Object.keys(w.functions).flatMap((k) => (w.functions[k as FunctionKey].routes ?? []).map((_, i) => `${pascal(k)}Url${i === 0 ? '' : i + 1}`)),
        ...Object.keys(w.queues).map((k) => `${pascal(k)}QueueUrl`),
        ...Object.keys(w.tables).map((k) => `${pascal(k)}TableName`),
        ...Object.keys(w.secrets).map((k) => `${pascal(k)}Arn`),
      ];
      expect(outputs).toEqual(expect.arrayContaining(expected));
      template.hasOutput('Stage', { Value: config.stage });
    });

    it('tags resources with project and stage, is in the configured region, and is termination-protected when data is retained', () => {
      const { stack, template, config } = get(stage);
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        Tags: Match.arrayWith([
          { Key: 'project', Value: 'moncreneau' },
          { Key: 'stage', Value: config.stage },
        ]),
      });
      expect(stack.stackName).toBe(`Moncreneau-${config.stage}`);
      expect(stack.region).toBe(config.region);
      expect(stack.terminationProtection).toBe(config.retainData);
    });
  });
});
