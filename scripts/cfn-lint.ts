/**
 * `npm run lint:cfn`: cfn-lint on every stage's template synthesized by `npm run synth` (cdk.out/<stage>/),
 * zero errors and zero warnings. Fails — never skips — when cfn-lint is missing (set CFN_LINT to its path).
 *
 *   npm run synth && npm run lint:cfn
 *   npm run lint:cfn -- --out cdk.out --stage prod
 */
import { STAGES } from '../infra/config/stages';
import { fail, parseArgs } from './lib/args';
import { findCfnLint, lintTemplate, templatePath } from './lib/cfn-lint';

function main(): void {
  const { options } = parseArgs(process.argv.slice(2));
  const outDir = typeof options.out === 'string' ? options.out : 'cdk.out';
  const stages = typeof options.stage === 'string' ? [options.stage] : Object.keys(STAGES);
  let linter: { bin: string; version: string };
  try {
    linter = findCfnLint();
  } catch (error) {
    fail((error as Error).message);
  }
  console.log(`${linter.version} (${linter.bin})`);
  const failed: string[] = [];
  for (const stage of stages) {
    const file = templatePath(outDir, stage);
    const result = lintTemplate(linter.bin, file);
    console.log(`${result.ok ? '✔' : '✖'} ${stage}: ${file}${result.ok ? ' — no error, no warning' : ''}`);
    if (result.output) console.log(result.output.replace(/^/gm, '    '));
    if (!result.ok) failed.push(stage);
  }
  if (failed.length) fail(`cfn-lint found problems in: ${failed.join(', ')}`);
  console.log(`cfn-lint: ${stages.length} template(s) clean`);
}

main();
