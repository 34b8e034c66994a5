import type { APIGatewayProxyEvent } from 'aws-lambda';
import { EnvironmentSource } from '../../shared/adapters/secret-source';
import { DOCS_EXAMPLES } from '../../shared/moncreneau/examples';
import type { WebhookEvent } from '../../shared/moncreneau/webhook-event';
import { QueueRefusedError, type ParkedEvent, type SecretSource } from '../../shared/webhooks/ports';
import { fromQueueBody, toQueueBody } from '../../shared/webhooks/queue-body';
import { webhookSecretProblems } from '../../shared/webhooks/secret-check';
import { createReceiver, type ReceiverDeps, type RejectionReason } from '../../shared/webhooks/receiver';
import { PREVIOUS_SECRET, TEST_SECRET, webhookRequest } from '../support/webhook-requests';

const created = JSON.stringify(DOCS_EXAMPLES['appointment.created']);

function setup(overrides: Partial<ReceiverDeps> = {}) {
  const queued: Array<{ raw: string; event: Pick<WebhookEvent, 'id' | 'type'> }> = [];
  const rejected: RejectionReason[] = [];
  const receiveWithReceipt = createReceiver({
    secrets: new EnvironmentSource({ current: 'CUR', previous: 'PREV' }, { CUR: TEST_SECRET, PREV: PREVIOUS_SECRET }),
    enqueue: async ({ eventId, eventType, body }) => {
      queued.push({ raw: fromQueueBody(body.body, body.encoding).toString('utf8'), event: { id: eventId, type: eventType } });
    },
    parking: { park: async () => 'parked' as const },
    maxBodyBytes: 1024,
    maxEventAgeSeconds: 0,
    ...overrides,
  });
  const receive = async (request: APIGatewayProxyEvent) => {
    const { response, receipt } = await receiveWithReceipt(request);
    if (receipt.kind === 'rejected') rejected.push(receipt.reason);
    return response;
  };
  return { receive, queued, rejected };
}

const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; message: string; details?: unknown } }).error;

describe('webhook receiver', () => {
  it('accepts a correctly signed docs example and enqueues the exact raw body', async () => {
    const { receive, queued } = setup();
    const res = await receive(webhookRequest(created));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ received: true, id: 'evt_abc123' });
    expect(queued).toHaveLength(1);
    expect(queued[0].raw).toBe(created);
    expect(queued[0].event.type).toBe('appointment.created');
  });

  it('accepts X-Webhook-Signature with bare hex (the SDKs\' form) and the previous secret', async () => {
    const { receive, queued } = setup();
    expect((await receive(webhookRequest(created, { headerName: 'x-webhook-signature', bare: true }))).statusCode).toBe(200);
    expect((await receive(webhookRequest(created, { secret: PREVIOUS_SECRET }))).statusCode).toBe(200);
    expect(queued).toHaveLength(2);
  });

  it('decodes base64 bodies (API Gateway binary passthrough) before verifying', async () => {
    const { receive, queued } = setup();
    const res = await receive(webhookRequest(created, { base64: true }));
    expect(res.statusCode).toBe(200);
    expect(queued[0].raw).toBe(created);
  });

  it.each([
    ['missing', { signature: null }],
    ['wrong secret', { secret: 'whsec_not_ours' }],
    ['garbage', { signature: 'sha256=zz' }],
  ])('answers 401 for a %s signature and enqueues nothing', async (_name, options) => {
    const { receive, queued, rejected } = setup();
    const res = await receive(webhookRequest(created, options));
    expect(res.statusCode).toBe(401);
    expect(errorOf(res.body).code).toBe('INVALID_SIGNATURE');
    expect(queued).toHaveLength(0);
    expect(rejected).toEqual(['signature']);
  });

  it('answers 401 for a tampered body even though it is valid JSON', async () => {
    const { receive, queued } = setup();
    const signed = webhookRequest(created);
    const res = await receive({ ...signed, body: created.replace('Jean Dupont', 'Jean Dupond') });
    expect(res.statusCode).toBe(401);
    expect(queued).toHaveLength(0);
  });

  it('answers 400 with the problems for a signed body that is not JSON or not an envelope', async () => {
    const { receive, queued } = setup();
    const notJson = await receive(webhookRequest('{"id": '));
    expect(notJson.statusCode).toBe(400);
    expect(errorOf(notJson.body).details).toEqual(['body is not valid JSON']);
    const noData = await receive(webhookRequest(JSON.stringify({ id: 'evt_1', type: 'appointment.created', created: 'yesterday' })));
    expect(noData.statusCode).toBe(400);
    expect(errorOf(noData.body).details).toEqual(expect.arrayContaining(['created must be an ISO-8601 timestamp', 'data.object must be an object']));
    const empty = await receive(webhookRequest(''));
    expect(empty.statusCode).toBe(400);
    expect(queued).toHaveLength(0);
  });

  it('answers 413 above the size limit without computing anything else', async () => {
    const { receive, queued, rejected } = setup({ maxBodyBytes: 100 });
    const res = await receive(webhookRequest(created));
    expect(res.statusCode).toBe(413);
    expect(queued).toHaveLength(0);
    expect(rejected).toEqual(['too_large']);
  });

  it('answers 415 for a non-JSON content type, and accepts a charset parameter', async () => {
    const { receive, queued } = setup();
    expect((await receive(webhookRequest(created, { contentType: 'text/plain' }))).statusCode).toBe(415);
    expect((await receive(webhookRequest(created, { contentType: null }))).statusCode).toBe(415);
    expect((await receive(webhookRequest(created, { contentType: 'application/json; charset=utf-8' }))).statusCode).toBe(200);
    expect(queued).toHaveLength(1);
  });

  it('answers 405 with Allow: POST for other methods', async () => {
    const { receive, queued } = setup();
    const res = await receive(webhookRequest(created, { method: 'GET' }));
    expect(res.statusCode).toBe(405);
    expect(res.headers?.allow).toBe('POST');
    expect(queued).toHaveLength(0);
  });

  it('answers 503 when the queue refuses, so MONCRENEAU retries', async () => {
    const { receive } = setup({
      enqueue: async () => {
        throw new Error('SQS down');
      },
    });
    const res = await receive(webhookRequest(created));
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBeDefined();
  });

  it('rejects events older than the configured max age, and only then', async () => {
    const now = Date.parse('2026-01-21T15:30:00Z');
    const strict = setup({ maxEventAgeSeconds: 1800, now: () => now });
    expect((await strict.receive(webhookRequest(created))).statusCode).toBe(400);
    const lenient = setup({ maxEventAgeSeconds: 7200, now: () => now });
    expect((await lenient.receive(webhookRequest(created))).statusCode).toBe(200);
  });

  it('re-reads the secret once after a miss, so a rotated secret works without a cold start', async () => {
    let current = 'whsec_old_secret_value_before_rotation_00';
    let reads = 0;
    const secrets: SecretSource = {
      get: async (o) => {
        reads++;
        return o?.forceRefresh ? { current } : { current: 'whsec_old_secret_value_before_rotation_00' };
      },
    };
    const { receive } = setup({ secrets, now: () => 1_000_000 });
    current = 'whsec_new_secret_value_after_rotation_000';
    expect((await receive(webhookRequest(created, { secret: current }))).statusCode).toBe(200);
    expect(reads).toBe(2);
    // A second miss within the refresh interval does not hammer Secrets Manager.
    expect((await receive(webhookRequest(created, { secret: 'whsec_attacker' }))).statusCode).toBe(401);
    expect(reads).toBe(3);
  });
});

