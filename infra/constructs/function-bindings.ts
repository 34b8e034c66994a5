/**
 * Turns a function's wiring `environment` and `permissions` into CDK: environment values become
 * resource tokens, permissions become statements naming exactly the actions the wiring lists.
 * Kept apart from the function construct so both can be read (and tested) on their own.
 */
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { functionGrants, type GrantTarget } from '../permissions';
import type { EnvValue, FunctionSpec, QueueKey, SecretKey, TableKey, Wiring } from '../wiring';

/** The built resources, by wiring key. */
export interface WiredResources {
  readonly tables: Readonly<Record<TableKey, ITable>>;
  readonly queues: Readonly<Record<QueueKey, IQueue>>;
  readonly secrets: Readonly<Record<SecretKey, ISecret>>;
}

export function resolveEnvValue(value: EnvValue, resources: WiredResources): string {
  if ('tableName' in value) return resources.tables[value.tableName].tableName;
  if ('queueUrl' in value) return resources.queues[value.queueUrl].queueUrl;
  if ('secretArn' in value) return resources.secrets[value.secretArn].secretArn;
  return value.value;
}

export function resolveEnvironment(
  environment: Readonly<Record<string, EnvValue>>,
  resources: WiredResources,
): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, resolveEnvValue(value, resources)]));
}

/** The table, queue or secret ARN a grant names (an index grant: `<table ARN>/index/<name>`). */
export function grantResourceArn(target: GrantTarget, resources: WiredResources): string {
  if ('table' in target) {
    const arn = resources.tables[target.table as TableKey].tableArn;
    return target.index ? `${arn}/index/${target.index}` : arn;
  }
  if ('queue' in target) return resources.queues[target.queue as QueueKey].queueArn;
  return resources.secrets[target.secret as SecretKey].secretArn;
}

/**
 * Least privilege: one statement per target with exactly the actions the wiring names (infra/permissions.ts),
 * instead of the CDK `grant*` sets (which add Scan, DeleteItem, ChangeMessageVisibility, DescribeSecret …).
 */
export function grantFunction(fn: IFunction, spec: FunctionSpec, w: Wiring, resources: WiredResources): void {
  for (const grant of functionGrants(spec, w)) {
    fn.addToRolePolicy(new PolicyStatement({ actions: [...grant.actions], resources: [grantResourceArn(grant.target, resources)] }));
  }
}
