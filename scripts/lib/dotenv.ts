import { existsSync } from 'node:fs';
import path from 'node:path';

/** Loads the git-ignored .env (if any) without overriding variables already set. */
export function loadDotEnv(file = path.resolve(__dirname, '..', '..', '.env')): void {
  if (existsSync(file)) process.loadEnvFile(file);
}
