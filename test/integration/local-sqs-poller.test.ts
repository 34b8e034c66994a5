import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { STAGES } from '../../infra/config/stages';
import { wiring } from '../../infra/wiring';
import { localClients, type LocalClients } from '../../infra/local/clients';
import { provision, type LocalResources } from '../../infra/local/provision';
import { startSqsPoller, type SqsPoller } from '../../infra/local/sqs-poller';
import { emulatorsFromEnv, eventually, uniquePrefix } from '../support/local-helpers';

const w = wiring(STAGES.dev);
const source = w.functions.webhookProcessor.queueSource;
const maxReceiveCount = w.queues.webhookEvents.deadLetter?.maxReceiveCount ?? 0;
const region = emulatorsFromEnv().region;
let clients: LocalClients;
let poller: SqsPoller | undefined;

beforeAll(() => {
  clients = localClients(emulatorsFromEnv());
});
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});
afterAll(() => clients.destroy());

/** Each test gets its own queues (1 s visibility timeout, so failures come back quickly). */
async function queues(label: string): Promise<LocalResources['queues']> {
  return (await provision(w, clients, { namePrefix: uniquePrefix(label), visibilityTimeoutSeconds: 1 })).queues;
}

function start(q: LocalResources['queues'], handler: (event: SQSEvent) => Promise<SQSBatchResponse | void>, overrides: { batchSize?: number; maxConcurrency?: number } = {}): void {
  poller = startSqsPoller({
    sqs: clients.sqs,
    queueUrl: q.webhookEvents.url,
    queueArn: q.webhookEvents.arn,
    region,
    functionName: 'stub',
    invoke: handler,
    batchSize: overrides.batchSize ?? source?.batchSize ?? 10,
    maxBatchingWindowSeconds: 0,
    maxConcurrency: overrides.maxConcurrency ?? 1,
    waitTimeSeconds: 1,
    log: () => undefined,
  });
}

async function send(url: string, body: string, attributes = {}): Promise<string> {
  return (await clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: attributes }))).MessageId ?? '';
}

async function depth(url: string): Promise<number> {
  const a = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
}

describe('SQS poller (Lambda SQS event source semantics)', () => {
  it('delivers a real SQSEvent and deletes a successful batch', async () => {
    const q = await queues('ok');
    const records: SQSRecord[] = [];
    start(q, async (event) => {
      records.push(...event.Records);
    });
    const id = await send(q.webhookEvents.url, '{"id":"evt_1","type":"appointment.created"}', {
      kind: { DataType: 'String', StringValue: 'webhook' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]) },
    });
    await eventually(() => records.length === 1, 'delivery');
    const r = records[0];
    expect(r).toMatchObject({
      messageId: id,
      body: '{"id":"evt_1","type":"appointment.created"}',
      eventSource: 'aws:sqs',
      eventSourceARN: q.webhookEvents.arn,
      awsRegion: region,
      messageAttributes: {
        kind: { stringValue: 'webhook', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: Buffer.from([0, 1, 2, 255]).toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
    });
    expect(r.receiptHandle).toEqual(expect.any(String));
    expect(r.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(r.attributes.ApproximateReceiveCount).toBe('1');
    expect(Number(r.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(r.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(r.attributes.SentTimestamp));
    await eventually(async () => (await depth(q.webhookEvents.url)) === 0, 'the message to be deleted');
  });

  it('batches up to batchSize and runs at most maxConcurrency batches at once', async () => {
    const q = await queues('batch');
    const seen = new Set<string>();
    let inFlight = 0;
    let maxInFlight = 0;
    start(
      q,
      async (event) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        expect(event.Records.length).toBeLessThanOrEqual(3);
        await new Promise((r) => setTimeout(r, 50));
        for (const r of event.Records) seen.add(r.body);
        inFlight--;
      },
      { batchSize: 3, maxConcurrency: 2 },
    );
    await Promise.all(Array.from({ length: 12 }, (_, i) => send(q.webhookEvents.url, `m${i}`)));
    await eventually(() => seen.size === 12, 'all 12 messages');
    expect(maxInFlight).toBeLessThanOrEqual(2);
    await eventually(async () => (await depth(q.webhookEvents.url)) === 0, 'all deleted');
  });

  it('deletes only successes; a batchItemFailures item is redelivered and then moved to the DLQ after maxReceiveCount', async () => {
    const q = await queues('partial');
    const receives = new Map<string, string[]>(); // body → ApproximateReceiveCount per delivery
    start(q, async (event) => {
      for (const r of event.Records) receives.set(r.body, [...(receives.get(r.body) ?? []), r.attributes.ApproximateReceiveCount]);
      return { batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({ itemIdentifier: r.messageId })) };
    });
    const badId = await send(q.webhookEvents.url, 'bad');
    await send(q.webhookEvents.url, 'good');

    const dlqMessage = await eventually(async () => {
      const out = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.webhookEventsDlq.url, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
      return out.Messages?.[0];
    }, 'the failed message in the DLQ', 45_000);
    expect(dlqMessage.MessageId).toBe(badId);
    expect(dlqMessage.Body).toBe('bad');
    expect(receives.get('good')).toEqual(['1']); // deleted after its first (successful) delivery
    expect(receives.get('bad')).toEqual(Array.from({ length: maxReceiveCount }, (_, i) => String(i + 1)));
    expect(await depth(q.webhookEvents.url)).toBe(0);
  });

  it('deletes nothing when the handler throws, and a whole-batch failure on an invalid itemIdentifier', async () => {
    const q = await queues('throw');
    const deliveries: Array<{ body: string; count: string }> = [];
    start(q, async (event) => {
      for (const r of event.Records) deliveries.push({ body: r.body, count: r.attributes.ApproximateReceiveCount });
      const first = event.Records[0];
      if (first.body === 'throw' && first.attributes.ApproximateReceiveCount === '1') throw new Error('boom');
      if (first.body === 'invalid' && first.attributes.ApproximateReceiveCount === '1') return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
      return { batchItemFailures: [] };
    }, { batchSize: 1 });
    await send(q.webhookEvents.url, 'throw');
    await send(q.webhookEvents.url, 'invalid');
    await eventually(() => ['throw', 'invalid'].every((b) => deliveries.some((d) => d.body === b && d.count === '2')), 'both messages redelivered once', 30_000);
    await eventually(async () => (await depth(q.webhookEvents.url)) === 0, 'both deleted after the successful retry');
  });

  it('stop() waits for the in-flight batch to finish and be deleted', async () => {
    const q = await queues('stop');
    let started = false;
    let finished = false;
    start(q, async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 500));
      finished = true;
    });
    await send(q.webhookEvents.url, 'slow');
    await eventually(() => started, 'the batch to start');
    await poller?.stop();
    poller = undefined;
    expect(finished).toBe(true);
    expect(await depth(q.webhookEvents.url)).toBe(0);
  });
});
