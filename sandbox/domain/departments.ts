/** Departments, their slots and availability. Visibility assumed: a key sees its own organization's departments only. */
import type { SandboxAssumptions } from '../defaults';
import { DAY_MS, formatDate, hhmm, minutesOf, parseDate, weekDay } from './calendar';
import { ApiError, invalidValue, missingField, notFound } from './errors';
import type { Appointment, Department } from './types';

export function departmentView(dept: Department, organizationName: string): Record<string, unknown> {
  return {
    id: dept.id,
    name: dept.name,
    description: dept.description,
    organization: { id: dept.organizationId, name: organizationName },
    slotDuration: dept.slotDuration,
    isActive: dept.isActive,
    openingHours: dept.openingHours,
    showAdminsInBooking: dept.showAdminsInBooking,
    workers: dept.workers,
  };
}

/** Path ids arrive as strings ("12" from the SDKs); anything non-numeric cannot exist. */
export function parsePathId(raw: string): number | null {
  return /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

export function findDepartment(departments: readonly Department[], rawId: string, organizationId: number): Department {
  const id = parsePathId(rawId);
  const dept = id === null ? undefined : departments.find((d) => d.id === id);
  if (!dept) throw notFound('DEPARTMENT_NOT_FOUND', rawId);
  if (dept.organizationId !== organizationId) {
    throw new ApiError(403, 'DEPARTMENT_ACCESS_DENIED', `No access to department ${rawId}`, { departmentId: dept.id });
  }
  return dept;
}

/** Start times (HH:mm) offered on a given day, from the opening hours cut into slotDuration pieces. */
export function slotTimes(dept: Department, dayMs: number): string[] {
  const ranges = dept.openingHours[weekDay(dayMs)] ?? [];
  const times: string[] = [];
  for (const range of ranges) {
    for (let t = minutesOf(range.start); t + dept.slotDuration <= minutesOf(range.end); t += dept.slotDuration) {
      times.push(hhmm(t));
    }
  }
  return times;
}

export function isSlotOffered(dept: Department, dateTimeMs: number): boolean {
  const dayMs = Math.floor(dateTimeMs / DAY_MS) * DAY_MS;
  const time = hhmm(Math.round((dateTimeMs - dayMs) / 60_000));
  return dept.isActive && (dateTimeMs - dayMs) % 60_000 === 0 && slotTimes(dept, dayMs).includes(time);
}

/** Active bookings on the slot; with showAdminsInBooking each worker is one seat, else the slot has one seat. */
export function isSlotFree(
  dept: Department,
  dateTime: string,
  workerId: number | null,
  appointments: readonly Appointment[],
  ignoreAppointmentId?: number,
): boolean {
  const taken = appointments.filter(
    (a) => a.departmentId === dept.id && a.dateTime === dateTime && a.status !== 'CANCELLED' && a.id !== ignoreAppointmentId,
  );
  if (!dept.showAdminsInBooking) return taken.length === 0;
  if (workerId !== null) return !taken.some((a) => a.workerId === workerId);
  return taken.length < dept.workers.length;
}

export function availability(
  dept: Department,
  query: { startDate?: string; endDate?: string },
  appointments: readonly Appointment[],
  nowMs: number,
  assumptions: SandboxAssumptions,
): { departmentId: number; availability: Array<{ date: string; slots: Array<{ time: string; available: boolean; dateTime: string }> }> } {
  if (!query.startDate) throw missingField('startDate');
  if (!query.endDate) throw missingField('endDate');
  const status = assumptions.invalidValueStatus;
  const start = parseDate(query.startDate);
  if (start === null) throw invalidValue(status, 'startDate', query.startDate, 'expected YYYY-MM-DD');
  const end = parseDate(query.endDate);
  if (end === null) throw invalidValue(status, 'endDate', query.endDate, 'expected YYYY-MM-DD');
  if (end < start) throw invalidValue(status, 'endDate', query.endDate, 'must not be before startDate');
  const days = (end - start) / DAY_MS + 1;
  if (days > assumptions.maxAvailabilityDays) {
    throw invalidValue(status, 'endDate', query.endDate, `range longer than ${assumptions.maxAvailabilityDays} days`);
  }
  const result = [];
  for (let day = start; day <= end; day += DAY_MS) {
    const date = formatDate(day);
    const slots = slotTimes(dept, day).map((time) => {
      const dateTime = `${date}T${time}:00`;
      const future = day + minutesOf(time) * 60_000 > nowMs;
      return { time, available: future && isSlotFree(dept, dateTime, null, appointments), dateTime };
    });
    result.push({ date, slots });
  }
  return { departmentId: dept.id, availability: result };
}
