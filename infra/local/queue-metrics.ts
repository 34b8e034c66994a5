/**
 * What SQS would publish for the local queues, sampled now from the emulator's non-destructive
 * inspection endpoint (nothing is received, so no receive count moves): messages visible, in flight,
 * and the age of the oldest one — the datapoints the queue alarms need.
 */
import type { Datapoint } from '../alarm-evaluator';
import { physicalName, type QueueKey, type Wiring } from '../wiring';
import type { LocalResources } from './provision';

interface Inspected {
  readonly messages: { readonly ready: Array<{ sentTimestamp: number }>; readonly delayed: Array<{ sentTimestamp: number }>; readonly inflight: Array<{ message: { sentTimestamp: number } }> };
}

export async function sampleQueues(sqsEndpoint: string, w: Wiring, resources: LocalResources, now: number): Promise<Datapoint[]> {
  const points: Datapoint[] = [];
  for (const key of Object.keys(w.queues) as QueueKey[]) {
    const localName = resources.queues[key].url.split('/').pop()!;
    const res = await fetch(`${sqsEndpoint}/_fauxqs/queues/${encodeURIComponent(localName)}`);
    if (!res.ok) throw new Error(`SQS emulator: cannot inspect ${localName} (HTTP ${res.status})`);
    const { messages } = (await res.json()) as Inspected;
    const sent = [...messages.ready.map((m) => m.sentTimestamp), ...messages.inflight.map((m) => m.message.sentTimestamp), ...messages.delayed.map((m) => m.sentTimestamp)];
    // Alarms name the deployed queue; locally a test prefix may precede it.
    const dimensions = { QueueName: physicalName(w, w.queues[key].name) };
    const point = (name: string, value: number): Datapoint => ({ namespace: 'AWS/SQS', name, dimensions, value, timestamp: now - 1 });
    points.push(
      point('ApproximateNumberOfMessagesVisible', messages.ready.length),
      point('ApproximateNumberOfMessagesNotVisible', messages.inflight.length),
      point('ApproximateAgeOfOldestMessage', sent.length === 0 ? 0 : Math.max(0, Math.floor((now - Math.min(...sent)) / 1000))),
    );
  }
  return points;
}
