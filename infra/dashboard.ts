/**
 * The operations dashboard, as data: rows of graphs, each a list of series (a metric, or an expression
 * over metrics, in the same language as the alarms). The metric contract test checks these metrics too.
 */
import { METRICS } from '../shared/observability/metric-names';
import { ownMetric, type Expr, type MetricRef, type Statistic } from './alarms';
import type { StageConfig } from './config/stages';
import { physicalName, wiring, type FunctionKey, type QueueKey } from './wiring';

export interface Series {
  readonly label: string;
  readonly metrics: Readonly<Record<string, MetricRef>>;
  readonly expression?: Expr;
}

export interface Graph {
  readonly title: string;
  readonly periodSeconds: number;
  readonly series: readonly Series[];
}

export function dashboardRows(config: StageConfig): Graph[][] {
  const w = wiring(config);
  const own = (name: string, fn: FunctionKey, statistic: Statistic, extra: Record<string, string> = {}): MetricRef => ownMetric(config, w, name, fn, statistic, extra);
  const one = (label: string, ref: MetricRef): Series => ({ label, metrics: { m: ref } });
  const summed = (label: string, refs: MetricRef[]): Series => {
    const metrics = Object.fromEntries(refs.map((ref, i) => [`m${i + 1}`, ref]));
    return { label, metrics, expression: { sum: Object.keys(metrics).map((id) => ({ metric: id })) } };
  };
  const queue = (key: QueueKey, name: string): MetricRef => ({ namespace: 'AWS/SQS', name, dimensions: { QueueName: physicalName(w, w.queues[key].name) }, statistic: 'Maximum' });
  const callers: FunctionKey[] = ['appointmentsApi', 'outboundWorker'];
  const calls = Object.fromEntries(callers.map((fn, i) => [`c${i + 1}`, own(METRICS.moncreneauCalls, fn, 'Sum')]));
  const errors = Object.fromEntries(callers.map((fn, i) => [`e${i + 1}`, own(METRICS.moncreneauCallErrors, fn, 'Sum')]));
  const latency = Object.fromEntries(callers.map((fn, i) => [`l${i + 1}`, own(METRICS.moncreneauCallLatencyMs, fn, 'Sum')]));
  const sumIds = (refs: Record<string, MetricRef>): Expr => ({ sum: Object.keys(refs).map((id) => ({ metric: id })) });

  return [
    [
      {
        title: 'Appointments per day (through the kit)',
        periodSeconds: 86_400,
        series: [
          one('created', own(METRICS.appointmentsCreated, 'outboundWorker', 'Sum', { type: 'create' })),
          one('cancelled', own(METRICS.appointmentsCancelled, 'outboundWorker', 'Sum', { type: 'cancel' })),
          one('applied from webhooks', own(METRICS.appointmentEventsApplied, 'webhookProcessor', 'Sum')),
        ],
      },
      {
        title: 'MONCRENEAU calls: error rate (%) and average latency (ms)',
        periodSeconds: 300,
        series: [
          { label: 'error rate %', metrics: { ...errors, ...calls }, expression: { percent: { of: sumIds(errors), over: sumIds(calls), minDenominator: 1 } } },
          { label: 'average latency ms', metrics: { ...latency, ...calls }, expression: { ratio: { of: sumIds(latency), over: sumIds(calls) } } },
          summed('calls', Object.values(calls)),
        ],
      },
    ],
    [
      {
        title: 'Webhooks',
        periodSeconds: 300,
        series: [
          one('received', own(METRICS.webhooksReceived, 'webhookReceiver', 'Sum')),
          one('processed', own(METRICS.webhooksProcessed, 'webhookProcessor', 'Sum')),
          one('duplicate', own(METRICS.webhooksDuplicate, 'webhookProcessor', 'Sum')),
          one('failed', own(METRICS.webhooksFailed, 'webhookProcessor', 'Sum')),
          one('parked', own(METRICS.webhooksParked, 'webhookReceiver', 'Sum')),
          one('rejected: signature', own(METRICS.webhooksRejected, 'webhookReceiver', 'Sum', { reason: 'signature' })),
        ],
      },
      {
        title: 'Queues: depth and oldest message (s)',
        periodSeconds: 300,
        series: [
          one('webhook queue depth', queue('webhookEvents', 'ApproximateNumberOfMessagesVisible')),
          one('webhook oldest (s)', queue('webhookEvents', 'ApproximateAgeOfOldestMessage')),
          one('webhook DLQ', queue('webhookEventsDlq', 'ApproximateNumberOfMessagesVisible')),
          one('outbound queue depth', queue('outboundCommands', 'ApproximateNumberOfMessagesVisible')),
          one('outbound DLQ', queue('outboundCommandsDlq', 'ApproximateNumberOfMessagesVisible')),
        ],
      },
    ],
    [
      {
        title: 'Credits remaining',
        periodSeconds: 300,
        series: [
          one('health monitor (every 5 min)', own(METRICS.creditsRemaining, 'healthMonitor', 'Minimum')),
          one('after webhook movements', own(METRICS.creditsRemaining, 'webhookProcessor', 'Minimum')),
          one('after command movements', own(METRICS.creditsRemaining, 'outboundWorker', 'Minimum')),
        ],
      },
      {
        title: 'Commands and refusals',
        periodSeconds: 300,
        series: [
          one('accepted (create)', own(METRICS.commandsAccepted, 'appointmentsApi', 'Sum', { type: 'create' })),
          one('failed (create)', own(METRICS.commandsFailed, 'outboundWorker', 'Sum', { type: 'create' })),
          one('insufficient credits (API 402)', own(METRICS.insufficientCredits, 'outboundWorker', 'Sum', { type: 'create', source: 'api' })),
          one('stuck webhook events', own(METRICS.stuckWebhookEvents, 'healthMonitor', 'Maximum')),
        ],
      },
    ],
  ];
}
