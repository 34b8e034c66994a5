/**
 * The batch logic's ordering, with fakes: rounds take one record per appointment, in batch order; an
 * appointment that falls back to the step-by-step path keeps its remaining records in order there;
 * different appointments run concurrently.
 */
import type { SQSRecord } from 'aws-lambda';
import { exampleEvent } from '../../shared/moncreneau/examples';
import { appointmentPlanner } from '../../shared/webhooks/appliers';
import { createBatchProcessor } from '../../shared/webhooks/batch';
import type { OneWriteApply, OneWriteResult, PlannedEvent } from '../../shared/webhooks/ports';
import type { EventApplier, RecordOutcome } from '../../shared/webhooks/processor';

let n = 0;
function record(type: string, appointmentId: number, created: string): SQSRecord {
  const event = exampleEvent(type, { appointmentId, created });
  return { messageId: `m${++n}`, body: JSON.stringify(event), messageAttributes: {} } as unknown as SQSRecord;
}

const appliers: Record<string, EventApplier> = Object.fromEntries(
  ['appointment.created', 'appointment.updated', 'appointment.cancelled', 'appointment.validated', 'appointment.confirmed'].map((t) => [t, async () => ({ outcome: 'inserted' as const })]),
);

function harness(decide: (event: PlannedEvent) => OneWriteResult['kind']) {
  const log: string[] = [];
  const rounds: string[][] = [];
  const oneWrite: OneWriteApply = {
    applyAll: async (events) => {
      rounds.push(events.map((e) => e.record.eventType));
      return events.map((e): OneWriteResult => {
        const kind = decide(e);
        if (kind === 'applied') return { kind, completion: { outcome: e.mirror?.path === 'insert' ? 'inserted' : 'updated' } };
        return kind === 'duplicate' ? { kind } : { kind, reason: 'test' };
      });
    },
  };
  let inFlight = 0;
  let maxInFlight = 0;
  const processRecord = async (r: SQSRecord): Promise<RecordOutcome> => {
    const e = JSON.parse(r.body) as { id: string; type: string; data: { object: { id: number } } };
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    log.push(`start ${e.data.object.id} ${e.type}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.push(`end ${e.data.object.id} ${e.type}`);
    inFlight--;
    return { kind: 'processed', eventId: e.id, eventType: e.type, outcome: 'inserted' };
  };
  const batch = createBatchProcessor({ processRecord, appliers, plan: appointmentPlanner({ credits: true }), oneWrite });
  return { batch, log, rounds, maxInFlight: () => maxInFlight };
}

describe('webhook batch logic', () => {
  it('one round per position in each appointment, in batch order', async () => {
    const h = harness(() => 'applied');
    const records = [record('appointment.created', 1, '2026-01-01T00:00:00Z'), record('appointment.created', 2, '2026-01-01T00:00:00Z'), record('appointment.cancelled', 1, '2026-01-02T00:00:00Z')];
    const outcomes = h.batch(records);
    const out = await Promise.all(records.map((r) => outcomes.get(r.messageId)));
    expect(h.rounds).toEqual([['appointment.created', 'appointment.created'], ['appointment.cancelled']]);
    expect(out.map((o) => o?.kind)).toEqual(['processed', 'processed', 'processed']);
    expect(h.log).toEqual([]);
  });

  it('an appointment that falls back goes step by step in order; another appointment runs alongside', async () => {
    const h = harness((e) => (e.record.eventType === 'appointment.updated' ? 'step_by_step' : 'applied'));
    const records = [
      record('appointment.updated', 7, '2026-01-02T00:00:00Z'),
      record('appointment.created', 8, '2026-01-01T00:00:00Z'),
      record('appointment.created', 7, '2026-01-01T00:00:00Z'),
      record('appointment.cancelled', 7, '2026-01-03T00:00:00Z'),
      record('appointment.updated', 9, '2026-01-02T00:00:00Z'),
    ];
    const outcomes = h.batch(records);
    await Promise.all(records.map((r) => outcomes.get(r.messageId)));
    // 7 fell back at its first record: its three records run step by step, in batch order, never in a round again.
    const seven = h.log.filter((l) => l.includes(' 7 '));
    expect(seven).toEqual(['start 7 appointment.updated', 'end 7 appointment.updated', 'start 7 appointment.created', 'end 7 appointment.created', 'start 7 appointment.cancelled', 'end 7 appointment.cancelled']);
    expect(h.rounds).toEqual([['appointment.updated', 'appointment.created', 'appointment.updated']]);
    expect(h.maxInFlight()).toBe(2); // appointments 7 and 9 step by step at the same time
  });

  it('without a one-write store every record goes step by step, still in per-appointment order, malformed ones included', async () => {
    const log: string[] = [];
    const processRecord = async (r: SQSRecord): Promise<RecordOutcome> => {
      const e = JSON.parse(r.body) as { id: string; type: string };
      log.push(e.type);
      return { kind: 'duplicate', eventId: e.id, eventType: e.type };
    };
    const batch = createBatchProcessor({ processRecord, appliers, plan: appointmentPlanner({ credits: true }) });
    const records = [record('appointment.created', 3, '2026-01-01T00:00:00Z'), record('appointment.cancelled', 3, '2026-01-02T00:00:00Z'), { ...record('appointment.created', 4, '2026-01-01T00:00:00Z'), body: 'not json' }];
    const outcomes = batch(records);
    const settled = await Promise.allSettled(records.map((r) => outcomes.get(r.messageId)!));
    expect(log).toEqual(['appointment.created', 'appointment.cancelled']);
    // The malformed record went step by step too (where the real path throws MalformedRecordError).
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
  });
});
