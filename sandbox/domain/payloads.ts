/** The JSON shapes the sandbox returns and sends: API views and webhook `data.object` payloads (docs/moncreneau-api.md §8.5). */
import type { Appointment, Department, EventType, Organization, Payment } from './types';

export const qrCodeUrl = (id: number): string => `https://moncreneau.gn/qr/${id}`;

/** The fields every appointment shape starts with (docs' examples). */
function coreFields(a: Appointment) {
  return { id: a.id, departmentId: a.departmentId, dateTime: a.dateTime, status: a.status, name: a.name, phone: a.phone };
}

/** GET/POST/PATCH /appointments body: union of the docs' example and the SDK type (creditsConsumed). */
export function appointmentView(a: Appointment): Record<string, unknown> {
  return {
    ...coreFields(a),
    email: a.email,
    workerId: a.workerId,
    externalUserId: a.externalUserId,
    qrCode: qrCodeUrl(a.id),
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    cancelledAt: a.cancelledAt,
    cancelledBy: a.cancelledBy,
    cancelReason: a.cancelReason,
    creditsConsumed: 1,
  };
}

export type Changes = Record<string, { from: unknown; to: unknown }>;

/** data.object for appointment.* events, field lists as in the docs' examples plus workerId/externalUserId. */
export function appointmentEventObject(
  type: EventType,
  a: Appointment,
  dept: Department,
  org: Organization,
  changes: Changes = {},
): Record<string, unknown> {
  const base = {
    ...coreFields(a),
    workerId: a.workerId,
    externalUserId: a.externalUserId,
  };
  switch (type) {
    case 'appointment.created':
      return {
        ...base,
        department: { id: dept.id, name: dept.name, organization: { id: org.id, name: org.name } },
        email: a.email,
        qrCode: qrCodeUrl(a.id),
        createdAt: a.createdAt,
        creditsUsed: 1,
      };
    case 'appointment.updated':
      return { ...base, updatedAt: a.updatedAt, changes };
    case 'appointment.cancelled':
      return { ...base, cancelledAt: a.cancelledAt, cancelledBy: a.cancelledBy, cancelReason: a.cancelReason, creditsRefunded: 1 };
    case 'appointment.validated':
      return { ...base, validatedAt: a.validatedAt };
    case 'appointment.confirmed':
      return { ...base, confirmedAt: a.confirmedAt };
    default:
      throw new Error(`${type} is not an appointment event`);
  }
}

/** The assumed payment object (docs/moncreneau-api.md §7). */
export function paymentView(p: Payment): Record<string, unknown> {
  return {
    id: p.id,
    status: p.status,
    amount: p.amount,
    currency: p.currency,
    credits: p.credits,
    provider: p.provider,
    reference: p.reference,
    createdAt: p.createdAt,
  };
}
