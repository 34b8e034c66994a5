/** Who is calling: resolves the API key from `X-API-Key` or `Authorization: Bearer`, with the documented 401/403 codes. */
import type { SandboxAssumptions } from '../defaults';
import { ApiError } from './errors';
import { maskSecret } from './mask';
import type { ApiKey } from './types';

/** D-auth: keys are `mk_` followed by alphanumerics (underscores allowed: `mk_test_…`). */
const KEY_FORMAT = /^mk_[A-Za-z0-9_]+$/;

export interface AuthHeaders {
  xApiKey?: string;
  authorization?: string;
}

export function extractKey(headers: AuthHeaders, assumptions: SandboxAssumptions): string {
  const direct = headers.xApiKey?.trim();
  if (direct) {
    if (!KEY_FORMAT.test(direct)) throw invalidKey(direct);
    return direct;
  }
  const authorization = headers.authorization?.trim();
  if (!authorization || !assumptions.acceptBearer) {
    throw new ApiError(401, 'MISSING_API_KEY', 'API key missing: send X-API-Key (or Authorization: Bearer)');
  }
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match || !KEY_FORMAT.test(match[1])) {
    throw new ApiError(401, 'INVALID_TOKEN_FORMAT', 'Authorization header must be "Bearer mk_…"', {
      field: 'Authorization',
      value: maskSecret(authorization),
    });
  }
  return match[1];
}

export function authenticate(keys: readonly ApiKey[], presented: string, nowMs: number): ApiKey {
  const found = keys.find((k) => k.key === presented);
  if (!found || found.revoked) throw invalidKey(presented);
  if (found.expiresAt !== null && found.expiresAt <= nowMs) {
    throw new ApiError(401, 'EXPIRED_API_KEY', 'The API key has expired', { key: maskSecret(presented) });
  }
  return found;
}

export function requireScope(key: ApiKey, scope: string): void {
  if (!key.scopes.includes(scope)) {
    throw new ApiError(403, 'INSUFFICIENT_SCOPE', `The API key lacks the scope '${scope}'`, { requiredScope: scope });
  }
}

function invalidKey(presented: string): ApiError {
  return new ApiError(401, 'INVALID_API_KEY', 'The API key is invalid or revoked', { key: maskSecret(presented) });
}
