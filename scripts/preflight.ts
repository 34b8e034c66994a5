/**
 * The production checklist, executed: every line a machine can verify is checked on the target now,
 * the others are shown as built into the kit (with their proof) or to confirm by hand.
 *
 *   npm run preflight -- --local                          # the running `npm start` stack
 *   npm run preflight -- --stage prod                     # a deployed stage (ambient AWS credentials)
 *   npm run preflight -- --stage prod --page --reason "go-live test"   # also send a real test page
 *   npm run preflight -- --stage prod --json              # for CI
 *   npm run preflight -- --write-docs                     # rewrite the checklist map in docs/go-live.md
 *
 * Exit code 1 when a line fails. Secrets are read to be judged, never printed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stageConfig } from '../infra/config/stages';
import { loadLocalEnv } from '../infra/local/local-env';
import { readRuntimeInfo } from '../infra/local/runtime-file';
import { fail, parseArgs } from './lib/args';
import { awsClients, awsProbe } from './lib/preflight/aws-probe';
import { withChecklistMap } from './lib/preflight/checklist-markdown';
import { localProbe } from './lib/preflight/local-probe';
import type { StageProbe } from './lib/preflight/probe';
import { renderJson, renderText } from './lib/preflight/render';
import { runPreflight } from './lib/preflight/run';

// Operator commands run on the developer's Node; the SDK's runtime notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = path.resolve(__dirname, '..');
/** How long the signed test event may take to be processed (a cold processor included). */
const PROCESSED_WITHIN_MS = 30_000;

function probeFor(options: Record<string, string | true>): StageProbe & { destroy?(): void } {
  if (typeof options.stage === 'string' && !options.local) {
    const config = stageConfig(options.stage);
    const region = process.env.AWS_REGION ?? config.region;
    return awsProbe(config, awsClients(region), region);
  }
  if (options.stage === true) fail('--stage needs a name: dev, staging or prod');
  const info = readRuntimeInfo();
  if (!info) fail('no local stack is running: start it with `npm start`, or pass --stage <dev|staging|prod>');
  if (!info.sandboxUrl) fail('the local stack runs without the sandbox: nothing stands in for MONCRENEAU');
  // The same secrets the local functions got from `npm start` (.env, then .env.example defaults).
  loadLocalEnv(ROOT);
  return localProbe({
    config: stageConfig('dev'),
    region: info.region,
    dynamoEndpoint: info.dynamoEndpoint,
    sqsEndpoint: info.sqsEndpoint,
    resources: info.resources,
    webhookUrl: info.webhookUrl,
    moncreneauBaseUrl: `${info.sandboxUrl}/api/v1`,
    metricsFile: info.metricsFile,
    env: process.env,
  });
}

async function main(): Promise<void> {
  const { options } = parseArgs(process.argv.slice(2));
  if (options['write-docs']) {
    const doc = path.join(ROOT, 'docs', 'go-live.md');
    writeFileSync(doc, withChecklistMap(readFileSync(doc, 'utf8')));
    console.log(`rewrote the checklist map in ${path.relative(process.cwd(), doc)}`);
    return;
  }
  if (options.page && (typeof options.reason !== 'string' || !options.reason.trim())) fail('--page needs --reason "…": it is written in the test page');
  const probe = probeFor(options);
  const report = await runPreflight({
    probe,
    repoRoot: ROOT,
    testPageReason: options.page ? (options.reason as string) : undefined,
    processedWithinMs: PROCESSED_WITHIN_MS,
    now: () => new Date(),
  });
  probe.destroy?.();
  console.log(options.json ? renderJson(report) : renderText(report));
  process.exitCode = report.ok ? 0 : 1;
}

main().catch((error: unknown) => fail((error as Error).message));
