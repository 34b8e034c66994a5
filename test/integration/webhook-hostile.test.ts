/**
 * Hostile but correctly signed webhooks through the real local stack (API Gateway semantics, the
 * receiver and processor handlers in worker threads, the SQS emulator, DynamoDB Local). Each must end
 * either queued and findable in the event store (what `npm run events -- show <id>` reads), or refused
 * with a clear 4xx — never a 5xx, so MONCRENEAU never retries into a wall.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '../../shared/adapters/aws-clients';
import { EventStore, type EventRecord } from '../../shared/adapters/event-store';
import { AppointmentsTable, UNSTORABLE_FIELDS } from '../../shared/adapters/appointments-table';
import { startLocalStack, type LocalStack } from '../../infra/local/stack';
import { STAGES } from '../../infra/config/stages';
import { computeSignature } from '../../shared/moncreneau/signature';
import { fromQueueBody } from '../../shared/webhooks/queue-body';
import { emulatorsFromEnv, eventually, uniquePrefix } from '../support/local-helpers';

const SECRET = 'whsec_hostile_suite_secret_0123456789abcdef';
const MAX_BODY = STAGES.dev.webhooks.maxBodyBytes;
let stack: LocalStack;
let events: EventStore;
let appointments: AppointmentsTable;
const raw = new DynamoDBClient({});
let next = 700_000;

beforeAll(async () => {
  process.env.MONCRENEAU_WEBHOOK_SECRET = SECRET;
  stack = await startLocalStack({ port: 0, emulators: emulatorsFromEnv(), namePrefix: uniquePrefix('hostile'), visibilityTimeoutSeconds: 2, pollWaitTimeSeconds: 1, log: () => undefined });
  const db = documentClient(raw);
  events = new EventStore(stack.resources.tables.events, { leaseSeconds: 30, retentionDays: 1 }, db);
  appointments = new AppointmentsTable(stack.resources.tables.appointments, { db });
});
afterAll(async () => {
  await stack?.stop();
  raw.destroy();
});

async function send(body: Buffer | string): Promise<{ status: number; json: Record<string, unknown> }> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const res = await fetch(stack.webhookUrl!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-moncreneau-signature': `sha256=${computeSignature(bytes, SECRET)}` },
    body: bytes,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function envelope(id: string, object: string): string {
  return `{"id":"${id}","type":"appointment.created","created":"2026-12-01T10:00:00Z","data":{"object":${object}}}`;
}

/** The event as the store holds it, once processing has finished (completed or failed for good). */
async function settled(eventId: string): Promise<EventRecord> {
  return eventually(async () => {
    const record = await events.get(eventId);
    return record && (record.status === 'COMPLETED' || record.status === 'FAILED') ? record : undefined;
  }, `event ${eventId} to be processed`, 30_000, 200);
}

describe('hostile, correctly signed webhooks', () => {
  it('a name containing U+FFFF (SQS refuses it raw) is acknowledged, queued byte-exact and applied', async () => {
    const id = next++;
    const body = envelope('evt_hostile_ffff', `{"id":${id},"status":"SCHEDULED","name":"Aissatou \uFFFF Bah"}`);
    const res = await send(body);
    expect(res.status).toBe(200);
    const record = await settled('evt_hostile_ffff');
    expect(record.status).toBe('COMPLETED');
    expect(fromQueueBody(record.raw, record.rawEncoding).toString('utf8')).toBe(body);
    expect((await appointments.get(String(id)))?.appointment.name).toBe('Aissatou \uFFFF Bah');
  });

  it('invalid UTF-8 bytes are kept exactly as signed', async () => {
    const bytes = Buffer.concat([Buffer.from(envelope('evt_hostile_utf8', `{"id":${next++},"status":"SCHEDULED","name":"`)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}}')]);
    expect((await send(bytes)).status).toBe(200);
    const record = await settled('evt_hostile_utf8');
    expect(fromQueueBody(record.raw, record.rawEncoding).equals(bytes)).toBe(true);
  });

  it('a body exactly at the limit that must travel base64-encoded is queued; one byte more is a clear 413', async () => {
    const head = envelope('evt_hostile_limit', `{"id":${next++},"status":"SCHEDULED","name":"\uFFFF","pad":"`);
    const tail = '"}}}';
    const padding = 'x'.repeat(MAX_BODY - Buffer.byteLength(head + tail));
    const atLimit = head + padding + tail;
    expect(Buffer.byteLength(atLimit)).toBe(MAX_BODY);
    expect((await send(atLimit)).status).toBe(200);
    expect((await settled('evt_hostile_limit')).status).toBe('COMPLETED');
    const over = await send(head + padding + 'x' + tail);
    expect(over.status).toBe(413);
    expect(over.json).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('an appointment id above 2^53 is not applied to a rounded id: the event is kept with its reason', async () => {
    const res = await send(envelope('evt_hostile_bigint', '{"id":9007199254740993,"status":"SCHEDULED","fee":123456789012345678901234567890}'));
    expect(res.status).toBe(200);
    const record = await eventually(async () => {
      const r = await events.get('evt_hostile_bigint');
      return r?.lastError ? r : undefined;
    }, 'the failure to be recorded');
    expect(record.lastError).toMatch(/2\^53/);
    expect(await appointments.get('9007199254740992')).toBeUndefined();
  });

  it('__proto__ and constructor keys pollute nothing and are kept (as JSON text where the SDK cannot carry them)', async () => {
    const id = next++;
    const res = await send(envelope('evt_hostile_proto', `{"id":${id},"status":"SCHEDULED","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`));
    expect(res.status).toBe(200);
    const proto = await settled("evt_hostile_proto");
    expect(proto.lastError ?? proto.status).toBe("COMPLETED");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const stored = await appointments.get(String(id));
    expect(stored?.appointment.constructor).toEqual({ prototype: { polluted: true } });
    expect(JSON.parse(String(stored?.appointment[UNSTORABLE_FIELDS]))).toEqual(JSON.parse('{"__proto__":{"polluted":true}}'));
  });

  it('empty keys and deep nesting are queued and applied (kept as JSON text where DynamoDB cannot nest them)', async () => {
    const id = next++;
    const deep = '{"a":'.repeat(60) + '1' + '}'.repeat(60);
    const res = await send(envelope('evt_hostile_shape', `{"id":${id},"status":"SCHEDULED","":"empty key","meta":{"":1,"ok":2},"deep":${deep}}`));
    expect(res.status).toBe(200);
    const record = await settled('evt_hostile_shape');
    expect(record.lastError ?? record.status).toBe("COMPLETED");
    const stored = await appointments.get(String(id));
    expect(stored?.status).toBe('SCHEDULED');
    expect(stored?.appointment.meta).toBe('{"":1,"ok":2}');
    expect(stored?.appointment.deep).toBe(deep);
    expect(JSON.parse(String(stored?.appointment[UNSTORABLE_FIELDS]))).toEqual({ '': 'empty key' });
  });

  it('nesting too deep to parse is a clear 400, not a crash', async () => {
    const depth = Math.floor((MAX_BODY - 200) / 2);
    const res = await send(envelope('evt_hostile_stack', `{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`));
    expect(res.status).toBeLessThan(500);
    if (res.status !== 200) expect(res.json).toMatchObject({ error: { code: 'INVALID_EVENT' } });
  });
});
