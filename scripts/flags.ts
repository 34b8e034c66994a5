/**
 * Feature flags (kill switch) of the running local stack or a deployed stage.
 *
 *   npm run flags                                        # list (outboundWrites shown even when unset = on)
 *   npm run flags -- set outboundWrites off --reason "MONCRENEAU incident #123"
 *   npm run flags -- set outboundWrites on
 *   npm run flags -- list --stage prod
 *   npm run flags -- set autoRecharge on --reason "go-live"   # automatic credit purchases: off until set
 *
 * outboundWrites off: the API still accepts commands (202) and keeps them; the outbound worker parks
 * them (PAUSED, re-queued with a delay) until it is back on. Instances see a change within ~15 s (cache).
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { userInfo } from 'node:os';
import { AUTO_RECHARGE_FLAG, FeatureFlags, OUTBOUND_WRITES_FLAG, type FlagState } from '../shared/adapters/feature-flags';
import { fail, parseArgs } from './lib/args';
import { resolveTarget } from './lib/target';

const KNOWN_FLAGS = [OUTBOUND_WRITES_FLAG, AUTO_RECHARGE_FLAG];

function show(flag: FlagState): string {
  const state = flag.enabled ? 'on ' : 'OFF';
  return `${flag.name.padEnd(16)} ${state}  ${flag.updatedAt ?? `(never set: default ${flag.enabled ? 'on' : 'off'})`}${flag.reason ? `  reason: ${flag.reason}` : ''}${flag.updatedBy ? `  by ${flag.updatedBy}` : ''}`;
}

async function main(): Promise<void> {
  const { positional, options } = parseArgs(process.argv.slice(2));
  const [command = 'list', name, value] = positional;
  const target = resolveTarget(options);
  const flags = new FeatureFlags(target.tables.flags, { db: DynamoDBDocumentClient.from(target.dynamodb), cacheMs: 0 });

  if (command === 'list') {
    const stored = await flags.list();
    const names = new Set([...KNOWN_FLAGS, ...stored.map((f) => f.name)]);
    console.log(`${target.label}:`);
    for (const n of [...names].sort()) console.log(`  ${show(stored.find((f) => f.name === n) ?? (await flags.get(n)))}`);
    return;
  }
  if (command === 'set') {
    if (!name || !KNOWN_FLAGS.includes(name)) fail(`unknown flag "${name ?? ''}"; known: ${KNOWN_FLAGS.join(', ')}`);
    if (value !== 'on' && value !== 'off') fail('usage: set <flag> on|off [--reason "…"]');
    const reason = typeof options.reason === 'string' ? options.reason : undefined;
    if (value === 'off' && !reason) fail('turning a flag off needs --reason "…" (shown to callers and in the logs)');
    const state = await flags.set(name, value === 'on', reason, userInfo().username);
    console.log(`${target.label}: ${show(state)}`);
    return;
  }
  fail(`unknown command "${command}"; use list | set <flag> on|off [--reason "…"] [--stage S]`);
}

main().catch((error: unknown) => fail((error as Error).message));
