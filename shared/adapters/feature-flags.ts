/**
 * Feature flags in DynamoDB (`flags` table, key `name`): `{name, enabled, reason, updatedAt, updatedBy,
 * history}`. A flag that was never set has its registered default (shared/config/flags.ts). Reads are
 * cached briefly per instance (default 15 s), so a flip takes effect everywhere within that time without
 * a read per request. Every change appends `{enabled, reason, at, by}` to the item's `history`.
 */
import { GetCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutboundSwitch } from '../commands/ports';
import { FLAGS, isFlagName, type FlagName } from '../config/flags';
import { documentClient } from './aws-clients';

export const OUTBOUND_WRITES_FLAG: FlagName = 'outboundWrites';
/** Automatic credit purchases spend money: off until an operator turns it on (its registered default). */
export const AUTO_RECHARGE_FLAG: FlagName = 'autoRecharge';
export const DEFAULT_FLAG_CACHE_MS = 15_000;

export interface FlagChange {
  readonly enabled: boolean;
  readonly reason?: string;
  readonly at: string;
  readonly by?: string;
}

export interface FlagState {
  readonly name: string;
  readonly enabled: boolean;
  readonly reason?: string;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
  readonly history?: readonly FlagChange[];
}

/** What an unset flag means: its registered default; an unknown name is enabled (as before the registry). */
export function defaultOf(name: string): boolean {
  return isFlagName(name) ? FLAGS[name].default : true;
}

export class FeatureFlags implements OutboundSwitch {
  private readonly cache = new Map<string, { state: FlagState; at: number }>();

  constructor(
    private readonly tableName: string,
    private readonly options: { cacheMs?: number; db?: DynamoDBDocumentClient; now?: () => number } = {},
  ) {}

  private get db(): DynamoDBDocumentClient {
    return (this.options.db ??= documentClient());
  }

  async get(name: string): Promise<FlagState> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.cache.get(name);
    if (hit && now - hit.at < (this.options.cacheMs ?? DEFAULT_FLAG_CACHE_MS)) return hit.state;
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { name } }));
    const item = out.Item as Partial<FlagState> | undefined;
    const enabled = typeof item?.enabled === 'boolean' ? item.enabled : defaultOf(name);
    const state: FlagState = { name, enabled, ...(item?.reason ? { reason: item.reason } : {}), ...(item?.updatedAt ? { updatedAt: item.updatedAt } : {}) };
    this.cache.set(name, { state, at: now });
    return state;
  }

  async enabled(name: string): Promise<boolean> {
    return (await this.get(name)).enabled;
  }

  async outboundWrites(): Promise<{ enabled: boolean; reason?: string }> {
    const { enabled, reason } = await this.get(OUTBOUND_WRITES_FLAG);
    return { enabled, reason };
  }

  async set(name: string, enabled: boolean, reason: string | undefined, updatedBy?: string): Promise<FlagState> {
    const at = new Date((this.options.now ?? Date.now)()).toISOString();
    const change: FlagChange = { enabled, at, ...(reason ? { reason } : {}), ...(updatedBy ? { by: updatedBy } : {}) };
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { name },
        UpdateExpression: `SET enabled = :enabled, updatedAt = :at, #history = list_append(if_not_exists(#history, :empty), :change)${reason ? ', reason = :reason' : ''}${updatedBy ? ', updatedBy = :by' : ''}${reason ? '' : ' REMOVE reason'}`,
        ExpressionAttributeNames: { '#history': 'history' },
        ExpressionAttributeValues: { ':enabled': enabled, ':at': at, ':empty': [], ':change': [change], ...(reason ? { ':reason': reason } : {}), ...(updatedBy ? { ':by': updatedBy } : {}) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    this.cache.delete(name);
    return out.Attributes as FlagState;
  }

  async list(): Promise<FlagState[]> {
    const items: FlagState[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: start, ConsistentRead: true }));
      items.push(...((out.Items ?? []) as FlagState[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => a.name.localeCompare(b.name));
  }
}
