import { createHmac } from 'node:crypto';
import { computeSignature, findSignature, parseSignature, signatureHeader, verifySignature } from '../../shared/moncreneau/signature';
import { DOCS_EXAMPLES } from '../../shared/moncreneau/examples';

const SECRET = 'whsec_abc123xyz789_docs_style_secret_value';
const PREVIOUS = 'whsec_previous_rotation_secret_value_0001';
const body = Buffer.from(JSON.stringify(DOCS_EXAMPLES['appointment.created']));
// Independent reference: the docs' own recipe (createHmac over the raw body, hex digest).
const docsHex = (raw: Buffer | string, secret: string) => createHmac('sha256', secret).update(raw).digest('hex');

describe('webhook signature (docs scheme: sha256=<hex> over the raw body, secret incl. whsec_ as key)', () => {
  it('matches the docs recipe byte for byte', () => {
    expect(computeSignature(body, SECRET)).toBe(docsHex(body, SECRET));
    expect(signatureHeader(body, SECRET)).toBe(`sha256=${docsHex(body, SECRET)}`);
  });

  it('accepts the prefixed form and the SDKs\' bare hex', () => {
    expect(verifySignature(body, `sha256=${docsHex(body, SECRET)}`, [SECRET])).toBe(true);
    expect(verifySignature(body, docsHex(body, SECRET), [SECRET])).toBe(true);
  });

  it('accepts an upper-case prefix/hex (case-insensitive hex decoding)', () => {
    expect(verifySignature(body, `SHA256=${docsHex(body, SECRET).toUpperCase()}`, [SECRET])).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifySignature(body, `sha256=${docsHex(body, 'whsec_wrong')}`, [SECRET])).toBe(false);
  });

  it('rejects when any single byte of the body is tampered with', () => {
    const sig = `sha256=${docsHex(body, SECRET)}`;
    for (const index of [0, Math.floor(body.length / 2), body.length - 1]) {
      const tampered = Buffer.from(body);
      tampered[index] = tampered[index] ^ 0x01;
      expect(verifySignature(tampered, sig, [SECRET])).toBe(false);
    }
  });

  it('accepts the previous secret during a rotation, and only listed secrets', () => {
    const sigByPrevious = `sha256=${docsHex(body, PREVIOUS)}`;
    expect(verifySignature(body, sigByPrevious, [SECRET, PREVIOUS])).toBe(true);
    expect(verifySignature(body, sigByPrevious, [SECRET])).toBe(false);
    expect(verifySignature(body, sigByPrevious, [SECRET, ''])).toBe(false);
  });

  it('verifies an empty body (signature of zero bytes) and rejects it under another secret', () => {
    const empty = Buffer.alloc(0);
    expect(verifySignature(empty, docsHex(empty, SECRET), [SECRET])).toBe(true);
    expect(verifySignature(empty, docsHex(empty, PREVIOUS), [SECRET])).toBe(false);
  });

  it('verifies unicode bodies on their UTF-8 bytes', () => {
    const unicode = Buffer.from(JSON.stringify({ id: 'evt_u', name: 'Mamadou Diallo — Conakry ✓ 🇬🇳', city: 'Labé' }), 'utf8');
    expect(verifySignature(unicode, `sha256=${docsHex(unicode, SECRET)}`, [SECRET])).toBe(true);
    // Hashing the string as latin1 would be a different digest: proves bytes, not characters, are signed.
    expect(docsHex(unicode.toString('latin1'), SECRET)).not.toBe(docsHex(unicode, SECRET));
  });

  it('rejects whitespace-reformatted JSON (same object, different bytes)', () => {
    const compact = Buffer.from(JSON.stringify(DOCS_EXAMPLES['appointment.created']));
    const pretty = Buffer.from(JSON.stringify(DOCS_EXAMPLES['appointment.created'], null, 2));
    expect(verifySignature(pretty, `sha256=${docsHex(compact, SECRET)}`, [SECRET])).toBe(false);
  });

  it('rejects missing, malformed, truncated and wrong-algorithm signatures', () => {
    const hex = docsHex(body, SECRET);
    for (const bad of [undefined, '', 'sha256=', 'sha256=xyz', hex.slice(0, 63), `${hex}00`, `sha1=${hex}`, `md5=${hex}`]) {
      expect(verifySignature(body, bad, [SECRET])).toBe(false);
    }
    expect(parseSignature(`sha1=${hex}`)).toBeUndefined();
  });

  it('reads X-Moncreneau-Signature first, then X-Webhook-Signature, whatever their case', () => {
    expect(findSignature({ 'x-moncreneau-signature': 'a', 'X-Webhook-Signature': 'b' })).toBe('a');
    expect(findSignature({ 'X-WEBHOOK-SIGNATURE': 'b' })).toBe('b');
    expect(findSignature({ other: 'c' })).toBeUndefined();
    expect(findSignature(null)).toBeUndefined();
  });
});
