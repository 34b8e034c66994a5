/**
 * What would page, seen locally: the sandbox driven into failure through the real local stack (a 5xx
 * storm, credits run out) and a stopped processor on an injected clock, each evaluated by the same
 * alarm definitions and evaluator as `npm run alarms` — ALARM during the failure, OK after recovery.
 * Periods are compressed (a 5-minute period lasts 5 s) so the scenario takes seconds.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { evaluateAlarm, type AlarmState } from '../../infra/alarm-evaluator';
import { alarmSpecs, type AlarmSpec } from '../../infra/alarms';
import { stageConfig } from '../../infra/config/stages';
import { readDatapoints } from '../../infra/local/metrics-sink';
import { sampleQueues } from '../../infra/local/queue-metrics';
import { wiring } from '../../infra/wiring';
import { idempotencyHeader, slot, startCommandsStack, type CommandsStack } from '../support/commands-stack';
import { eventually } from '../support/local-helpers';
import { testResources } from '../support/resources';

const config = stageConfig('dev');
const specs = alarmSpecs(config);
const SCALE = 1 / 60;
const dir = mkdtempSync(path.join(tmpdir(), 'alarms-local-'));
const metricsFile = path.join(dir, 'metrics.jsonl');
let t: CommandsStack;

beforeAll(async () => {
  // The health monitor every 0.5 s × 5 = 2.5 s: inside the compressed 15-minute (15 s) credits period.
  t = await startCommandsStack(() => undefined, {}, { metricsFile, scheduleMinuteMs: 500 });
});
afterAll(async () => {
  await t?.sandbox.request('DELETE', '/faults').catch(() => undefined);
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function stateOf(id: string, scale = SCALE, now = Date.now(), adapt: (spec: AlarmSpec) => AlarmSpec = (spec) => spec): Promise<AlarmState> {
  const spec = adapt(specs.find((s) => s.id === id)!);
  const points = [...readDatapoints(metricsFile), ...(await sampleQueues(process.env.AWS_ENDPOINT_URL_SQS!, wiring(config), t.stack.resources, now))];
  const result = evaluateAlarm(spec, points, { now, periodScale: scale });
  return result.state;
}

/** Reads through the API for `ms` from `parallel` callers, each answered by MONCRENEAU (or its failure), under the global rate limit. */
async function readFor(ms: number, parallel: number): Promise<void> {
  const until = Date.now() + ms;
  const caller = async () => {
    while (Date.now() < until) await t.api('GET', '/appointments/999999');
  };
  await Promise.all(Array.from({ length: parallel }, caller));
}

it('credits running out puts CreditsLow and InsufficientCredits in ALARM; a recharge brings both back to OK', async () => {
  const sandboxCredits = ((await t.sandbox.request('GET', '/credits')) as { credits: number }).credits;
  try {
    // The ledger says 3 (below the threshold of 10), MONCRENEAU says 0: a booking reaches the API and gets 402.
    await t.ledger.setBalance(3, 'test: credits running out');
    await t.sandbox.request('PUT', '/credits', { credits: 0 });
    const res = await t.api('POST', '/appointments', { departmentId: 5, dateTime: slot(35), name: 'Alarm Test' }, idempotencyHeader());
    const failed = await t.waitForCommand(res.body.commandId, ['FAILED']);
    expect(failed.error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', status: 402 });
    // The worker's observer prints its metrics just after the command is recorded FAILED.
    await eventually(async () => (await stateOf('InsufficientCredits')) === 'ALARM', 'InsufficientCredits in ALARM', 4_000, 200);
    await eventually(async () => (await stateOf('CreditsLow')) === 'ALARM', 'CreditsLow in ALARM', 15_000, 500);
  } finally {
    await t.sandbox.request('PUT', '/credits', { credits: sandboxCredits });
  }
  await t.ledger.setBalance(sandboxCredits, 'test: recharged');
  // The 402 leaves the 5 s window, and 15 s of fresh balances all above the threshold.
  await eventually(async () => (await stateOf('CreditsLow')) === 'OK', 'CreditsLow back to OK', 30_000, 1000);
  await eventually(async () => (await stateOf('InsufficientCredits')) === 'OK', 'InsufficientCredits back to OK', 10_000, 500);
}, 90_000);

it('a MONCRENEAU 5xx storm puts MoncreneauErrorRate in ALARM, and recovery brings it back to OK', async () => {
  // Periods of 15 s (1/20). Compressed time holds far fewer calls than 5 real minutes (the client backs off,
  // the global limit is 100/min), so the minimum number of calls before the rate is judged drops to 1 here;
  // everything else is the alarm as deployed: its metrics, expression, threshold and 2-of-2 periods.
  const scale = 1 / 20;
  const judged = (spec: AlarmSpec): AlarmSpec => ({ ...spec, expression: { percent: { ...(spec.expression as unknown as { percent: { of: never; over: never } }).percent, minDenominator: 1 } } });
  expect(await stateOf('MoncreneauErrorRate', scale, Date.now(), judged)).toBe('OK');
  await t.sandbox.request('PUT', '/faults', { errorRate: 1, errorStatuses: [502] });
  await readFor(31_000, 1);
  expect(await stateOf('MoncreneauErrorRate', scale, Date.now(), judged)).toBe('ALARM');
  await t.sandbox.request('DELETE', '/faults');
  await readFor(31_000, 1);
  expect(await stateOf('MoncreneauErrorRate', scale, Date.now(), judged)).toBe('OK');
}, 120_000);

it('a webhook left unprocessed for over an hour (processor stopped, injected clock) puts WebhooksUnprocessed in ALARM; processing it clears it', async () => {
  const res = await testResources();
  try {
    const queueUrl = res.queues.webhookEvents.url;
    await res.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"id":"evt_stale"}' }));
    const spec = specs.find((s) => s.id === 'WebhooksUnprocessed')!;
    const evaluate = async (now: number) => evaluateAlarm(spec, await sampleQueues(process.env.AWS_ENDPOINT_URL_SQS!, wiring(config), res, now), { now }).state;
    expect(await evaluate(Date.now())).toBe('OK');
    expect(await evaluate(Date.now() + 61 * 60_000)).toBe('ALARM');
    // The processor comes back and consumes it.
    const got = await res.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    await res.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: got.Messages![0].ReceiptHandle }));
    expect(await evaluate(Date.now() + 61 * 60_000)).toBe('OK');
  } finally {
    res.destroy();
  }
});
