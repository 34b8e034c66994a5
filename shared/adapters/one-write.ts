/**
 * The webhook processor's one-write path on DynamoDB: first deliveries committed in one
 * TransactWriteItems — per event its record (COMPLETED, conditional on the event being unknown), the
 * mirror's first write (put-if-absent or overwrite-if-newer, with their usual conditions) and the ledger
 * entry (conditional on its deterministic id being new) — plus one update of the balance item by the sum
 * of the movements. All or nothing: a cancelled transaction wrote nothing, and its cancellation reasons
 * say which event to take out before trying again with the others:
 *  - the event's record exists: COMPLETED → a duplicate (counted); any other state → the claim path;
 *  - the mirror's condition failed (the appointment exists and this event is older, or is unknown and
 *    this is not its creation) → the claim path, which has the older-event path;
 *  - the ledger entry exists (our own booking's command, or an earlier delivery, moved it) → the event is
 *    committed without it, its movement reported `already_*` (as the ledger's own methods would);
 *  - a conflict with a concurrent transaction (the balance item is shared) → retried with backoff, then
 *    the claim path.
 * Any other failure leaves every remaining event to the claim path: nothing was written, or — an error
 * after the commit — the claim path finds the record COMPLETED and counts a duplicate.
 *
 * Before writing several events, their records are read in one strongly consistent BatchGetItem: a known
 * event (a duplicate, or one the claim path holds) would otherwise cancel the whole transaction — billed,
 * and redone without it. The read only spares those cancellations; the transaction's condition stays the
 * guarantee (a record written between the read and the write cancels it as above). A lone event goes
 * straight to its transaction (2 requests with the balance read: the transaction and the read after it).
 *
 * Limits honoured: at most 100 items and 4 MB per transaction (a round is split into several), and no
 * item twice (the caller passes distinct events and appointments; the balance item appears once).
 */
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Completion, OneWriteApply, OneWriteResult, PlannedEvent } from '../webhooks/ports';
import type { AppointmentsTable } from './appointments-table';
import { documentClient } from './aws-clients';
import type { CreditsLedger } from './credits-ledger';
import { statusOf, type EventStore } from './event-store';
import { cancellationReasons, type TransactItem } from './transactions';

/** DynamoDB's limits on one TransactWriteItems. */
const MAX_ITEMS = 100;
/** 4 MB minus room for the request's own overhead. */
const MAX_BYTES = 3_500_000;
/** Conflicts (another transaction on the balance item) retried this many times before the claim path. */
const CONFLICT_RETRIES = 5;

interface Pending {
  readonly index: number;
  readonly event: PlannedEvent;
  /** False once the ledger said the entry already exists: committed without it. */
  withLedger: boolean;
}

/** Rough size of an event's items: its raw body (record) and its fields (mirror) dominate. */
function estimatedBytes(event: PlannedEvent): number {
  return 2 * event.record.raw.body.length + 4096;
}

function itemsPerEvent(event: PlannedEvent, withLedger: boolean): number {
  return 1 + (event.mirror ? 1 : 0) + (event.movement && withLedger ? 1 : 0);
}

export class OneWriteStore implements OneWriteApply {
  private readonly db: DynamoDBDocumentClient;

  constructor(
    private readonly stores: { readonly events: EventStore; readonly mirror: AppointmentsTable; readonly ledger?: CreditsLedger },
    options: { db?: DynamoDBDocumentClient } = {},
  ) {
    this.db = options.db ?? documentClient();
  }

  async applyAll(events: readonly PlannedEvent[]): Promise<OneWriteResult[]> {
    const results: OneWriteResult[] = new Array(events.length);
    // Known events first, in one read, when there are several: a duplicate would otherwise cancel the whole
    // transaction (a cancelled transaction is billed as well) only to be taken out of the retry. Alone, an
    // event's transaction costs no more than the read would. The transaction's own condition stays the
    // guarantee; the read only spares it the predictable cancellations.
    const known = events.length > 1 ? await this.stores.events.statuses(events.map((e) => e.record.eventId)) : new Map<string, string>();
    const pending: Pending[] = [];
    const duplicates: number[] = [];
    events.forEach((event, index) => {
      const status = known.get(event.record.eventId);
      if (status === 'COMPLETED') duplicates.push(index);
      else if (status) results[index] = { kind: 'step_by_step', reason: `the event is already known (${status})` };
      // An event with a movement but no ledger to write it to cannot be committed here.
      else if (event.movement && !this.stores.ledger) results[index] = { kind: 'step_by_step', reason: 'no ledger' };
      else pending.push({ index, event, withLedger: true });
    });
    await Promise.all(duplicates.map((index) => this.duplicate(events[index], index, results)));
    for (const chunk of this.chunks(pending)) await this.commit(chunk, results);
    return results;
  }

  /** Counts a duplicate; if the count cannot be written, the claim path takes the delivery (and counts it). */
  private async duplicate(event: PlannedEvent, index: number, results: OneWriteResult[]): Promise<void> {
    try {
      await this.stores.events.recordDuplicate(event.record.eventId);
      results[index] = { kind: 'duplicate' };
    } catch (error) {
      results[index] = { kind: 'step_by_step', reason: `duplicate not counted: ${(error as Error)?.name ?? String(error)}` };
    }
  }

