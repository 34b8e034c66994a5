/** The limits MONCRENEAU traffic must respect, as sliding-log rules. */
import type { RateRule } from './sliding-log';

/** 100 requests/min (checklist §3) and the key's hourly quota (1000/h default, docs/moncreneau-api.md §5). */
export function moncreneauRules(perMinute = 100, perHour = 1000): RateRule[] {
  return [
    { name: 'per-minute', limit: perMinute, windowMs: 60_000 },
    { name: 'per-hour', limit: perHour, windowMs: 3_600_000 },
  ];
}
