/**
 * Feature flags at run time: the registry's defaults (autoRecharge off, the others on), a reason and a
 * history kept for every change, the short cache (injected clock); `webhookProcessing` off pauses the queue
 * consumer without receiving anything (the local poller, as a disabled event source mapping), and in AWS
 * `npm run flags` toggles the processor's event source mapping (Lambda mocked).
 */
import { LambdaClient, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { startSqsPoller, type SqsPoller } from '../../infra/local/sqs-poller';
import { FeatureFlags } from '../../shared/adapters/feature-flags';
import { FLAGS } from '../../shared/config/flags';
import { mappingStates, setMappingsEnabled } from '../../scripts/lib/event-source-switch';
import { eventually } from '../support/local-helpers';
import { testResources, type TestResources } from '../support/resources';

let t: TestResources;
beforeAll(async () => {
  t = await testResources({ visibilityTimeoutSeconds: 1 });
});
afterAll(() => t.destroy());

const flagsAt = (clock: { now: number }, cacheMs = 15_000) => new FeatureFlags(t.tables.flags, { db: DynamoDBDocumentClient.from(t.dynamodb), cacheMs, now: () => clock.now });

describe('feature flags', () => {
  it('an unset flag has its registered default: outboundWrites and webhookProcessing on, autoRecharge off', async () => {
    const flags = flagsAt({ now: 0 }, 0);
    expect(FLAGS.autoRecharge.default).toBe(false);
    expect(await flags.enabled('outboundWrites')).toBe(true);
    expect(await flags.enabled('webhookProcessing')).toBe(true);
    expect(await flags.enabled('autoRecharge')).toBe(false);
  });

  it('keeps the reason, who and when of each change, and the history of changes', async () => {
    const clock = { now: Date.parse('2026-12-03T09:00:00Z') };
    const flags = flagsAt(clock, 0);
    await flags.set('autoRecharge', true, 'payments go-live', 'alice');
    clock.now += 60_000;
    const state = await flags.set('autoRecharge', false, 'refund storm', 'bob');
    expect(state).toMatchObject({ enabled: false, reason: 'refund storm', updatedBy: 'bob', updatedAt: '2026-12-03T09:01:00.000Z' });
    expect(state.history).toEqual([
      { enabled: true, reason: 'payments go-live', by: 'alice', at: '2026-12-03T09:00:00.000Z' },
      { enabled: false, reason: 'refund storm', by: 'bob', at: '2026-12-03T09:01:00.000Z' },
    ]);
    expect((await flags.list()).find((f) => f.name === 'autoRecharge')?.history).toHaveLength(2);
  });

  it('is read at run time through a short cache: a flip is seen once the cache expires', async () => {
    const clock = { now: 0 };
    const reader = flagsAt(clock, 15_000);
    const writer = flagsAt(clock, 0);
    await writer.set('webhookProcessing', true, 'baseline', 'test');
    expect(await reader.enabled('webhookProcessing')).toBe(true);
    await writer.set('webhookProcessing', false, 'incident', 'test');
    clock.now += 14_999;
    expect(await reader.enabled('webhookProcessing')).toBe(true);
    clock.now += 1;
    expect(await reader.enabled('webhookProcessing')).toBe(false);
    await writer.set('webhookProcessing', true, 'resolved', 'test');
  });
});

describe('webhookProcessing off: the consumer pauses without burning receives', () => {
  let poller: SqsPoller | undefined;
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });

  it('receives nothing while the flag is off, then delivers the waiting message on its first receive', async () => {
    const flags = flagsAt({ now: 0 }, 0);
    await flags.set('webhookProcessing', false, 'paused by the test', 'test');
    let checks = 0;
    const delivered: SQSEvent[] = [];
    poller = startSqsPoller({
      sqs: t.sqs,
      queueUrl: t.queues.webhookEvents.url,
      queueArn: t.queues.webhookEvents.arn,
      region: 'eu-west-3',
      functionName: 'processor',
      invoke: async (event) => {
        delivered.push(event);
      },
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 1,
      waitTimeSeconds: 1,
      // As infra/local/stack.ts wires it for the processor's queue source (pausedByFlag: webhookProcessing).
      paused: async () => {
        checks++;
        return !(await flags.enabled('webhookProcessing'));
      },
      pausedCheckMs: 10,
      log: () => undefined,
    });
    await t.sqs.send(new SendMessageCommand({ QueueUrl: t.queues.webhookEvents.url, MessageBody: '{"id":"evt_paused"}' }));
    const sentAt = checks;
    await eventually(() => checks >= sentAt + 3, 'the poller checked the flag several times with the message waiting');
    expect(delivered).toEqual([]);
    const attributes = (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: t.queues.webhookEvents.url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes;
    expect(attributes?.ApproximateNumberOfMessages).toBe('1');

    await flags.set('webhookProcessing', true, 'resumed by the test', 'test');
    await eventually(() => delivered.length === 1, 'delivery after resume');
    expect(delivered[0].Records[0].attributes.ApproximateReceiveCount).toBe('1');
  });
});

describe('webhookProcessing in AWS: the processor\'s event source mapping', () => {
  const FN = 'moncreneau-prod-webhook-processor';
  const QUEUE_ARN = 'arn:aws:sqs:eu-west-3:123456789012:moncreneau-prod-webhook-events';

  it('disables and re-enables every mapping of the processor on the webhook queue', async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(ListEventSourceMappingsCommand, { FunctionName: FN, EventSourceArn: QUEUE_ARN }).resolves({ EventSourceMappings: [{ UUID: 'm-1', State: 'Enabled' }] });
    lambda.on(UpdateEventSourceMappingCommand).callsFake((input: { Enabled?: boolean }) => ({ State: input.Enabled ? 'Enabling' : 'Disabling' }));
    const client = new LambdaClient({ region: 'eu-west-3' });

    expect(await setMappingsEnabled(client, FN, QUEUE_ARN, false)).toEqual([{ uuid: 'm-1', state: 'Disabling' }]);
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand)[0].args[0].input).toEqual({ UUID: 'm-1', Enabled: false });
    expect(await setMappingsEnabled(client, FN, QUEUE_ARN, true)).toEqual([{ uuid: 'm-1', state: 'Enabling' }]);
    expect(await mappingStates(client, FN, QUEUE_ARN)).toEqual([{ uuid: 'm-1', state: 'Enabled' }]);
    lambda.restore();
  });

  it('fails when the processor has no mapping on the queue (nothing would pause)', async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    await expect(setMappingsEnabled(new LambdaClient({ region: 'eu-west-3' }), FN, QUEUE_ARN, false)).rejects.toThrow(/no event source mapping/);
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand)).toHaveLength(0);
    lambda.restore();
  });
});
