/**
 * `npm run preflight -- --local` on a healthy local stack passes every line it can check; each failure the
 * checklist cares about is provoked on the same stack and reported as ❌ with its fix — placeholder secret,
 * wrong API key, a message in a DLQ, the receiver unreachable, an alarm in ALARM, no emergency contact —
 * and no report ever contains a secret value.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stageConfig, type StageConfig } from '../../infra/config/stages';
import { DEFAULT_API_KEY, DEFAULT_WEBHOOK_SECRET } from '../../sandbox/defaults';
import type { CheckContext } from '../../scripts/lib/preflight/checks/context';
import { localProbe, type LocalTarget } from '../../scripts/lib/preflight/local-probe';
import { renderJson, renderText } from '../../scripts/lib/preflight/render';
import { runPreflight } from '../../scripts/lib/preflight/run';
import type { CheckId, PreflightReport } from '../../scripts/lib/preflight/types';
import { startCommandsStack, type CommandsStack } from '../support/commands-stack';
import { eventually } from '../support/local-helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'preflight-'));
const metricsFile = path.join(dir, 'metrics.jsonl');
const ROOT = path.resolve(__dirname, '..', '..');
let t: CommandsStack;

beforeAll(async () => {
  t = await startCommandsStack(() => undefined, {}, { metricsFile, scheduleMinuteMs: 500 });
  // The health monitor has published the balance (the low-credit alarm treats "no data" as breaching).
  await eventually(async () => (await import('node:fs')).existsSync(metricsFile) && (await import('node:fs')).readFileSync(metricsFile, 'utf8').includes('CreditsRemaining'), 'a CreditsRemaining datapoint');
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function target(overrides: Partial<LocalTarget> = {}): LocalTarget {
  return {
    config: stageConfig('dev'),
    region: t.stack.emulators.region,
    dynamoEndpoint: t.stack.emulators.dynamoEndpoint,
    sqsEndpoint: t.stack.emulators.sqsEndpoint,
    resources: t.stack.resources,
    webhookUrl: t.stack.webhookUrl,
    moncreneauBaseUrl: `${t.stack.sandboxUrl}/api/v1`,
    metricsFile,
    env: { ...process.env, MONCRENEAU_API_KEY: DEFAULT_API_KEY, MONCRENEAU_WEBHOOK_SECRET: DEFAULT_WEBHOOK_SECRET },
    ...overrides,
  };
}

async function preflight(overrides: Partial<LocalTarget> = {}): Promise<PreflightReport> {
  const probe = localProbe(target(overrides));
  const context: CheckContext = { probe, repoRoot: ROOT, processedWithinMs: 15_000, now: () => new Date() };
  try {
    return await runPreflight(context);
  } finally {
    probe.destroy();
  }
}

function result(report: PreflightReport, id: CheckId) {
  const found = report.lines.flatMap((l) => l.results).find((r) => r.check === id);
  if (!found) throw new Error(`check ${id} not in the report`);
  return found;
}

function expectNoSecret(report: PreflightReport, ...secrets: string[]): void {
  for (const text of [renderText(report), renderJson(report)]) for (const secret of secrets) expect(text).not.toContain(secret);
}

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

it('passes every line it can check on a healthy stack, and prints the checklist section by section', async () => {
  const report = await preflight();
  const failed = report.lines.flatMap((l) => l.results.filter((r) => r.status === 'fail' || r.status === 'warn').map((r) => `${r.check}: ${r.detail}`));
  expect(failed).toEqual([]);
  expect(report.ok).toBe(true);
  // Locally only the deploy-time facts (HTTPS, public URL, paging, rotation, PITR) are not applicable.
  const skipped = report.lines.flatMap((l) => l.results).filter((r) => r.status === 'skip').map((r) => r.check);
  expect(new Set(skipped)).toEqual(new Set(['webhookHttps', 'webhookPublic', 'moncreneauHttps', 'onCallTargets', 'testPage', 'keyRotation', 'pitr']));
  for (const id of ['secretsReal', 'webhookSecretLength', 'repositoryScan', 'moncreneauReachable', 'webhookSignedAccepted', 'webhookUnsignedRefused', 'alarmsPresent', 'alarmsQuiet', 'creditsAboveThreshold', 'dlqsEmpty', 'flagsReadable', 'emergencyContact', 'stageConfig'] as const) {
    expect(result(report, id).status).toBe('pass');
  }
  const text = renderText(report);
  expect(text).toMatch(/^1\. API Keys Configuration$/m);
  expect(text).toMatch(/^10\. Backup and Rollback$/m);
  expect(text).toMatch(/^To confirm by hand:$/m);
  expect(text).toContain('Preflight passed.');
  expectNoSecret(report, DEFAULT_API_KEY, DEFAULT_WEBHOOK_SECRET);
});

it('fails on a placeholder API key (the shape CDK generates), and never prints it', async () => {
  const placeholder = 'Q7xk2LmP9vRt4WzA8bNc3DfG6hJy5KsE1uVo0iXq2MnB7pLr';
  const report = await preflight({ env: { ...target().env, MONCRENEAU_API_KEY: placeholder } });
  expect(report.ok).toBe(false);
  expect(result(report, 'secretsReal')).toMatchObject({ status: 'fail', detail: expect.stringContaining('not a MONCRENEAU key') });
  expect(result(report, 'moncreneauReachable').status).toBe('fail');
  expectNoSecret(report, placeholder, DEFAULT_WEBHOOK_SECRET);
});

it('fails when MONCRENEAU refuses the key', async () => {
  const wrong = 'mk_test_not_a_key_the_sandbox_knows_42';
  const report = await preflight({ env: { ...target().env, MONCRENEAU_API_KEY: wrong } });
  expect(result(report, 'moncreneauReachable')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/→ 401/) });
  expect(result(report, 'secretsReal').status).toBe('pass');
  expectNoSecret(report, wrong);
});

it('fails on a short webhook secret', async () => {
  const report = await preflight({ env: { ...target().env, MONCRENEAU_WEBHOOK_SECRET: 'whsec_tooshort' } });
  expect(result(report, 'webhookSecretLength')).toMatchObject({ status: 'fail', detail: 'current: 8 characters after the prefix' });
  // Signed with a secret the receiver does not hold: refused.
  expect(result(report, 'webhookSignedAccepted')).toMatchObject({ status: 'fail', detail: 'signed test event → 401' });
});

it('fails when a dead-letter queue holds a message, and passes again once it is handled', async () => {
  const dlq = t.stack.resources.queues.webhookEventsDlq.url;
  await t.clients.sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: '{"id":"evt_dead"}' }));
  const report = await preflight();
  expect(result(report, 'dlqsEmpty')).toMatchObject({ status: 'fail', detail: 'webhookEventsDlq: 1 message(s)', fix: expect.stringContaining('dlq:redrive') });
  const got = await t.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 1 }));
  await t.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: dlq, ReceiptHandle: got.Messages![0].ReceiptHandle }));
  expect(result(await preflight(), 'dlqsEmpty').status).toBe('pass');
});

it('fails when the receiver does not answer', async () => {
  const report = await preflight({ webhookUrl: `http://127.0.0.1:${await deadPort()}/webhooks/moncreneau` });
  expect(result(report, 'webhookSignedAccepted').status).toBe('fail');
  expect(result(report, 'webhookUnsignedRefused').status).toBe('fail');
  expect(renderText(report)).toContain('Preflight FAILED');
});

it('fails without a MONCRENEAU emergency contact', async () => {
  const config: StageConfig = { ...stageConfig('dev'), emergencyContact: undefined };
  const report = await preflight({ config });
  expect(result(report, 'emergencyContact')).toMatchObject({ status: 'fail', fix: expect.stringContaining('emergencyContact') });
});

it('fails while an alarm is in ALARM: a burst of unsigned deliveries trips SignatureRejections', async () => {
  const threshold = stageConfig('dev').alarms.signatureRejectionsPer5Min;
  for (let i = 0; i <= threshold; i++) {
    const res = await fetch(t.stack.webhookUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"id":"evt_probe_${i}","type":"appointment.created"}` });
    expect(res.status).toBe(401);
  }
  // The receiver's EMF lines reach the metrics file as it flushes them.
  const report = await eventually(async () => {
    const r = await preflight();
    return result(r, 'alarmsQuiet').status === 'fail' ? r : undefined;
  }, 'SignatureRejections in ALARM', 20_000, 500);
  expect(result(report, 'alarmsQuiet')).toMatchObject({ detail: 'in ALARM: SignatureRejections', fix: 'follow docs/runbook.md#signaturerejections first' });
  expect(report.ok).toBe(false);
});