describe('webhook receiver: nothing correctly signed is lost', () => {
  const refused = () => {
    throw new QueueRefusedError('SQS refused the message: InvalidMessageContents', 'InvalidMessageContents');
  };

  it('parks an event the queue refuses for good and acknowledges it (no 503 loop)', async () => {
    const parked: ParkedEvent[] = [];
    const receive = createReceiver({
      secrets: new EnvironmentSource({ current: 'CUR' }, { CUR: TEST_SECRET }),
      enqueue: async () => refused(),
      parking: { park: async (event) => (parked.push(event), 'parked' as const) },
      maxBodyBytes: 4096,
      maxEventAgeSeconds: 0,
    });
    const { response, receipt } = await receive(webhookRequest(created));
    expect(response.statusCode).toBe(200);
    expect(receipt).toMatchObject({ kind: 'parked', eventId: 'evt_abc123', duplicate: false });
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ eventId: 'evt_abc123', eventType: 'appointment.created', reason: expect.stringContaining('InvalidMessageContents') });
    expect(fromQueueBody(parked[0].body.body, parked[0].body.encoding).toString('utf8')).toBe(created);
  });

  it('answers 503 only for what a retry can fix: a transient queue failure, or the store unreachable while parking', async () => {
    const parkCalls: string[] = [];
    const transient = createReceiver({
      secrets: new EnvironmentSource({ current: 'CUR' }, { CUR: TEST_SECRET }),
      enqueue: async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'RequestThrottled' });
      },
      parking: { park: async (e) => (parkCalls.push(e.eventId), 'parked' as const) },
      maxBodyBytes: 4096,
      maxEventAgeSeconds: 0,
    });
    expect((await transient(webhookRequest(created))).response.statusCode).toBe(503);
    expect(parkCalls).toEqual([]);
    const storeDown = createReceiver({
      secrets: new EnvironmentSource({ current: 'CUR' }, { CUR: TEST_SECRET }),
      enqueue: async () => refused(),
      parking: {
        park: async () => {
          throw new Error('DynamoDB unreachable');
        },
      },
      maxBodyBytes: 4096,
      maxEventAgeSeconds: 0,
    });
    const answer = await storeDown(webhookRequest(created));
    expect(answer.response.statusCode).toBe(503);
    expect(answer.receipt.kind).toBe('enqueue_failed');
  });

  it('queues a body SQS cannot carry as is (U+FFFF, invalid UTF-8) base64-encoded, byte for byte', async () => {
    const { receive, queued } = setup();
    const bytes = Buffer.from(created.replace('"SCHEDULED"', '"SCHEDULED\uFFFF"'), 'utf8');
    expect((await receive(webhookRequest(bytes))).statusCode).toBe(200);
    expect(queued[0].raw).toBe(bytes.toString('utf8'));
    expect(toQueueBody(bytes).encoding).toBe('base64');
    expect(toQueueBody(Buffer.from(created)).encoding).toBe('utf8');
    const invalid = Buffer.from([0x7b, 0xff, 0x7d]);
    expect(fromQueueBody(toQueueBody(invalid).body, toQueueBody(invalid).encoding).equals(invalid)).toBe(true);
  });

  it('answers 503 when the signing secret cannot be read, and reports a misconfigured one on every receipt', async () => {
    const down = createReceiver({
      secrets: {
        get: async () => {
          throw new Error('AccessDeniedException');
        },
      },
      enqueue: async () => undefined,
      parking: { park: async () => 'parked' as const },
      maxBodyBytes: 4096,
      maxEventAgeSeconds: 0,
    });
    const unavailable = await down(webhookRequest(created));
    expect(unavailable.response.statusCode).toBe(503);
    expect(unavailable.receipt.kind).toBe('secret_unavailable');

    const short = 'whsec_short';
    const misnamed = createReceiver({
      secrets: { get: async () => ({ secret: TEST_SECRET, current: short }) },
      enqueue: async () => undefined,
      parking: { park: async () => 'parked' as const },
      maxBodyBytes: 4096,
      maxEventAgeSeconds: 0,
    });
    const { response, receipt } = await misnamed(webhookRequest(created, { secret: short }));
    expect(response.statusCode).toBe(200);
    expect(receipt.secretProblems).toEqual(['current_too_short', 'unknown_fields']);
    expect(webhookSecretProblems({})).toEqual(['missing_current']);
    expect(webhookSecretProblems({ current: TEST_SECRET })).toEqual([]);
  });
});

