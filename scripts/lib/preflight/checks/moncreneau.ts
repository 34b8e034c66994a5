/** MONCRENEAU answers the stage's key over HTTPS with the configured auth scheme (GET /departments). */
import { authHeaders } from '../../../../shared/moncreneau/client/credentials';
import { fail, pass, skip, warn } from '../types';
import type { Check } from './context';

const TIMEOUT_MS = 10_000;

export const moncreneauHttps: Check = async ({ probe }) => {
  const url = probe.moncreneauBaseUrl;
  if (probe.kind === 'local') return skip(`local: the sandbox on loopback (${url}); the stage's URL is ${probe.config.moncreneau.baseUrl}`);
  return url.startsWith('https://') ? pass(url) : fail(`${url} is not HTTPS`, 'set moncreneau.baseUrl to the https:// URL in infra/config/stages.ts');
};

export const moncreneauReachable: Check = async ({ probe }) => {
  const key = (await probe.secret('apiKey')).apiKey;
  if (typeof key !== 'string' || key === '') return fail('no API key to call with', 'set the apiKey secret (docs/deploy.md#secrets)');
  const scheme = probe.config.moncreneau.authScheme;
  const started = Date.now();
  let res: Response;
  try {
    res = await fetch(`${probe.moncreneauBaseUrl}/departments`, { headers: { accept: 'application/json', ...authHeaders(scheme, key) }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    return fail(`GET /departments: ${(error as Error).name === 'TimeoutError' ? `no answer in ${TIMEOUT_MS / 1000} s` : (error as Error).message}`, 'check the base URL and the network path to MONCRENEAU');
  }
  const ms = Date.now() - started;
  const body = await res.text();
  const code = /"code"\s*:\s*"([A-Z_]+)"/.exec(body)?.[1];
  if (res.ok) {
    let count = '?';
    try {
      const parsed = JSON.parse(body) as unknown;
      const list = Array.isArray(parsed) ? parsed : (parsed as { content?: unknown[] }).content;
      if (Array.isArray(list)) count = String(list.length);
    } catch {
      return fail(`GET /departments answered ${res.status} but not JSON`, 'check moncreneau.baseUrl (it should end in /api/v1)');
    }
    return pass(`GET /departments → ${res.status} in ${ms} ms, ${count} departments, auth scheme ${scheme} accepted`);
  }
  if (res.status === 401 || res.status === 403) {
    return fail(`GET /departments → ${res.status}${code ? ` ${code}` : ''}: the key or the auth scheme (${scheme}) is refused`, 'stage a working key (`npm run keys -- stage --secret apiKey --stage S`, docs/rotation.md) or switch moncreneau.authScheme');
  }
  if (res.status === 429) return warn(`GET /departments → 429: the key's quota is spent right now`, 'retry later; check the rate-limit settings');
  return fail(`GET /departments → ${res.status}${code ? ` ${code}` : ''}`, 'check the base URL; see docs/runbook.md#moncreneauerrorrate');
};
