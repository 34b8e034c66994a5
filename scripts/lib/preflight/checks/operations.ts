/** Alarms, paging, credits, dead-letter queues, backups and flags: the stage can be operated. */
import { alarmSpecs } from '../../../../infra/alarms';
import type { QueueKey, TableKey } from '../../../../infra/wiring';
import { fail, pass, skip, warn } from '../types';
import type { Check } from './context';

export const alarmsPresent: Check = async ({ probe }) => {
  const expected = alarmSpecs(probe.config).map((s) => s.id);
  const found = await probe.alarms();
  const missing = expected.filter((id) => !found.some((a) => a.id === id));
  const silent = found.filter((a) => expected.includes(a.id) && a.actions === 0).map((a) => a.id);
  if (missing.length) return fail(`missing: ${missing.join(', ')}`, 'deploy the stage (`npx cdk deploy -c stage=S`)');
  if (silent.length) return fail(`no action on: ${silent.join(', ')}`, 'each alarm must notify the page or ticket topic: deploy the stage');
  return pass(`${expected.length} alarms, each with an action`);
};

export const alarmsQuiet: Check = async ({ probe }) => {
  const alarming = (await probe.alarms()).filter((a) => a.state === 'ALARM').map((a) => a.id);
  if (alarming.length) return fail(`in ALARM: ${alarming.join(', ')}`, `follow docs/runbook.md#${alarming[0].toLowerCase()} first`);
  return pass('no alarm in ALARM');
};

export const testPage: Check = async ({ probe, testPageReason }) => {
  if (!probe.sendTestPage) return skip('local: no paging; `--page --reason "…"` sends a real test page on a deployed stage');
  if (!testPageReason) return warn('not sent (opt-in: it pages someone)', 'run again with --page --reason "go-live test" and confirm with on-call that it arrived');
  const where = await probe.sendTestPage(testPageReason);
  return pass(`test page published (${where}); confirm with on-call that it arrived`);
};

export const creditsAboveThreshold: Check = async ({ probe }) => {
  const threshold = probe.config.credits.lowThreshold;
  const balance = await probe.creditsBalance();
  if (balance === null) return fail('the ledger balance is unknown', 'set it from the MONCRENEAU dashboard: `npm run credits -- set N --reason "…"`');
  if (balance <= threshold) return fail(`${balance} credits, at or below the threshold of ${threshold}`, 'buy credits before go-live (docs/credits.md)');
  return pass(`${balance} credits (threshold ${threshold})`);
};

export const dlqsEmpty: Check = async ({ probe }) => {
  const dlqs = Object.entries(probe.wiring.queues)
    .filter(([, spec]) => Object.values(probe.wiring.queues).some((other) => other.deadLetter?.queue && probe.wiring.queues[other.deadLetter.queue] === spec))
    .map(([key]) => key as QueueKey);
  const depths = await Promise.all(dlqs.map(async (key) => ({ key, depth: await probe.queueDepth(key) })));
  const full = depths.filter((d) => d.depth > 0);
  if (full.length) return fail(full.map((d) => `${d.key}: ${d.depth} message(s)`).join('; '), 'inspect and redrive: `npm run dlq:redrive -- --queue <source> --reason "…"` (docs/runbook.md)');
  return pass(`${dlqs.join(', ')}: empty`);
};

export const pitr: Check = async ({ probe }) => {
  const tables = Object.keys(probe.wiring.tables) as TableKey[];
  const states = await Promise.all(tables.map(async (key) => ({ key, on: await probe.pointInTimeRecovery(key) })));
  if (states.some((s) => s.on === undefined)) return skip('local: DynamoDB Local has no backups; point-in-time recovery is on for every table of a deployed stage');
  const off = states.filter((s) => !s.on).map((s) => s.key);
  if (off.length) return fail(`point-in-time recovery off: ${off.join(', ')}`, 'deploy the stage (every table enables it) — docs/restore.md');
  return pass(`point-in-time recovery on for all ${tables.length} tables`);
};

export const flagsReadable: Check = async ({ probe }) => {
  const flags = await probe.flags();
  const off = flags.filter((f) => !f.enabled).map((f) => f.name);
  const listing = flags.map((f) => `${f.name} ${f.enabled ? 'on' : 'off'}`).join(', ');
  return pass(`readable: ${listing || 'none set (defaults apply)'}${off.length ? ` — switched off: ${off.join(', ')}` : ''}`);
};
