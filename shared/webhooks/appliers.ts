/**
 * Which event types the processor applies, and how. Appointment events update the mirror and, for
 * created/cancelled, the credits ledger (appointments made outside the kit; ours meet their entries
 * by deterministic id, so nothing counts twice). New domains (payments) add entries here.
 */
import type { AppointmentsTable } from '../adapters/appointments-table';
import type { CreditsLedger } from '../adapters/credits-ledger';
import { toSnapshot } from '../domain/appointment-snapshot';
import { creditsMoved } from '../domain/credits';
import { APPOINTMENT_EVENT_TYPES, type AppointmentEventType, type WebhookEvent } from '../moncreneau/webhook-event';
import type { EventApplier } from './processor';

export interface CreditsEffects {
  readonly ledger: Pick<CreditsLedger, 'debitAppointment' | 'refundAppointment' | 'balance'>;
  /** Called with the balance after a movement that changed it (metrics, low-credit warning). */
  readonly onBalance?: (balance: number) => void;
}

async function applyCredits(event: WebhookEvent, type: AppointmentEventType, appointmentId: string, credits: CreditsEffects): Promise<string | undefined> {
  const object = event.data.object;
  let result: string | undefined;
  if (type === 'appointment.created') {
    result = await credits.ledger.debitAppointment(appointmentId, creditsMoved(object.creditsUsed ?? object.creditsConsumed), `webhook ${event.id}`);
    if (result === 'already_debited') return result;
  } else if (type === 'appointment.cancelled') {
    result = await credits.ledger.refundAppointment(appointmentId, creditsMoved(object.creditsRefunded), `webhook ${event.id}`);
    if (result === 'already_refunded') return result;
  } else {
    return undefined;
  }
  if (credits.onBalance) {
    const balance = await credits.ledger.balance();
    if (balance !== null) credits.onBalance(balance);
  }
  return result;
}

export function appointmentAppliers(table: Pick<AppointmentsTable, 'apply'>, credits?: CreditsEffects): Record<string, EventApplier> {
  const appliers: Record<string, EventApplier> = {};
  for (const type of APPOINTMENT_EVENT_TYPES) {
    appliers[type] = async (event) => {
      const snapshot = toSnapshot(event, type);
      const mirrored = await table.apply(snapshot);
      // Always attempted, even when the mirror says "already applied": a crash between the two
      // leaves the ledger behind, and its entries are idempotent anyway.
      const credited = credits ? await applyCredits(event, type, snapshot.appointmentId, credits) : undefined;
      return credited ? `${mirrored}+${credited}` : mirrored;
    };
  }
  return appliers;
}
