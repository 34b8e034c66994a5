/**
 * Bundle size and module init time per function, built with the same esbuild settings as the CDK
 * NodejsFunction (infra/constructs/service-function.ts: minified CJS for node22, AWS SDK bundled, ESM
 * entry points preferred so that unused SDK code is shaken out). Init time = require() of the bundle in a
 * fresh Node process: the share of a cold start that our code controls. Also: what the building blocks
 * cost on their own (bundled alone, same settings), and the receiver's cold first request.
 */
import { build, type BuildOptions } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { stageConfig } from '../../infra/config/stages';
import { commonEnvironment, wiring, type FunctionKey, type FunctionSpec } from '../../infra/wiring';

export interface BundleFigures {
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly initMsMedian: number;
}

const ROOT = path.resolve(__dirname, '..', '..');

/** What infra/constructs/service-function.ts gives the CDK (minify, target, format, mainFields, SDK bundled). */
export const BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  mainFields: ['module', 'main'],
  logLevel: 'silent',
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function initTime(bundle: string, env: Record<string, string>): number {
  // An external module resolves from the project's node_modules (NODE_PATH), as the runtime's SDK would from its own.
  const script = `const t=performance.now();require(${JSON.stringify(bundle)});process.stdout.write(String(performance.now()-t));`;
  const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), ...env }, encoding: 'utf8' });
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

/** The environment a function's module init sees in Lambda, with stand-ins (see placeholderEnvironment). */
export function lambdaLikeEnvironment(key: FunctionKey): Record<string, string> {
  const config = stageConfig('dev');
  const w = wiring(config);
  return { ...commonEnvironment(config, key), ...placeholderEnvironment(w.functions[key]), AWS_REGION: config.region, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

export async function buildFunction(folder: string, outfile: string): Promise<void> {
  await build({ ...BUNDLE_OPTIONS, entryPoints: [path.join(ROOT, 'functions', folder, 'handler.ts')], outfile });
}

export async function measureBundles(runs = 5): Promise<BundleFigures[]> {
  const w = wiring(stageConfig('dev'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'moncreneau-bundles-'));
  try {
    const figures: BundleFigures[] = [];
    for (const [key, spec] of Object.entries(w.functions) as Array<[FunctionKey, FunctionSpec]>) {
      const outfile = path.join(dir, `${spec.folder}.js`);
      await buildFunction(spec.folder, outfile);
      const env = lambdaLikeEnvironment(key);
      const times = Array.from({ length: runs }, () => initTime(outfile, env));
      figures.push({ name: spec.folder, bytes: statSync(outfile).size, gzipBytes: gzipSync(readFileSync(outfile)).length, initMsMedian: median(times) });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Why the SDK stays bundled: the same functions with the AWS SDK left out of the bundle, loaded from
 * node_modules at require() time file by file (what the Lambda runtime's own copy would be), measured
 * alternately with the bundled build.
 */
export async function measureSdkExternal(folders: readonly string[], runs = 5): Promise<Array<{ name: string; bundledMs: number; externalMs: number; externalBytes: number }>> {
  const w = wiring(stageConfig('dev'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'moncreneau-external-'));
  try {
    const figures = [];
    for (const folder of folders) {
      const key = (Object.keys(w.functions) as FunctionKey[]).find((k) => w.functions[k].folder === folder)!;
      const bundled = path.join(dir, `${folder}-bundled.js`);
      const external = path.join(dir, `${folder}-external.js`);
      await buildFunction(folder, bundled);
      await build({ ...BUNDLE_OPTIONS, entryPoints: [path.join(ROOT, 'functions', folder, 'handler.ts')], outfile: external, external: ['@aws-sdk/*', '@smithy/*', '@aws-crypto/*'] });
      const env = lambdaLikeEnvironment(key);
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < runs; i++) {
        a.push(initTime(bundled, env));
        b.push(initTime(external, env));
      }
      figures.push({ name: folder, bundledMs: median(a), externalMs: median(b), externalBytes: statSync(external).size });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a function's init is made of: each building block bundled alone (same settings), its require() time. */
const BUILDING_BLOCKS: ReadonlyArray<readonly [string, string]> = [
  ['node https + crypto (floor)', `import * as h from 'node:https'; import * as c from 'node:crypto'; (globalThis as any).x = [h, c];`],
  ['SQS client + SendMessage', `import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs'; (globalThis as any).x = [new SQSClient({}), SendMessageCommand];`],
  ['Secrets Manager client', `import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager'; (globalThis as any).x = [new SecretsManagerClient({}), GetSecretValueCommand];`],
  ['DynamoDB document client', `import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'; (globalThis as any).x = [DynamoDBDocumentClient.from(new DynamoDBClient({})), TransactWriteCommand];`],
  ['Powertools Logger + Metrics', `import { Logger } from '@aws-lambda-powertools/logger'; import { Metrics } from '@aws-lambda-powertools/metrics'; (globalThis as any).x = [new Logger(), new Metrics()];`],
  ['Powertools Tracer (X-Ray SDK)', `import { Tracer } from '@aws-lambda-powertools/tracer'; (globalThis as any).x = new Tracer();`],
  ['middy + Powertools batch', `import middy from '@middy/core'; import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch'; (globalThis as any).x = [middy, new BatchProcessor(EventType.SQS)];`],
];

export async function measureBuildingBlocks(runs = 5): Promise<Array<{ name: string; bytes: number; initMsMedian: number }>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'moncreneau-blocks-'));
  const env = lambdaLikeEnvironment('webhookReceiver');
  try {
    const figures = [];
    for (const [i, [name, contents]] of BUILDING_BLOCKS.entries()) {
      const outfile = path.join(dir, `block-${i}.js`);
      await build({ ...BUNDLE_OPTIONS, stdin: { contents, resolveDir: ROOT, loader: 'ts' }, outfile });
      figures.push({ name, bytes: statSync(outfile).size, initMsMedian: median(Array.from({ length: runs }, () => initTime(outfile, env))) });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
