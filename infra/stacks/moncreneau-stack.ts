/**
 * The whole MONCRENEAU go-live kit for one stage, built by interpreting infra/wiring.ts.
 * Nothing in here names a specific table, queue, secret or function: add an entry to the wiring
 * and it appears here (and in the outputs) on the next synth.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { LambdaApplication } from 'aws-cdk-lib/aws-codedeploy';
import { Table, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnRotationSchedule, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stages';
import { DataTable } from '../constructs/data-table';
import { alarmSpecs, deploymentAlarmId, RUNBOOK } from '../alarms';
import { grantFunction, resolveEnvironment, type WiredResources } from '../constructs/function-bindings';
import { LIVE_ALIAS, LiveAlias, trafficShiftConfig } from '../constructs/live-alias';
import { OnCall } from '../constructs/on-call';
import { OperatorSecret } from '../constructs/operator-secret';
import { deploymentApplicationName, deploymentGroupName } from '../release';
import { PublicApi } from '../constructs/public-api';
import { ServiceFunction } from '../constructs/service-function';
import { TableBackups } from '../constructs/table-backups';
import { WebFirewall } from '../constructs/web-firewall';
import { WorkQueue } from '../constructs/work-queue';
import { acknowledgeNagFindings, type RoutedMethod } from '../nag-suppressions';
import {
  commonEnvironment,
  physicalName,
  queueOrder,
  wiring,
  type FunctionKey,
  type FunctionSpec,
  type QueueKey,
  type SecretKey,
  type TableKey,
  type Wiring,
} from '../wiring';
import { keysOf, logRetention, pascal } from './stage-policies';

export interface MoncreneauStackProps extends StackProps {
  readonly config: StageConfig;
}

export class MoncreneauStack extends Stack {
  readonly resources: WiredResources;
  /** The stack's own tables (a table the stage overrides is still built and kept: docs/restore.md). */
  readonly ownTables: Readonly<Record<TableKey, ITable>>;
  readonly functions: Readonly<Record<FunctionKey, ServiceFunction>>;
  readonly aliases: Readonly<Record<FunctionKey, LiveAlias>>;
  readonly api: PublicApi;
  readonly onCall: OnCall;
  readonly firewall?: WebFirewall;
  readonly backups?: TableBackups;

  constructor(scope: Construct, id: string, props: MoncreneauStackProps) {
    super(scope, id, props);
    const { config } = props;
    const w = wiring(config);

    this.ownTables = this.buildTables(w, config);
    this.resources = {
      tables: this.tablesInUse(w),
      queues: this.buildQueues(w, config),
      secrets: this.buildSecrets(w, config),
    };
    this.onCall = new OnCall(this, 'OnCall', { config, wiring: w });

    const routes = keysOf(w.functions).flatMap((key) => w.functions[key].routes ?? []);
    this.api = new PublicApi(this, 'PublicApi', {
      restApiName: w.prefix,
      description: `MONCRENEAU go-live kit API (${config.stage})`,
      stageName: config.stage,
      throttleRateLimit: config.api.throttleRateLimit,
      throttleBurstLimit: config.api.throttleBurstLimit,
      logRetention: logRetention(config),
      retainLogs: config.retainData,
      routes,
      routeThrottle: config.api.routeThrottle,
      iamCallers: config.api.iamCallers,
    });

    const application = new LambdaApplication(this, 'Deployments', { applicationName: deploymentApplicationName(w) });
    const trafficShift = trafficShiftConfig(this, config.deployment);
    const specs = alarmSpecs(config);

    const functions = {} as Record<FunctionKey, ServiceFunction>;
    const aliases = {} as Record<FunctionKey, LiveAlias>;
    const routed: RoutedMethod[] = [];
    const nagFunctions: Array<{ construct: ServiceFunction; spec: FunctionSpec }> = [];
    for (const key of keysOf(w.functions)) {
      const spec = w.functions[key];
      const functionName = physicalName(w, spec.folder);
      const fn = new ServiceFunction(this, `${pascal(key)}Function`, {
        spec,
        functionName,
        environment: { ...commonEnvironment(config, key), ...resolveEnvironment(spec.environment, this.resources) },
        logRetention: logRetention(config),
        retainLogs: config.retainData,
      });
      grantFunction(fn.fn, spec, w, this.resources);

      // Every invoker goes through the alias: a rollback (moving it) is all it takes.
      const live = new LiveAlias(this, `${pascal(key)}Live`, {
        fn: fn.fn,
        functionName,
        deploymentGroupName: deploymentGroupName(w, key),
        errorsAlarmName: `${w.prefix}-${deploymentAlarmId(spec.folder)}`,
        runbook: `${RUNBOOK}#deploymenterrors`,
        application,
        trafficShift,
        guardAlarms: specs.filter((a) => a.guards?.includes(key)).map((a) => this.onCall.alarms[a.id]),
        topic: this.onCall.topics.ticket,
      });
      const target = live.alias;

      if (spec.queueSource) {
        const source = spec.queueSource;
        // Not SqsEventSource: it would also grant the CDK consume set; the polling actions come from the wiring.
        target.addEventSourceMapping('QueueSource', {
          eventSourceArn: this.resources.queues[source.queue].queueArn,
          batchSize: source.batchSize,
          maxBatchingWindow: source.maxBatchingWindowSeconds > 0 ? Duration.seconds(source.maxBatchingWindowSeconds) : undefined,
          // Caps how hard a backlog can hit DynamoDB and MONCRENEAU; SQS keeps the rest waiting.
          maxConcurrency: source.maxConcurrency,
          // One bad message must not make the whole batch (and its good messages) retry.
          reportBatchItemFailures: source.reportBatchItemFailures,
        });
      }

      if (spec.schedule) {
        new Rule(this, `${pascal(key)}Schedule`, {
          description: `Runs ${functionName}:${LIVE_ALIAS} every ${spec.schedule.everyMinutes} minutes`,
          schedule: Schedule.rate(Duration.minutes(spec.schedule.everyMinutes)),
          // A missed run is not retried: the next one comes within minutes and reads fresh state.
          targets: [new LambdaFunction(target, { retryAttempts: 0 })],
        });
      }

      (spec.routes ?? []).forEach((route, i) => {
        const method = this.api.addRoute(route, target);
        routed.push({ method, route });
        new CfnOutput(this, `${pascal(key)}Url${i === 0 ? '' : i + 1}`, {
          description: `${route.method} ${route.path} (${route.auth === 'iam' ? 'IAM/SigV4' : 'public, HMAC-verified'})`,
          value: this.api.api.urlForPath(route.path),
        });
      });
      functions[key] = fn;
      aliases[key] = live;
      nagFunctions.push({ construct: fn, spec });
    }
    this.functions = functions;
    this.aliases = aliases;

    if (config.waf) {
      this.firewall = new WebFirewall(this, 'Firewall', {
        name: w.prefix,
        stageArn: this.api.api.deploymentStage.stageArn,
        stageName: config.stage,
        routes,
        requestsPerIpPer5Minutes: config.waf.requestsPerIpPer5Minutes,
      });
    }
    if (config.backup) {
      const tables = [...new Set([...Object.values(this.ownTables), ...Object.values(this.resources.tables)])];
      this.backups = new TableBackups(this, 'Backups', { name: w.prefix, tables, retentionDays: config.backup.retentionDays });
    }
    this.addRotationSchedules(w);

    this.addOutputs(w, config);
    new CfnOutput(this, 'DeploymentApplication', { description: 'CodeDeploy application (one deployment group per function; npm run rollback)', value: application.applicationName });
    acknowledgeNagFindings({ wiring: w, api: this.api, routed, functions: nagFunctions, resources: this.resources, ownTables: this.ownTables, firewall: this.firewall, backups: this.backups });
  }

  private buildTables(w: Wiring, config: StageConfig): Record<TableKey, ITable> {
    const tables = {} as Record<TableKey, ITable>;
    for (const key of keysOf(w.tables)) {
      const spec = w.tables[key];
      tables[key] = new DataTable(this, `${pascal(key)}Table`, {
        spec,
        tableName: physicalName(w, spec.name),
        retainData: config.retainData,
      }).table;
    }
    return tables;
  }

  /** The tables the functions use: the stack's own, or the stage's override (a restored table, not managed here). */
  private tablesInUse(w: Wiring): Record<TableKey, ITable> {
    const tables = { ...this.ownTables } as Record<TableKey, ITable>;
    for (const key of keysOf(w.tables)) {
      const override = w.tables[key].override;
      if (override) tables[key] = Table.fromTableAttributes(this, `${pascal(key)}TableInUse`, { tableName: override, grantIndexPermissions: true });
    }
    return tables;
  }

  /** Dead-letter queues are built before the queues that redrive into them, whatever the wiring order. */
  private buildQueues(w: Wiring, config: StageConfig): Record<QueueKey, IQueue> {
    const queues = {} as Record<QueueKey, IQueue>;
    for (const key of queueOrder(w)) {
      const spec = w.queues[key];
      queues[key] = new WorkQueue(this, `${pascal(key)}Queue`, {
        spec,
        queueName: physicalName(w, spec.name),
        deadLetterQueue: spec.deadLetter ? queues[spec.deadLetter.queue] : undefined,
        retainData: config.retainData,
      }).queue;
    }
    return queues;
  }

  private buildSecrets(w: Wiring, config: StageConfig): Record<SecretKey, ISecret> {
    const secrets = {} as Record<SecretKey, ISecret>;
    for (const key of keysOf(w.secrets)) {
      const spec = w.secrets[key];
      secrets[key] = new OperatorSecret(this, `${pascal(key)}`, {
        spec,
        secretName: physicalName(w, spec.name),
        retainData: config.retainData,
      }).secret;
    }
    return secrets;
  }

  /**
   * Secrets Manager invokes each secret's rotation function on its schedule. The L1 resource, not
   * `secret.addRotationSchedule`: the L2 also grants the function GetRandomPassword on "*" (nothing is
   * generated here: MONCRENEAU issues the values). Secrets Manager may invoke the function for this
   * secret only (SourceArn), and a deploy never starts a rotation by itself (nothing may be staged).
   */
  private addRotationSchedules(w: Wiring): void {
    for (const key of keysOf(w.secrets)) {
      const { rotation } = w.secrets[key];
      const secret = this.resources.secrets[key];
      // Secrets Manager invokes the `live` alias, like every other invoker (a rollback moves it).
      const fn = this.aliases[rotation.function].alias;
      fn.addPermission(`${pascal(key)}RotationInvoke`, {
        principal: new ServicePrincipal('secretsmanager.amazonaws.com'),
        sourceArn: secret.secretArn,
        sourceAccount: this.account,
      });
      const permission = fn.node.findChild(`${pascal(key)}RotationInvoke`);
      const schedule = new CfnRotationSchedule(this, `${pascal(key)}Rotation`, {
        secretId: secret.secretArn,
        rotationLambdaArn: fn.functionArn,
        rotationRules: { scheduleExpression: `rate(${rotation.everyDays} days)` },
        rotateImmediatelyOnUpdate: false,
      });
      schedule.node.addDependency(permission);
    }
  }

  private addOutputs(w: Wiring, config: StageConfig): void {
    new CfnOutput(this, 'Stage', { value: config.stage });
    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the REST API stage', value: this.api.api.url });
    for (const key of keysOf(w.queues)) {
      new CfnOutput(this, `${pascal(key)}QueueUrl`, { value: this.resources.queues[key].queueUrl });
    }
    for (const key of keysOf(w.tables)) {
      new CfnOutput(this, `${pascal(key)}TableName`, { value: this.resources.tables[key].tableName });
    }
    for (const key of keysOf(w.secrets)) {
      new CfnOutput(this, `${pascal(key)}Arn`, {
        description: 'Set its value after the first deploy (docs/deploy.md)',
        value: this.resources.secrets[key].secretArn,
      });
    }
  }
}
