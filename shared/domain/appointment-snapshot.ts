/**
 * Turns an appointment webhook into the state it asserts, with the ordering key that decides which
 * of two events is newer. Pure: no AWS, no I/O.
 *
 * Ordering: the envelope's `created` (when MONCRENEAU emitted the event). Timestamps have second
 * precision, so a creation and its cancellation often share one: ties go to the event later in the
 * appointment's lifecycle (created < updated < confirmed < validated < cancelled), then to the event id.
 * An older event never overwrites a newer one; it may only fill fields the newer ones lacked
 * (e.g. `email` of a `created` that arrives after an `updated`).
 */
import type { AppointmentEventType, WebhookEvent } from '../moncreneau/webhook-event';

export interface EventOrder {
  /** ISO timestamp normalised to UTC milliseconds, so string comparison orders correctly. */
  readonly at: string;
  readonly eventId: string;
  /** One sortable string: `<at>#<lifecycle rank>#<eventId>`; compare with `<`. */
  readonly key: string;
}

export interface AppointmentSnapshot {
  readonly appointmentId: string;
  readonly status?: string;
  /** Fields of the appointment object as the event carries them (event-only fields removed). */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly order: EventOrder;
  readonly eventType: AppointmentEventType;
}

export class InvalidAppointmentEvent extends Error {}

/** Status implied by events whose payload the docs do not show (validated, confirmed): an assumption, see docs/architecture.md. */
const IMPLIED_STATUS: Partial<Record<AppointmentEventType, string>> = {
  'appointment.cancelled': 'CANCELLED',
  'appointment.validated': 'VALIDATED',
  'appointment.confirmed': 'CONFIRMED',
};

/** Describe the change, not the state: kept on the event record, not merged into the appointment. */
const EVENT_ONLY_FIELDS = new Set(['changes']);

/** Position in an appointment's life, used only to order events with the same timestamp. */
const LIFECYCLE_RANK: Record<AppointmentEventType, number> = {
  'appointment.created': 0,
  'appointment.updated': 1,
  'appointment.confirmed': 2,
  'appointment.validated': 3,
  'appointment.cancelled': 4,
};

export function orderOf(event: Pick<WebhookEvent, 'id' | 'created'>, type: AppointmentEventType): EventOrder {
  const at = new Date(Date.parse(event.created)).toISOString();
  return { at, eventId: event.id, key: `${at}#${LIFECYCLE_RANK[type]}#${event.id}` };
}

export function isNewer(a: EventOrder, b: EventOrder): boolean {
  return a.key > b.key;
}

export function toSnapshot(event: WebhookEvent, type: AppointmentEventType): AppointmentSnapshot {
  const object = event.data.object;
  const rawId = object.id;
  if (!((typeof rawId === 'number' && Number.isFinite(rawId)) || (typeof rawId === 'string' && rawId.trim() !== ''))) {
    throw new InvalidAppointmentEvent(`${type} ${event.id} has no appointment id in data.object.id`);
  }
  // Above 2^53 JSON.parse has already rounded the id: it would name another appointment.
  if (typeof rawId === 'number' && !Number.isSafeInteger(rawId)) {
    throw new InvalidAppointmentEvent(`${type} ${event.id} has an appointment id beyond 2^53 that cannot be read exactly; see the raw event`);
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    // defineProperty: a key named "__proto__" stays an ordinary field instead of replacing the prototype.
    if (!EVENT_ONLY_FIELDS.has(key) && value !== undefined) Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
  }
  const status = typeof object.status === 'string' ? object.status : IMPLIED_STATUS[type];
  if (status) fields.status = status;
  return { appointmentId: String(rawId).trim(), status, fields, order: orderOf(event, type), eventType: type };
}
