/**
 * The exact IAM statements a function gets, as data (no CDK): one per wiring permission, plus what its
 * queue source needs (the Lambda service polls with the function's role). The stack renders these
 * (infra/constructs/function-bindings.ts) and test/infra/stack.test.ts compares the template with them.
 */
import type { FunctionSpec, Permission, QueueAction, SecretAction, TableAction, Wiring } from './wiring';

/** What the `access` shorthands grant. Item by item: no Scan, no DeleteItem in any of them. */
export const TABLE_ACCESS: Readonly<Record<'read' | 'readWrite' | 'updateItem', readonly TableAction[]>> = {
  read: ['GetItem', 'BatchGetItem', 'Query'],
  readWrite: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
  updateItem: ['UpdateItem'],
};
export const QUEUE_ACCESS: Readonly<Record<'send' | 'consume', readonly QueueAction[]>> = {
  send: ['SendMessage'],
  consume: ['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes', 'ChangeMessageVisibility'],
};
export const SECRET_ACCESS: Readonly<Record<'read', readonly SecretAction[]>> = { read: ['GetSecretValue'] };

/** What an SQS event source mapping needs from the function's role (AWS: ReceiveMessage, DeleteMessage, GetQueueAttributes). */
export const EVENT_SOURCE_POLL: readonly QueueAction[] = ['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'];

/** Where a statement applies: a table (or its index(es)), a queue, a secret — by wiring key. */
export type GrantTarget =
  | { readonly table: string; readonly index?: string }
  | { readonly queue: string }
  | { readonly secret: string };

export interface Grant {
  readonly target: GrantTarget;
  /** Full IAM action names, e.g. `dynamodb:GetItem`, sorted. */
  readonly actions: readonly string[];
}

/** A legacy `read`/`readWrite` table grant also covers Query on every index of the table (`<table>/index/*`). */
export const ALL_INDEXES = '*';

function uniqueSorted(service: string, actions: readonly string[]): string[] {
  return [...new Set(actions)].sort().map((a) => `${service}:${a}`);
}

export function grantsOf(permission: Permission, w: Wiring): Grant[] {
  if ('table' in permission) {
    if ('actions' in permission) {
      if (permission.index && !(w.tables[permission.table].globalIndexes ?? []).some((i) => i.indexName === permission.index)) {
        throw new Error(`Permission on ${permission.table}: no index "${permission.index}" in the wiring`);
      }
      return [{ target: { table: permission.table, index: permission.index }, actions: uniqueSorted('dynamodb', permission.actions) }];
    }
    const actions = TABLE_ACCESS[permission.access];
    const grants: Grant[] = [{ target: { table: permission.table }, actions: uniqueSorted('dynamodb', actions) }];
    if (actions.includes('Query') && w.tables[permission.table].globalIndexes?.length) {
      grants.push({ target: { table: permission.table, index: ALL_INDEXES }, actions: uniqueSorted('dynamodb', actions) });
    }
    return grants;
  }
  if ('queue' in permission) {
    const actions = 'actions' in permission ? permission.actions : QUEUE_ACCESS[permission.access];
    return [{ target: { queue: permission.queue }, actions: uniqueSorted('sqs', actions) }];
  }
  const actions = 'actions' in permission ? permission.actions : SECRET_ACCESS[permission.access];
  return [{ target: { secret: permission.secret }, actions: uniqueSorted('secretsmanager', actions) }];
}

/** Every data-plane statement of a function: its permissions and its queue source's polling, merged per target. */
export function functionGrants(spec: FunctionSpec, w: Wiring): Grant[] {
  const all = spec.permissions.flatMap((p) => grantsOf(p, w));
  if (spec.queueSource) all.push({ target: { queue: spec.queueSource.queue }, actions: uniqueSorted('sqs', EVENT_SOURCE_POLL) });
  const merged = new Map<string, Grant>();
  for (const grant of all) {
    const key = JSON.stringify(grant.target);
    const previous = merged.get(key);
    merged.set(key, previous ? { target: grant.target, actions: [...new Set([...previous.actions, ...grant.actions])].sort() } : grant);
  }
  return [...merged.values()];
}
