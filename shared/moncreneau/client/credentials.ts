/**
 * The API key: read from a KeySource (Secrets Manager cached / environment), refreshed on demand
 * after a 401 (rotation). The key is only ever placed in a header; nothing here logs or throws it.
 */
import { ConfigurationError } from './errors';
import type { AuthScheme } from './config';
import type { KeySource } from './types';

export class ApiKeyProvider {
  constructor(
    private readonly source: KeySource,
    private readonly field: string,
  ) {}

  async key(forceRefresh = false): Promise<string> {
    const fields = await this.source.get(forceRefresh ? { forceRefresh: true } : undefined);
    const key = fields[this.field];
    if (!key) throw new ConfigurationError(`MONCRENEAU API key secret has no "${this.field}" field (or MONCRENEAU_API_KEY is unset locally)`);
    return key;
  }
}

export function authHeaders(scheme: AuthScheme, key: string): Record<string, string> {
  return scheme === 'bearer' ? { authorization: `Bearer ${key}` } : { 'x-api-key': key };
}
