/**
 * Evaluates the alarms of infra/alarms.ts on datapoints, the way CloudWatch does for a standard alarm:
 * the latest `evaluationPeriods` periods ending now, each metric's statistic per period (exact metric:
 * namespace, name and the whole dimension set), the expression, then `datapointsToAlarm` breaching
 * periods → ALARM, with missing periods counted as the alarm's `treatMissingData` says. Pure: the local
 * `npm run alarms` and the tests feed it; `now` is a parameter (an injected clock).
 */
import { evaluateExpression, type AlarmSpec, type MetricRef, type Statistic } from './alarms';

export interface Datapoint {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
  /** Epoch ms. */
  readonly timestamp: number;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmEvaluation {
  readonly state: AlarmState;
  /** The expression's value per period, oldest first (undefined = no data). */
  readonly values: ReadonlyArray<number | undefined>;
  readonly breaching: number;
}

export interface EvaluateOptions {
  readonly now: number;
  /** Shrinks every period (e.g. 1/60: a 5-minute period lasts 5 s) for demos and tests on compressed time. */
  readonly periodScale?: number;
}

function sameMetric(point: Datapoint, ref: MetricRef): boolean {
  if (point.namespace !== ref.namespace || point.name !== ref.name) return false;
  const keys = Object.keys(ref.dimensions);
  return keys.length === Object.keys(point.dimensions).length && keys.every((k) => point.dimensions[k] === ref.dimensions[k]);
}

export function statistic(values: readonly number[], stat: Statistic): number | undefined {
  if (values.length === 0) return undefined;
  switch (stat) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'SampleCount':
      return values.length;
  }
}

function breaches(spec: AlarmSpec, value: number): boolean {
  switch (spec.comparison) {
    case 'GreaterThanThreshold':
      return value > spec.threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= spec.threshold;
    case 'LessThanThreshold':
      return value < spec.threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= spec.threshold;
  }
}

export function evaluateAlarm(spec: AlarmSpec, datapoints: readonly Datapoint[], options: EvaluateOptions): AlarmEvaluation {
  const periodMs = spec.periodSeconds * 1000 * (options.periodScale ?? 1);
  const values: Array<number | undefined> = [];
  for (let k = spec.evaluationPeriods; k >= 1; k--) {
    const start = options.now - k * periodMs;
    const end = start + periodMs;
    const stats: Record<string, number | undefined> = {};
    for (const [id, ref] of Object.entries(spec.metrics)) {
      const inPeriod = datapoints.filter((p) => p.timestamp >= start && p.timestamp < end && sameMetric(p, ref)).map((p) => p.value);
      stats[id] = statistic(inPeriod, ref.statistic);
    }
    values.push(spec.expression ? evaluateExpression(spec.expression, stats) : Object.values(stats)[0]);
  }
  const needed = spec.datapointsToAlarm ?? spec.evaluationPeriods;
  const present = values.filter((v): v is number => v !== undefined);
  const missing = values.length - present.length;
  let breaching = present.filter((v) => breaches(spec, v)).length;
  if (spec.treatMissingData === 'breaching') breaching += missing;
  if (present.length === 0 && (spec.treatMissingData === 'missing' || spec.treatMissingData === 'ignore')) return { state: 'INSUFFICIENT_DATA', values, breaching };
  return { state: breaching >= needed ? 'ALARM' : 'OK', values, breaching };
}

export interface AlarmReport extends AlarmEvaluation {
  readonly spec: AlarmSpec;
}

/** Every alarm, most urgent first: ALARM before INSUFFICIENT_DATA before OK, pages before tickets. */
export function evaluateAll(specs: readonly AlarmSpec[], datapoints: readonly Datapoint[], options: EvaluateOptions): AlarmReport[] {
  const rank: Record<AlarmState, number> = { ALARM: 0, INSUFFICIENT_DATA: 1, OK: 2 };
  return specs
    .map((spec) => ({ spec, ...evaluateAlarm(spec, datapoints, options) }))
    .sort((a, b) => rank[a.state] - rank[b.state] || (a.spec.severity === b.spec.severity ? 0 : a.spec.severity === 'page' ? -1 : 1));
}

