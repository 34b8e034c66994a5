/**
 * The webhook envelope (docs/moncreneau-api.md §8.3): { id: "evt_…", type, created: ISO-8601, data: { object } }.
 * Validation is structural only; what a type means is the processor's business.
 */
export interface WebhookEvent<T = Record<string, unknown>> {
  readonly id: string;
  readonly type: string;
  readonly created: string;
  readonly data: { readonly object: T };
}

export type EnvelopeCheck = { ok: true; event: WebhookEvent } | { ok: false; problems: string[] };

const MAX_ID_LENGTH = 200;
const MAX_TYPE_LENGTH = 100;
const TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

export const APPOINTMENT_EVENT_TYPES = [
  'appointment.created',
  'appointment.updated',
  'appointment.cancelled',
  'appointment.validated',
  'appointment.confirmed',
] as const;
export type AppointmentEventType = (typeof APPOINTMENT_EVENT_TYPES)[number];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkEnvelope(value: unknown): EnvelopeCheck {
  if (!isRecord(value)) return { ok: false, problems: ['body must be a JSON object'] };
  const problems: string[] = [];
  const { id, type, created, data } = value;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) problems.push(`id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  if (typeof type !== 'string' || type.length > MAX_TYPE_LENGTH || !TYPE_PATTERN.test(type)) {
    problems.push(`type must be a dotted event name such as "appointment.created", at most ${MAX_TYPE_LENGTH} characters`);
  }
  if (typeof created !== 'string' || Number.isNaN(Date.parse(created))) problems.push('created must be an ISO-8601 timestamp');
  if (!isRecord(data) || !isRecord(data.object)) problems.push('data.object must be an object');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, event: value as unknown as WebhookEvent };
}

/** Parses and checks a raw body; never throws. */
export function parseWebhookEvent(rawBody: string): EnvelopeCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch (error) {
    // V8 parses recursively: a pathologically deep document overflows the stack rather than failing to parse.
    return { ok: false, problems: [error instanceof RangeError ? 'body is nested too deeply to parse' : 'body is not valid JSON'] };
  }
  return checkEnvelope(parsed);
}
