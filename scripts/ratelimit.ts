/**
 * The global MONCRENEAU rate limiter (one item per limiter in the rateLimits table, shared by every
 * instance) of the running local stack or a deployed stage: what it granted, how far ahead each rule's
 * schedule runs, and whether a server-imposed pause (a 429, or the quota used up) holds every instance back.
 *
 *   npm run ratelimit                                          # = show
 *   npm run ratelimit -- show [--stage S] [--name moncreneau]
 *   npm run ratelimit -- clear --reason "Retry-After of a year from MONCRENEAU, ticket #123" [--stage S]
 *
 * A pause never lasts more than one hour (docs/moncreneau-client.md §5). `clear` ends it now — instances
 * see it at their next reservation — and records who, why and when on the limiter's item; a new 429
 * from MONCRENEAU pauses again.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { userInfo } from 'node:os';
import { DynamoRateLimiter, type PauseState, type RuleScheduleView } from '../shared/adapters/dynamo-rate-limiter';
import { moncreneauRules } from '../shared/ratelimit';
import { fail, parseArgs } from './lib/args';
import { resolveTarget } from './lib/target';

/** The limiter name the functions use (RATE_LIMIT_NAME is never wired): shared/composition/moncreneau-client.ts. */
export const DEFAULT_LIMITER_NAME = 'moncreneau';

export interface RatelimitTarget {
  readonly label: string;
  readonly dynamodb: DynamoDBClient;
  readonly tables: { readonly rateLimits: string };
}

export interface RatelimitCommandDeps {
  /** The local stack or a deployed stage, from `--local` / `--stage` (scripts/lib/target.ts). */
  readonly target: (options: Record<string, string | true>) => RatelimitTarget;
  readonly print: (line: string) => void;
  /** Who clears (recorded on the item). */
  readonly user: () => string;
}

const USAGE = 'show | clear --reason "…"  [--stage S] [--name N]';
const iso = (ms: number) => new Date(ms).toISOString();

function relative(ms: number, now: number): string {
  const s = Math.round((ms - now) / 1000);
  return s >= 0 ? `in ${s} s` : `${-s} s ago`;
}

/** Runs one command; usage errors are thrown (the CLI prints them and exits 1). */
export async function ratelimitCommand(argv: readonly string[], deps: RatelimitCommandDeps): Promise<void> {
  const { positional, options } = parseArgs(argv);
  const [command = 'show'] = positional;
  if (command !== 'show' && command !== 'clear') throw new Error(`unknown command "${command}" (${USAGE})`);
  const reason = typeof options.reason === 'string' ? options.reason.trim() : '';
  if (command === 'clear' && !reason) throw new Error('clear needs --reason "…" (it is recorded on the limiter\'s item with who and when)');
  if (options.name === true) throw new Error('--name needs a value');
  const name = typeof options.name === 'string' ? options.name : DEFAULT_LIMITER_NAME;

  const target = deps.target(options);
  const table = target.tables.rateLimits;
  // The rules only matter to acquire() (and label the schedules shown); show and clear read and write the item as it is.
  const limiter = new DynamoRateLimiter({ tableName: table, name, rules: moncreneauRules(), db: DynamoDBDocumentClient.from(target.dynamodb) });

  if (command === 'clear') {
    const by = deps.user();
    const { cleared, at, previous } = await limiter.clearPause(by, reason);
    if (!cleared) {
      deps.print(`${target.label}: rate limiter "${name}": no pause to clear (none in force${previous.blockedUntil > 0 ? `; the last one ended ${iso(previous.blockedUntil)}` : ''})`);
      return;
    }
    deps.print(
      `${target.label}: rate limiter "${name}": cleared the pause until ${iso(previous.blockedUntil)} (${relative(previous.blockedUntil, at)}${previous.reason ? `; set by ${previous.reason}` : ''}) — by ${by} at ${iso(at)}, reason: ${JSON.stringify(reason)}`,
    );
  }
  await show(limiter, name, table, target.label, deps.print);
}

async function show(limiter: DynamoRateLimiter, name: string, table: string, label: string, print: (line: string) => void): Promise<void> {
  const { rules, granted, lastSlot, lastAt, pause } = await limiter.inspect();
  const now = Date.now();
  print(`${label}: rate limiter "${name}" (table ${table})`);
  const last = lastSlot === undefined ? '' : ` (the last for ${iso(lastSlot)}, ${relative(lastSlot, now)}${lastAt === undefined ? '' : `, reserved ${iso(lastAt)}`})`;
  print(`  grants     ${granted} handed out${last}`);
  for (const r of rules) print(`  ${describeRule(r, now)}`);
  print(`  pause      ${describePause(pause, now)}`);
  if (pause.clearedAt !== undefined) {
    print(`  last clear ${iso(pause.clearedAt)} by ${pause.clearedBy ?? '?'}: ${JSON.stringify(pause.clearReason ?? '')}${pause.clearedUntil ? ` (it was until ${iso(pause.clearedUntil)})` : ''}`);
  }
}

/** One rule's schedule: when it lets the next request go, and how far ahead slots are already handed out. */
function describeRule(r: RuleScheduleView, now: number): string {
  const what = r.rule ? `${r.rule.name} (${r.rule.limit} per ${r.windowMs / 1000} s, burst ${r.rule.burst ?? 1})` : `window ${r.windowMs / 1000} s (not in the default rules)`;
  if (r.tat === undefined || r.free === undefined) return `${what}: unused`;
  const next = r.free <= now ? 'next slot free now' : `next slot free ${relative(r.free, now)}`;
  const ahead = r.tat > now ? `slots handed out up to ${Math.round((r.tat - now) / 100) / 10} s ahead` : 'no slot handed out ahead';
  return `${what}: ${next}; ${ahead}`;
}

function describePause(pause: PauseState, now: number): string {
  const why = [pause.reason, pause.signalAt !== undefined ? `response received ${iso(pause.signalAt)}` : undefined, pause.setAt !== undefined ? `written ${iso(pause.setAt)}` : undefined]
    .filter(Boolean)
    .join('; ');
  if (pause.blockedUntil > now) return `until ${iso(pause.blockedUntil)} (${relative(pause.blockedUntil, now)}) — every instance waits${why ? `; ${why}` : ''}`;
  const ended = pause.clearedAt === pause.blockedUntil ? 'was cleared' : 'ended';
  if (pause.blockedUntil > 0) return `none (the last one ${ended} ${iso(pause.blockedUntil)}${why ? `; ${why}` : ''})`;
  return 'none';
}

async function main(): Promise<void> {
  await ratelimitCommand(process.argv.slice(2), {
    target: (options) => resolveTarget(options),
    print: (line) => console.log(line),
    user: () => userInfo().username,
  });
}

if (require.main === module) main().catch((error: unknown) => fail((error as Error).message));
