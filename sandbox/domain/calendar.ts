/**
 * Date helpers for offset-less values. Assumed time zone: UTC (Guinea is UTC+0 without DST, and the
 * docs never state a zone), so `2026-02-16T08:00:00` is compared with the clock as 08:00Z.
 */
import type { WeekDay } from './types';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const WEEK_DAYS: WeekDay[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** ms since epoch for a `YYYY-MM-DD` date, or null when malformed or not a real calendar day. */
export function parseDate(value: string): number | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return formatDate(ms) === value ? ms : null;
}

/** ms since epoch for `YYYY-MM-DDTHH:mm:ss` (no offset), or null. */
export function parseLocalDateTime(value: string): number | null {
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return formatLocalDateTime(ms) === value ? ms : null;
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function formatLocalDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export function weekDay(ms: number): WeekDay {
  return WEEK_DAYS[new Date(ms).getUTCDay()];
}

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export const DAY_MS = 86_400_000;
