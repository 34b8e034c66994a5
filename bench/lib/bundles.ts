/**
 * Bundle size and module init time per function, built with the same esbuild settings as the CDK
 * NodejsFunction (minified CJS for node22, AWS SDK bundled). Init time = require() of the bundle in a
 * fresh Node process: the share of a cold start that our code controls.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commonEnvironment, wiring, type FunctionKey, type FunctionSpec } from '../../infra/wiring';
import { stageConfig } from '../../infra/config/stages';

export interface BundleFigures {
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly initMsMedian: number;
}

const ROOT = path.resolve(__dirname, '..', '..');

function initTime(bundle: string, env: Record<string, string>): number {
  const script = `const t=performance.now();require(${JSON.stringify(bundle)});process.stdout.write(String(performance.now()-t));`;
  const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return Number(out);
}

/** The function's wired environment with stand-in resource names: module init reads it, nothing is called. */
function placeholderEnvironment(spec: FunctionSpec): Record<string, string> {
  return Object.fromEntries(
    Object.entries(spec.environment).map(([name, v]) => [
      name,
      'value' in v ? v.value : 'queueUrl' in v ? `https://sqs.eu-west-3.amazonaws.com/000000000000/${v.queueUrl}` : 'secretArn' in v ? `arn:aws:secretsmanager:eu-west-3:000000000000:secret:${v.secretArn}` : v.tableName,
    ]),
  );
}

export async function measureBundles(runs = 5): Promise<BundleFigures[]> {
  const config = stageConfig('dev');
  const w = wiring(config);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'moncreneau-bundles-'));
  try {
    const figures: BundleFigures[] = [];
    for (const [key, spec] of Object.entries(w.functions) as Array<[FunctionKey, FunctionSpec]>) {
      const env = { ...commonEnvironment(config, key), ...placeholderEnvironment(spec), AWS_REGION: config.region, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
      const outfile = path.join(dir, `${spec.folder}.js`);
      await build({
        entryPoints: [path.join(ROOT, 'functions', spec.folder, 'handler.ts')],
        bundle: true,
        minify: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        outfile,
        logLevel: 'silent',
      });
      const times = Array.from({ length: runs }, () => initTime(outfile, env)).sort((a, b) => a - b);
      figures.push({ name: spec.folder, bytes: statSync(outfile).size, gzipBytes: gzipSync(readFileSync(outfile)).length, initMsMedian: times[Math.floor(runs / 2)] });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
