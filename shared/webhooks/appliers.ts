/**
 * Which event types the processor applies, and how. Appointment events update the mirror and, for
 * created/cancelled, the credits ledger (appointments made outside the kit; ours meet their entries
 * by deterministic id, so nothing counts twice). New domains (payments) add entries here.
 *
 * The same decisions exist twice, from one source: as appliers (the step-by-step path calls the mirror
 * and the ledger) and as a planner (the effects as data, which the one-write path commits together with
 * the event's record).
 */
import type { DebitOutcome, RefundOutcome } from '../credits/ports';
import { creditsDebited, creditsRefunded } from '../credits/rules';
import { toSnapshot } from '../domain/appointment-snapshot';
import { APPOINTMENT_EVENT_TYPES, type AppointmentEventType, type WebhookEvent } from '../moncreneau/webhook-event';
import type { AppointmentCredits, AppointmentsMirror, EventEffects, PlannedMovement } from './ports';
import type { EventApplier } from './processor';

const APPOINTMENT_TYPES: ReadonlySet<string> = new Set(APPOINTMENT_EVENT_TYPES);

/** The ledger movement an appointment event makes, if any: created debits, cancelled refunds. */
function movementOf(event: WebhookEvent, type: AppointmentEventType, appointmentId: string): PlannedMovement | undefined {
  const object = event.data.object;
  if (type === 'appointment.created') return { kind: 'debit', appointmentId, credits: creditsDebited(object), source: `webhook ${event.id}` };
  if (type === 'appointment.cancelled') return { kind: 'refund', appointmentId, credits: creditsRefunded(object), source: `webhook ${event.id}` };
  return undefined;
}

async function moveCredits(movement: PlannedMovement, ledger: AppointmentCredits): Promise<DebitOutcome | RefundOutcome> {
  return movement.kind === 'debit'
    ? ledger.debitAppointment(movement.appointmentId, movement.credits, movement.source)
    : ledger.refundAppointment(movement.appointmentId, movement.credits, movement.source);
}

/** `credits` absent: the mirror only (e.g. a deployment that keeps no ledger). */
export function appointmentAppliers(mirror: AppointmentsMirror, credits?: AppointmentCredits): Record<string, EventApplier> {
  const appliers: Record<string, EventApplier> = {};
  for (const type of APPOINTMENT_EVENT_TYPES) {
    appliers[type] = async (event) => {
      const snapshot = toSnapshot(event, type);
      const outcome = await mirror.apply(snapshot);
      // Always attempted, even when the mirror says "already applied": a crash between the two
      // leaves the ledger behind, and its entries are idempotent anyway.
      const movement = credits ? movementOf(event, type, snapshot.appointmentId) : undefined;
      const moved = movement && credits ? await moveCredits(movement, credits) : undefined;
      return moved ? { outcome, credits: moved } : { outcome };
    };
  }
  return appliers;
}

/**
 * What an event writes, as data: for an appointment event, its snapshot (the mirror path a first
 * delivery takes: put-if-absent for a created event, overwrite-if-newer otherwise) and its ledger
 * movement (with `credits`, as appointmentAppliers); no effects for a type no applier knows. Throws
 * what toSnapshot throws (no or unreadable appointment id): such an event takes the step-by-step path,
 * which records the failure.
 */
export type EventPlanner = (event: WebhookEvent) => EventEffects;

export function appointmentPlanner(options: { credits: boolean }): EventPlanner {
  return (event) => {
    if (!APPOINTMENT_TYPES.has(event.type)) return {};
    const type = event.type as AppointmentEventType;
    const snapshot = toSnapshot(event, type);
    const movement = options.credits ? movementOf(event, type, snapshot.appointmentId) : undefined;
    return { mirror: { snapshot, path: type === 'appointment.created' ? 'insert' : 'newer' }, ...(movement ? { movement } : {}) };
  };
}
