/**
 * One Logger and one Metrics per function instance (module scope, reused across warm invocations).
 * Service name, namespace and log level come from POWERTOOLS_* variables set by the wiring.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const logger = new Logger();
export const metrics = new Metrics({ defaultDimensions: { stage: process.env.STAGE ?? 'local' } });
export { MetricUnit };
