/**
 * Request validation for the appointments API. Pure. Every bad field is reported (not just the
 * first), as `{ field, problem }`, so a caller fixes its request in one round trip.
 */
import type { CreateAppointmentRequest, ListAppointmentsPageParams, UpdateAppointmentRequest } from '../moncreneau/client/types';

export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly FieldProblem[] };

export const MAX_NAME_LENGTH = 200;
export const MAX_EXTERNAL_USER_ID_LENGTH = 200;
export const MAX_PAGE_SIZE = 100;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DDTHH:mm:ss`, no offset (docs/moncreneau-api.md §3.4), and a date that exists (no 2026-02-30, no 24:00). */
export function isLocalDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  return m !== null && isRealDate(+m[1], +m[2], +m[3]) && +m[4] < 24 && +m[5] < 60 && +m[6] < 60;
}

export function isLocalDate(value: string): boolean {
  const m = DATE.exec(value);
  return m !== null && isRealDate(+m[1], +m[2], +m[3]);
}

function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Check = (value: unknown) => string | undefined;

const checks = {
  positiveInt: (v: unknown) => (isPositiveInt(v) ? undefined : 'must be a positive integer'),
  dateTime: (v: unknown) => (typeof v === 'string' && isLocalDateTime(v) ? undefined : 'must be a real date-time YYYY-MM-DDTHH:mm:ss without offset'),
  name: (v: unknown) => {
    if (typeof v !== 'string' || v.trim() === '') return 'must be a non-empty string';
    return v.length > MAX_NAME_LENGTH ? `must be at most ${MAX_NAME_LENGTH} characters` : undefined;
  },
  externalUserId: (v: unknown) => {
    if (typeof v !== 'string' || v.trim() === '') return 'must be a non-empty string';
    return v.length > MAX_EXTERNAL_USER_ID_LENGTH ? `must be at most ${MAX_EXTERNAL_USER_ID_LENGTH} characters` : undefined;
  },
} satisfies Record<string, Check>;

interface FieldRule {
  readonly check: Check;
  readonly required: boolean;
}

function validateFields(body: unknown, rules: Readonly<Record<string, FieldRule>>): FieldProblem[] {
  if (!isObject(body)) return [{ field: '(body)', problem: 'must be a JSON object' }];
  const problems: FieldProblem[] = [];
  for (const [field, rule] of Object.entries(rules)) {
    const value = body[field];
    if (value === undefined || value === null) {
      if (rule.required) problems.push({ field, problem: 'is required' });
      continue;
    }
    const problem = rule.check(value);
    if (problem) problems.push({ field, problem });
  }
  for (const field of Object.keys(body)) if (!Object.hasOwn(rules, field)) problems.push({ field, problem: 'is not a known field' });
  return problems;
}

const CREATE_RULES = {
  departmentId: { check: checks.positiveInt, required: true },
  dateTime: { check: checks.dateTime, required: true },
  name: { check: checks.name, required: true },
  workerId: { check: checks.positiveInt, required: false },
  externalUserId: { check: checks.externalUserId, required: false },
} as const;

const UPDATE_RULES = {
  dateTime: { check: checks.dateTime, required: false },
  name: { check: checks.name, required: false },
  workerId: { check: checks.positiveInt, required: false },
} as const;

export function validateCreate(body: unknown): Validated<CreateAppointmentRequest> {
  const problems = validateFields(body, CREATE_RULES);
  if (problems.length > 0) return { ok: false, problems };
  const b = body as Record<string, unknown>;
  return {
    ok: true,
    value: {
      departmentId: b.departmentId as number,
      dateTime: b.dateTime as string,
      name: (b.name as string).trim(),
      ...(b.workerId != null ? { workerId: b.workerId as number } : {}),
      ...(b.externalUserId != null ? { externalUserId: b.externalUserId as string } : {}),
    },
  };
}

/** PATCH (ASSUMED API endpoint): any of dateTime, name, workerId, at least one. */
export function validateUpdate(body: unknown): Validated<UpdateAppointmentRequest> {
  const problems = validateFields(body, UPDATE_RULES);
  if (problems.length === 0 && !Object.keys(UPDATE_RULES).some((f) => (body as Record<string, unknown>)[f] != null)) {
    problems.push({ field: '(body)', problem: `must change at least one of ${Object.keys(UPDATE_RULES).join(', ')}` });
  }
  if (problems.length > 0) return { ok: false, problems };
  const b = body as Record<string, unknown>;
  return {
    ok: true,
    value: {
      ...(b.dateTime != null ? { dateTime: b.dateTime as string } : {}),
      ...(b.name != null ? { name: (b.name as string).trim() } : {}),
      ...(b.workerId != null ? { workerId: b.workerId as number } : {}),
    },
  };
}

/** MONCRENEAU ids are integers in every docs example; anything else cannot exist. */
export function isAppointmentId(value: string | undefined): value is string {
  return value !== undefined && /^[1-9]\d{0,17}$/.test(value);
}

const LIST_PARAMS = ['page', 'size', 'status', 'departmentId', 'externalUserId', 'startDate', 'endDate'] as const;

/** Query string of GET /appointments (page from 0, size ≤ 100). Unknown parameters are refused. */
export function validateListQuery(query: Readonly<Record<string, string | undefined>> | null): Validated<ListAppointmentsPageParams> {
  const q = query ?? {};
  const problems: FieldProblem[] = [];
  const int = (field: string, min: number, max: number): number | undefined => {
    const raw = q[field];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) problems.push({ field, problem: `must be an integer from ${min} to ${max}` });
    return n;
  };
  const date = (field: string): string | undefined => {
    const raw = q[field];
    if (raw !== undefined && !isLocalDate(raw) && !isLocalDateTime(raw)) problems.push({ field, problem: 'must be YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss' });
    return raw;
  };
  const page = int('page', 0, 100_000);
  const size = int('size', 1, MAX_PAGE_SIZE);
  const departmentId = int('departmentId', 1, Number.MAX_SAFE_INTEGER);
  const startDate = date('startDate');
  const endDate = date('endDate');
  const status = q.status;
  if (status !== undefined && !/^[A-Z_]{1,40}$/.test(status)) problems.push({ field: 'status', problem: 'must be an upper-case status such as SCHEDULED' });
  const externalUserId = q.externalUserId;
  if (externalUserId !== undefined) {
    const problem = checks.externalUserId(externalUserId);
    if (problem) problems.push({ field: 'externalUserId', problem });
  }
  for (const field of Object.keys(q)) if (!(LIST_PARAMS as readonly string[]).includes(field)) problems.push({ field, problem: 'is not a known query parameter' });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { page: page ?? 0, size: size ?? 20, status, departmentId, externalUserId, startDate, endDate } };
}
