/**
 * Idempotency-Key vs DynamoDB TTL, against DynamoDB Local with the real CommandsTable. TTL deletes
 * late and in any order, so the `idem#` reservation must outlive its `cmd#` record, and a retry whose
 * command is gone must be refused (410) instead of creating a second command (a second booking).
 * TTL is simulated: the clock is moved past the retention and the `cmd#` item deleted by hand.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CommandsTable } from '../../shared/adapters/commands-table';
import { documentClient } from '../../shared/adapters/aws-clients';
import { IDEMPOTENCY_KEY_GRACE_DAYS } from '../../shared/commands/accept';
import { createAppointmentsApi } from '../../shared/commands/api';
import { FixedSwitch, MemoryLedger, MemoryQueue, fakeAppointments } from '../support/commands-fakes';
import { testResources, type TestResources } from '../support/resources';

const DAY_S = 86_400;
const RETENTION_DAYS = 7;
const T0 = Date.parse('2026-01-10T09:00:00Z');
const BODY = { departmentId: 5, dateTime: '2026-02-15T10:00:00', name: 'Jean Dupont' };

let res: TestResources;
let db: DynamoDBDocumentClient;
beforeAll(async () => {
  res = await testResources();
  db = documentClient(res.dynamodb);
});
afterAll(() => res?.destroy());

let run = 0;
/** A fresh API over the real table with its own clock, ids and key prefix. */
function setup() {
  const prefix = `r${++run}`;
  const clock = { now: T0 };
  const now = () => new Date(clock.now);
  let n = 0;
  const store = new CommandsTable(res.tables.commands, { db, now });
  const queue = new MemoryQueue();
  const api = createAppointmentsApi({
    store,
    queue,
    ledger: new MemoryLedger(10),
    outbound: new FixedSwitch(true),
    appointments: fakeAppointments(),
    newId: () => `${prefix}-cmd-${++n}`,
    now,
    retentionDays: RETENTION_DAYS,
    refuseWhenNoCredits: true,
  });
  const post = async (key: string, body: unknown = BODY) => {
    const event = {
      httpMethod: 'POST',
      resource: '/appointments',
      path: '/appointments',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `${prefix}-${key}` },
      multiValueHeaders: {},
      body: JSON.stringify(body),
      isBase64Encoded: false,
      pathParameters: null,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      stageVariables: null,
      requestContext: {} as APIGatewayProxyEvent['requestContext'],
    } as APIGatewayProxyEvent;
    const { response } = await api(event, { remainingTimeMs: () => 20_000 });
    return { status: response.statusCode, headers: response.headers ?? {}, body: JSON.parse(response.body) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const item = async (pk: string) => (await db.send(new GetCommand({ TableName: res.tables.commands, Key: { pk }, ConsistentRead: true }))).Item;
  const ttlDeletes = (pk: string) => db.send(new DeleteCommand({ TableName: res.tables.commands, Key: { pk } }));
  return { prefix, clock, store, queue, post, item, ttlDeletes };
}

it('idem# gets a later TTL than cmd# (retention + grace) and remembers when its command expires', async () => {
  const t = setup();
  const first = await t.post('k1');
  expect(first.status).toBe(202);
  const command = await t.item(`cmd#${first.body.commandId}`);
  const key = await t.item(`idem#${t.prefix}-k1`);
  expect(command?.expiresAt).toBe(T0 / 1000 + RETENTION_DAYS * DAY_S);
  expect(key?.expiresAt).toBeGreaterThan(command?.expiresAt);
  expect(key).toMatchObject({ commandId: first.body.commandId, commandExpiresAt: command?.expiresAt, expiresAt: command?.expiresAt + IDEMPOTENCY_KEY_GRACE_DAYS * DAY_S });
});

it('TTL deleted cmd# while idem# remains → 410 IDEMPOTENCY_KEY_EXPIRED; no second command, nothing enqueued', async () => {
  const t = setup();
  const first = await t.post('k2');
  t.clock.now += (RETENTION_DAYS + 1) * DAY_S * 1000;
  await t.ttlDeletes(`cmd#${first.body.commandId}`);
  const retry = await t.post('k2');
  expect(retry.status).toBe(410);
  expect(retry.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_EXPIRED', details: { commandId: first.body.commandId } });
  expect(await t.item(`cmd#${first.body.commandId}`)).toBeUndefined();
  expect(t.queue.main()).toHaveLength(1);
  // Asking again changes nothing: the key stays refused until it expires itself.
  expect((await t.post('k2')).status).toBe(410);
  expect(await t.item(`idem#${t.prefix}-k2`)).toBeDefined();
});

it('both expired but not yet deleted by TTL → the same command is replayed (202)', async () => {
  const t = setup();
  const first = await t.post('k3');
  t.clock.now += (RETENTION_DAYS + 1) * DAY_S * 1000;
  const retry = await t.post('k3');
  expect([retry.status, retry.body.commandId, retry.headers['idempotent-replayed']]).toEqual([202, first.body.commandId, 'true']);
  expect(t.queue.main()).toHaveLength(1);
});

it('a key stored before commandExpiresAt existed (TTL = its command\'s) is read with that expiry', async () => {
  const t = setup();
  const first = await t.post('k4');
  const stored = await t.item(`idem#${t.prefix}-k4`);
  const { commandExpiresAt: _dropped, ...legacy } = stored ?? {};
  await db.send(new PutCommand({ TableName: res.tables.commands, Item: { ...legacy, expiresAt: T0 / 1000 + RETENTION_DAYS * DAY_S } }));
  t.clock.now += (RETENTION_DAYS + 1) * DAY_S * 1000;
  await t.ttlDeletes(`cmd#${first.body.commandId}`);
  expect((await t.post('k4')).status).toBe(410);
});

it('within retention, a claimed key without its command (crash between claim and put) is repaired with the same id', async () => {
  const t = setup();
  const first = await t.post('k5');
  const key = await t.item(`idem#${t.prefix}-k5`);
  await t.ttlDeletes(`cmd#${first.body.commandId}`); // as if the first request crashed before storing it
  t.clock.now += DAY_S * 1000;
  const retry = await t.post('k5');
  expect([retry.status, retry.body.commandId]).toEqual([202, first.body.commandId]);
  const repaired = await t.item(`cmd#${first.body.commandId}`);
  // The repaired command keeps the expiry its key recorded, so the key still outlives it.
  expect(repaired?.expiresAt).toBe(key?.commandExpiresAt ?? key?.expiresAt);
  expect(repaired?.expiresAt).toBeLessThan(key?.expiresAt);
});
