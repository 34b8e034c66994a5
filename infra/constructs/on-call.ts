/**
 * Alarms that page: one encrypted SNS topic per severity with the stage's subscriptions, every alarm of
 * infra/alarms.ts (alarm and OK actions, so a recovery is announced too), and the stage's dashboard.
 */
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { alarmSpecs, renderExpression, RUNBOOK, type AlarmSpec, type MetricRef, type Severity } from '../alarms';
import type { StageConfig } from '../config/stages';
import { dashboardRows } from '../dashboard';
import type { Wiring } from '../wiring';

export interface OnCallProps {
  readonly config: StageConfig;
  readonly wiring: Wiring;
}

const COMPARISON: Record<AlarmSpec['comparison'], ComparisonOperator> = {
  GreaterThanThreshold: ComparisonOperator.GREATER_THAN_THRESHOLD,
  GreaterThanOrEqualToThreshold: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  LessThanThreshold: ComparisonOperator.LESS_THAN_THRESHOLD,
  LessThanOrEqualToThreshold: ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
};

const MISSING: Record<AlarmSpec['treatMissingData'], TreatMissingData> = {
  breaching: TreatMissingData.BREACHING,
  notBreaching: TreatMissingData.NOT_BREACHING,
  ignore: TreatMissingData.IGNORE,
  missing: TreatMissingData.MISSING,
};

export function cloudWatchMetric(ref: MetricRef, periodSeconds: number): Metric {
  return new Metric({ namespace: ref.namespace, metricName: ref.name, dimensionsMap: { ...ref.dimensions }, statistic: ref.statistic, period: Duration.seconds(periodSeconds) });
}

/** The alarm's metric: the single metric, or the math expression over its metrics. */
export function alarmMetric(spec: AlarmSpec): IMetric {
  const metrics = Object.fromEntries(Object.entries(spec.metrics).map(([id, ref]) => [id, cloudWatchMetric(ref, spec.periodSeconds)]));
  if (!spec.expression) {
    const only = Object.values(metrics);
    if (only.length !== 1) throw new Error(`Alarm ${spec.id}: several metrics need an expression`);
    return only[0];
  }
  return new MathExpression({ expression: renderExpression(spec.expression), usingMetrics: metrics, period: Duration.seconds(spec.periodSeconds), label: spec.id });
}

export class OnCall extends Construct {
  readonly topics: Readonly<Record<Severity, Topic>>;
  readonly alarms: Readonly<Record<string, Alarm>>;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OnCallProps) {
    super(scope, id);
    const { config, wiring: w } = props;

    // CloudWatch can publish to an encrypted topic only with a customer managed key it may use.
    const key = new Key(this, 'TopicKey', { description: `Encrypts the ${w.prefix} on-call topics`, enableKeyRotation: true });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');

    const topic = (severity: Severity): Topic => {
      const t = new Topic(this, `${severity === 'page' ? 'Page' : 'Ticket'}Topic`, {
        topicName: `${w.prefix}-${severity}`,
        displayName: `MONCRENEAU ${config.stage} ${severity}`,
        masterKey: key,
        enforceSSL: true,
      });
      for (const email of config.onCall[severity].emails) t.addSubscription(new EmailSubscription(email));
      for (const url of config.onCall[severity].httpsEndpoints) t.addSubscription(new UrlSubscription(url));
      return t;
    };
    this.topics = { page: topic('page'), ticket: topic('ticket') };

    if (config.onCall.slack) {
      new SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: `${w.prefix}-on-call`,
        slackWorkspaceId: config.onCall.slack.workspaceId,
        slackChannelId: config.onCall.slack.channelId,
        notificationTopics: [this.topics.page, this.topics.ticket],
      });
    }

    const alarms: Record<string, Alarm> = {};
    for (const spec of alarmSpecs(config)) {
      const alarm = new Alarm(this, spec.id, {
        alarmName: `${w.prefix}-${spec.id}`,
        alarmDescription: `[${spec.severity}] ${spec.description} Runbook: ${RUNBOOK}#${spec.runbook}`,
        metric: alarmMetric(spec),
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods,
        comparisonOperator: COMPARISON[spec.comparison],
        treatMissingData: MISSING[spec.treatMissingData],
      });
      const action = new SnsAction(this.topics[spec.severity]);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      alarms[spec.id] = alarm;
    }
    this.alarms = alarms;

    const dashboardName = `${w.prefix}-operations`;
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName, defaultInterval: Duration.hours(24) });
    this.dashboard.addWidgets(new TextWidget({ markdown: `# MONCRENEAU go-live kit — ${config.stage}\nAlarms page **${w.prefix}-page**; runbook: \`${RUNBOOK}\`.`, width: 24, height: 2 }));
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(alarms), width: 24, height: 4 }));
    for (const row of dashboardRows(config)) {
      this.dashboard.addWidgets(
        ...row.map(
          (graph) =>
            new GraphWidget({
              title: graph.title,
              width: 24 / row.length,
              height: 6,
              left: graph.series.map((s) =>
                s.expression
                  ? new MathExpression({
                      expression: renderExpression(s.expression),
                      usingMetrics: Object.fromEntries(Object.entries(s.metrics).map(([id, ref]) => [id, cloudWatchMetric(ref, graph.periodSeconds)])),
                      period: Duration.seconds(graph.periodSeconds),
                      label: s.label,
                    })
                  : cloudWatchMetric(Object.values(s.metrics)[0], graph.periodSeconds).with({ label: s.label }),
              ),
            }),
        ),
      );
    }
    const region = Stack.of(this).region;
    new CfnOutput(Stack.of(this), 'DashboardUrl', {
      description: 'The operations dashboard',
      value: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${dashboardName}`,
    });
    new CfnOutput(Stack.of(this), 'PageTopicArn', { description: 'SNS topic of paging alarms (npm run alarms -- test)', value: this.topics.page.topicArn });
    new CfnOutput(Stack.of(this), 'TicketTopicArn', { description: 'SNS topic of ticket alarms', value: this.topics.ticket.topicArn });
  }
}
