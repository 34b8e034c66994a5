/** Appointment rules: create (−1 credit), list, read, cancel (+1 credit), assumed update. */
import { parseDate, parseLocalDateTime } from './calendar';
import type { DomainContext } from './context';
import { findDepartment, isSlotFree, isSlotOffered, parsePathId } from './departments';
import { ApiError, invalidDateTime, invalidRequest, invalidValue, missingField, notFound } from './errors';
import { appointmentEventObject, appointmentView, type Changes } from './payloads';
import type { ApiKey, Appointment, Department } from './types';
import { asBody, dateTimeField, emailField, integerField, phoneField, queryInteger, stringField } from './validate';

function checkWorker(dept: Department, workerId: number | null, status: number): void {
  if (dept.showAdminsInBooking && workerId === null) throw missingField('workerId');
  if (workerId !== null && !dept.workers.some((w) => w.id === workerId)) {
    throw invalidValue(status, 'workerId', workerId, `not a worker of department ${dept.id}`);
  }
}

function checkSlot(ctx: DomainContext, dept: Department, dateTime: string, workerId: number | null, ignoreId?: number): void {
  const ms = parseLocalDateTime(dateTime) ?? NaN;
  if (!isSlotOffered(dept, ms) || !isSlotFree(dept, dateTime, workerId, ctx.store.state.appointments, ignoreId)) {
    throw new ApiError(409, 'SLOT_NOT_AVAILABLE', `The slot ${dateTime} is not available`, {
      departmentId: dept.id,
      dateTime,
      ...(workerId !== null ? { workerId } : {}),
    });
  }
}

export function createAppointment(ctx: DomainContext, key: ApiKey, rawBody: unknown): Appointment {
  const body = asBody(rawBody);
  const status = ctx.assumptions.invalidValueStatus;
  const departmentId = integerField(body, 'departmentId', status, true) as number;
  const dateTime = dateTimeField(body, 'dateTime', status, true, ctx.clock.now()) as string;
  const name = stringField(body, 'name', status, true, 200) as string;
  const workerId = integerField(body, 'workerId', status, false);
  const externalUserId = stringField(body, 'externalUserId', status, false);
  const phone = phoneField(body, status);
  const email = emailField(body, status);

  const dept = findDepartment(ctx.store.state.departments, String(departmentId), key.organizationId);
  checkWorker(dept, workerId, status);

  // A retried POST with the same person on the same slot is a duplicate, not a second booking.
  const duplicate = ctx.store.state.appointments.find(
    (a) =>
      a.status !== 'CANCELLED' &&
      a.departmentId === dept.id &&
      a.dateTime === dateTime &&
      (externalUserId !== null ? a.externalUserId === externalUserId : a.name.toLowerCase() === name.toLowerCase()),
  );
  if (duplicate) {
    throw new ApiError(409, 'DUPLICATE_APPOINTMENT', 'An identical appointment already exists', { appointmentId: duplicate.id });
  }
  checkSlot(ctx, dept, dateTime, workerId);

  const org = ctx.store.organization(key.organizationId);
  if (org.credits < 1) {
    throw new ApiError(402, 'INSUFFICIENT_CREDITS', `Your organization has ${org.credits} credits remaining`, {
      required: 1,
      available: org.credits,
    });
  }

  // Worker-less booking in a worker department cannot happen (checked above); elsewhere keep the given worker.
  const appointment: Appointment = {
    id: ctx.store.nextId('appointment'),
    organizationId: org.id,
    departmentId: dept.id,
    dateTime,
    status: 'SCHEDULED',
    name,
    phone,
    email,
    workerId,
    externalUserId,
    createdAt: ctx.clock.isoNow(),
    updatedAt: null,
    cancelledAt: null,
    cancelledBy: null,
    cancelReason: null,
    validatedAt: null,
    confirmedAt: null,
  };
  org.credits -= 1;
  ctx.store.state.appointments.push(appointment);
  ctx.store.save();
  ctx.emit('appointment.created', appointmentEventObject('appointment.created', appointment, dept, org));
  return appointment;
}

export function findAppointment(ctx: DomainContext, rawId: string, organizationId: number): Appointment {
  const id = parsePathId(rawId);
  const found = id === null ? undefined : ctx.store.state.appointments.find((a) => a.id === id);
  if (!found) throw notFound('APPOINTMENT_NOT_FOUND', rawId);
  if (found.organizationId !== organizationId) {
    throw new ApiError(403, 'ORGANIZATION_MISMATCH', `Appointment ${rawId} belongs to another organization`, { appointmentId: found.id });
  }
  return found;
}

export interface AppointmentPage {
  content: Record<string, unknown>[];
  page: number;
  size: number;
  totalElements: number;
  totalPages: number;
  last: boolean;
}

/** Date filters accept `YYYY-MM-DD` (inclusive whole day) or a full `YYYY-MM-DDTHH:mm:ss`. */
function dateBound(raw: string | undefined, field: string, status: number, endOfDay: boolean): number | null {
  if (raw === undefined || raw === '') return null;
  const day = parseDate(raw);
  if (day !== null) return endOfDay ? day + 86_399_999 : day;
  const ms = parseLocalDateTime(raw);
  if (ms === null) throw invalidDateTime(status, field, raw, 'expected YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss');
  return ms;
}

