/**
 * The whole MONCRENEAU go-live kit for one stage, built by interpreting infra/wiring.ts.
 * Nothing in here names a specific table, queue, secret or function: add an entry to the wiring
 * and it appears here (and in the outputs) on the next synth.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnRotationSchedule, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stages';
import { DataTable } from '../constructs/data-table';
import { grantPermission, resolveEnvironment, type WiredResources } from '../constructs/function-bindings';
import { OnCall } from '../constructs/on-call';
import { OperatorSecret } from '../constructs/operator-secret';
import { PublicApi } from '../constructs/public-api';
import { ServiceFunction } from '../constructs/service-function';
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
  readonly functions: Readonly<Record<FunctionKey, ServiceFunction>>;
  readonly api: PublicApi;
  readonly onCall: OnCall;

  constructor(scope: Construct, id: string, props: MoncreneauStackProps) {
    super(scope, id, props);
    const { config } = props;
    const w = wiring(config);

    this.resources = {
      tables: this.buildTables(w, config),
      queues: this.buildQueues(w, config),
      secrets: this.buildSecrets(w, config),
    };

    this.api = new PublicApi(this, 'PublicApi', {
      restApiName: w.prefix,
      description: `MONCRENEAU go-live kit API (${config.stage})`,
      stageName: config.stage,
      throttleRateLimit: config.api.throttleRateLimit,
      throttleBurstLimit: config.api.throttleBurstLimit,
      logRetention: logRetention(config),
      retainLogs: config.retainData,
    });

    const functions = {} as Record<FunctionKey, ServiceFunction>;
    const routed: RoutedMethod[] = [];
    const nagFunctions: Array<{ construct: ServiceFunction; spec: FunctionSpec }> = [];
    for (const key of keysOf(w.functions)) {
      const spec = w.functions[key];
      const fn = new ServiceFunction(this, `${pascal(key)}Function`, {
        spec,
        functionName: physicalName(w, spec.folder),
        environment: { ...commonEnvironment(config, key), ...resolveEnvironment(spec.environment, this.resources) },
        logRetention: logRetention(config),
        retainLogs: config.retainData,
      });
      for (const permission of spec.permissions) grantPermission(fn.fn, permission, this.resources);

      if (spec.queueSource) {
        const source = spec.queueSource;
        fn.fn.addEventSource(
          new SqsEventSource(this.resources.queues[source.queue], {
            batchSize: source.batchSize,
            maxBatchingWindow: source.maxBatchingWindowSeconds > 0 ? Duration.seconds(source.maxBatchingWindowSeconds) : undefined,
            // Caps how hard a backlog can hit DynamoDB and MONCRENEAU; SQS keeps the rest waiting.
            maxConcurrency: source.maxConcurrency,
            // One bad message must not make the whole batch (and its good messages) retry.
            reportBatchItemFailures: source.reportBatchItemFailures,
          }),
        );
      }

      if (spec.schedule) {
        new Rule(this, `${pascal(key)}Schedule`, {
          description: `Runs ${physicalName(w, spec.folder)} every ${spec.schedule.everyMinutes} minutes`,
          schedule: Schedule.rate(Duration.minutes(spec.schedule.everyMinutes)),
          // A missed run is not retried: the next one comes within minutes and reads fresh state.
          targets: [new LambdaFunction(fn.fn, { retryAttempts: 0 })],
        });
      }

      (spec.routes ?? []).forEach((route, i) => {
        const method = this.api.addRoute(route, fn.fn);
        routed.push({ method, route });
        new CfnOutput(this, `${pascal(key)}Url${i === 0 ? '' : i + 1}`, {
          description: `${route.method} ${route.path} (${route.auth === 'iam' ? 'IAM/SigV4' : 'public, HMAC-verified'})`,
          value: this.api.api.urlForPath(route.path),
        });
      });
      functions[key] = fn;
      nagFunctions.push({ construct: fn, spec });
    }
    this.functions = functions;
    this.addRotationSchedules(w);
    this.onCall = new OnCall(this, 'OnCall', { config, wiring: w });

    this.addOutputs(w, config);
    acknowledgeNagFindings({ wiring: w, api: this.api, routed, functions: nagFunctions, resources: this.resources });
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
      const fn = this.functions[rotation.function].fn;
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
