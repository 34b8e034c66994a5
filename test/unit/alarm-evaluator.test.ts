/** The local evaluator's maths on recorded series: statistics per period, expressions, missing data, M of N. */
import { evaluateAlarm, evaluateAll, statistic, type Datapoint } from '../../infra/alarm-evaluator';
import { alarmSpecs, evaluateExpression, renderExpression, type AlarmSpec } from '../../infra/alarms';
import { STAGES } from '../../infra/config/stages';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const MIN = 60_000;
const specs = alarmSpecs(STAGES.prod);
const spec = (id: string): AlarmSpec => specs.find((s) => s.id === id)!;
const at = (minutesAgo: number) => NOW - minutesAgo * MIN;
function point(ref: AlarmSpec['metrics'][string], value: number, minutesAgo: number): Datapoint {
  return { namespace: ref.namespace, name: ref.name, dimensions: ref.dimensions, value, timestamp: at(minutesAgo) };
}

describe('statistics and expressions', () => {
  it('computes each statistic', () => {
    expect([statistic([1, 5, 3], 'Sum'), statistic([1, 5, 3], 'Average'), statistic([1, 5, 3], 'Maximum'), statistic([1, 5, 3], 'Minimum'), statistic([1, 5, 3], 'SampleCount')]).toEqual([9, 3, 5, 1, 3]);
    expect(statistic([], 'Sum')).toBeUndefined();
  });

  it('percent waits for enough traffic; sums treat a silent series as 0; ratio is 0 over nothing', () => {
    const percent = { percent: { of: { sum: [{ metric: 'e1' }, { metric: 'e2' }] }, over: { sum: [{ metric: 'c1' }, { metric: 'c2' }] }, minDenominator: 10 } } as const;
    expect(evaluateExpression(percent, { e1: 1, c1: 5, c2: 4 })).toBe(0); // 9 calls < 10: not judged
    expect(evaluateExpression(percent, { e1: 1, e2: 1, c1: 10, c2: 10 })).toBe(10);
    expect(evaluateExpression(percent, {})).toBeUndefined();
    expect(evaluateExpression({ ratio: { of: { metric: 'l' }, over: { metric: 'c' } } }, { l: 0, c: 0 })).toBe(0);
    expect(renderExpression(percent)).toBe('IF((FILL(c1, 0) + FILL(c2, 0)) >= 10, 100 * (FILL(e1, 0) + FILL(e2, 0)) / (FILL(c1, 0) + FILL(c2, 0)), 0)');
  });
});

describe('evaluateAlarm', () => {
  it('MONCRENEAU error rate: ALARM only when both 5-minute periods breach', () => {
    const s = spec('MoncreneauErrorRate');
    const calls = s.metrics.c1;
    const errors = s.metrics.e1;
    const storm = [point(calls, 20, 7), point(errors, 5, 7), point(calls, 20, 2), point(errors, 4, 2)];
    expect(evaluateAlarm(s, storm, { now: NOW })).toMatchObject({ state: 'ALARM', values: [25, 20], breaching: 2 });
    const oneBad = [point(calls, 20, 7), point(errors, 5, 7), point(calls, 20, 2), point(errors, 0, 2)];
    expect(evaluateAlarm(s, oneBad, { now: NOW }).state).toBe('OK');
    // A datapoint with another dimension set is another metric.
    const otherStage = storm.map((p) => ({ ...p, dimensions: { ...p.dimensions, stage: 'dev' } }));
    expect(evaluateAlarm(s, otherStage, { now: NOW }).state).toBe('OK');
  });

  it('credits low: a missing balance breaches (the monitor stopped), a fresh low one too, a healthy one is OK', () => {
    const s = spec('CreditsLow');
    expect(evaluateAlarm(s, [], { now: NOW })).toMatchObject({ state: 'ALARM', values: [undefined] });
    expect(evaluateAlarm(s, [point(s.metrics.balance, 50, 10), point(s.metrics.balance, 4, 5)], { now: NOW }).state).toBe('ALARM');
    expect(evaluateAlarm(s, [point(s.metrics.balance, 50, 10), point(s.metrics.balance, 48, 5)], { now: NOW }).state).toBe('OK');
    // Older than the 15-minute period: no longer counts.
    expect(evaluateAlarm(s, [point(s.metrics.balance, 50, 20)], { now: NOW }).state).toBe('ALARM');
  });

  it('webhook 5xx rate needs a minimum of requests before it judges', () => {
    const s = spec('Webhook5xxRate');
    expect(evaluateAlarm(s, [point(s.metrics.requests, 3, 1), point(s.metrics.errors, 2, 1)], { now: NOW }).state).toBe('OK');
    expect(evaluateAlarm(s, [point(s.metrics.requests, 40, 1), point(s.metrics.errors, 3, 1)], { now: NOW })).toMatchObject({ state: 'ALARM', values: [7.5] });
  });

  it('compressed periods: a 5-minute period lasts 5 s at scale 1/60', () => {
    const s = spec('WebhookEnqueueFailures');
    const recent = [{ ...point(s.metrics.failed, 1, 0), timestamp: NOW - 3000 }];
    expect(evaluateAlarm(s, recent, { now: NOW, periodScale: 1 / 60 }).state).toBe('ALARM');
    expect(evaluateAlarm(s, recent, { now: NOW + 3000, periodScale: 1 / 60 }).state).toBe('OK');
  });

  it('INSUFFICIENT_DATA only where missing data is treated as missing', () => {
    const s: AlarmSpec = { ...spec('WebhookDlqNotEmpty'), treatMissingData: 'missing' };
    expect(evaluateAlarm(s, [], { now: NOW }).state).toBe('INSUFFICIENT_DATA');
    expect(evaluateAll([spec('CreditsLow'), spec('WebhookDlqNotEmpty')], [], { now: NOW }).map((r) => [r.spec.id, r.state])).toEqual([
      ['CreditsLow', 'ALARM'],
      ['WebhookDlqNotEmpty', 'OK'],
    ]);
  });
});
