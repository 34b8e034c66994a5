/**
 * What can be wrong with the webhook signing secret as read: no `current` field (a misnamed JSON
 * field, an unset local variable), one shorter than the checklist's 32 characters, or a `previousUntil`
 * that is not a date. And which secrets verify a delivery now: `current`, and `previous` until its
 * `previousUntil` (written by the rotation; a `previous` set by hand without one stays accepted). Pure.
 */
import type { SecretFields } from './ports';

export const MIN_WEBHOOK_SECRET_LENGTH = 32;

export type WebhookSecretProblem = 'missing_current' | 'current_too_short' | 'previous_too_short' | 'previous_until_invalid' | 'unknown_fields';

const KNOWN_FIELDS = new Set(['current', 'previous', 'previousUntil']);

export function webhookSecretProblems(fields: SecretFields): WebhookSecretProblem[] {
  const problems: WebhookSecretProblem[] = [];
  if (!fields.current) problems.push('missing_current');
  else if (fields.current.length < MIN_WEBHOOK_SECRET_LENGTH) problems.push('current_too_short');
  if (fields.previous && fields.previous.length < MIN_WEBHOOK_SECRET_LENGTH) problems.push('previous_too_short');
  if (fields.previousUntil && Number.isNaN(Date.parse(fields.previousUntil))) problems.push('previous_until_invalid');
  if (Object.keys(fields).some((name) => !KNOWN_FIELDS.has(name))) problems.push('unknown_fields');
  return problems;
}

export type SecretName = 'current' | 'previous';

/**
 * The secrets a delivery may be signed with at `nowMs`, and whether `previous` exists but its window has
 * closed (deliveries it signed are then refused). An unreadable `previousUntil` closes the window (fail closed).
 */
export function acceptedSecrets(fields: SecretFields, nowMs: number): { candidates: Array<{ name: SecretName; secret: string }>; expired?: string } {
  const candidates: Array<{ name: SecretName; secret: string }> = [{ name: 'current', secret: fields.current ?? '' }];
  if (!fields.previous) return { candidates };
  const until = fields.previousUntil ? Date.parse(fields.previousUntil) : Infinity;
  if (nowMs < until) return { candidates: [...candidates, { name: 'previous', secret: fields.previous }] };
  return { candidates, expired: fields.previous };
}
