/** Small read-only queries over a synthesized template, shared by the infra tests. */
import type { Template } from 'aws-cdk-lib/assertions';
import { physicalName, wiring, type FunctionKey } from '../../infra/wiring';
import type { SynthesizedStage } from './synth-stage';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

export function resourcesOf(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

/** Logical id of the single resource of `type` whose property `key` equals `value`. */
export function logicalIdWhere(template: Template, type: string, key: string, value: unknown): string {
  const ids = Object.entries(resourcesOf(template, type))
    .filter(([, r]) => JSON.stringify(r.Properties?.[key]) === JSON.stringify(value))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`Expected one ${type} with ${key}=${JSON.stringify(value)}, found ${ids.length}`);
  return ids[0];
}

/** `/a/b` for an AWS::ApiGateway::Resource, rebuilt from its ParentId chain. */
export function apiResourcePath(template: Template, resourceId: unknown): string {
  const resources = resourcesOf(template, 'AWS::ApiGateway::Resource');
  const parts: string[] = [];
  let ref = resourceId as { Ref?: string } | undefined;
  while (ref?.Ref && resources[ref.Ref]) {
    const props = resources[ref.Ref].Properties ?? {};
    parts.unshift(String(props.PathPart));
    ref = props.ParentId as { Ref?: string } | undefined;
  }
  return `/${parts.join('/')}`;
}

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** All Allow statements of the inline policies attached to `roleLogicalId`. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties?.Roles).includes(`"${roleLogicalId}"`))
    .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => s.Effect === 'Allow');
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Logical ids of a function (found by its physical name), of its execution role and of its `live` alias. */
export function functionIds(s: SynthesizedStage, key: FunctionKey): { fnId: string; roleId: string; aliasId: string } {
  const w = wiring(s.config);
  const fnId = logicalIdWhere(s.template, 'AWS::Lambda::Function', 'FunctionName', physicalName(w, w.functions[key].folder));
  const role = resourcesOf(s.template, 'AWS::Lambda::Function')[fnId].Properties?.Role as { 'Fn::GetAtt': [string, string] };
  return { fnId, roleId: role['Fn::GetAtt'][0], aliasId: logicalIdWhere(s.template, 'AWS::Lambda::Alias', 'FunctionName', { Ref: fnId }) };
}
