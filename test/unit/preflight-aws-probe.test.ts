/** What the preflight reads from a deployed stage, on mocked AWS APIs (no emulator exists for these services). */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeContinuousBackupsCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListSubscriptionsByTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { stageConfig } from '../../infra/config/stages';
import { awsProbe } from '../../scripts/lib/preflight/aws-probe';

const secrets = mockClient(SecretsManagerClient);
const cloudformation = mockClient(CloudFormationClient);
const cloudwatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const dynamodb = mockClient(DynamoDBClient);
const config = stageConfig('prod');
const probe = () =>
  awsProbe(config, { secrets: new SecretsManagerClient({}), cloudformation: new CloudFormationClient({}), cloudwatch: new CloudWatchClient({}), sns: new SNSClient({}), dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) }, 'eu-west-3');

beforeEach(() => [secrets, cloudformation, cloudwatch, sns, dynamodb].forEach((m) => m.reset()));

it('reads a secret by its stage name and refuses a value that is not a JSON object', async () => {
  secrets.on(GetSecretValueCommand, { SecretId: 'moncreneau-prod-api-key' }).resolves({ SecretString: '{"apiKey":"mk_live_x"}' });
  expect(await probe().secret('apiKey')).toEqual({ apiKey: 'mk_live_x' });
  secrets.on(GetSecretValueCommand, { SecretId: 'moncreneau-prod-webhook-secret' }).resolves({ SecretString: '"just a string"' });
  await expect(probe().secret('webhookSecret')).rejects.toThrow('not a JSON object');
});

it('tells a generated secret (one version) from an operator\'s (two), and reads the rotation schedule', async () => {
  const created = new Date('2026-06-01T00:00:00Z');
  secrets.on(DescribeSecretCommand).resolves({ RotationEnabled: true, RotationRules: { ScheduleExpression: 'rate(90 days)' }, CreatedDate: created });
  secrets.on(ListSecretVersionIdsCommand).resolvesOnce({ Versions: [{ VersionId: 'a' }] }).resolves({ Versions: [{ VersionId: 'a' }, { VersionId: 'b' }] });
  expect(await probe().secretHistory('apiKey')).toEqual({ neverSet: true, rotationEnabled: true, rotationDays: 90, lastChanged: created });
  expect((await probe().secretHistory('apiKey'))?.neverSet).toBe(false);
});

it('finds the webhook URL in the stack outputs, the alarms by the stage prefix, and the confirmed page subscribers', async () => {
  cloudformation.on(DescribeStacksCommand, { StackName: 'Moncreneau-prod' }).resolves({ Stacks: [{ StackName: 'Moncreneau-prod', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [{ OutputKey: 'WebhookReceiverUrl', OutputValue: 'https://x.execute-api.eu-west-3.amazonaws.com/prod/webhooks/moncreneau' }] }] });
  cloudwatch.on(DescribeAlarmsCommand, { AlarmNamePrefix: 'moncreneau-prod-' }).resolves({ MetricAlarms: [{ AlarmName: 'moncreneau-prod-CreditsLow', StateValue: 'ALARM', AlarmActions: ['arn:aws:sns:eu-west-3:1:moncreneau-prod-page'] }] });
  sns.on(ListTopicsCommand).resolves({ Topics: [{ TopicArn: 'arn:aws:sns:eu-west-3:1:moncreneau-prod-ticket' }, { TopicArn: 'arn:aws:sns:eu-west-3:1:moncreneau-prod-page' }] });
  sns.on(ListSubscriptionsByTopicCommand, { TopicArn: 'arn:aws:sns:eu-west-3:1:moncreneau-prod-page' }).resolves({ Subscriptions: [{ SubscriptionArn: 'arn:aws:sns:eu-west-3:1:moncreneau-prod-page:1' }, { SubscriptionArn: 'PendingConfirmation' }] });
  dynamodb.on(DescribeContinuousBackupsCommand).resolves({ ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED' } } });
  const p = probe();
  expect(await p.webhookUrl()).toBe('https://x.execute-api.eu-west-3.amazonaws.com/prod/webhooks/moncreneau');
  expect(await p.alarms()).toEqual([{ id: 'CreditsLow', state: 'ALARM', actions: 1 }]);
  expect(await p.pageSubscribers()).toBe(1);
  expect(await p.pointInTimeRecovery('ledger')).toBe(true);
  expect(dynamodb.commandCalls(DescribeContinuousBackupsCommand)[0].args[0].input).toEqual({ TableName: 'moncreneau-prod-credits-ledger' });
});
