/**
 * MONCRENEAU webhook signatures (docs/moncreneau-api.md §8.6): HMAC-SHA256 over the raw body bytes,
 * keyed with the whole secret string (including `whsec_`), lowercase hex, sent as
 * `X-Moncreneau-Signature: sha256=<hex>`; the SDKs send bare hex in `X-Webhook-Signature`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { header } from '../http/responses';

export const SIGNATURE_HEADERS = ['x-moncreneau-signature', 'x-webhook-signature'] as const;

const HEX_DIGEST = /^[0-9a-f]{64}$/i;

export function computeSignature(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** The header value MONCRENEAU sends for this body. */
export function signatureHeader(rawBody: Buffer | string, secret: string): string {
  return `sha256=${computeSignature(rawBody, secret)}`;
}

/** Decodes `sha256=<hex>` or bare `<hex>` into the 32 digest bytes; anything else → undefined. */
export function parseSignature(value: string | undefined): Buffer | undefined {
  if (!value) return undefined;
  let hex = value.trim();
  const eq = hex.indexOf('=');
  if (eq !== -1) {
    if (hex.slice(0, eq).toLowerCase() !== 'sha256') return undefined;
    hex = hex.slice(eq + 1);
  }
  return HEX_DIGEST.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

/**
 * True when the signature matches the body under any of the secrets (current, then previous during a
 * rotation). Every candidate is compared with timingSafeEqual on equal-length digests, without early exit.
 */
export function verifySignature(rawBody: Buffer, signature: string | undefined, secrets: readonly string[]): boolean {
  return matchingSecret(rawBody, signature, secrets.map((secret, i) => ({ name: String(i), secret }))) !== undefined;
}

/**
 * The name of the first candidate whose secret signed the body, or undefined. Every candidate is compared
 * (timingSafeEqual on equal-length digests, no early exit), so timing does not tell which one matched.
 */
export function matchingSecret<N extends string>(rawBody: Buffer, signature: string | undefined, candidates: ReadonlyArray<{ readonly name: N; readonly secret: string }>): N | undefined {
  const given = parseSignature(signature);
  if (!given) return undefined;
  let match: N | undefined;
  for (const { name, secret } of candidates) {
    if (!secret) continue;
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (timingSafeEqual(expected, given) && match === undefined) match = name;
  }
  return match;
}

/** First signature header present, `X-Moncreneau-Signature` before the SDKs' `X-Webhook-Signature`. */
export function findSignature(headers: Readonly<Record<string, string | undefined>> | null | undefined): string | undefined {
  for (const name of SIGNATURE_HEADERS) {
    const value = header(headers, name);
    if (value) return value;
  }
  return undefined;
}
