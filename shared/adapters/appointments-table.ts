/**
 * The appointments mirror in DynamoDB, written monotonically and exactly once per event:
 *  1. first event for an id → put if absent;
 *  2. a newer event → overwrite its fields, status and order key (conditional on being newer);
 *  3. an older event → only fill fields still missing.
 * Every path also conditions on the event id not being in `appliedEventIds`, so a redelivery that
 * slipped past the event dedupe (e.g. a crash between apply and completion) cannot apply twice;
 * `version` therefore counts distinct events applied.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './aws-clients';
import type { AppointmentSnapshot } from '../domain/appointment-snapshot';
import type { AppointmentsMirror, MirrorOutcome } from '../webhooks/ports';
import { isConditionFailure } from './dynamo-errors';
import type { TransactItem } from './transactions';

export interface StoredAppointment {
  readonly appointmentId: string;
  readonly appointment: Record<string, unknown>;
  readonly status?: string;
  readonly lastEventAt: string;
  readonly lastEventOrder: string;
  readonly lastEventId: string;
  readonly lastEventType: string;
  readonly version: number;
  readonly appliedEventIds: Set<string>;
  readonly updatedAt: string;
}

export class AppointmentsTable implements AppointmentsMirror {
  private readonly db: DynamoDBDocumentClient;
  private readonly now: () => Date;
  private readonly retentionDays: number;

  constructor(
    private readonly tableName: string,
    options: { db?: DynamoDBDocumentClient; now?: () => Date; retentionDays?: number } = {},
  ) {
    this.db = options.db ?? documentClient();
    this.now = options.now ?? (() => new Date());
    // The mirror holds personal data: an appointment expires this long after its last event.
    this.retentionDays = options.retentionDays ?? 400;
  }

  /** TTL of a row touched now (epoch seconds). */
  private expiresAt(): number {
    return Math.floor(this.now().getTime() / 1000) + this.retentionDays * 86_400;
  }

  async apply(s: AppointmentSnapshot): Promise<MirrorOutcome> {
    if (await this.insertIfAbsent(s)) return 'inserted';
    if (await this.overwriteIfNewer(s)) return 'updated';
    if (await this.fillGapsIfNotApplied(s)) return 'merged_older';
    return 'already_applied';
  }

  async get(appointmentId: string): Promise<StoredAppointment | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { appointmentId }, ConsistentRead: true }));
    return out.Item as StoredAppointment | undefined;
  }

  /**
   * A first delivery's write as a transaction item, for a caller that commits it with the event's record
   * (the webhook processor's one-write path): path 1 (`insert`, put if absent) or path 2 (`newer`,
   * overwrite if newer) exactly as apply() writes them, conditions included. Path 3 (older) is left to apply().
   */
  firstWriteItem(s: AppointmentSnapshot, path: 'insert' | 'newer'): TransactItem {
    return path === 'insert' ? { Put: this.insertParams(s) } : { Update: this.overwriteParams(s) };
  }

  private insertParams(s: AppointmentSnapshot) {
    return {
      TableName: this.tableName,
      Item: {
        appointmentId: s.appointmentId,
        appointment: storableFields(s.fields),
        status: s.status,
        lastEventAt: s.order.at,
        lastEventOrder: s.order.key,
        lastEventId: s.order.eventId,
        lastEventType: s.eventType,
        version: 1,
        appliedEventIds: new Set([s.order.eventId]),
        updatedAt: this.now().toISOString(),
        expiresAt: this.expiresAt(),
      },
      ConditionExpression: 'attribute_not_exists(appointmentId)',
    };
  }

  private overwriteParams(s: AppointmentSnapshot) {
    const { names, values, assignments } = fieldAssignments(storableFields(s.fields), (path, value) => `${path} = ${value}`);
    return {
      TableName: this.tableName,
      Key: { appointmentId: s.appointmentId },
      UpdateExpression:
        `SET ${[...assignments, ...(s.status ? ['#status = :status'] : []), 'lastEventAt = :at', 'lastEventOrder = :order', 'lastEventId = :id', 'lastEventType = :type', 'updatedAt = :now', 'expiresAt = :expires'].join(', ')} ` +
        'ADD version :one, appliedEventIds :ids',
      ConditionExpression: 'lastEventOrder < :order AND NOT contains(appliedEventIds, :id)',
      ExpressionAttributeNames: { ...names, ...(s.status ? { '#status': 'status' } : {}) },
      ExpressionAttributeValues: {
        ...values,
        ...(s.status ? { ':status': s.status } : {}),
        ':at': s.order.at,
        ':order': s.order.key,
        ':id': s.order.eventId,
        ':type': s.eventType,
        ':now': this.now().toISOString(),
        ':expires': this.expiresAt(),
        ':one': 1,
        ':ids': new Set([s.order.eventId]),
      },
    };
  }

  private async insertIfAbsent(s: AppointmentSnapshot): Promise<boolean> {
    try {
      await this.db.send(new PutCommand(this.insertParams(s)));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async overwriteIfNewer(s: AppointmentSnapshot): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand(this.overwriteParams(s)));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async fillGapsIfNotApplied(s: AppointmentSnapshot): Promise<boolean> {
    const { names, values, assignments } = fieldAssignments(storableFields(s.fields), (path, value) => `${path} = if_not_exists(${path}, ${value})`);
    const set = assignments.length > 0 ? `SET ${assignments.join(', ')} ` : '';
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { appointmentId: s.appointmentId },
          UpdateExpression: `${set}ADD version :one, appliedEventIds :ids`,
          ConditionExpression: 'attribute_exists(appointmentId) AND NOT contains(appliedEventIds, :id)',
          ExpressionAttributeNames: assignments.length > 0 ? names : undefined,
          ExpressionAttributeValues: { ...values, ':one': 1, ':ids': new Set([s.order.eventId]), ':id': s.order.eventId },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

/** `appointment.<field>` assignments with placeholder names, so any field name is safe (reserved words, dots). */
function fieldAssignments(fields: Readonly<Record<string, unknown>>, render: (path: string, value: string) => string) {
  const names: Record<string, string> = { '#appointment': 'appointment' };
  const values: Record<string, unknown> = {};
  const assignments: string[] = [];
  Object.entries(fields).forEach(([field, value], i) => {
    names[`#f${i}`] = field;
    values[`:f${i}`] = value;
    assignments.push(render(`#appointment.#f${i}`, `:f${i}`));
  });
  return { names, values, assignments };
}

/** The field that keeps, as JSON text, top-level fields whose names DynamoDB or the SDK cannot carry. */
export const UNSTORABLE_FIELDS = '_unstorableFields';

/** DynamoDB nests documents 32 levels deep; the item and the `appointment` map take two. */
const MAX_VALUE_DEPTH = 30;
/** DynamoDB's number range; JSON can express numbers beyond it. */
const DYNAMO_NUMBER_MAX = 9.99e125;
const DYNAMO_NUMBER_MIN = 1e-130;

/**
 * The event's fields as DynamoDB can hold them. Whatever it cannot — an empty or `__proto__` key (the
 * SDK's marshaller would turn the latter into a prototype), nesting past its depth, a number outside
 * its range — is kept as JSON text, so a hostile but signed payload is stored rather than retried
 * forever. The raw event stays in the event store either way.
 */
export function storableFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const unstorable: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === '' || key === '__proto__') Object.defineProperty(unstorable, key, { value, enumerable: true });
    else out[key] = nativelyStorable(value, 1) ? value : JSON.stringify(value);
  }
  if (Object.keys(unstorable).length > 0) out[UNSTORABLE_FIELDS] = JSON.stringify(unstorable);
  return out;
}

function nativelyStorable(value: unknown, depth: number): boolean {
  if (typeof value === 'number') return value === 0 || (Math.abs(value) >= DYNAMO_NUMBER_MIN && Math.abs(value) <= DYNAMO_NUMBER_MAX);
  if (value === null || typeof value !== 'object') return true;
  if (depth > MAX_VALUE_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item) => nativelyStorable(item, depth + 1));
  return Object.entries(value).every(([key, item]) => key !== '' && key !== '__proto__' && nativelyStorable(item, depth + 1));
}

