/**
 * What must never appear in a log line: webhook secrets, API keys, signature values.
 * Used per test (on captured output) and once over the whole suite's capture in the global teardown.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const LOG_CAPTURE_DIR = path.resolve(__dirname, '..', '..', '.build', 'test-logs');

const FORBIDDEN_PATTERNS: ReadonlyArray<[string, RegExp]> = [
  ['webhook secret', /whsec_[A-Za-z0-9_]{6,}/],
  ['API key', /\bmk_(?:test|live)_[A-Za-z0-9_]{6,}/],
  ['signature value', /sha256=[0-9a-fA-F]{64}/],
];

export interface Leak {
  readonly kind: string;
  readonly excerpt: string;
}

export function findLeaks(text: string, extraSecrets: readonly string[] = []): Leak[] {
  const leaks: Leak[] = [];
  for (const [kind, pattern] of FORBIDDEN_PATTERNS) {
    const m = pattern.exec(text);
    if (m) leaks.push({ kind, excerpt: mask(text.slice(Math.max(0, m.index - 40), m.index + 12)) });
  }
  for (const secret of extraSecrets) {
    const at = secret ? text.indexOf(secret) : -1;
    if (at !== -1) leaks.push({ kind: 'known secret', excerpt: mask(text.slice(Math.max(0, at - 40), at + 8)) });
  }
  return leaks;
}

/** Never print the leaked value itself when reporting it. */
function mask(s: string): string {
  return s.replace(/[A-Za-z0-9]{6,}$/, (v) => `${v.slice(0, 4)}…`);
}

export function readSuiteCapture(): string {
  if (!existsSync(LOG_CAPTURE_DIR)) return '';
  return readdirSync(LOG_CAPTURE_DIR)
    .map((f) => readFileSync(path.join(LOG_CAPTURE_DIR, f), 'utf8'))
    .join('\n');
}
