/**
 * Every cdk-nag (AwsSolutions) finding we accept, with the reason, in one file for reviewers.
 *
 * cdk-nag 3 uses CDK's native `Validations.of(construct).acknowledge({ id, reason })` (the v2
 * `NagSuppressions` API is gone). An acknowledgement covers the construct and its children, so each
 * one is put on the single L1 resource that triggers the finding, never on the stack or an L2
 * parent. IAM5 findings are acknowledged one wildcard at a time (`IAM5[Resource::…]`).
 * The reasons end up in the template Metadata (`cdk_nag.rules_to_suppress`) and in docs/deploy.md.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { Method } from 'aws-cdk-lib/aws-apigateway';
import type { CfnTable, ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';
import type { WiredResources } from './constructs/function-bindings';
import type { TableBackups } from './constructs/table-backups';
import type { WebFirewall } from './constructs/web-firewall';
import { ALL_INDEXES, functionGrants } from './permissions';
import type { PublicApi, RouteSpec } from './constructs/public-api';
import type { ServiceFunction } from './constructs/service-function';
import type { FunctionSpec, TableKey, Wiring } from './wiring';

/** The reasons, by rule. Exported so tests and docs can show the same text. */
export const NAG_REASONS = {
  'AwsSolutions-APIG2':
    'Proxy routes only: the webhook body must reach the Lambda byte-for-byte for HMAC verification and the signature may come in either of two headers, so the Lambda validates (size, signature, JSON shape) and answers with a precise 4xx; an edge validator would reject before the signature check without a trace in the function logs.',
  'AwsSolutions-APIG3':
    'No WAF in this stage (the stage config has no `waf`; prod has one): the only public route is HMAC-verified, its own method throttle and the stage throttle cap the rate, and bodies above MAX_BODY_BYTES are refused; a web ACL costs a fixed monthly fee per stage.',
  'AwsSolutions-APIG6':
    'Execution logging needs the account-wide API Gateway CloudWatch role (AWS::ApiGateway::Account), a regional singleton this per-stage stack must not own (cdk.json disables it); JSON access logs, Lambda logs and X-Ray traces are on for every stage.',
  'AwsSolutions-APIG4':
    'Public webhook endpoint: MONCRENEAU authenticates with an HMAC-SHA256 signature of the raw body, which an API Gateway authorizer cannot see, so the receiver Lambda verifies it (constant time) and rejects with 401 before anything is enqueued.',
  'AwsSolutions-COG4.webhook':
    'Machine-to-machine webhook from MONCRENEAU: there are no Cognito users; authentication is the HMAC signature verified in the receiver Lambda.',
  'AwsSolutions-COG4.iam':
    'Called by the integrator\'s own services with SigV4 (AuthorizationType IAM), which is stronger than and replaces a Cognito user-pool authorizer for service-to-service calls.',
  'AwsSolutions-L1':
    'Runtime pinned to nodejs22.x on purpose: bundles target node22 and the tested toolchain is Node 22 compatible; moving to nodejs24.x is a deliberate upgrade with its own test run, not a silent bump.',
  'AwsSolutions-IAM5[Resource::*].xray':
    'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions, so Resource "*" is the only possible form (test/infra/stack.test.ts asserts no other action gets "*").',
  'AwsSolutions-IAM5[index]':
    'A wiring permission in the `read`/`readWrite` shorthand covers Query on "<table ARN>/index/*", the table\'s own global secondary indexes (declared in infra/wiring.ts); the wildcard is limited to this one table\'s indexes. Permissions that name their actions name the index instead.',
  'AwsSolutions-IAM4.backup':
    'AWS Backup\'s role for the table backups uses the AWS managed AWSBackupServiceRolePolicyForBackup, as AWS documents: it follows the DynamoDB backup mechanics (classic and advanced backups, their deletion at expiry) as AWS changes them, where an inline copy would silently stop backing up; only backup.amazonaws.com can assume the role and the plan selects only this stage\'s tables.',
} as const;

export interface RoutedMethod {
  readonly method: Method;
  readonly route: RouteSpec;
}

export interface NagTargets {
  readonly wiring: Wiring;
  readonly api: PublicApi;
  readonly routed: readonly RoutedMethod[];
  readonly functions: ReadonlyArray<{ readonly construct: ServiceFunction; readonly spec: FunctionSpec }>;
  readonly resources: WiredResources;
  readonly ownTables: Readonly<Record<TableKey, ITable>>;
  readonly firewall?: WebFirewall;
  readonly backups?: TableBackups;
}

export function acknowledgeNagFindings(t: NagTargets): void {
  ack(t.api.api, 'AwsSolutions-APIG2', NAG_REASONS['AwsSolutions-APIG2']);
  if (!t.firewall) ack(t.api.api.deploymentStage, 'AwsSolutions-APIG3', NAG_REASONS['AwsSolutions-APIG3']);
  if (t.backups) {
    const role = t.backups.selection.node.tryFindChild('Role');
    if (role) ack(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]', NAG_REASONS['AwsSolutions-IAM4.backup']);
  }
  ack(t.api.api.deploymentStage, 'AwsSolutions-APIG6', NAG_REASONS['AwsSolutions-APIG6']);

  for (const { method, route } of t.routed) {
    if (route.auth === 'none') {
      ack(method, 'AwsSolutions-APIG4', NAG_REASONS['AwsSolutions-APIG4']);
      ack(method, 'AwsSolutions-COG4', NAG_REASONS['AwsSolutions-COG4.webhook']);
    } else {
      ack(method, 'AwsSolutions-COG4', NAG_REASONS['AwsSolutions-COG4.iam']);
    }
  }

  for (const { construct, spec } of t.functions) {
    ack(construct.fn, 'AwsSolutions-L1', NAG_REASONS['AwsSolutions-L1']);
    const policy = construct.role.node.tryFindChild('DefaultPolicy');
    if (!policy) continue;
    ack(policy, 'AwsSolutions-IAM5[Resource::*]', NAG_REASONS['AwsSolutions-IAM5[Resource::*].xray']);
    for (const grant of functionGrants(spec, t.wiring)) {
      if (!('table' in grant.target) || grant.target.index !== ALL_INDEXES) continue;
      const cfnTable = t.ownTables[grant.target.table as TableKey].node.defaultChild as CfnTable | undefined;
      // An overridden (restored) table is named by its ARN, not a logical id: name its indexes in the wiring instead.
      if (!cfnTable || t.resources.tables[grant.target.table as TableKey] !== t.ownTables[grant.target.table as TableKey]) continue;
      const logicalId = Stack.of(cfnTable).getLogicalId(cfnTable);
      ack(policy, `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`, NAG_REASONS['AwsSolutions-IAM5[index]']);
    }
  }
}

/** Acknowledge on the L1 resource of `construct` (or on `construct` itself when it is one). */
function ack(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct.node.defaultChild ?? construct).acknowledge({ id, reason });
}
