/** Field validators for request bodies and query strings, each raising the documented error code. */
import { ApiError, invalidDateTime, invalidValue, missingField } from './errors';
import { parseLocalDateTime } from './calendar';

export type Body = Record<string, unknown>;

export function asBody(value: unknown): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'INVALID_REQUEST', 'Request body must be a JSON object');
  }
  return value as Body;
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/** Integers may come as numbers or numeric strings (SDKs type ids as strings). */
export function integerField(body: Body, field: string, status: number, required: boolean): number | null {
  const v = body[field];
  if (!present(v)) {
    if (required) throw missingField(field);
    return null;
  }
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v) && Number(v) > 0) return Number(v);
  throw invalidValue(status, field, v, 'expected a positive integer');
}

export function stringField(body: Body, field: string, status: number, required: boolean, maxLength = 255): string | null {
  const v = body[field];
  if (typeof v === 'string' && v.trim() === '' && required) throw missingField(field);
  if (!present(v)) {
    if (required) throw missingField(field);
    return null;
  }
  if (typeof v !== 'string') throw invalidValue(status, field, v, 'expected a string');
  if (v.length > maxLength) throw invalidValue(status, field, v, `longer than ${maxLength} characters`);
  return v.trim();
}

/** `YYYY-MM-DDTHH:mm:ss` with no offset (all docs examples); must lie in the future. */
export function dateTimeField(body: Body, field: string, status: number, required: boolean, nowMs: number): string | null {
  const v = body[field];
  if (!present(v)) {
    if (required) throw missingField(field);
    return null;
  }
  if (typeof v !== 'string') throw invalidDateTime(status, field, v, 'expected YYYY-MM-DDTHH:mm:ss');
  const ms = parseLocalDateTime(v);
  if (ms === null) throw invalidDateTime(status, field, v, 'expected YYYY-MM-DDTHH:mm:ss');
  if (ms <= nowMs) throw invalidDateTime(status, field, v, 'must be in the future');
  return v;
}

/** Guinean E.164 numbers as in the docs' payloads: +224 followed by 9 digits. */
export function phoneField(body: Body, status: number): string | null {
  const v = body.phone;
  if (!present(v)) return null;
  if (typeof v !== 'string' || !/^\+224\d{9}$/.test(v)) {
    throw new ApiError(status, 'INVALID_PHONE_NUMBER', 'Phone number must look like +224XXXXXXXXX', { field: 'phone', value: v });
  }
  return v;
}

export function emailField(body: Body, status: number): string | null {
  const v = body.email;
  if (!present(v)) return null;
  if (typeof v !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) {
    throw new ApiError(status, 'INVALID_EMAIL', 'Invalid email address', { field: 'email', value: v });
  }
  return v;
}

/** Query integers (page, size): absent → fallback. */
export function queryInteger(raw: string | undefined, field: string, status: number, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw) || Number(raw) < min) throw invalidValue(status, field, raw, `expected an integer >= ${min}`);
  return Number(raw);
}
