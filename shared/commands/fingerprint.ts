/**
 * The request an Idempotency-Key was first used with, as a stable hash: same key + same request →
 * the same command; same key + another request → 409 IDEMPOTENCY_KEY_REUSED. Key order in the JSON
 * body does not matter (canonical form).
 */
import { createHash } from 'node:crypto';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function requestFingerprint(parts: { readonly type: string; readonly appointmentId?: string; readonly body?: unknown }): string {
  return createHash('sha256').update(JSON.stringify(canonical(parts))).digest('hex');
}
