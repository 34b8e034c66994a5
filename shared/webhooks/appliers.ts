/**
 * Which event types the processor applies, and how. Appointment events update the mirror and, for
 * created/cancelled, the credits ledger (appointments made outside the kit; ours meet their entries
 * by deterministic id, so nothing counts twice). New domains (payments) add entries here.
 */
import type { DebitOutcome, RefundOutcome } from '../credits/ports';
import { creditsDebited, creditsRefunded } from '../credits/rules';
import { toSnapshot } from '../domain/appointment-snapshot';
import { APPOINTMENT_EVENT_TYPES, type AppointmentEventType, type WebhookEvent } from '../moncreneau/webhook-event';
import type { AppointmentCredits, AppointmentsMirror } from './ports';
import type { EventApplier } from './processor';

async function moveCredits(event: WebhookEvent, type: AppointmentEventType, appointmentId: string, ledger: AppointmentCredits): Promise<DebitOutcome | RefundOutcome | undefined> {
  const object = event.data.object;
  if (type === 'appointment.created') return ledger.debitAppointment(appointmentId, creditsDebited(object), `webhook ${event.id}`);
  if (type === 'appointment.cancelled') return ledger.refundAppointment(appointmentId, creditsRefunded(object), `webhook ${event.id}`);
  return undefined;
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
      const moved = credits ? await moveCredits(event, type, snapshot.appointmentId, credits) : undefined;
      return moved ? { outcome, credits: moved } : { outcome };
    };
  }
  return appliers;
}
