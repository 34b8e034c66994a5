/**
 * 429 with Retry-After honoured end to end: the functions use a sandbox key whose hourly quota is
 * used up just before the sandbox's hour ends, so MONCRENEAU answers 429 with Retry-After of a few
 * seconds; the worker's create waits for it (penalty shared through the rate-limit table) and books once.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { idempotencyHeader, slot, startCommandsStack, type CommandsStack } from '../support/commands-stack';

jest.setTimeout(60_000);

const QUOTA_KEY = 'mk_test_commands_quota_key_000001';
const HOUR_MS = 3_600_000;
let t: CommandsStack;

beforeAll(async () => {
  t = await startCommandsStack(() => undefined, { MONCRENEAU_API_KEY: QUOTA_KEY });
  await t.sandbox.request('POST', '/keys', { key: QUOTA_KEY, quotaPerHour: 2 });
  // The sandbox clock is moved below; an absolute (epoch) X-RateLimit-Reset would then be read on our
  // real clock as a pause of the whole skew, so the sandbox sends the reset as a delta.
  await t.sandbox.request('PUT', '/assumptions', { rateLimitResetUnit: 'delta-seconds' });
  await t.ledger.setBalance(10, 'test start');
});
afterAll(() => t?.stop());

it('a 429 with Retry-After is waited out (global penalty) and the create then succeeds, once', async () => {
  // Bring the sandbox clock to 4 s before its next hour: its fixed hourly window resets then.
  const now = Date.parse(((await t.sandbox.request('GET', '/clock')) as { now: string }).now);
  const toEdge = Math.ceil(now / HOUR_MS) * HOUR_MS - now - 4000;
  await t.sandbox.request('POST', '/clock/advance', { ms: toEdge > 0 ? toEdge : toEdge + HOUR_MS });
  // Another client of the same key uses the quota (2/h): the kit's limiter does not know, MONCRENEAU will say 429.
  for (let i = 0; i < 2; i++) {
    const direct = await fetch(`${t.stack.sandboxUrl}/api/v1/appointments?size=1`, { headers: { 'X-API-Key': QUOTA_KEY } });
    expect(direct.status).toBe(200);
  }

  const res = await t.api('POST', '/appointments', { departmentId: 5, dateTime: slot(20), name: 'Rate Limited' }, idempotencyHeader());
  const done = await t.waitForCommand(res.body.commandId, ['SUCCEEDED', 'FAILED'], 30_000);
  // One execution: the client waited Retry-After inside the call instead of failing the command.
  expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 1, result: { outcome: 'created' } });
  const booked = ((await t.sandbox.request('GET', '/appointments')) as Array<{ dateTime: string }>).filter((a) => a.dateTime.startsWith(slot(20).slice(0, 16)));
  expect(booked).toHaveLength(1);
  // The server's delay was shared with every instance through the limiter's item (its pause).
  const penalty = await t.clients.dynamodb.send(new GetItemCommand({ TableName: t.stack.resources.tables.rateLimits, Key: { pk: { S: 'ratelimit#moncreneau' } } }));
  expect(Number(penalty.Item?.blockedUntil?.N)).toBeGreaterThan(0);
});
