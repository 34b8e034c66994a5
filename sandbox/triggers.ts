/**
 * "Trigger any event" for rehearsals: performs the state change a dashboard user or Orange Money would
 * cause (booking from another channel, staff cancellation, validation, payment answers) and emits its
 * webhook. With `object` the event is emitted as given, with no state change.
 */
import type { SandboxCore } from './core';
import { cancelAppointment, createAppointment, departmentOf, findAppointment, updateAppointment } from './domain/appointments';
import { DAY_MS, formatDate } from './domain/calendar';
import { isSlotFree, slotTimes } from './domain/departments';
import { appointmentEventObject } from './domain/payloads';
import { findPayment, settlePayment, startPurchase } from './domain/payments';
import type { ApiKey, Appointment, Department, EventType, WebhookEvent } from './domain/types';
import { EVENT_TYPES } from './domain/types';

export interface TriggerRequest {
  type: EventType;
  /** Emit exactly this data.object, without touching the state. */
  object?: Record<string, unknown>;
  organizationId?: number;
  appointmentId?: number | string;
  paymentId?: string;
  /** appointment.created: booking fields (departmentId, dateTime, name, workerId, externalUserId, phone, email). */
  appointment?: Record<string, unknown>;
  /** appointment.updated: fields to change (default: move to the next free slot). */
  update?: Record<string, unknown>;
  /** appointment.cancelled */
  cancelledBy?: string;
  cancelReason?: string;
  /** payment.pending: credits to buy (default 10). */
  credits?: number;
}

export class TriggerError extends Error {}

export function nextFreeSlot(dept: Department, nowMs: number, appointments: readonly Appointment[], workerId: number | null): string {
  for (let day = Math.floor(nowMs / DAY_MS) * DAY_MS, i = 0; i < 366; i += 1, day += DAY_MS) {
    for (const time of slotTimes(dept, day)) {
      const dateTime = `${formatDate(day)}T${time}:00`;
      if (Date.parse(`${dateTime}Z`) > nowMs && isSlotFree(dept, dateTime, workerId, appointments)) return dateTime;
    }
  }
  throw new TriggerError(`No free slot in department ${dept.id} within a year`);
}

function staffKey(organizationId: number): ApiKey {
  return { key: 'staff', name: 'dashboard', organizationId, scopes: [], quotaPerHour: Infinity, expiresAt: null, revoked: false, createdAt: '' };
}

export function triggerEvent(core: SandboxCore, request: TriggerRequest): WebhookEvent {
  if (!EVENT_TYPES.includes(request.type)) throw new TriggerError(`Unknown event type '${String(request.type)}'; known: ${EVENT_TYPES.join(', ')}`);
  if (request.object) return core.emit(request.type, request.object);
  const orgId = request.organizationId ?? 1;
  const lastEvent = (): WebhookEvent => core.lastEmitted as WebhookEvent;
  const appointment = (): Appointment => {
    if (request.appointmentId === undefined) throw new TriggerError(`${request.type} needs appointmentId (or object)`);
    return findAppointment(core, String(request.appointmentId), orgId);
  };

  switch (request.type) {
    case 'appointment.created': {
      const fields = { ...request.appointment };
      const dept = core.store.state.departments.find((d) => d.id === Number(fields.departmentId ?? 5));
      if (!dept) throw new TriggerError(`Unknown department ${String(fields.departmentId)}`);
      if (dept.showAdminsInBooking && fields.workerId === undefined) fields.workerId = dept.workers[0]?.id;
      const workerId = fields.workerId === undefined ? null : Number(fields.workerId);
      fields.departmentId = dept.id;
      fields.dateTime ??= nextFreeSlot(dept, core.clock.now(), core.store.state.appointments, workerId);
      fields.name ??= 'Walk-in Visitor';
      createAppointment(core, staffKey(dept.organizationId), fields);
      return lastEvent();
    }
    case 'appointment.updated': {
      const target = appointment();
      const dept = departmentOf(core, target);
      const update = request.update ?? { dateTime: nextFreeSlot(dept, core.clock.now(), core.store.state.appointments, target.workerId) };
      const before = core.lastEmitted;
      updateAppointment(core, target, update);
      if (core.lastEmitted === before) throw new TriggerError('The update changed nothing, so no event was emitted');
      return lastEvent();
    }
    case 'appointment.cancelled':
      cancelAppointment(core, appointment(), {
        cancelledBy: request.cancelledBy ?? 'staff',
        reason: request.cancelReason ?? 'Cancelled from the dashboard (sandbox)',
      });
      return lastEvent();
    case 'appointment.validated':
    case 'appointment.confirmed': {
      const target = appointment();
      const now = core.clock.isoNow();
      // Assumed: validation (attendance confirmed) completes the appointment; confirmation keeps it SCHEDULED.
      if (request.type === 'appointment.validated') Object.assign(target, { status: 'COMPLETED', validatedAt: now });
      else target.confirmedAt = now;
      core.store.save();
      const dept = departmentOf(core, target);
      return core.emit(request.type, appointmentEventObject(request.type, target, dept, core.store.organization(target.organizationId)));
    }
    case 'payment.pending': {
      const seq = core.store.state.counters.payment + 1;
      const payment = startPurchase(core, staffKey(orgId), { credits: request.credits ?? 10 }, { delayMs: core.paymentDelayMs, token: core.token('payment', seq, 10) });
      core.schedulePayment(payment);
      return lastEvent();
    }
    case 'payment.successful':
    case 'payment.failed': {
      const outcome = request.type === 'payment.successful' ? 'SUCCESSFUL' : 'FAILED';
      let payment;
      if (request.paymentId) {
        payment = findPayment(core, request.paymentId, orgId);
      } else {
        const seq = core.store.state.counters.payment + 1;
        payment = startPurchase(core, staffKey(orgId), { credits: request.credits ?? 10 }, { delayMs: 0, token: core.token('payment', seq, 10) });
      }
      core.cancelPaymentTimer(payment.id);
      settlePayment(core, payment, outcome);
      return lastEvent();
    }
    default:
      throw new TriggerError(`Unhandled event type ${String(request.type)}`);
  }
}
