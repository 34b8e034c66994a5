/** Transient command failures come back after a backoff instead of the full visibility timeout (SQS emulator). */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { OutboundQueue, retryDelaySeconds, MAX_DELAY_SECONDS } from '../../shared/adapters/outbound-queue';
import { testResources, type TestResources } from '../support/resources';

let res: TestResources;
beforeAll(async () => {
  res = await testResources(); // wiring visibility: 6 × 90 s
});
afterAll(() => res.destroy());

describe('outbound queue retry backoff', () => {
  it('doubles from the base per receive and never exceeds the SQS maximum', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n))).toEqual([30, 60, 120, 240]);
    expect(retryDelaySeconds(1, 2)).toBe(2);
    expect(retryDelaySeconds(20)).toBe(MAX_DELAY_SECONDS);
  });

  it('makes a failed message visible again after the backoff, long before the queue visibility timeout', async () => {
    const url = res.queues.outboundCommands.url;
    const queue = new OutboundQueue(url, res.queues.outboundCommandsDlq.url, res.sqs);
    await queue.enqueue('cmd-retry-1');
    const first = await res.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    const handle = first.Messages![0].ReceiptHandle!;
    expect(await queue.retryLater(handle, 1, 2)).toBe(2);
    const tooSoon = await res.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
    expect(tooSoon.Messages ?? []).toHaveLength(0);
    const again = await res.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    expect(again.Messages?.[0]?.Body).toBe(first.Messages![0].Body);
  });
});
