/**
 * Local configuration: `.env` (git-ignored) first, then `.env.example` defaults for any missing
 * MONCRENEAU_* variable (empty example values are skipped: "unset", not "empty secret"), never overriding what the shell already set.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/** Loads the files into `env`; returns human-readable notices (one line each). */
export function loadLocalEnv(root: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const notices: string[] = [];
  const dotEnv = path.join(root, '.env');
  if (existsSync(dotEnv)) {
    // Same precedence as process.loadEnvFile: variables already set in the shell win.
    for (const [k, v] of Object.entries(parseEnv(readFileSync(dotEnv, 'utf8')))) env[k] ??= v;
  }
  const example = path.join(root, '.env.example');
  if (existsSync(example)) {
    const defaults = Object.entries(parseEnv(readFileSync(example, 'utf8'))).filter(([k, v]) => k.startsWith('MONCRENEAU_') && v !== '' && env[k] === undefined);
    for (const [k, v] of defaults) env[k] = v;
    if (defaults.length) notices.push(`Using .env.example defaults for ${defaults.map(([k]) => k).join(', ')} (create .env to override).`);
  }
  return notices;
}
