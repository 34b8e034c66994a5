/**
 * "Production keys are NOT committed to Git": the stage's own key and webhook secrets are looked for,
 * byte for byte, in every tracked file and in the whole git history (every patch of every branch), and
 * any live-looking MONCRENEAU key too. The values are searched in this process — never passed to git
 * on a command line, where they would show in the process list.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fail, pass, warn } from '../types';
import type { Check } from './context';

/** A live key committed by mistake: `mk_live_` + 20 or more letters/digits (test fixtures use short fakes). */
const LIVE_KEY = /mk_live_[A-Za-z0-9]{20,}/;
const MAX_FILE_BYTES = 5 * 1024 * 1024;

export interface Needle {
  readonly label: string;
  readonly value: string;
}

export interface ScanFinding {
  readonly label: string;
  readonly where: string;
}

function gitOk(root: string, args: readonly string[]): boolean {
  return spawnSync('git', args, { cwd: root, stdio: 'ignore' }).status === 0;
}

/** Streams `git log -p --all` and reports which needles (and live-key patterns) occur in it. */
async function scanHistory(root: string, needles: readonly Needle[]): Promise<ScanFinding[]> {
  const found = new Map<string, ScanFinding>();
  const longest = Math.max(64, ...needles.map((n) => n.value.length));
  const child = spawn('git', ['log', '-p', '--all', '--no-color', '--no-ext-diff', '--format=commit %H'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
  let carry = '';
  let commit = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    const textChunk = carry + chunk.toString('utf8');
    const commits = [...textChunk.matchAll(/^commit ([0-9a-f]{40})$/gm)];
    for (const needle of needles) {
      const at = textChunk.indexOf(needle.value);
      if (at >= 0 && !found.has(needle.label)) found.set(needle.label, { label: needle.label, where: `git history (commit ${commitBefore(textChunk, at, commit)})` });
    }
    const live = LIVE_KEY.exec(textChunk);
    if (live && !found.has('live key')) found.set('live key', { label: 'a live-looking MONCRENEAU key', where: `git history (commit ${commitBefore(textChunk, live.index, commit)})` });
    if (commits.length) commit = commits[commits.length - 1][1];
    carry = textChunk.slice(-longest);
  }
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('close', resolve)));
  if (code !== 0) throw new Error(`git log failed (exit ${code})`);
  return [...found.values()];
}

function commitBefore(textChunk: string, index: number, previous: string): string {
  const before = [...textChunk.slice(0, index).matchAll(/^commit ([0-9a-f]{40})$/gm)];
  return (before.length ? before[before.length - 1][1] : previous || 'unknown').slice(0, 12);
}

/** Tracked files as they are now (committed or not yet). */
function scanWorkingTree(root: string, needles: readonly Needle[]): ScanFinding[] {
  const listed = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error('git ls-files failed');
  const findings: ScanFinding[] = [];
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const full = path.join(root, file);
    if (!existsSync(full) || !statSync(full).isFile() || statSync(full).size > MAX_FILE_BYTES) continue;
    const content = readFileSync(full, 'utf8');
    for (const needle of needles) if (content.includes(needle.value)) findings.push({ label: needle.label, where: file });
    if (LIVE_KEY.test(content)) findings.push({ label: 'a live-looking MONCRENEAU key', where: file });
  }
  return findings;
}

export async function scanRepository(root: string, needles: readonly Needle[]): Promise<ScanFinding[]> {
  const usable = needles.filter((n) => n.value.length >= 8);
  return [...scanWorkingTree(root, usable), ...(await scanHistory(root, usable))];
}

export const repositoryScan: Check = async ({ probe, repoRoot }) => {
  if (!gitOk(repoRoot, ['rev-parse', '--git-dir'])) return warn(`${repoRoot} is not a git repository: nothing to scan`, 'run preflight from the kit\'s clone');
  const needles: Needle[] = [];
  // Locally the secrets are the sandbox's published test values (.env.example): only the patterns apply.
  if (probe.kind === 'aws') {
    const apiKey = (await probe.secret('apiKey')).apiKey;
    const webhook = await probe.secret('webhookSecret');
    if (typeof apiKey === 'string') needles.push({ label: 'the stage\'s API key', value: apiKey });
    for (const field of ['current', 'previous'] as const) {
      if (typeof webhook[field] === 'string') needles.push({ label: `the stage's webhook secret (${field})`, value: webhook[field] });
    }
  }
  const envIgnored = gitOk(repoRoot, ['check-ignore', '-q', '.env']);
  const findings = await scanRepository(repoRoot, needles);
  if (findings.length) {
    return fail(`found ${findings.map((f) => `${f.label} in ${f.where}`).join('; ')}`, 'revoke the key in the MONCRENEAU dashboard now, rotate (docs/rotation.md), then purge it from history (git filter-repo)');
  }
  if (!envIgnored) return fail('.env is not git-ignored', 'add .env to .gitignore');
  const what = needles.length ? `the stage's ${needles.length} secret values and live-looking keys` : 'live-looking keys';
  return pass(`${what}: not in tracked files nor in git history; .env is git-ignored`);
};
