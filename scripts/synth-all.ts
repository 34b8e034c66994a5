/**
 * `npm run synth`: synthesizes every stage (dev, staging, prod) into cdk.out/<stage>, one after the
 * other, with real esbuild bundling and the cdk-nag checks. Works offline and without AWS
 * credentials: every AWS_* variable is removed (no profile, no keys, no endpoint override), the
 * EC2 metadata lookup is disabled, and context lookups are forbidden, so the CLI has nothing to ask
 * the network. Fails non-zero, naming the stage, at the first stage that does not synthesize.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { STAGES, type StageName } from '../infra/config/stages';

const ROOT = path.resolve(__dirname, '..');
const stages = Object.keys(STAGES) as StageName[];

function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('CDK_DEFAULT_')) env[name] = value;
  }
  return {
    ...env,
    CDK_DISABLE_VERSION_CHECK: '1',
    // The credential chain would otherwise probe 169.254.169.254 (and wait for its timeout) off EC2.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

function synth(stage: StageName): { ok: boolean; seconds: number } {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    'npx',
    ['--no-install', 'cdk', 'synth', '-c', `stage=${stage}`, '--quiet', '--lookups=false', '-o', path.join('cdk.out', stage)],
    { cwd: ROOT, env: offlineEnv(), stdio: 'inherit' },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) console.error(`Could not start the CDK CLI: ${result.error.message}`);
  return { ok: result.status === 0 && !result.error, seconds };
}

function main(): void {
  const done: string[] = [];
  for (const stage of stages) {
    console.log(`\n▶ Synthesizing stage ${stage} (Moncreneau-${stage}) → cdk.out/${stage}`);
    const { ok, seconds } = synth(stage);
    if (!ok) {
      console.error(`\n✖ cdk synth failed for stage "${stage}" after ${seconds.toFixed(1)} s (see the output above).`);
      if (done.length) console.error(`  Already synthesized: ${done.join(', ')}`);
      process.exit(1);
    }
    const line = `${stage}: cdk.out/${stage}/Moncreneau-${stage}.template.json (${seconds.toFixed(1)} s)`;
    done.push(line);
    console.log(`✔ ${line}`);
  }
  console.log(`\nSynthesized ${stages.length} stages, cdk-nag AwsSolutions clean:\n  ${done.join('\n  ')}`);
}

main();
