/**
 * The deployed handler modules themselves (functions/<name>/handler.ts, middy + Powertools), wired by
 * environment exactly as in Lambda, against the SQS emulator and DynamoDB Local. Secrets Manager has
 * no emulator here, so it is mocked with aws-sdk-client-mock for the AWS path.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { contextInit, createLambdaContext } from '../../infra/local/lambda-context';
import { exampleEvent } from '../../shared/moncreneau/examples';
import { computeSignature } from '../../shared/moncreneau/signature';
import { capturedLogs } from '../support/capture-logs';
import { findLeaks } from '../support/log-scan';
import { testResources, type TestResources } from '../support/resources';
import { recordFromMessage } from '../support/sqs-records';
import { PREVIOUS_SECRET, TEST_SECRET, webhookRequest } from '../support/webhook-requests';

type Receiver = (e: APIGatewayProxyEvent, c: ReturnType<typeof createLambdaContext>) => Promise<APIGatewayProxyResult>;
type Processor = (e: SQSEvent, c: ReturnType<typeof createLambdaContext>) => Promise<SQSBatchResponse>;

const context = (name: string) => createLambdaContext(contextInit({ functionName: name, memoryMb: 512, region: 'eu-west-3', timeoutSeconds: 30 }));
let res: TestResources;

beforeAll(async () => {
  res = await testResources();
  process.env.EVENTS_QUEUE_URL = res.queues.webhookEvents.url;
  process.env.EVENTS_TABLE_NAME = res.tables.events;
  process.env.APPOINTMENTS_TABLE_NAME = res.tables.appointments;
  process.env.LEDGER_TABLE_NAME = res.tables.ledger;
  process.env.PAYMENTS_TABLE_NAME = res.tables.payments;
  process.env.MAX_BODY_BYTES = '262144';
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});
afterAll(() => res.destroy());

/**
 * Loads a fresh copy of the handler module (it reads its environment at init, like a cold start).
 * `secret` mocks Secrets Manager inside that module registry, where the handler's SDK client lives.
 */
async function loadReceiver(env: Record<string, string | undefined>, secret?: Record<string, string>) {
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  let handler: Receiver | undefined;
  let secrets: { calls(): Array<{ args: Array<{ input: unknown }> }> } | undefined;
  await jest.isolateModulesAsync(async () => {
    if (secret) {
      const sm = await import('@aws-sdk/client-secrets-manager');
      const mock = mockClient(sm.SecretsManagerClient);
      mock.on(sm.GetSecretValueCommand).resolves({ SecretString: JSON.stringify(secret) });
      secrets = mock;
    }
    handler = ((await import('../../functions/webhook-receiver/handler')) as unknown as { handler: Receiver }).handler;
  });
  return { receive: handler!, secrets };
}

async function drainQueue() {
  const got = await res.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: res.queues.webhookEvents.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
  );
  return got.Messages ?? [];
}

describe('webhook-receiver handler (local secrets from the environment)', () => {
  it('enqueues a signed event with its id/type attributes, answers 401 to a tampered one, and logs no secret', async () => {
    const { receive } = await loadReceiver({ WEBHOOK_SECRET_ARN: undefined, MONCRENEAU_WEBHOOK_SECRET: TEST_SECRET, MONCRENEAU_WEBHOOK_SECRET_PREVIOUS: PREVIOUS_SECRET });
    const event = exampleEvent('appointment.created', { appointmentId: 777 });
    const raw = JSON.stringify(event);
    const ok = await receive(webhookRequest(raw), context('receiver'));
    expect(ok.statusCode).toBe(200);
    const bad = await receive({ ...webhookRequest(raw), body: raw.replace('777', '778') }, context('receiver'));
    expect(bad.statusCode).toBe(401);

    const messages = await drainQueue();
    expect(messages).toHaveLength(1);
    expect(messages[0].Body).toBe(raw);
    expect(messages[0].MessageAttributes?.eventId?.StringValue).toBe(event.id);
    expect(messages[0].MessageAttributes?.eventType?.StringValue).toBe('appointment.created');

    // The processor handler picks it up from the same queue and applies it.
    let processor: Processor | undefined;
    await jest.isolateModulesAsync(async () => {
      processor = ((await import('../../functions/webhook-processor/handler')) as unknown as { handler: Processor }).handler;
    });
    const out = await processor!({ Records: messages.map(recordFromMessage) }, context('processor'));
    expect(out.batchItemFailures).toEqual([]);

    const logs = capturedLogs();
    expect(logs).toContain('"message":"Webhook accepted"');
    expect(logs).toContain(`"correlation_id":"${event.id}"`);
    expect(logs).toContain('"message":"Event processed"');
    expect(logs).toMatch(/"reason":"signature"/);
    expect(findLeaks(logs, [TEST_SECRET, PREVIOUS_SECRET, computeSignature(raw, TEST_SECRET)])).toEqual([]);
    expect(logs).not.toContain('Jean Dupont'); // the body is never logged
  });
});

describe('webhook-receiver handler (secret from Secrets Manager, mocked)', () => {
  it('reads {current, previous} from the secret ARN once and accepts either during rotation', async () => {
    const { receive, secrets } = await loadReceiver(
      { WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-3:000000000000:secret:webhook', MONCRENEAU_WEBHOOK_SECRET: undefined, MONCRENEAU_WEBHOOK_SECRET_PREVIOUS: undefined },
      { current: TEST_SECRET, previous: PREVIOUS_SECRET },
    );
    const a = JSON.stringify(exampleEvent('appointment.updated'));
    const b = JSON.stringify(exampleEvent('appointment.cancelled'));
    expect((await receive(webhookRequest(a), context('receiver'))).statusCode).toBe(200);
    expect((await receive(webhookRequest(b, { secret: PREVIOUS_SECRET }), context('receiver'))).statusCode).toBe(200);
    const calls = secrets!.calls();
    expect(calls).toHaveLength(1);
    expect((calls[0].args[0].input as { SecretId: string }).SecretId).toContain('secret:webhook');
    expect(await drainQueue()).toHaveLength(2);
  });

  it('answers 503 (so MONCRENEAU retries) when the queue does not exist, and enqueues nothing', async () => {
    const { receive } = await loadReceiver(
      { WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-3:000000000000:secret:webhook', EVENTS_QUEUE_URL: `${res.queues.webhookEvents.url}-missing` },
      { current: TEST_SECRET },
    );
    const res503 = await receive(webhookRequest(JSON.stringify(exampleEvent('appointment.created'))), context('receiver'));
    expect(res503.statusCode).toBe(503);
    process.env.EVENTS_QUEUE_URL = res.queues.webhookEvents.url;
  });
});
