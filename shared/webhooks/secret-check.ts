/**
 * What can be wrong with the webhook signing secret as read: no `current` field (a misnamed JSON
 * field, an unset local variable) or one shorter than the checklist's 32 characters. Pure.
 */
import type { SecretFields } from './ports';

export const MIN_WEBHOOK_SECRET_LENGTH = 32;

export type WebhookSecretProblem = 'missing_current' | 'current_too_short' | 'previous_too_short' | 'unknown_fields';

const KNOWN_FIELDS = new Set(['current', 'previous']);

export function webhookSecretProblems(fields: SecretFields): WebhookSecretProblem[] {
  const problems: WebhookSecretProblem[] = [];
  if (!fields.current) problems.push('missing_current');
  else if (fields.current.length < MIN_WEBHOOK_SECRET_LENGTH) problems.push('current_too_short');
  if (fields.previous && fields.previous.length < MIN_WEBHOOK_SECRET_LENGTH) problems.push('previous_too_short');
  if (Object.keys(fields).some((name) => !KNOWN_FIELDS.has(name))) problems.push('unknown_fields');
  return problems;
}
