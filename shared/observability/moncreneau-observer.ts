/**
 * Metrics and logs for the MONCRENEAU client and the global rate limiter, shared by both command
 * functions. Low-cardinality dimensions only (method, templated route, outcome).
 */
import type { RequestObservation, RetryObservation } from '../moncreneau/client/types';
import type { RejectionObservation, ThrottleObservation } from '../ratelimit/ports';
import { METRICS } from './metric-names';
import { countWith, logger, metrics, MetricUnit } from './powertools';

/** Outcomes that count against MONCRENEAU's health; a 4xx answer (404, 409, 422…) is the API working. */
const CALL_ERRORS: ReadonlySet<RequestObservation['outcome']> = new Set(['server_error', 'network_error', 'timeout', 'rate_limited', 'auth_error', 'unexpected_response']);

export function onMoncreneauRequest(o: RequestObservation): void {
  // Per function, no other dimension: what the error-rate and latency alarms divide.
  metrics.addMetric(METRICS.moncreneauCalls, MetricUnit.Count, 1);
  metrics.addMetric(METRICS.moncreneauCallErrors, MetricUnit.Count, CALL_ERRORS.has(o.outcome) ? 1 : 0);
  metrics.addMetric(METRICS.moncreneauCallLatencyMs, MetricUnit.Milliseconds, o.durationMs);
  const single = metrics.singleMetric();
  single.addDimensions({ method: o.method, outcome: o.outcome });
  single.addMetric(METRICS.moncreneauRequests, MetricUnit.Count, 1);
  single.addMetric(METRICS.moncreneauLatencyMs, MetricUnit.Milliseconds, o.durationMs);
  // Route is templated (/appointments/{id}); the request id is ours (the command id) or the server's.
  logger.debug('MONCRENEAU request', { method: o.method, route: o.route, status: o.status, outcome: o.outcome, durationMs: o.durationMs, attempt: o.attempt, errorCode: o.errorCode });
}

export function onMoncreneauRetry(o: RetryObservation): void {
  countWith(METRICS.moncreneauRetries, { method: o.method });
  logger.info('MONCRENEAU call retried', { method: o.method, route: o.route, attempt: o.attempt, delayMs: o.delayMs, errorCode: o.errorCode, status: o.status });
}

export function onLocalThrottle(o: ThrottleObservation): void {
  countWith(METRICS.moncreneauLocalThrottleMs, { reason: o.reason }, o.waitedMs, MetricUnit.Milliseconds);
}

export function onLocalThrottleRejected(o: RejectionObservation): void {
  metrics.singleMetric().addMetric(METRICS.moncreneauLocalThrottleRejected, MetricUnit.Count, 1);
  logger.warn('Global rate limiter had no slot before the deadline', { limitedBy: o.limitedBy, wouldWaitMs: o.wouldWaitMs });
}

/** A command metric by command type (create|update|cancel), plus any other dimension. */
export function countByType(metric: string, type: string, extra: Record<string, string> = {}): void {
  countWith(metric, { type, ...extra });
}
