/**
 * One Logger, one Metrics and one Tracer per function instance (module scope, reused across warm
 * invocations). Service name, namespace and log level come from POWERTOOLS_* variables set by the
 * wiring. The Tracer is active only in Lambda (X-Ray); locally and in tests it does nothing.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger();
export const metrics = new Metrics({ defaultDimensions: { stage: process.env.STAGE ?? 'local' } });
export const tracer = new Tracer();
export { MetricUnit };

/** A metric with its own dimensions, flushed at once (keeps the function's default dimensions). */
export function countWith(metric: string, dimensions: Readonly<Record<string, string>>, value = 1, unit: (typeof MetricUnit)[keyof typeof MetricUnit] = MetricUnit.Count): void {
  const single = metrics.singleMetric();
  single.addDimensions({ ...dimensions });
  single.addMetric(metric, unit, value);
}