  /** Consecutive groups within DynamoDB's item and size limits (one balance item per group). */
  private chunks(pending: readonly Pending[]): Pending[][] {
    const chunks: Pending[][] = [];
    let current: Pending[] = [];
    let items = 1;
    let bytes = 0;
    for (const p of pending) {
      const n = itemsPerEvent(p.event, true);
      const size = estimatedBytes(p.event);
      if (current.length > 0 && (items + n > MAX_ITEMS || bytes + size > MAX_BYTES)) {
        chunks.push(current);
        current = [];
        items = 1;
        bytes = 0;
      }
      current.push(p);
      items += n;
      bytes += size;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  private completion(p: Pending): Completion {
    const outcome = p.event.mirror ? (p.event.mirror.path === 'insert' ? 'inserted' : 'updated') : 'ignored_unknown_type';
    if (outcome === 'ignored_unknown_type') return { outcome };
    const movement = p.event.movement;
    if (!movement) return { outcome };
    const credits = movement.kind === 'debit' ? (p.withLedger ? 'debited' : 'already_debited') : p.withLedger ? 'refunded' : 'already_refunded';
    return { outcome, credits };
  }

  /** Commits `chunk`, taking out what the cancellations name, until it commits or nothing is left. */
  private async commit(chunk: Pending[], results: OneWriteResult[]): Promise<void> {
    let active = chunk;
    let conflicts = 0;
    while (active.length > 0) {
      const { items, owners } = this.transaction(active);
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        for (const p of active) results[p.index] = { kind: 'applied', completion: this.completion(p) };
        return;
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (!reasons) {
          for (const p of active) results[p.index] = { kind: 'step_by_step', reason: `one write failed: ${(error as Error)?.name ?? String(error)}` };
          return;
        }
        const decided = new Set<Pending>();
        const duplicates: Pending[] = [];
        let retryable = false;
        let withoutLedger = false;
        reasons.forEach((reason, i) => {
          const owner = owners[i];
          const code = reason.Code;
          if (!code || code === 'None') return;
          if (!owner) {
            // The balance item (no condition): only a conflict or throttling can cancel on it.
            retryable = true;
            return;
          }
          const { pending: p, role } = owner;
          if (code === 'ConditionalCheckFailed') {
            if (role === 'record') {
              decided.add(p);
              if (statusOf(reason.Item as Record<string, unknown> | undefined) === 'COMPLETED') duplicates.push(p);
              else results[p.index] = { kind: 'step_by_step', reason: 'the event is already known' };
            } else if (role === 'mirror') {
              if (!decided.has(p)) results[p.index] = { kind: 'step_by_step', reason: 'the mirror needs the newer/older path' };
              decided.add(p);
            } else if (p.withLedger) {
              p.withLedger = false; // already moved: commit the rest of this event without it
              withoutLedger = true;
            }
          } else if (code === 'TransactionConflict' || code === 'ThrottlingError' || code === 'ProvisionedThroughputExceeded') {
            retryable = true;
          } else {
            // e.g. ValidationError on one item: that event goes step by step, which records the reason.
            if (!decided.has(p)) results[p.index] = { kind: 'step_by_step', reason: `one write refused: ${code}` };
            decided.add(p);
          }
        });
        await Promise.all(duplicates.map((p) => this.duplicate(p.event, p.index, results)));
        if (decided.size === 0 && !withoutLedger) {
          if (!retryable || ++conflicts > CONFLICT_RETRIES) {
            for (const p of active) results[p.index] = { kind: 'step_by_step', reason: retryable ? 'conflicting writes' : 'cancelled without a reason' };
            return;
          }
          // Jittered backoff, 10–20 ms doubling: the competing transaction is usually done by then.
          await new Promise((resolve) => setTimeout(resolve, (5 + Math.random() * 5) * 2 ** conflicts));
        }
        active = active.filter((p) => !decided.has(p));
      }
    }
  }

  /** The transaction's items, and for each item the event (and which write) it belongs to; the balance item has none. */
  private transaction(active: readonly Pending[]): { items: TransactItem[]; owners: Array<{ pending: Pending; role: 'record' | 'mirror' | 'ledger' } | undefined> } {
    const items: TransactItem[] = [];
    const owners: Array<{ pending: Pending; role: 'record' | 'mirror' | 'ledger' } | undefined> = [];
    let delta = 0;
    let moves = false;
    for (const p of active) {
      items.push(this.stores.events.completedItem(p.event.record, this.completion(p)));
      owners.push({ pending: p, role: 'record' });
      if (p.event.mirror) {
        items.push(this.stores.mirror.firstWriteItem(p.event.mirror.snapshot, p.event.mirror.path));
        owners.push({ pending: p, role: 'mirror' });
      }
      const movement = p.event.movement;
      if (movement && p.withLedger && this.stores.ledger) {
        items.push(this.stores.ledger.appointmentEntryItem(movement.kind, movement.appointmentId, movement.credits, movement.source));
        owners.push({ pending: p, role: 'ledger' });
        delta += movement.kind === 'debit' ? -movement.credits : movement.credits;
        moves = true;
      }
    }
    if (moves && this.stores.ledger) {
      items.push(this.stores.ledger.balanceMoveItem(delta));
      owners.push(undefined);
    }
    return { items, owners };
  }
}
