/**
 * Feature flags in DynamoDB (`flags` table, key `name`): `{name, enabled, reason, updatedAt, updatedBy}`.
 * A flag that does not exist is enabled, except one that spends money (`autoRecharge`): off until set.
 * Reads are cached briefly per instance (default 15 s), so a flip takes effect everywhere within that
 * time without a read per request.
 */
import { GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutboundSwitch } from '../commands/ports';
import { documentClient } from './aws-clients';

export const OUTBOUND_WRITES_FLAG = 'outboundWrites';
/** Automatic credit purchases spend money: off unless an operator turns the flag on. */
export const AUTO_RECHARGE_FLAG = 'autoRecharge';
const OFF_WHEN_UNSET: ReadonlySet<string> = new Set([AUTO_RECHARGE_FLAG]);
export const DEFAULT_FLAG_CACHE_MS = 15_000;

export interface FlagState {
  readonly name: string;
  readonly enabled: boolean;
  readonly reason?: string;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
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
    const enabled = item?.enabled === undefined ? !OFF_WHEN_UNSET.has(name) : item.enabled !== false;
    const state: FlagState = { name, enabled, ...(item?.reason ? { reason: item.reason } : {}), ...(item?.updatedAt ? { updatedAt: item.updatedAt } : {}) };
    this.cache.set(name, { state, at: now });
    return state;
  }

  async outboundWrites(): Promise<{ enabled: boolean; reason?: string }> {
    const { enabled, reason } = await this.get(OUTBOUND_WRITES_FLAG);
    return { enabled, reason };
  }

  async set(name: string, enabled: boolean, reason: string | undefined, updatedBy?: string): Promise<FlagState> {
    const state: FlagState = { name, enabled, updatedAt: new Date().toISOString(), ...(reason ? { reason } : {}), ...(updatedBy ? { updatedBy } : {}) };
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: state }));
    this.cache.delete(name);
    return state;
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