export function listAppointments(ctx: DomainContext, key: ApiKey, query: Record<string, string | undefined>): AppointmentPage {
  const a = ctx.assumptions;
  const status = a.invalidValueStatus;
  const page = queryInteger(query.page, 'page', status, 0, 0);
  let size = queryInteger(query.size, 'size', status, a.defaultPageSize, 1);
  if (size > a.maxPageSize) {
    if (a.oversizedPage === 'reject') throw invalidValue(status, 'size', query.size, `must be <= ${a.maxPageSize}`);
    size = a.maxPageSize;
  }
  const departmentId = query.departmentId ? parsePathId(query.departmentId) : null;
  if (query.departmentId && departmentId === null) throw invalidValue(status, 'departmentId', query.departmentId, 'expected an integer');
  const from = dateBound(query.startDate, 'startDate', status, false);
  const to = dateBound(query.endDate, 'endDate', status, true);

  const matching = ctx.store.state.appointments
    .filter((x) => x.organizationId === key.organizationId)
    .filter((x) => !query.status || x.status === query.status)
    .filter((x) => departmentId === null || x.departmentId === departmentId)
    .filter((x) => !query.externalUserId || x.externalUserId === query.externalUserId)
    .filter((x) => {
      const ms = parseLocalDateTime(x.dateTime) ?? 0;
      return (from === null || ms >= from) && (to === null || ms <= to);
    })
    .sort((x, y) => x.id - y.id);
  const totalPages = Math.ceil(matching.length / size);
  return {
    content: matching.slice(page * size, page * size + size).map(appointmentView),
    page,
    size,
    totalElements: matching.length,
    totalPages,
    last: page >= totalPages - 1,
  };
}

export function cancelAppointment(
  ctx: DomainContext,
  appointment: Appointment,
  by: { cancelledBy: string; reason: string | null },
): Appointment {
  if (appointment.status !== 'SCHEDULED') {
    throw invalidRequest(`Appointment ${appointment.id} cannot be cancelled (status ${appointment.status})`, {
      appointmentId: appointment.id,
      status: appointment.status,
    });
  }
  const org = ctx.store.organization(appointment.organizationId);
  appointment.status = 'CANCELLED';
  appointment.cancelledAt = ctx.clock.isoNow();
  appointment.cancelledBy = by.cancelledBy;
  appointment.cancelReason = by.reason;
  org.credits += 1;
  ctx.store.save();
  const dept = departmentOf(ctx, appointment);
  ctx.emit('appointment.cancelled', appointmentEventObject('appointment.cancelled', appointment, dept, org));
  return appointment;
}

const UPDATABLE = ['dateTime', 'name', 'workerId', 'externalUserId', 'phone', 'email'] as const;

/** Assumed PATCH: partial update of the fields above; emits appointment.updated with the changed fields only. */
export function updateAppointment(ctx: DomainContext, appointment: Appointment, rawBody: unknown): Appointment {
  const body = asBody(rawBody);
  const status = ctx.assumptions.invalidValueStatus;
  if (!UPDATABLE.some((f) => f in body)) throw invalidRequest(`Nothing to update; allowed fields: ${UPDATABLE.join(', ')}`);
  if (appointment.status !== 'SCHEDULED') {
    throw invalidRequest(`Appointment ${appointment.id} cannot be updated (status ${appointment.status})`, {
      appointmentId: appointment.id,
      status: appointment.status,
    });
  }
  const next = {
    dateTime: 'dateTime' in body ? (dateTimeField(body, 'dateTime', status, true, ctx.clock.now()) as string) : appointment.dateTime,
    name: 'name' in body ? (stringField(body, 'name', status, true, 200) as string) : appointment.name,
    workerId: 'workerId' in body ? integerField(body, 'workerId', status, false) : appointment.workerId,
    externalUserId: 'externalUserId' in body ? stringField(body, 'externalUserId', status, false) : appointment.externalUserId,
    phone: 'phone' in body ? phoneField(body, status) : appointment.phone,
    email: 'email' in body ? emailField(body, status) : appointment.email,
  };
  const dept = departmentOf(ctx, appointment);
  checkWorker(dept, next.workerId, status);
  if (next.dateTime !== appointment.dateTime || next.workerId !== appointment.workerId) {
    checkSlot(ctx, dept, next.dateTime, next.workerId, appointment.id);
  }
  const changes: Changes = {};
  for (const field of UPDATABLE) {
    if (next[field] !== appointment[field]) changes[field] = { from: appointment[field], to: next[field] };
  }
  if (Object.keys(changes).length === 0) return appointment;
  Object.assign(appointment, next, { updatedAt: ctx.clock.isoNow() });
  ctx.store.save();
  const org = ctx.store.organization(appointment.organizationId);
  ctx.emit('appointment.updated', appointmentEventObject('appointment.updated', appointment, dept, org, changes));
  return appointment;
}

export function departmentOf(ctx: DomainContext, appointment: Appointment): Department {
  const dept = ctx.store.state.departments.find((d) => d.id === appointment.departmentId);
  if (!dept) throw new Error(`Department ${appointment.departmentId} vanished`);
  return dept;
}
