/**
 * The whole local runtime from the wiring: emulators reused from the global setup, resources under
 * a unique prefix, functions in worker threads, the API and the SQS pollers. First with fixture
 * handlers (to see each function's resolved environment), then with the real handlers end to end.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STAGES } from '../../infra/config/stages';
import { wiring } from '../../infra/wiring';
import { localClients, type LocalClients } from '../../infra/local/clients';
import { startLocalStack, type LocalStack } from '../../infra/local/stack';
import { FeatureFlags } from '../../shared/adapters/feature-flags';
import { exampleEvent } from '../../shared/moncreneau/examples';
import { signatureHeader } from '../../shared/moncreneau/signature';
import { emulatorsFromEnv, eventually, uniquePrefix } from '../support/local-helpers';
import { TEST_SECRET } from '../support/webhook-requests';

const w = wiring(STAGES.dev);
let clients: LocalClients;
const logs: string[] = [];
const log = (line: string): void => {
  logs.push(line);
};

beforeAll(() => {
  clients = localClients(emulatorsFromEnv());
  process.env.MONCRENEAU_WEBHOOK_SECRET = TEST_SECRET;
});
afterAll(() => clients.destroy());

describe('startLocalStack with fixture handlers', () => {
  let stack: LocalStack;
  let dir: string;
  const outFile = (): string => path.join(dir, 'processed.jsonl');

  beforeAll(async () => {
    // Fixture handlers (no imports beyond node:) report their environment and what they received.
    dir = mkdtempSync(path.join(tmpdir(), 'local-stack-fixtures-'));
    const reporter = `
      import { appendFileSync } from 'node:fs';
      const envAtLoad = { ...process.env };
      export const handler = async (event: { Records?: Array<{ body: string }> }, context: { functionName: string; getRemainingTimeInMillis(): number }) => {
        if (event.Records) {
          for (const r of event.Records) appendFileSync(${JSON.stringify('__OUT__')}, JSON.stringify({ body: r.body, env: envAtLoad.POWERTOOLS_SERVICE_NAME }) + '\\n');
          return { batchItemFailures: [] };
        }
        return { statusCode: 200, body: JSON.stringify({ env: envAtLoad, functionName: context.functionName, remaining: context.getRemainingTimeInMillis() }) };
      };
    `;
    for (const spec of Object.values(w.functions)) {
      mkdirSync(path.join(dir, spec.folder), { recursive: true });
      writeFileSync(path.join(dir, spec.folder, 'handler.ts'), reporter.replace('__OUT__', outFile()));
    }
    stack = await startLocalStack({
      port: 0,
      emulators: emulatorsFromEnv(),
      namePrefix: uniquePrefix('stackfx'),
      visibilityTimeoutSeconds: 1,
      functionsDir: dir,
      withSandbox: true,
      sandboxPort: 0,
      pollWaitTimeSeconds: 1,
      log,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves every wiring route and gives the function its resolved environment (secret ARN omitted, secret stand-in present)', async () => {
    const route = w.functions.webhookReceiver.routes?.[0];
    expect(stack.webhookUrl).toBe(`${stack.apiUrl}${route?.path}`);
    const res = await fetch(stack.webhookUrl ?? '', { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { env: Record<string, string>; functionName: string; remaining: number };
    expect(body.functionName).toBe(`${w.prefix}-${w.functions.webhookReceiver.folder}`);
    expect(body.remaining).toBeGreaterThan(0);
    expect(body.remaining).toBeLessThanOrEqual(w.functions.webhookReceiver.timeoutSeconds * 1000);
    expect(body.env).toMatchObject({
      EVENTS_QUEUE_URL: stack.resources.queues.webhookEvents.url,
      MAX_BODY_BYTES: String(STAGES.dev.webhooks.maxBodyBytes),
      POWERTOOLS_SERVICE_NAME: 'moncreneau-webhook-receiver',
      STAGE: 'dev',
      AWS_ENDPOINT_URL_SQS: emulatorsFromEnv().sqsEndpoint,
      AWS_LAMBDA_FUNCTION_NAME: body.functionName,
      MONCRENEAU_WEBHOOK_SECRET: TEST_SECRET,
    });
    expect(body.env.WEBHOOK_SECRET_ARN).toBeUndefined();
    if (stack.sandboxUrl) expect(body.env.MONCRENEAU_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    // Each function has its own process.env: the processor's is not the receiver's.
    expect(body.env.APPOINTMENTS_TABLE_NAME).toBeUndefined();
  });

  it('answers 403 for paths outside the wiring', async () => {
    expect((await fetch(`${stack.apiUrl}/not/in/wiring`)).status).toBe(403);
  });

  it('polls each queueSource and invokes its function with its own environment', async () => {
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.queues.webhookEvents.url, MessageBody: 'hello-poller' }));
    const line = await eventually(() => existsSync(outFile()) && readFileSync(outFile(), 'utf8').split('\n').find((l) => l.includes('hello-poller')), 'the processor fixture to receive the message');
    expect(JSON.parse(line)).toEqual({ body: 'hello-poller', env: 'moncreneau-webhook-processor' });
  });

  it('pauses the poller of a queueSource whose flag is off (webhookProcessing) and resumes it when the flag is back on', async () => {
    const flags = new FeatureFlags(stack.resources.tables.flags, { db: DynamoDBDocumentClient.from(clients.dynamodb), cacheMs: 0 });
    const queueName = stack.resources.queues.webhookEvents.url.split('/').pop();
    await flags.set('webhookProcessing', false, 'local stack test', 'test');
    await eventually(() => logs.some((l) => l.startsWith(`SQS ${queueName} →`) && l.includes('paused (flag off)')), 'the processor poller to pause');
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.queues.webhookEvents.url, MessageBody: 'sent-while-paused' }));
    await flags.set('webhookProcessing', true, 'local stack test done', 'test');
    await eventually(() => logs.some((l) => l.startsWith(`SQS ${queueName} →`) && l.endsWith('resumed')), 'the processor poller to resume');
    await eventually(() => existsSync(outFile()) && readFileSync(outFile(), 'utf8').includes('sent-while-paused'), 'the message to be processed after resume');
  });
});

describe('startLocalStack with the real handlers', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, emulators: emulatorsFromEnv(), namePrefix: uniquePrefix('stack'), visibilityTimeoutSeconds: 1, pollWaitTimeSeconds: 1, log });
  });
  afterAll(() => stack?.stop());

  it('a signed webhook goes API → receiver → SQS → processor → DynamoDB', async () => {
    const event = exampleEvent('appointment.created');
    const raw = JSON.stringify(event);
    const res = await fetch(stack.webhookUrl ?? '', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Moncreneau-Signature': signatureHeader(raw, TEST_SECRET) }, body: raw });
    expect(res.status).toBe(200);
    const item = await eventually(async () => (await clients.dynamodb.send(new GetItemCommand({ TableName: stack.resources.tables.events, Key: { eventId: { S: event.id } } }))).Item, 'the event in the events table');
    expect(item.eventId.S).toBe(event.id);
  });

  it('rejects a bad signature with 401', async () => {
    const res = await fetch(stack.webhookUrl ?? '', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Moncreneau-Signature': 'sha256=00' }, body: '{}' });
    expect(res.status).toBe(401);
  });
});
