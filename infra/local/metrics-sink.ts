/**
 * The local stand-in for CloudWatch metrics: one file of EMF documents — what the functions print
 * (their Powertools metrics), plus what API Gateway and Lambda would publish for them (request counts
 * and 5xx, invocations and errors). `npm run alarms` evaluates the alarms on it (infra/alarm-evaluator.ts).
 */
import { appendFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Datapoint } from '../alarm-evaluator';

type Emf = { _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit?: string }> }> } } & Record<string, unknown>;

export class MetricsSink {
  private readonly partial = new Map<string, string>();

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  /** Keeps the EMF lines of a function's output stream (chunks may split lines). */
  observeOutput(source: string, chunk: Buffer | string): void {
    const text = (this.partial.get(source) ?? '') + chunk.toString();
    const lines = text.split('\n');
    this.partial.set(source, lines.pop() ?? '');
    const emf = lines.filter((line) => line.startsWith('{"_aws"'));
    if (emf.length > 0) appendFileSync(this.file, `${emf.join('\n')}\n`);
  }

  /** What an AWS service would publish: one EMF document of counts/values with one dimension set. */
  record(namespace: string, dimensions: Readonly<Record<string, string>>, values: Readonly<Record<string, { value: number; unit: string }>>, at = Date.now()): void {
    const doc: Emf = {
      _aws: { Timestamp: at, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: Object.entries(values).map(([name, v]) => ({ Name: name, Unit: v.unit })) }] },
      ...dimensions,
      ...Object.fromEntries(Object.entries(values).map(([name, v]) => [name, v.value])),
    };
    appendFileSync(this.file, `${JSON.stringify(doc)}\n`);
  }
}

/** Every datapoint in an EMF file (arrays of values become one datapoint each). */
export function readDatapoints(file: string): Datapoint[] {
  if (!existsSync(file)) return [];
  return emfDatapoints(readFileSync(file, 'utf8'));
}

export function emfDatapoints(text: string): Datapoint[] {
  const points: Datapoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"_aws"')) continue;
    let doc: Emf;
    try {
      doc = JSON.parse(line) as Emf;
    } catch {
      continue;
    }
    for (const directive of doc._aws.CloudWatchMetrics) {
      for (const set of directive.Dimensions) {
        const dimensions = Object.fromEntries(set.map((d) => [d, String(doc[d])]));
        for (const metric of directive.Metrics) {
          const raw = doc[metric.Name];
          for (const value of Array.isArray(raw) ? raw : [raw]) {
            if (typeof value === 'number') points.push({ namespace: directive.Namespace, name: metric.Name, dimensions, value, timestamp: doc._aws.Timestamp });
          }
        }
      }
    }
  }
  return points;
}
