/**
 * Turns a function's wiring `environment` and `permissions` into CDK: environment values become
 * resource tokens, permissions become the narrowest `grant*` call for the access asked for.
 * Kept apart from the function construct so both can be read (and tested) on their own.
 */
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { EnvValue, Permission, QueueKey, SecretKey, TableKey } from '../wiring';

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

/** Least privilege: each access level maps to the smallest grant that covers it. */
export function grantPermission(fn: IFunction, permission: Permission, resources: WiredResources): void {
  if ('table' in permission) {
    const table = resources.tables[permission.table];
    if (permission.access === 'read') table.grantReadData(fn);
    else if (permission.access === 'updateItem') table.grant(fn, 'dynamodb:UpdateItem');
    else table.grantReadWriteData(fn);
    return;
  }
  if ('queue' in permission) {
    const queue = resources.queues[permission.queue];
    if (permission.access === 'send') queue.grantSendMessages(fn);
    else queue.grantConsumeMessages(fn);
    return;
  }
  const secret = resources.secrets[permission.secret];
  if (permission.access === 'read') secret.grantRead(fn);
  // The rotation function: exactly the four-step protocol's actions, on this secret only.
  else if (permission.access === 'rotate') grantOn(fn, secret, ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage']);
  // The health monitor: version dates only (the age of the value in use), never the value.
  else grantOn(fn, secret, ['secretsmanager:ListSecretVersionIds']);
}

/** Exactly `actions` on this one secret (its full ARN: the secrets are this stack's own). */
function grantOn(fn: IFunction, secret: ISecret, actions: string[]): void {
  Grant.addToPrincipal({ grantee: fn, actions, resourceArns: [secret.secretFullArn ?? secret.secretArn] });
}
