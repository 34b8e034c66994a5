/**
 * What the webhook logic needs from the outside world, as interfaces: the secret, the queue, the
 * event store, the appointments mirror and the credits ledger are injected (adapters in
 * shared/adapters implement these), so the receiver and the processor have no AWS imports.
 */
import type { DebitOutcome, Ledger, PurchaseCreditOutcome, RefundOutcome } from '../credits/ports';
import type { PaymentApplied } from '../payments/apply';
import type { AppointmentSnapshot } from '../domain/appointment-snapshot';
import type { QueueBody } from './queue-body';

export type { BodyEncoding, QueueBody } from './queue-body';

export type SecretFields = Readonly<Record<string, string>>;

/** The webhook signing secret `{current, previous}`: Secrets Manager in AWS, environment variables locally. */
export interface SecretSource {
  /** Returns the secret's fields; `forceRefresh` bypasses the cache (e.g. after a 401 or a signature miss during rotation). */
  get(options?: { forceRefresh?: boolean }): Promise<SecretFields>;
}

/** `missing_field`: read fine, but without the field the code needs (reported by the command functions' observers). */
export type SecretProblemKind = 'fetch_failed' | 'not_json' | 'not_an_object' | 'no_string_value' | 'missing_field';

/** A secret that could not be read or parsed, as its source reports it (never its value). */
export interface SecretProblem {
  /** The secret's name (the last part of its ARN). */
  readonly secret: string;
  readonly kind: SecretProblemKind;
  /** Set when the last good value is served instead. */
  readonly servingLastGoodForMs?: number;
  readonly error?: unknown;
}

/** A verified event as it travels: its body (byte-exact, see queue-body.ts) and the keys operators filter on. */
export interface QueuedEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly body: QueueBody;
}

/** Puts a verified event on the queue. Throws QueueRefusedError when the queue will never take it. */
export type Enqueue = (event: QueuedEvent) => Promise<void>;

/** The queue refused the message for good (its content or size), as opposed to throttling or an outage. */
export class QueueRefusedError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'QueueRefusedError';
  }
}

/** A verified event the queue refused, kept in the event store for an operator (npm run events). */
export interface ParkedEvent extends QueuedEvent {
  readonly created: string;
  readonly reason: string;
}

export interface EventParking {
  /** Stores the event as PARKED unless it is already known (delivered before and queued). */
  park(event: ParkedEvent): Promise<'parked' | 'already_known'>;
}

export interface ClaimInput {
  readonly eventId: string;
  readonly eventType: string;
  readonly created: string;
  /** The body as it came off the queue (kept for inspection and replay). */
  readonly raw: QueueBody;
  /** Unique per attempt, so only the holder of the claim can complete or fail it. */
  readonly owner: string;
}

export type ClaimResult = { readonly kind: 'claimed'; readonly attempt: number } | { readonly kind: 'duplicate' } | { readonly kind: 'in_progress' };

/** What the mirror did with one appointment event. */
export type MirrorOutcome = 'inserted' | 'updated' | 'merged_older' | 'already_applied';

/** What a payment event did to its payment (shared/payments/apply.ts), as recorded on the event. */
export type PaymentEventOutcome = `payment_${PaymentApplied['result']}`;

/** What applying one event did: its main effect, and the ledger movement it made, if any. */
export interface Applied {
  readonly outcome: MirrorOutcome | PaymentEventOutcome;
  readonly credits?: DebitOutcome | RefundOutcome | PurchaseCreditOutcome;
  /** A payment event's effect, for the observer's payment metrics. */
  readonly payment?: PaymentApplied;
}

/** How an event's record is closed: what was applied, or that no applier knows its type. */
export type Completion = Applied | { readonly outcome: 'ignored_unknown_type' };

/** Deduplication by MONCRENEAU event id, with a lease so that only one delivery applies an event. */
export interface EventClaims {
  claim(input: ClaimInput): Promise<ClaimResult>;
  /** False when the lease was lost (another attempt took over and will finish). */
  complete(eventId: string, owner: string, completion: Completion): Promise<boolean>;
  fail(eventId: string, owner: string, error: string): Promise<boolean>;
}

/** The appointments mirror: monotonic, and each event id applied at most once. */
export interface AppointmentsMirror {
  apply(snapshot: AppointmentSnapshot): Promise<MirrorOutcome>;
}

/** The ledger movements appointment events make (appointments booked outside the kit). */
export type AppointmentCredits = Pick<Ledger, 'debitAppointment' | 'refundAppointment'>;

/** A ledger movement an appointment event makes, as data: the same entry id and amount the ledger's own methods use. */
export interface PlannedMovement {
  readonly kind: 'debit' | 'refund';
  readonly appointmentId: string;
  readonly credits: number;
  /** The entry's reason (`webhook <event id>`). */
  readonly source: string;
}

/**
 * What applying an event writes, as data, so that a store can commit it together with the event's record:
 * the mirror write (`insert`: put if absent, for a created event; `newer`: overwrite if newer, for the
 * others) and the ledger movement. No effects at all: a type no applier knows (recorded as such).
 */
export interface EventEffects {
  readonly mirror?: { readonly snapshot: AppointmentSnapshot; readonly path: 'insert' | 'newer' };
  readonly movement?: PlannedMovement;
}

/** One event for the one-write path: its record (as a claim would store it) and its effects. */
export interface PlannedEvent extends EventEffects {
  readonly record: Omit<ClaimInput, 'owner'>;
}

/**
 * `applied`: the event's record was written COMPLETED together with every effect, in one all-or-nothing
 * write; `duplicate`: its record was already COMPLETED (the duplicate is counted); `step_by_step`: anything
 * else (the record exists in another state, the mirror needs the newer/older path, the write failed):
 * nothing of this event was written, and the claim → apply → complete path decides.
 */
export type OneWriteResult =
  | { readonly kind: 'applied'; readonly completion: Completion }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'step_by_step'; readonly reason: string };

/** First deliveries whose effects are all writes to the same database, committed with their record in one write. */
export interface OneWriteApply {
  /** One result per event, in order. Events must name distinct event ids and distinct appointments. */
  applyAll(events: readonly PlannedEvent[]): Promise<OneWriteResult[]>;
}
