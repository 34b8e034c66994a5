/**
 * A function's `live` alias and how a new version reaches it: every deploy publishes a version, and a
 * CodeDeploy deployment group shifts the alias to it (canary, linear or all at once, from the stage
 * config), rolling back automatically while any of its alarms is in ALARM: the errors of the new
 * version itself (ExecutedVersion dimension) and the on-call alarms that guard the function
 * (`guards` in infra/alarms.ts). API Gateway, the SQS event sources and the schedules invoke the alias,
 * so `npm run rollback` (moving the alias back) takes effect on the next invocation.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  LambdaDeploymentConfig,
  LambdaDeploymentGroup,
  TrafficRouting,
  type ILambdaApplication,
  type ILambdaDeploymentConfig,
} from 'aws-cdk-lib/aws-codedeploy';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { TrafficShift } from '../config/stages';

export { LIVE_ALIAS_NAME as LIVE_ALIAS } from '../release';
import { LIVE_ALIAS_NAME as LIVE_ALIAS } from '../release';
/** CodeDeploy refuses more alarms per deployment group. */
export const MAX_DEPLOYMENT_ALARMS = 10;

export interface LiveAliasProps {
  readonly fn: LambdaFunction;
  /** Physical function name, e.g. moncreneau-prod-webhook-receiver (also the deployment group's name). */
  readonly functionName: string;
  readonly deploymentGroupName: string;
  /** Alarm name of the new version's errors, e.g. moncreneau-prod-DeploymentErrors-webhook-receiver. */
  readonly errorsAlarmName: string;
  readonly runbook: string;
  readonly application: ILambdaApplication;
  readonly trafficShift: ILambdaDeploymentConfig;
  /** On-call alarms that roll this function's deployment back. */
  readonly guardAlarms: readonly IAlarm[];
  /** Where the new-version alarm notifies (alarm and OK). */
  readonly topic: ITopic;
}

export class LiveAlias extends Construct {
  readonly alias: Alias;
  readonly deploymentGroup: LambdaDeploymentGroup;
  readonly newVersionErrors: Alarm;

  constructor(scope: Construct, id: string, props: LiveAliasProps) {
    super(scope, id);
    const version = props.fn.currentVersion;
    this.alias = new Alias(this, 'Alias', { aliasName: LIVE_ALIAS, version, description: `Invoked by API Gateway, SQS and schedules; moved by CodeDeploy and npm run rollback` });

    // Scoped to the version being deployed: errors of the old version (still taking traffic during a
    // canary) neither roll the new one back nor hide behind it.
    this.newVersionErrors = new Alarm(this, 'NewVersionErrors', {
      alarmName: props.errorsAlarmName,
      alarmDescription: `[ticket] The newest version of ${props.functionName} failed invocations: its deployment rolls back. Runbook: ${props.runbook}`,
      metric: new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensionsMap: { FunctionName: props.functionName, Resource: `${props.functionName}:${LIVE_ALIAS}`, ExecutedVersion: version.version },
        statistic: 'Sum',
        period: Duration.minutes(1),
      }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(props.topic);
    this.newVersionErrors.addAlarmAction(action);
    this.newVersionErrors.addOkAction(action);

    const alarms = [this.newVersionErrors, ...props.guardAlarms];
    if (alarms.length > MAX_DEPLOYMENT_ALARMS) {
      throw new Error(`${props.functionName}: ${alarms.length} rollback alarms, CodeDeploy takes at most ${MAX_DEPLOYMENT_ALARMS}`);
    }

    // Our own role instead of CDK's (which attaches the AWS managed AWSCodeDeployRoleForLambdaLimited, on
    // every function and alarm of the account): CodeDeploy may read and move this alias and read these alarms.
    const role = new Role(this, 'DeployRole', {
      assumedBy: new ServicePrincipal('codedeploy.amazonaws.com'),
      description: `CodeDeploy moves the ${LIVE_ALIAS} alias of ${props.functionName}`,
      inlinePolicies: {
        deploy: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
              // The alias ARN spelled out: referencing the alias resource would make it depend on this role,
              // which its deployment group (hence the alias's update policy) already depends on — a cycle.
              resources: [props.fn.functionArn, `${props.fn.functionArn}:${LIVE_ALIAS}`],
            }),
            new PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarms.map((a) => a.alarmArn) }),
          ],
        }),
      },
    });

    this.deploymentGroup = new LambdaDeploymentGroup(this, 'Deployment', {
      application: props.application,
      deploymentGroupName: props.deploymentGroupName,
      alias: this.alias,
      deploymentConfig: props.trafficShift,
      alarms,
      // Immutable: CDK may not attach its managed policy to it.
      role: Role.fromRoleArn(this, 'DeployRoleRef', role.roleArn, { mutable: false }),
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
      ignorePollAlarmsFailure: false,
    });
  }
}

const PREDEFINED: Readonly<Record<string, ILambdaDeploymentConfig>> = {
  'canary-10-5': LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  'canary-10-10': LambdaDeploymentConfig.CANARY_10PERCENT_10MINUTES,
  'canary-10-15': LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES,
  'canary-10-30': LambdaDeploymentConfig.CANARY_10PERCENT_30MINUTES,
  'linear-10-1': LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
  'linear-10-2': LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_2MINUTES,
  'linear-10-3': LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
  'linear-10-10': LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_10MINUTES,
};

/** The stage's traffic shift: a CodeDeploy predefined configuration when one matches, else our own. */
export function trafficShiftConfig(scope: Construct, shift: TrafficShift): ILambdaDeploymentConfig {
  if (shift.strategy === 'allAtOnce') return LambdaDeploymentConfig.ALL_AT_ONCE;
  const predefined = PREDEFINED[`${shift.strategy}-${shift.percent}-${shift.intervalMinutes}`];
  if (predefined) return predefined;
  const options = { interval: Duration.minutes(shift.intervalMinutes), percentage: shift.percent };
  return new LambdaDeploymentConfig(scope, 'TrafficShift', {
    trafficRouting: shift.strategy === 'canary' ? TrafficRouting.timeBasedCanary(options) : TrafficRouting.timeBasedLinear(options),
  });
}
