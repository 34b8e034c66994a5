/**
 * The alarms, locally and for real.
 *
 *   npm run alarms                                  # evaluate every alarm on the local stack's metrics and queues
 *   npm run alarms -- --at 2026-12-03T10:00:00Z     # … as if it were then (e.g. an hour later: stale webhooks)
 *   npm run alarms -- --scale 60                    # … with every period 60× shorter (a 5-minute period = 5 s)
 *   npm run alarms -- test --stage S --reason "…"   # send a clearly labelled test page through the stage's page topic
 *
 * Locally the same alarm definitions (infra/alarms.ts) are evaluated as CloudWatch would, on the EMF the
 * local functions printed (plus what API Gateway and Lambda would publish) and on the emulated queues.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { userInfo } from 'node:os';
import { alarmSpecs } from '../infra/alarms';
import { evaluateAll } from '../infra/alarm-evaluator';
import { stageConfig } from '../infra/config/stages';
import { readDatapoints } from '../infra/local/metrics-sink';
import { sampleQueues } from '../infra/local/queue-metrics';
import { readRuntimeInfo } from '../infra/local/runtime-file';
import { wiring } from '../infra/wiring';
import { fail, parseArgs } from './lib/args';
import { sendTestPage } from './lib/test-page';

async function evaluateLocal(options: Record<string, string | true>): Promise<void> {
  const info = readRuntimeInfo();
  if (!info?.metricsFile) fail('no local stack is running (start it with `npm start`)');
  const at = typeof options.at === 'string' ? Date.parse(options.at) : Date.now();
  if (Number.isNaN(at)) fail('--at must be an ISO date-time');
  const scale = typeof options.scale === 'string' ? Number(options.scale) : 1;
  if (!(scale >= 1)) fail('--scale must be a number ≥ 1');
  const config = stageConfig('dev');
  const datapoints = [...readDatapoints(info.metricsFile), ...(await sampleQueues(info.sqsEndpoint, wiring(config), info.resources, at))];
  const reports = evaluateAll(alarmSpecs(config), datapoints, { now: at, periodScale: 1 / scale });
  console.log(`local: ${reports.length} alarms evaluated at ${new Date(at).toISOString()}${scale > 1 ? ` (periods ${scale}× shorter)` : ''} on ${datapoints.length} datapoints`);
  for (const r of reports) {
    const value = r.values.map((v) => (v === undefined ? '–' : Number(v.toFixed(2)))).join(' ');
    console.log(`${r.state.padEnd(17)} ${r.spec.severity.padEnd(6)} ${r.spec.id.padEnd(40)} values [${value}] ${r.spec.comparison.replace('Threshold', '')} ${r.spec.threshold}  (docs/runbook.md#${r.spec.runbook})`);
  }
  const alarming = reports.filter((r) => r.state === 'ALARM');
  console.log(alarming.length === 0 ? 'No alarm would page.' : `${alarming.length} alarm(s) in ALARM: ${alarming.map((r) => r.spec.id).join(', ')}`);
}

async function testPage(options: Record<string, string | true>): Promise<void> {
  if (typeof options.stage !== 'string') fail('usage: npm run alarms -- test --stage <dev|staging|prod> --reason "…"');
  if (typeof options.reason !== 'string' || options.reason.trim() === '') fail('--reason "…" is required: it is recorded in the test page');
  const config = stageConfig(options.stage);
  const w = wiring(config);
  const by = process.env.USER ?? userInfo().username;
  const sent = await sendTestPage(new SNSClient({ region: process.env.AWS_REGION ?? config.region }), { prefix: w.prefix, stage: config.stage, by, reason: options.reason, at: new Date() }).catch((error: unknown) =>
    fail((error as Error).message),
  );
  console.log(`stage ${config.stage}: test page published to ${sent.topicArn} (message ${sent.messageId}) by ${by}, reason: ${options.reason}`);
}

async function main(): Promise<void> {
  const { positional, options } = parseArgs(process.argv.slice(2));
  const [command = 'evaluate'] = positional;
  if (command === 'evaluate') await evaluateLocal(options);
  else if (command === 'test') await testPage(options);
  else fail(`unknown command "${command}" (evaluate | test --stage S --reason "…")`);
}

main().catch((error: unknown) => fail((error as Error).message));
