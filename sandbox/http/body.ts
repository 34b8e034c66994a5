/** Reads a request body and parses JSON, mapping malformed input to 400 INVALID_REQUEST. */
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../domain/errors';

const MAX_BODY_BYTES = 1_000_000;

export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'INVALID_REQUEST', 'Request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Empty body → undefined (GET, DELETE); otherwise it must be JSON. */
export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new ApiError(400, 'INVALID_REQUEST', 'Request body is not valid JSON');
  }
}

export function queryOf(url: URL): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of url.searchParams) if (!(k in out)) out[k] = v;
  return out;
}
