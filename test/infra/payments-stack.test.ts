/**
 * Template assertions for payments (prod): the payments table and its indexes, the one-minute sweep rule,
 * the sweeper's permissions, the IAM-only purchase route and the payment alarms on their topics.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { physicalName, wiring } from '../../infra/wiring';
import { actionsOf, apiResourcePath, functionIds, logicalIdWhere, resourcesOf, roleStatements } from './template-queries';
import { synthStage } from './synth-stage';

const s = synthStage('prod');
const w = wiring(s.config);

it('creates the payments table with its sparse deadline index and its listing index, kept (no TTL), protected in prod', () => {
  s.template.hasResource('AWS::DynamoDB::Table', {
    DeletionPolicy: 'Retain',
    Properties: Match.objectLike({
      TableName: physicalName(w, 'payments'),
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: Match.absent(),
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({ IndexName: 'byMonth' }),
        Match.objectLike({ IndexName: 'due', KeySchema: [{ AttributeName: 'openStatus', KeyType: 'HASH' }, { AttributeName: 'deadlineAt', KeyType: 'RANGE' }] }),
      ]),
    }),
  });
});

it('runs the payments sweeper every minute (the 5-minute deadline is late by at most one minute)', () => {
  const { aliasId } = functionIds(s, 'paymentsSweeper');
  s.template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(1 minute)',
    State: 'ENABLED',
    // The schedule invokes the `live` alias, like every invoker (a rollback moves it).
    Targets: [Match.objectLike({ Arn: { Ref: aliasId } })],
  });
});

it('lets the sweeper read and write the payments table, read the ledger, send purchase commands and read the API key, but not consume queues', () => {
  const statements = roleStatements(s.template, functionIds(s, 'paymentsSweeper').roleId);
  const actions = statements.flatMap(actionsOf);
  expect(actions).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:Query', 'sqs:SendMessage', 'secretsmanager:GetSecretValue']));
  expect(actions).not.toContain('sqs:ReceiveMessage');
  const paymentsTableId = logicalIdWhere(s.template, 'AWS::DynamoDB::Table', 'TableName', physicalName(w, 'payments'));
  expect(JSON.stringify(statements)).toContain(paymentsTableId);
});

it('accepts purchases only from IAM-signed callers (POST /credits/purchases)', () => {
  const method = Object.values(resourcesOf(s.template, 'AWS::ApiGateway::Method')).find(
    (m) => m.Properties?.HttpMethod === 'POST' && apiResourcePath(s.template, m.Properties?.ResourceId) === '/credits/purchases',
  );
  expect(method?.Properties?.AuthorizationType).toBe('AWS_IAM');
});

it('alarms on payment failures and expiries, reconciliation and a stopped automatic recharge', () => {
  for (const id of ['PaymentFailures', 'PaymentsNeedingReconciliation', 'AutoRechargeStopped']) {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `${w.prefix}-${id}`, AlarmActions: Match.anyValue(), OKActions: Match.anyValue() });
  }
  s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: `${w.prefix}-PaymentFailures`,
    Metrics: Match.arrayWith([Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'PaymentsExpired' }) }) })]),
  });
});
