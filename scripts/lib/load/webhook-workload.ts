/**
 * The webhook load's ground truth, generated from a seed: appointments (ids in a range no sandbox booking
 * reaches), each with its events in MONCRENEAU's order — created, 0–2 updates, sometimes a cancellation —
 * every event delivered 1–5 times, all deliveries shuffled together (an update or a cancellation often
 * arrives before its creation). The report compares the stores with this, never with what the kit counted.
 */
import { Prng, streamSeed } from '../../../sandbox/domain/prng';
import type { WebhookEvent } from '../../../shared/moncreneau/webhook-event';

/** Above the sandbox's ids (100001…) and the docs examples (12345): the load's appointments are its own. */
export const FIRST_LOAD_APPOINTMENT_ID = 70_000_000;

export interface GeneratedEvent {
  readonly event: WebhookEvent;
  readonly raw: Buffer;
  readonly appointmentId: number;
  /** The ledger movement the event asks for: −creditsUsed (created), +creditsRefunded (cancelled), else 0. */
  readonly creditMove: number;
  readonly deliveries: number;
}

export interface AppointmentTruth {
  readonly appointmentId: number;
  readonly eventIds: readonly string[];
  /** The status of its newest event. */
  readonly finalStatus: 'SCHEDULED' | 'CANCELLED';
  readonly debit: number;
  /** 0 when never cancelled. */
  readonly refund: number;
}

export interface Workload {
  readonly events: readonly GeneratedEvent[];
  readonly appointments: ReadonlyMap<number, AppointmentTruth>;
  /** Indexes into `events`, one per delivery, shuffled. */
  readonly deliveries: readonly number[];
  /** Σ of every event's credit move. */
  readonly expectedLedgerDelta: number;
}

const DEPARTMENT = { id: 5, name: 'Passport Service', organization: { id: 1, name: 'Ministry of Interior' } };

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `eventCount` events exactly (the last appointment may get fewer), ids `evt_load_<runId>_<n>`.
 * `created` timestamps are one minute apart per appointment, so MONCRENEAU's order is unambiguous.
 */
export function generateWorkload(eventCount: number, seed: number, runId: string): Workload {
  const prng = new Prng(streamSeed(seed, 'workload'));
  const events: GeneratedEvent[] = [];
  const appointments = new Map<number, AppointmentTruth>();
  const base = Date.parse('2026-12-01T08:00:00Z');
  let n = 0;
  for (let a = 0; events.length < eventCount; a++) {
    const appointmentId = FIRST_LOAD_APPOINTMENT_ID + a;
    const updates = prng.int(3);
    const cancelled = prng.next() < 0.3;
    const credits = prng.next() < 0.1 ? 2 : 1;
    const types = ['appointment.created', ...Array.from({ length: updates }, () => 'appointment.updated'), ...(cancelled ? ['appointment.cancelled'] : [])].slice(0, eventCount - events.length);
    const dateTime = new Date(Date.UTC(2027, 0, 4) + a * 1_800_000).toISOString().slice(0, 19);
    const ids: string[] = [];
    types.forEach((type, k) => {
      const at = base + a * 1000 + k * 60_000;
      const object: Record<string, unknown> = { id: appointmentId, departmentId: 5, dateTime, name: `Load ${a}`, externalUserId: `load-${a}` };
      if (type === 'appointment.created') Object.assign(object, { department: DEPARTMENT, status: 'SCHEDULED', createdAt: iso(at), creditsUsed: credits });
      if (type === 'appointment.updated') Object.assign(object, { status: 'SCHEDULED', updatedAt: iso(at), name: `Load ${a} v${k}`, changes: { name: { from: `Load ${a}`, to: `Load ${a} v${k}` } } });
      if (type === 'appointment.cancelled') Object.assign(object, { status: 'CANCELLED', cancelledAt: iso(at), cancelledBy: 'user', cancelReason: 'load test', creditsRefunded: credits });
      const event: WebhookEvent = { id: `evt_load_${runId}_${n++}`, type, created: iso(at), data: { object } };
      const creditMove = type === 'appointment.created' ? -credits : type === 'appointment.cancelled' ? credits : 0;
      events.push({ event, raw: Buffer.from(JSON.stringify(event)), appointmentId, creditMove, deliveries: 1 + prng.int(5) });
      ids.push(event.id);
    });
    const wasCancelled = types.includes('appointment.cancelled');
    appointments.set(appointmentId, { appointmentId, eventIds: ids, finalStatus: wasCancelled ? 'CANCELLED' : 'SCHEDULED', debit: credits, refund: wasCancelled ? credits : 0 });
  }
  const deliveries = events.flatMap((e, i) => Array.from({ length: e.deliveries }, () => i));
  // Fisher–Yates with the seeded stream: the same seed sends the same sequence.
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
  }
  return { events, appointments, deliveries, expectedLedgerDelta: events.reduce((sum, e) => sum + e.creditMove, 0) };
}
