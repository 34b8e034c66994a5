/**
 * A deployed stage as a preflight target, read with the operator's AWS credentials: Secrets Manager,
 * CloudFormation outputs, CloudWatch alarms, SNS, DynamoDB and SQS. Read-only, except the opt-in test page.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeContinuousBackupsCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListSubscriptionsByTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { userInfo } from 'node:os';
import type { StageConfig } from '../../../infra/config/stages';
import { stackName } from '../../../infra/stacks/stage-app';
import { physicalName, wiring, type SecretKey, type TableKey } from '../../../infra/wiring';
import { sendTestPage } from '../test-page';
import { dataAnswers } from './data-probe';
import type { AlarmStatus, StageProbe } from './probe';

export interface AwsClients {
  readonly secrets: SecretsManagerClient;
  readonly cloudformation: CloudFormationClient;
  readonly cloudwatch: CloudWatchClient;
  readonly sns: SNSClient;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
}

export function awsClients(region: string): AwsClients {
  return {
    secrets: new SecretsManagerClient({ region }),
    cloudformation: new CloudFormationClient({ region }),
    cloudwatch: new CloudWatchClient({ region }),
    sns: new SNSClient({ region }),
    dynamodb: new DynamoDBClient({ region }),
    sqs: new SQSClient({ region }),
  };
}

export function awsProbe(config: StageConfig, clients: AwsClients, region: string): StageProbe {
  const w = wiring(config);
  const secretId = (key: SecretKey) => physicalName(w, w.secrets[key].name);
  const tables = Object.fromEntries(Object.entries(w.tables).map(([k, spec]) => [k, physicalName(w, spec.name)])) as Record<TableKey, string>;
  let outputs: Promise<Map<string, string>> | undefined;
  const stackOutputs = () =>
    (outputs ??= clients.cloudformation.send(new DescribeStacksCommand({ StackName: stackName(config) })).then((out) => new Map((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']))));
  const pageTopic = async (): Promise<string | undefined> => {
    let next: string | undefined;
    do {
      const page = await clients.sns.send(new ListTopicsCommand({ NextToken: next }));
      const arn = page.Topics?.map((t) => t.TopicArn).find((a) => a?.endsWith(`:${w.prefix}-page`));
      if (arn) return arn;
      next = page.NextToken;
    } while (next);
    return undefined;
  };
  return {
    kind: 'aws',
    label: `stage ${config.stage} (${region})`,
    config,
    wiring: w,
    moncreneauBaseUrl: config.moncreneau.baseUrl,
    async secret(key) {
      const out = await clients.secrets.send(new GetSecretValueCommand({ SecretId: secretId(key) }));
      const parsed = JSON.parse(out.SecretString ?? '{}') as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`secret ${secretId(key)} is not a JSON object`);
      return parsed as Record<string, unknown>;
    },
    async secretHistory(key) {
      const described = await clients.secrets.send(new DescribeSecretCommand({ SecretId: secretId(key) }));
      const versions = await clients.secrets.send(new ListSecretVersionIdsCommand({ SecretId: secretId(key) }));
      return {
        // An operator's value is a second version (the generated one becomes AWSPREVIOUS).
        neverSet: (versions.Versions?.length ?? 0) <= 1 && !described.LastRotatedDate,
        rotationEnabled: described.RotationEnabled === true,
        rotationDays: described.RotationRules?.AutomaticallyAfterDays ?? daysOf(described.RotationRules?.ScheduleExpression),
        lastChanged: described.LastRotatedDate ?? described.LastChangedDate ?? described.CreatedDate,
      };
    },
    webhookUrl: async () => (await stackOutputs()).get('WebhookReceiverUrl'),
    async pointInTimeRecovery(key) {
      const out = await clients.dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: tables[key] }));
      return out.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED';
    },
    async alarms() {
      const found: AlarmStatus[] = [];
      let next: string | undefined;
      do {
        const page = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${w.prefix}-`, NextToken: next }));
        for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          found.push({ id: (a.AlarmName ?? '').slice(w.prefix.length + 1), state: (a.StateValue ?? 'INSUFFICIENT_DATA') as AlarmStatus['state'], actions: a.AlarmActions?.length ?? 0 });
        }
        next = page.NextToken;
      } while (next);
      return found;
    },
    async pageSubscribers() {
      const topic = await pageTopic();
      if (!topic) return 0;
      const out = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }));
      return (out.Subscriptions ?? []).filter((s) => s.SubscriptionArn && s.SubscriptionArn !== 'PendingConfirmation').length;
    },
    async sendTestPage(reason) {
      const sent = await sendTestPage(clients.sns, { prefix: w.prefix, stage: config.stage, by: process.env.USER ?? userInfo().username, reason, at: new Date() });
      return `${sent.topicArn}, message ${sent.messageId}`;
    },
    ...dataAnswers({
      dynamodb: clients.dynamodb,
      sqs: clients.sqs,
      tables,
      queueUrl: async (key) => {
        const url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: physicalName(w, w.queues[key].name) }))).QueueUrl;
        if (!url) throw new Error(`queue ${key} not found`);
        return url;
      },
    }),
  };
}

/** `rate(90 days)` → 90; other schedule expressions are not interpreted. */
function daysOf(expression: string | undefined): number | undefined {
  const match = /^rate\((\d+) days?\)$/.exec(expression ?? '');
  return match ? Number(match[1]) : undefined;
}
