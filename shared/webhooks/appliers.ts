/** Which event types the processor applies, and how. New domains (credits, payments) add entries here. */
import type { AppointmentsTable } from '../adapters/appointments-table';
import { toSnapshot } from '../domain/appointment-snapshot';
import { APPOINTMENT_EVENT_TYPES } from '../moncreneau/webhook-event';
import type { EventApplier } from './processor';

export function appointmentAppliers(table: Pick<AppointmentsTable, 'apply'>): Record<string, EventApplier> {
  const appliers: Record<string, EventApplier> = {};
  for (const type of APPOINTMENT_EVENT_TYPES) {
    appliers[type] = async (event) => table.apply(toSnapshot(event, type));
  }
  return appliers;
}
