/**
 * Commands and idempotency keys in one DynamoDB table (`pk`, TTL `expiresAt`):
 *   `cmd#<commandId>`  the command record (status, attempts, result/error, lease)
 *   `idem#<key>`       which command an Idempotency-Key created, a fingerprint of its request and when
 *                      that command expires (`commandExpiresAt`); its own TTL is later (see accept.ts)
 * Every status change is one conditional UpdateItem, so two deliveries of the same message cannot
 * both run it (the RUNNING lease) and a finished command is never reopened (except by a DLQ replay
 * whose failure count matches).
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CommandStore, IdempotencyRecord, StartRunOutcome } from '../commands/ports';
import { isTerminal, type CommandError, type CommandRecord, type CommandResult } from '../commands/types';
import { documentClient } from './aws-clients';
import { isConditionFailure } from './dynamo-errors';

const commandKey = (commandId: string) => ({ pk: `cmd#${commandId}` });
const idempotencyKey = (key: string) => ({ pk: `idem#${key}` });


/** Only the fields a status change touches, with placeholder names (status, result, error are reserved words). */
const NAMES = { '#status': 'status', '#result': 'result', '#error': 'error' } as const;

export class CommandsTable implements CommandStore {
  private readonly db: DynamoDBDocumentClient;
  private readonly now: () => Date;

  constructor(
    private readonly tableName: string,
    options: { db?: DynamoDBDocumentClient; now?: () => Date } = {},
  ) {
    this.db = options.db ?? documentClient();
    this.now = options.now ?? (() => new Date());
  }

  async get(commandId: string): Promise<CommandRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: commandKey(commandId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, ...command } = out.Item;
    return command as CommandRecord;
  }

  async create(command: CommandRecord): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...commandKey(command.commandId), ...command }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markEnqueued(commandId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: commandKey(commandId),
        UpdateExpression: 'SET enqueuedAt = if_not_exists(enqueuedAt, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': this.now().toISOString() },
      }),
    );
  }

  async claimIdempotencyKey(record: IdempotencyRecord, expiresAt: number): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...idempotencyKey(record.key), ...record, createdAt: this.now().toISOString(), expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.getIdempotencyKey(record.key);
    if (!existing) throw new Error('Idempotency key vanished right after a conflicting claim; retry the request');
    return { claimed: false, existing };
  }

  async getIdempotencyKey(key: string): Promise<IdempotencyRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: idempotencyKey(key), ConsistentRead: true }));
    const item = out.Item as (Omit<IdempotencyRecord, 'commandExpiresAt'> & { pk: string; expiresAt: number; commandExpiresAt?: number }) | undefined;
    if (!item) return undefined;
    // Keys stored before `commandExpiresAt` existed had their command's TTL as their own.
    return { key: item.key, commandId: item.commandId, fingerprint: item.fingerprint, commandExpiresAt: Number(item.commandExpiresAt ?? item.expiresAt) };
  }

  async startRun(commandId: string, options: { leaseUntil: number; rerunFailure?: number }): Promise<StartRunOutcome> {
    const now = this.now();
    const rerun = options.rerunFailure !== undefined;
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: commandKey(commandId),
          UpdateExpression:
            'SET #status = :running, attempts = if_not_exists(attempts, :zero) + :one, leaseUntil = :lease, startedAt = if_not_exists(startedAt, :now), updatedAt = :now ' +
            (rerun ? 'REMOVE pausedReason, #error, completedAt' : 'REMOVE pausedReason'),
          ConditionExpression:
            'attribute_exists(pk) AND (#status IN (:queued, :retrying, :paused) OR (#status = :running AND (attribute_not_exists(leaseUntil) OR leaseUntil < :nowMs))' +
            (rerun ? ' OR (#status = :failed AND failures = :rerun))' : ')'),
          ExpressionAttributeNames: rerun ? { '#status': NAMES['#status'], '#error': NAMES['#error'] } : { '#status': NAMES['#status'] },
          ExpressionAttributeValues: {
            ':running': 'RUNNING',
            ':queued': 'QUEUED',
            ':retrying': 'RETRYING',
            ':paused': 'PAUSED',
            ':zero': 0,
            ':one': 1,
            ':lease': options.leaseUntil,
            ':now': now.toISOString(),
            ':nowMs': now.getTime(),
            ...(rerun ? { ':failed': 'FAILED', ':rerun': options.rerunFailure } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const { pk: _pk, ...command } = out.Attributes ?? {};
      return { kind: 'started', command: command as CommandRecord };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const current = await this.get(commandId);
    if (!current) return { kind: 'missing' };
    if (isTerminal(current.status)) return { kind: 'terminal', command: current };
    return { kind: 'leased' };
  }

  async pause(commandId: string, reason: string): Promise<void> {
    const now = this.now();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: commandKey(commandId),
          UpdateExpression: 'SET #status = :paused, pausedReason = :reason, updatedAt = :now REMOVE leaseUntil',
          // Never reopen a finished command, nor take one from a live execution.
          ConditionExpression: 'attribute_exists(pk) AND NOT #status IN (:succeeded, :failed) AND NOT (#status = :running AND leaseUntil >= :nowMs)',
          ExpressionAttributeNames: { '#status': NAMES['#status'] },
          ExpressionAttributeValues: { ':paused': 'PAUSED', ':reason': reason, ':now': now.toISOString(), ':nowMs': now.getTime(), ':succeeded': 'SUCCEEDED', ':failed': 'FAILED', ':running': 'RUNNING' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async succeed(commandId: string, result: CommandResult): Promise<void> {
    const now = this.now().toISOString();
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: commandKey(commandId),
        UpdateExpression: 'SET #status = :succeeded, #result = :result, completedAt = :now, updatedAt = :now REMOVE leaseUntil, #error',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': NAMES['#status'], '#result': NAMES['#result'], '#error': NAMES['#error'] },
        ExpressionAttributeValues: { ':succeeded': 'SUCCEEDED', ':result': result, ':now': now },
      }),
    );
  }

  async fail(commandId: string, error: CommandError): Promise<number> {
    const now = this.now().toISOString();
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: commandKey(commandId),
        UpdateExpression: 'SET #status = :failed, #error = :error, lastError = :error, completedAt = :now, updatedAt = :now ADD failures :one REMOVE leaseUntil',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': NAMES['#status'], '#error': NAMES['#error'] },
        ExpressionAttributeValues: { ':failed': 'FAILED', ':error': error, ':now': now, ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.failures ?? 1);
  }

  async retrying(commandId: string, lastError: CommandError): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: commandKey(commandId),
          UpdateExpression: 'SET #status = :retrying, lastError = :error, updatedAt = :now REMOVE leaseUntil',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': NAMES['#status'] },
          ExpressionAttributeValues: { ':retrying': 'RETRYING', ':running': 'RUNNING', ':error': lastError, ':now': this.now().toISOString() },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
