/**
 * The two halves of "never lost" against the emulators: the SQS adapter tells a refusal for good
 * (the message's content) from a retryable failure, and a parked event sits in the event store where
 * `npm run events` finds it, until an operator replays it.
 */
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { documentClient } from '../../shared/adapters/aws-clients';
import { EventStore } from '../../shared/adapters/event-store';
import { sqsEnqueue } from '../../shared/adapters/webhook-queue';
import { QueueRefusedError } from '../../shared/webhooks/ports';
import { fromQueueBody, toQueueBody } from '../../shared/webhooks/queue-body';
import { testResources, type TestResources } from '../support/resources';

let res: TestResources;
let events: EventStore;

beforeAll(async () => {
  res = await testResources();
  events = new EventStore(res.tables.events, { leaseSeconds: 30, retentionDays: 1 }, documentClient(res.dynamodb));
});
afterAll(() => res.destroy());

const body = (name: string) => `{"id":"evt_park","type":"appointment.created","created":"2026-12-01T10:00:00Z","data":{"object":{"id":1,"name":"${name}"}}}`;

describe('queue refusals and parking', () => {
  it('SQS refuses U+FFFF sent as text for good (QueueRefusedError); the same bytes base64-encoded are queued and decode exactly', async () => {
    const enqueue = sqsEnqueue(res.queues.webhookEvents.url, res.sqs);
    const raw = Buffer.from(body('A\uFFFFB'), 'utf8');
    const refusal = await enqueue({ eventId: 'evt_park', eventType: 'appointment.created', body: { body: raw.toString('utf8'), encoding: 'utf8' } }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(QueueRefusedError);
    expect((refusal as QueueRefusedError).code).toBe('InvalidMessageContents');

    await enqueue({ eventId: 'evt_park', eventType: 'appointment.created', body: toQueueBody(raw) });
    const got = await res.sqs.send(new ReceiveMessageCommand({ QueueUrl: res.queues.webhookEvents.url, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    const message = got.Messages?.[0];
    expect(message?.MessageAttributes?.bodyEncoding?.StringValue).toBe('base64');
    expect(fromQueueBody(message!.Body!, message!.MessageAttributes?.bodyEncoding?.StringValue).equals(raw)).toBe(true);
    await res.sqs.send(new DeleteMessageCommand({ QueueUrl: res.queues.webhookEvents.url, ReceiptHandle: message!.ReceiptHandle }));
  });

  it('a retryable failure stays a plain error (the receiver answers 503 and MONCRENEAU retries)', async () => {
    const missing = sqsEnqueue(`${res.queues.webhookEvents.url}-does-not-exist`, res.sqs);
    const error = await missing({ eventId: 'evt_x', eventType: 'appointment.created', body: toQueueBody(Buffer.from('{}')) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(QueueRefusedError);
  });

  it('parks an event once per delivery, never over an event already queued, and lets an operator reopen it', async () => {
    const raw = toQueueBody(Buffer.from(body('Parked'), 'utf8'));
    const parked = { eventId: 'evt_parked_1', eventType: 'appointment.created', created: '2026-12-01T10:00:00Z', body: raw, reason: 'InvalidMessageContents: test' };
    expect(await events.park(parked)).toBe('parked');
    expect(await events.park(parked)).toBe('parked');
    expect(await events.get('evt_parked_1')).toMatchObject({ status: 'PARKED', parkedDeliveries: 2, parkReason: 'InvalidMessageContents: test', raw: raw.body, rawEncoding: 'utf8' });
    expect((await events.recent(50)).map((r) => r.eventId)).toContain('evt_parked_1');
    // A parked event cannot be claimed until an operator reopens it (npm run events -- replay <id>).
    expect(await events.claim({ eventId: 'evt_parked_1', eventType: 'appointment.created', created: parked.created, raw, owner: 'o1' })).toEqual({ kind: 'in_progress' });
    await events.reopen('evt_parked_1', 'replay');
    expect(await events.claim({ eventId: 'evt_parked_1', eventType: 'appointment.created', created: parked.created, raw, owner: 'o2' })).toMatchObject({ kind: 'claimed' });

    await events.claim({ eventId: 'evt_queued_1', eventType: 'appointment.created', created: parked.created, raw, owner: 'o3' });
    expect(await events.park({ ...parked, eventId: 'evt_queued_1' })).toBe('already_known');
    expect((await events.get('evt_queued_1'))?.status).toBe('PROCESSING');
  });
});

describe('personal data', () => {
  it('the recent-events listing carries what it shows, never the raw body', async () => {
    const raw = toQueueBody(Buffer.from(body('Mariama Diallo +224 620 00 00 00'), 'utf8'));
    await events.claim({ eventId: 'evt_pii_1', eventType: 'appointment.created', created: '2026-12-01T10:00:00Z', raw, owner: 'o' });
    await events.complete('evt_pii_1', 'o', { outcome: 'inserted', credits: 'debited' });
    const listed = (await events.recent(100)).find((r) => r.eventId === 'evt_pii_1');
    expect(listed).toMatchObject({ eventType: 'appointment.created', status: 'COMPLETED', outcome: 'inserted', creditsOutcome: 'debited', attempts: 1 });
    expect(JSON.stringify(listed)).not.toContain('Mariama');
    expect((await events.get('evt_pii_1'))?.raw).toContain('Mariama');
  });
});
