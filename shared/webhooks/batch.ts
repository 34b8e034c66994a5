/**
 * The webhook processor's logic for one SQS batch: the records' outcomes, each as a promise, with
 *  - the one-write path first: the first delivery of a new event whose effects are all writes to the
 *    same database is committed in one all-or-nothing write (its record COMPLETED, the mirror write, the
 *    ledger entry and the balance) — for the whole batch at once, in rounds: round k takes the k-th event
 *    of each appointment, so one write never touches an appointment twice;
 *  - the step-by-step path (claim → apply → complete, processor.ts) for everything else: a record whose
 *    one write did not apply (the event exists, the mirror needs the newer/older path, the write failed),
 *    a record the planner cannot plan, and every later record of the same appointment.
 * Per-appointment order within the batch is kept (rounds in batch order; once an appointment goes step by
 * step, its remaining records follow in order); different appointments run concurrently.
 *
 * Exactly once, as the step-by-step path alone: the one write is conditional on the event's record not
 * existing at all and is all-or-nothing, so it either applied everything and left the record COMPLETED
 * (every later delivery is a duplicate), or wrote nothing — and then the claim path sees exactly what it
 * would have seen without it.
 */
import type { SQSRecord } from 'aws-lambda';
import type { WebhookEvent } from '../moncreneau/webhook-event';
import type { EventEffects, OneWriteApply, OneWriteResult, PlannedEvent, QueueBody } from './ports';
import { readRecord, type EventApplier, type RecordOutcome } from './processor';

export interface BatchDeps {
  /** The step-by-step path for one record (createRecordProcessor). */
  readonly processRecord: (record: SQSRecord) => Promise<RecordOutcome>;
  /** The event types the step-by-step path applies (its appliers); others are recorded as unknown types. */
  readonly appliers: Readonly<Record<string, EventApplier>>;
  /** The effects of an event, as data (appointmentPlanner); a throw sends the event step by step. */
  readonly plan: (event: WebhookEvent) => EventEffects;
  /** Absent: every record takes the step-by-step path (still in per-appointment order). */
  readonly oneWrite?: OneWriteApply;
}

/** One record's outcome per message id. Every promise settles; a rejection is that record's failure. */
export type BatchOutcomes = ReadonlyMap<string, Promise<RecordOutcome>>;

interface Item {
  readonly record: SQSRecord;
  /** Records of one appointment (or, without one, of one event / one message) share a key. */
  readonly key: string;
  /** Set when the record can take the one-write path. */
  readonly planned?: PlannedEvent;
  readonly event?: WebhookEvent;
  resolve(outcome: RecordOutcome): void;
  reject(error: unknown): void;
}

function describe(record: SQSRecord): { key: string; event?: WebhookEvent; raw?: QueueBody } {
  try {
    const { raw, event } = readRecord(record);
    const id = event.data.object.id;
    return { key: typeof id === 'number' || typeof id === 'string' ? `appointment:${String(id).trim()}` : `event:${event.id}`, event, raw };
  } catch {
    // Malformed: the step-by-step path throws the reason.
    return { key: `message:${record.messageId}` };
  }
}

function planOf(deps: BatchDeps, event: WebhookEvent, raw: QueueBody): PlannedEvent | undefined {
  let effects: EventEffects;
  try {
    effects = deps.plan(event);
  } catch {
    return undefined; // e.g. no readable appointment id: the step-by-step path records why
  }
  const known = Object.prototype.hasOwnProperty.call(deps.appliers, event.type);
  // A type the appliers know must have effects to commit; a type they do not know must have none.
  if (known !== Boolean(effects.mirror || effects.movement)) return undefined;
  return { ...effects, record: { eventId: event.id, eventType: event.type, created: event.created, raw } };
}

function outcomeOf(event: WebhookEvent, result: Exclude<OneWriteResult, { kind: 'step_by_step' }>): RecordOutcome {
  if (result.kind === 'duplicate') return { kind: 'duplicate', eventId: event.id, eventType: event.type };
  const { completion } = result;
  if (completion.outcome === 'ignored_unknown_type') return { kind: 'unknown_type', eventId: event.id, eventType: event.type };
  return { kind: 'processed', eventId: event.id, eventType: event.type, outcome: completion.outcome, ...('credits' in completion && completion.credits ? { credits: completion.credits } : {}) };
}

export function createBatchProcessor(deps: BatchDeps): (records: readonly SQSRecord[]) => BatchOutcomes {
  const stepByStep = async (items: readonly Item[]): Promise<void> => {
    for (const item of items) {
      await deps.processRecord(item.record).then(item.resolve, item.reject);
    }
  };

  const run = async (queues: Map<string, Item[]>): Promise<void> => {
    const demoted = new Set<string>(deps.oneWrite ? [] : queues.keys());
    if (deps.oneWrite) {
      for (;;) {
        // One round: the next record of every appointment still on the one-write path.
        const round: Item[] = [];
        const eventIds = new Set<string>();
        for (const [key, queue] of queues) {
          if (demoted.has(key) || queue.length === 0) continue;
          const head = queue[0];
          if (!head.planned) {
            demoted.add(key);
            continue;
          }
          if (eventIds.has(head.planned.record.eventId)) continue; // the same event under two keys: next round
          eventIds.add(head.planned.record.eventId);
          round.push(head);
        }
        if (round.length === 0) break;
        let results: OneWriteResult[];
        try {
          results = await deps.oneWrite.applyAll(round.map((item) => item.planned!));
        } catch {
          results = round.map(() => ({ kind: 'step_by_step', reason: 'one write failed' }));
        }
        round.forEach((item, i) => {
          const result = results[i] ?? { kind: 'step_by_step', reason: 'no result' };
          if (result.kind === 'step_by_step') {
            demoted.add(item.key);
            return;
          }
          queues.get(item.key)!.shift();
          item.resolve(outcomeOf(item.event!, result));
        });
      }
    }
    await Promise.all([...demoted].map((key) => stepByStep(queues.get(key) ?? [])));
  };

  return (records) => {
    const outcomes = new Map<string, Promise<RecordOutcome>>();
    const queues = new Map<string, Item[]>();
    for (const record of records) {
      const { key, event, raw } = describe(record);
      let settle!: Pick<Item, 'resolve' | 'reject'>;
      const outcome = new Promise<RecordOutcome>((resolve, reject) => (settle = { resolve, reject }));
      // Awaited by the caller per record; never an unhandled rejection in between.
      outcome.catch(() => undefined);
      outcomes.set(record.messageId, outcome);
      const item: Item = { record, key, event, planned: event && raw ? planOf(deps, event, raw) : undefined, ...settle };
      const queue = queues.get(key);
      if (queue) queue.push(item);
      else queues.set(key, [item]);
    }
    run(queues).catch((error: unknown) => {
      // Not expected (every path settles its records); fail whatever is still pending rather than hang.
      for (const queue of queues.values()) for (const item of queue) item.reject(error);
    });
    return outcomes;
  };
}
