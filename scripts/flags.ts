/**
 * Feature flags of the running local stack or a deployed stage (shared/config/flags.ts lists them).
 *
 *   npm run flags                                                      # list every flag (default when never set)
 *   npm run flags -- set outboundWrites off --reason "MONCRENEAU incident #123"
 *   npm run flags -- set webhookProcessing off --reason "bad deploy of the processor" --stage prod
 *   npm run flags -- set autoRecharge on --reason "payments go-live" --stage prod
 *   npm run flags -- history webhookProcessing --stage prod
 *
 * Every change needs --reason; the flag item keeps it with who and when, and its history of changes.
 * Functions read flags with a short cache (~15 s). A flag that pauses a queue consumer (`pausedByFlag` in
 * the wiring: webhookProcessing) also disables that consumer's event source mapping in AWS (locally the
 * poller checks the flag before each receive), so paused messages burn no receive count.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { userInfo } from 'node:os';
import { stageConfig } from '../infra/config/stages';
import { LIVE_ALIAS_NAME } from '../infra/release';
import { physicalName, wiring, type FunctionKey } from '../infra/wiring';
import { FeatureFlags, defaultOf, type FlagState } from '../shared/adapters/feature-flags';
import { FLAGS, FLAG_NAMES, isFlagName, type FlagName } from '../shared/config/flags';
import { fail, parseArgs } from './lib/args';
import { mappingStates, setMappingsEnabled } from './lib/event-source-switch';
import { resolveTarget, type Target } from './lib/target';

function show(flag: FlagState): string {
  const state = flag.enabled ? 'on ' : 'OFF';
  const when = flag.updatedAt ?? `(never set: default ${defaultOf(flag.name) ? 'on' : 'off'})`;
  return `${flag.name.padEnd(18)} ${state}  ${when}${flag.reason ? `  reason: ${flag.reason}` : ''}${flag.updatedBy ? `  by ${flag.updatedBy}` : ''}`;
}

/** The queue consumers a flag pauses, from the wiring. */
function consumersPausedBy(flag: FlagName, stage: string): Array<{ key: FunctionKey; functionName: string; queue: Parameters<Target['queue']>[0] }> {
  const w = wiring(stageConfig(stage));
  return (Object.keys(w.functions) as FunctionKey[])
    .filter((key) => w.functions[key].queueSource?.pausedByFlag === flag)
    // The event source mapping belongs to the `live` alias (every invoker goes through it): list and switch it there.
    .map((key) => ({ key, functionName: `${physicalName(w, w.functions[key].folder)}:${LIVE_ALIAS_NAME}`, queue: w.functions[key].queueSource!.queue }));
}

async function main(): Promise<void> {
  const { positional, options } = parseArgs(process.argv.slice(2));
  const [command = 'list', name, value] = positional;
  const target = resolveTarget(options);
  const stage = typeof options.stage === 'string' ? options.stage : 'dev';
  const lambda = target.kind === 'aws' ? new LambdaClient({ region: process.env.AWS_REGION ?? stageConfig(stage).region }) : undefined;
  const flags = new FeatureFlags(target.tables.flags, { db: DynamoDBDocumentClient.from(target.dynamodb), cacheMs: 0 });

  if (command === 'list') {
    const stored = await flags.list();
    const names = [...new Set([...FLAG_NAMES, ...stored.map((f) => f.name)])].sort();
    console.log(`${target.label}:`);
    for (const n of names) {
      const flag = stored.find((f) => f.name === n) ?? { name: n, enabled: defaultOf(n) };
      console.log(`  ${show(flag)}`);
      if (!isFlagName(n)) continue;
      for (const consumer of consumersPausedBy(n, stage)) {
        if (!lambda) {
          console.log(`    ${consumer.functionName}: the local poller ${flag.enabled ? 'receives' : 'receives nothing (paused)'}`);
          continue;
        }
        const states = await mappingStates(lambda, consumer.functionName, (await target.queue(consumer.queue)).arn);
        const drift = states.some((m) => (m.state === 'Enabled') !== flag.enabled);
        console.log(`    ${consumer.functionName} event source mapping: ${states.map((m) => m.state).join(', ') || 'none'}${drift ? `  DRIFT: rerun \`npm run flags -- set ${n} ${flag.enabled ? 'on' : 'off'} --reason …\`` : ''}`);
      }
    }
    return;
  }
  if (command === 'history') {
    if (!name) fail('usage: history <flag>');
    const item = (await flags.list()).find((f) => f.name === name);
    console.log(`${target.label}: ${name}`);
    for (const change of item?.history ?? []) console.log(`  ${change.at}  ${change.enabled ? 'on ' : 'OFF'}  ${change.reason ?? ''}${change.by ? `  by ${change.by}` : ''}`);
    if (!item?.history?.length) console.log('  (never changed)');
    return;
  }
  if (command === 'set') {
    if (!name || !isFlagName(name)) fail(`unknown flag "${name ?? ''}"; known: ${FLAG_NAMES.join(', ')}`);
    if (value !== 'on' && value !== 'off') fail('usage: set <flag> on|off --reason "…"');
    const reason = typeof options.reason === 'string' ? options.reason.trim() : '';
    if (!reason) fail('every flag change needs --reason "…" (kept with the flag, shown in `npm run flags`)');
    const enabled = value === 'on';
    const state = await flags.set(name, enabled, reason, userInfo().username);
    console.log(`${target.label}: ${show(state)}`);
    console.log(`  ${FLAGS[name].description}`);
    for (const consumer of consumersPausedBy(name, stage)) {
      if (!lambda) {
        console.log(`  local: the ${consumer.functionName} poller ${enabled ? 'receives again' : 'stops receiving'} within a second`);
        continue;
      }
      const updated = await setMappingsEnabled(lambda, consumer.functionName, (await target.queue(consumer.queue)).arn, enabled);
      console.log(`  ${consumer.functionName} event source mapping ${enabled ? 'enabled' : 'disabled'}: ${updated.map((m) => `${m.uuid} → ${m.state}`).join(', ')}`);
    }
    console.log('  Running functions see the change within their flag cache (~15 s).');
    return;
  }
  fail(`unknown command "${command}"; use list | history <flag> | set <flag> on|off --reason "…" [--stage S]`);
}

main().catch((error: unknown) => fail((error as Error).message));