describe('webhook receiver during a secret rotation', () => {
  const until = '2026-12-06T10:00:00.000Z';
  const rotated: SecretSource = { get: async () => ({ current: TEST_SECRET, previous: PREVIOUS_SECRET, previousUntil: until }) };

  function rotating(nowMs: number) {
    const receipts: Array<{ kind: string; secretMatched?: string }> = [];
    const receive = createReceiver({
      secrets: rotated,
      enqueue: async () => undefined,
      parking: { park: async () => 'parked' as const },
      maxBodyBytes: 1024,
      maxEventAgeSeconds: 0,
      now: () => nowMs,
    });
    return {
      receipts,
      send: async (secret: string) => {
        const { response, receipt } = await receive(webhookRequest(created, { secret }));
        receipts.push({ kind: receipt.kind, secretMatched: receipt.secretMatched });
        return response.statusCode;
      },
    };
  }

  it('accepts the previous secret inside its window and says which secret matched', async () => {
    const r = rotating(Date.parse(until) - 1);
    expect(await r.send(TEST_SECRET)).toBe(200);
    expect(await r.send(PREVIOUS_SECRET)).toBe(200);
    expect(r.receipts).toEqual([
      { kind: 'accepted', secretMatched: 'current' },
      { kind: 'accepted', secretMatched: 'previous' },
    ]);
  });

  it('refuses the previous secret once its window has closed (401), marking it previous_expired; the current one still passes', async () => {
    const r = rotating(Date.parse(until));
    expect(await r.send(PREVIOUS_SECRET)).toBe(401);
    expect(await r.send(TEST_SECRET)).toBe(200);
    expect(await r.send('an-unrelated-secret-of-at-least-32-chars')).toBe(401);
    expect(r.receipts).toEqual([
      { kind: 'rejected', secretMatched: 'previous_expired' },
      { kind: 'accepted', secretMatched: 'current' },
      { kind: 'rejected', secretMatched: undefined },
    ]);
  });

  it('keeps accepting a previous secret set by hand without previousUntil, and fails closed on an unreadable one', async () => {
    const handSet = createReceiver({
      secrets: { get: async () => ({ current: TEST_SECRET, previous: PREVIOUS_SECRET }) },
      enqueue: async () => undefined,
      parking: { park: async () => 'parked' as const },
      maxBodyBytes: 1024,
      maxEventAgeSeconds: 0,
    });
    expect((await handSet(webhookRequest(created, { secret: PREVIOUS_SECRET }))).response.statusCode).toBe(200);
    const garbled = createReceiver({
      secrets: { get: async () => ({ current: TEST_SECRET, previous: PREVIOUS_SECRET, previousUntil: 'soon' }) },
      enqueue: async () => undefined,
      parking: { park: async () => 'parked' as const },
      maxBodyBytes: 1024,
      maxEventAgeSeconds: 0,
    });
    const { response, receipt } = await garbled(webhookRequest(created, { secret: PREVIOUS_SECRET }));
    expect(response.statusCode).toBe(401);
    expect(receipt.secretProblems).toContain('previous_until_invalid');
  });
});
