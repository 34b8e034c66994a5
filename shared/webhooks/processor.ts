/**
 * The webhook processor's logic for one SQS record, independent of Lambda wiring:
 * parse → claim the event id (dedupe) → apply → mark completed. A failure releases the claim and
 * rethrows, so the record is reported as a batch item failure, retried by SQS and finally moved to
 * the DLQ; its raw event stays in the event store for inspection and replay.
 */
import type { SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { parseWebhookEvent, type WebhookEvent } from '../moncreneau/webhook-event';
import type { Applied, EventClaims, QueueBody } from './ports';
import { fromQueueBody } from './queue-body';

/** Applies one event's effects; must be idempotent on its own (a redelivery after a crash may repeat it). */
export type EventApplier = (event: WebhookEvent) => Promise<Applied>;

export type RecordOutcome =
  | ({ readonly kind: 'processed'; readonly eventId: string; readonly eventType: string } & Applied)
  | { readonly kind: 'duplicate'; readonly eventId: string; readonly eventType: string }
  | { readonly kind: 'unknown_type'; readonly eventId: string; readonly eventType: string };

export class EventInProgressError extends Error {
  constructor(eventId: string) {
    super(`Event ${eventId} is being processed by another invocation; will retry`);
    this.name = 'EventInProgressError';
  }
}

export class MalformedRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedRecordError';
  }
}

export interface ProcessorDeps {
  readonly claims: EventClaims;
  /** Appliers by event type; types without one are recorded and acknowledged (unknown_type). */
  readonly appliers: Readonly<Record<string, EventApplier>>;
  readonly newOwner?: () => string;
}

/** The event an SQS record carries, and its body as queued (kept on the record); throws MalformedRecordError. */
export function readRecord(record: SQSRecord): { readonly raw: QueueBody; readonly event: WebhookEvent } {
  const raw = { body: record.body, encoding: record.messageAttributes?.bodyEncoding?.stringValue === 'base64' ? ('base64' as const) : ('utf8' as const) };
  const checked = parseWebhookEvent(fromQueueBody(raw.body, raw.encoding).toString('utf8'));
  if (!checked.ok) throw new MalformedRecordError(`SQS message ${record.messageId} is not a MONCRENEAU event: ${checked.problems.join('; ')}`);
  return { raw, event: checked.event };
}

export function createRecordProcessor(deps: ProcessorDeps): (record: SQSRecord) => Promise<RecordOutcome> {
  const newOwner = deps.newOwner ?? randomUUID;
  return async (record) => {
    const { raw, event } = readRecord(record);
    const owner = newOwner();
    const claim = await deps.claims.claim({ eventId: event.id, eventType: event.type, created: event.created, raw, owner });
    if (claim.kind === 'duplicate') return { kind: 'duplicate', eventId: event.id, eventType: event.type };
    if (claim.kind === 'in_progress') throw new EventInProgressError(event.id);

    const applier = deps.appliers[event.type];
    if (!applier) {
      await deps.claims.complete(event.id, owner, { outcome: 'ignored_unknown_type' });
      return { kind: 'unknown_type', eventId: event.id, eventType: event.type };
    }
    let applied: Applied;
    try {
      applied = await applier(event);
    } catch (error) {
      await deps.claims.fail(event.id, owner, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      throw error;
    }
    await deps.claims.complete(event.id, owner, applied);
    return { kind: 'processed', eventId: event.id, eventType: event.type, ...applied };
  };
}
