/**
 * `npm run ratelimit -- show | clear --reason "…"` against DynamoDB Local: the command's logic runs
 * in-process on a test table (the target is injected); the CLI's refusal without --reason runs as a
 * real process (it needs no stack).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DeleteTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRateLimiter } from '../../shared/adapters/dynamo-rate-limiter';
import { moncreneauRules, rateLimitGate, type RateRule } from '../../shared/ratelimit';
import { stageConfig } from '../../infra/config/stages';
import { ensureTable } from '../../infra/local/provision';
import { wiring } from '../../infra/wiring';
import { ratelimitCommand } from '../../scripts/ratelimit';

const SPEC = wiring(stageConfig('dev')).tables.rateLimits;
const raw = new DynamoDBClient({});
const db = DynamoDBDocumentClient.from(raw);
const tableName = `rate-limits-cmd-${process.pid}-${Date.now()}`;
const RULES: RateRule[] = moncreneauRules(); // what `npm run ratelimit` labels the schedules with
let counter = 0;

beforeAll(async () => {
  await ensureTable(raw, tableName, SPEC);
});
afterAll(async () => {
  await raw.send(new DeleteTableCommand({ TableName: tableName }));
  raw.destroy();
});

function setup() {
  const name = `cmd-${(counter += 1)}`;
  const lines: string[] = [];
  const run = (...argv: string[]) =>
    ratelimitCommand([...argv, '--name', name], {
      target: () => ({ label: 'test', dynamodb: raw, tables: { rateLimits: tableName } }),
      print: (line) => lines.push(line),
      user: () => 'alice',
    });
  const limiter = new DynamoRateLimiter({ tableName, name, rules: RULES, db, paddingMs: 0 });
  const output = () => lines.splice(0).join('\n');
  return { name, run, limiter, output };
}

describe('npm run ratelimit', () => {
  it('show: grants handed out, each rule\'s schedule, and no pause', async () => {
    const { run, limiter, output, name } = setup();
    await run('show');
    const empty = output();
    expect(empty).toMatch(new RegExp(`^test: rate limiter "${name}" \\(table ${tableName}\\)\\n  grants +0 handed out`));
    expect(empty).toMatch(/per-minute \(100 per 60 s, burst 20\): unused/);
    for (let i = 0; i < 3; i++) await limiter.acquire();
    await run(); // show is the default
    const shown = output();
    expect(shown).toMatch(/grants +3 handed out \(the last for \S+, /);
    // 3 of the burst of 20 used: the next slot is free now; evenly spaced slots (T = 60 s / 81) are reserved ahead.
    expect(shown).toMatch(/per-minute \(100 per 60 s, burst 20\): next slot free now; slots handed out up to [\d.]+ s ahead/);
    expect(shown).toMatch(/per-hour \(1000 per 3600 s, burst 20\): next slot free now/);
    expect(shown).toMatch(/pause +none/);
  });

  it('show: a pause with its end, why and when it was set', async () => {
    const { run, limiter, output } = setup();
    const receivedAt = Date.now();
    await rateLimitGate(limiter).onResponse?.({ status: 429, headers: { 'retry-after': '31536000' }, receivedAt });
    await run('show');
    const shown = output();
    expect(shown).toContain(`until ${new Date(receivedAt + 3_600_000).toISOString()}`);
    expect(shown).toMatch(/429 Retry-After "31536000" \(capped at 3600 s\)/);
    expect(shown).toContain(`response received ${new Date(receivedAt).toISOString()}`);
  });

  it('clear: refuses without --reason, then removes the pause and records who, why and when', async () => {
    const { run, limiter, output, name } = setup();
    const receivedAt = Date.now();
    await rateLimitGate(limiter).onResponse?.({ status: 429, headers: { 'retry-after': '3600' }, receivedAt });
    await expect(run('clear')).rejects.toThrow(/--reason/);
    await expect(run('clear', '--reason', '  ')).rejects.toThrow(/--reason/);
    expect((await limiter.snapshot()).blockedUntil).toBe(receivedAt + 3_600_000);

    const before = Date.now();
    await run('clear', '--reason', 'bogus Retry-After, ticket #12');
    const said = output();
    expect(said).toMatch(new RegExp(`^test: rate limiter "${name}": cleared the pause until ${new Date(receivedAt + 3_600_000).toISOString()}`));
    expect(said).toContain('by alice');
    expect(said).toContain('"bogus Retry-After, ticket #12"');
    expect(said).toMatch(/pause +none/);
    expect(said).toMatch(/last clear +\S+ by alice: "bogus Retry-After, ticket #12"/);

    expect((await limiter.snapshot()).blockedUntil).toBeLessThanOrEqual(Date.now());
    const grant = await limiter.acquire({ deadline: Date.now() + 1000 });
    expect(grant.slot).toBeLessThan(Date.now() + 1000);
    const item = (await raw.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `ratelimit#${name}` } }, ConsistentRead: true }))).Item;
    expect(item?.clearedBy?.S).toBe('alice');
    expect(item?.clearReason?.S).toBe('bogus Retry-After, ticket #12');
    expect(Number(item?.clearedAt?.N)).toBeGreaterThanOrEqual(before);
    expect(Number(item?.clearedUntil?.N)).toBe(receivedAt + 3_600_000);

    await run('clear', '--reason', 'again');
    expect(output()).toMatch(/no pause to clear/);
  });

  it('the CLI prints an error and exits 1 on clear without --reason and on an unknown command', async () => {
    const run = promisify(execFile);
    const root = path.resolve(__dirname, '..', '..');
    const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
    for (const args of [['clear'], ['reset']]) {
      const failed = await run(tsx, ['scripts/ratelimit.ts', ...args, '--stage', 'dev'], { cwd: root }).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toMatch(args[0] === 'clear' ? /^error: clear needs --reason/ : /^error: unknown command "reset"/);
    }
  });
});
