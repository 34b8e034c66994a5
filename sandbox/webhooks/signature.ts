/** The documented signature: `sha256=` + lowercase hex HMAC-SHA256 of the raw body, keyed with the whole secret (whsec_ included). */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Moncreneau-Signature';
export const EVENT_HEADER = 'X-Moncreneau-Event';

export function signBody(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
