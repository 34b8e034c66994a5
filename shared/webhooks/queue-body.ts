/**
 * A verified webhook body on its way through SQS, byte for byte. SQS refuses message bodies with
 * characters outside XML's set (#x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF), so a
 * body that is not valid UTF-8 or holds such a character travels base64-encoded, flagged by the
 * `bodyEncoding` message attribute; every other body travels as is (readable in the console). Pure.
 */
export type BodyEncoding = 'utf8' | 'base64';

export interface QueueBody {
  readonly body: string;
  readonly encoding: BodyEncoding;
}

/** A character SQS accepts in a message body (the XML 1.0 Char production). */
const SQS_UNSAFE = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Room kept in a message for its attributes (event id ≤ 200 characters, type ≤ 100, encoding flag). */
export const ATTRIBUTE_BUDGET_BYTES = 2048;

export function toQueueBody(raw: Buffer): QueueBody {
  const text = raw.toString('utf8');
  const exact = Buffer.byteLength(text, 'utf8') === raw.length && Buffer.from(text, 'utf8').equals(raw);
  if (exact && !SQS_UNSAFE.test(text)) return { body: text, encoding: 'utf8' };
  return { body: raw.toString('base64'), encoding: 'base64' };
}

export function fromQueueBody(body: string, encoding: string | undefined): Buffer {
  return encoding === 'base64' ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

/** The largest raw body that fits a queue message of `queueMaxBytes` even when it must travel base64-encoded. */
export function maxRawBodyBytes(queueMaxBytes: number): number {
  return Math.floor((queueMaxBytes - ATTRIBUTE_BUDGET_BYTES) / 4) * 3;
}
