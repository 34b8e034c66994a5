/** The limits MONCRENEAU traffic must respect, as GCRA rules (gcra.ts). */
import type { RateRule } from './gcra';

/**
 * 100 requests/min (checklist §3) and the key's hourly quota (1000/h default, docs/moncreneau-api.md §5).
 * `burst` (default a fifth of the per-minute limit: 20) requests may leave back to back after a quiet spell;
 * each one above 1 costs 1/perHour of the sustained hourly rate — with the defaults 981/h instead of 1000/h,
 * and never more than 100 in any minute nor 1000 in any hour (docs/moncreneau-client.md §5).
 */
export function moncreneauRules(perMinute = 100, perHour = 1000, burst = Math.max(1, Math.round(perMinute / 5))): RateRule[] {
  return [
    { name: 'per-minute', limit: perMinute, windowMs: 60_000, burst: Math.min(burst, perMinute) },
    { name: 'per-hour', limit: perHour, windowMs: 3_600_000, burst: Math.min(burst, perHour) },
  ];
}
