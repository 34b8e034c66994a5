/** The key scan finds a secret in history even after the file was deleted, and in tracked files; never on argv. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scanRepository } from '../../scripts/lib/preflight/checks/repository-scan';

// Built at run time: written out, this fake live key would itself be found by the scan of this repository.
const KEY = ['mk', 'live', 'Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz'].join('_');
let repo: string;

function git(...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, stdio: 'ignore' });
}

beforeEach(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'scan-'));
  git('init', '-q');
  writeFileSync(path.join(repo, 'README.md'), 'nothing here\n');
  git('add', '.');
  git('commit', '-qm', 'first');
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

it('finds a key committed and then deleted (it stays in history)', async () => {
  writeFileSync(path.join(repo, 'config.ts'), `export const key = '${KEY}';\n`);
  git('add', '.');
  git('commit', '-qm', 'oops');
  unlinkSync(path.join(repo, 'config.ts'));
  git('commit', '-qam', 'remove the key');
  const findings = await scanRepository(repo, [{ label: 'the stage\'s API key', value: KEY }]);
  expect(findings.map((f) => f.label)).toEqual(['the stage\'s API key', 'a live-looking MONCRENEAU key']);
  expect(findings[0].where).toMatch(/^git history \(commit [0-9a-f]{12}\)$/);
  expect(JSON.stringify(findings)).not.toContain(KEY);
});

it('finds a secret in a tracked file not yet committed, and nothing in a clean repository', async () => {
  expect(await scanRepository(repo, [{ label: 'webhook secret', value: 'whsec_Abcdefghijklmnopqrstuvwxyz012345' }])).toEqual([]);
  writeFileSync(path.join(repo, 'README.md'), 'secret: whsec_Abcdefghijklmnopqrstuvwxyz012345\n');
  expect(await scanRepository(repo, [{ label: 'webhook secret', value: 'whsec_Abcdefghijklmnopqrstuvwxyz012345' }])).toEqual([{ label: 'webhook secret', where: 'README.md' }]);
});
