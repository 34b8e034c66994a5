/**
 * cfn-lint on synthesized templates, as `npm run lint:cfn` and CI run it: the template is checked against
 * CloudFormation's resource schemas the way a deploy would (properties, circular dependencies, references).
 * A missing cfn-lint is an error, never a skip.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export const INSTALL_HINT = 'install it (pip install "cfn-lint==1.51.*") or point CFN_LINT at the executable';

/** Where the stage's template is after `npm run synth` (scripts/synth-all.ts). */
export function templatePath(outDir: string, stage: string): string {
  return `${outDir}/${stage}/Moncreneau-${stage}.template.json`;
}

export interface LintResult {
  readonly ok: boolean;
  readonly output: string;
}

/** The cfn-lint executable (`CFN_LINT`, else `cfn-lint` on the PATH) and its version; an Error says what is missing. */
export function findCfnLint(env: NodeJS.ProcessEnv = process.env): { bin: string; version: string } {
  const bin = env.CFN_LINT || 'cfn-lint';
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8', env });
  if (probe.error || probe.status !== 0) {
    throw new Error(`cfn-lint not found (${bin}${probe.error ? `: ${probe.error.message}` : `, exit ${probe.status}`}): ${INSTALL_HINT}. The templates are not validated without it.`);
  }
  return { bin, version: `${probe.stdout}${probe.stderr}`.trim() };
}

/** Lints one template; errors and warnings fail (informational findings are printed only). */
export function lintTemplate(bin: string, file: string, env: NodeJS.ProcessEnv = process.env): LintResult {
  if (!fs.existsSync(file)) return { ok: false, output: `${file} does not exist: run \`npm run synth\` first` };
  const run = spawnSync(bin, ['--non-zero-exit-code', 'warning', '--', file], { encoding: 'utf8', env });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? run.error.message : ''}`.trim();
  return { ok: !run.error && run.status === 0, output };
}
