import type { APIGatewayProxyEvent } from 'aws-lambda';
import { EnvironmentSource } from '../../shared/adapters/secret-source';
import { DOCS_EXAMPLES } from '../../shared/moncreneau/examples';
import type { WebhookEvent } from '../../shared/moncreneau/webhook-event';
import type { SecretSource } from '../../shared/webhooks/ports';
import { createReceiver, type ReceiverDeps, type RejectionReason } from '../../shared/webhooks/receiver';
import { PREVIOUS_SECRET, TEST_SECRET, webhookRequest } from '../support/webhook-requests';

const created = JSON.stringify(DOCS_EXAMPLES['appointment.created']);

function setup(overrides: Partial<ReceiverDeps> = {}) {
  const queued: Array<{ raw: string; event: WebhookEvent }> = [];
  const rejected: RejectionReason[] = [];
  const receiveWithReceipt = createReceiver({
    secrets: new EnvironmentSource({ current: 'CUR', previous: 'PREV' }, { CUR: TEST_SECRET, PREV: PREVIOUS_SECRET }),
    enqueue: async (raw, event) => {
      queued.push({ raw, event });
    },
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
