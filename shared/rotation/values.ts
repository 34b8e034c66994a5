/**
 * The two rotating secrets' values, as JSON text: what the operator stages, what the rotation writes as
 * AWSPENDING, and what is wrong with either. Pure.
 *
 *   apiKey         staged {"apiKey":"<new>"}   → pending {"apiKey":"<new>"}
 *   webhookSecret  staged {"current":"<new>"}  → pending {"current":"<new>","previous":"<old current>","previousUntil":"<ISO time>"}
 *
 * The webhook secret's `previousUntil` is set when the rotation writes the pending value (createSecret,
 * seconds before it is promoted), so the window for the old secret starts at the switch, not at staging.
 */
import { MIN_WEBHOOK_SECRET_LENGTH } from '../webhooks/secret-check';

export type RotatingSecret = 'apiKey' | 'webhookSecret';

/** The field that holds the new value in each secret's JSON. */
export const NEW_VALUE_FIELD: Readonly<Record<RotatingSecret, string>> = { apiKey: 'apiKey', webhookSecret: 'current' };

type Fields = Readonly<Record<string, unknown>>;

function parse(text: string | undefined): Fields | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
  } catch {
    return undefined;
  }
}

/** The new value a secret's JSON carries (`apiKey`, or the webhook secret's `current`), if any. */
export function newValueOf(secret: RotatingSecret, text: string | undefined): string | undefined {
  const field = parse(text)?.[NEW_VALUE_FIELD[secret]];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/** The JSON the operator stages for a new value (npm run keys -- stage). */
export function stagedJson(secret: RotatingSecret, value: string): string {
  return JSON.stringify({ [NEW_VALUE_FIELD[secret]]: value });
}

/** What is wrong with a new value, compared with the value in use (never the values themselves). */
export function newValueProblems(secret: RotatingSecret, value: string | undefined, currentText: string | undefined): string[] {
  if (!value) return [`no "${NEW_VALUE_FIELD[secret]}" value`];
  const problems: string[] = [];
  if (/\s/.test(value)) problems.push('contains whitespace (a copy-paste accident?)');
  if (secret === 'webhookSecret' && value.length < MIN_WEBHOOK_SECRET_LENGTH) problems.push(`shorter than ${MIN_WEBHOOK_SECRET_LENGTH} characters`);
  if (value === newValueOf(secret, currentText)) problems.push('equal to the value in use');
  return problems;
}

/** The AWSPENDING value built from the staged one and the value in use. */
export function composePending(secret: RotatingSecret, stagedText: string, currentText: string, nowMs: number, previousWindowMs: number): string {
  const value = newValueOf(secret, stagedText)!;
  if (secret === 'apiKey') return JSON.stringify({ apiKey: value });
  const previous = newValueOf(secret, currentText);
  return JSON.stringify({ current: value, ...(previous ? { previous, previousUntil: new Date(nowMs + previousWindowMs).toISOString() } : {}) });
}

/** What is wrong with an AWSPENDING value before it may be promoted (testSecret). */
export function pendingProblems(secret: RotatingSecret, pendingText: string, currentText: string | undefined, nowMs: number): string[] {
  const fields = parse(pendingText);
  if (!fields) return ['not a JSON object'];
  const problems = newValueProblems(secret, newValueOf(secret, pendingText), currentText);
  if (secret === 'webhookSecret' && fields.previous !== undefined) {
    if (fields.previous !== newValueOf(secret, currentText)) problems.push('"previous" is not the secret in use');
    const until = typeof fields.previousUntil === 'string' ? Date.parse(fields.previousUntil) : NaN;
    if (Number.isNaN(until)) problems.push('"previousUntil" is not a date');
    else if (until <= nowMs) problems.push('"previousUntil" has already passed');
  }
  return problems;
}
