/**
 * The operations dashboard, as data: rows of graphs, each a list of series (a metric, or an expression
 * over metrics, in the same language as the alarms). The metric contract test checks these metrics too.
 */
import { METRICS } from '../shared/observability/metric-names';
import { MONCRENEAU_CALLERS, PAYMENT_APPLIERS, stageMetrics, sumOf, type Expr, type MetricRef } from './alarms';
import type { StageConfig } from './config/stages';
import { wiring, type QueueKey } from './wiring';

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
  const metric = stageMetrics(config, w);
  const { own, fromEach } = metric;
  const one = (label: string, ref: MetricRef): Series => ({ label, metrics: { m: ref } });
  const queue = (key: QueueKey, name: string): MetricRef => metric.queue(key, name, 'Maximum');
  const calls = fromEach('c', METRICS.moncreneauCalls, MONCRENEAU_CALLERS, 'Sum');
  const errors = fromEach('e', METRICS.moncreneauCallErrors, MONCRENEAU_CALLERS, 'Sum');
  const latency = fromEach('l', METRICS.moncreneauCallLatencyMs, MONCRENEAU_CALLERS, 'Sum');
  const summed = (label: string, prefix: string, name: string): Series => {
    const refs = fromEach(prefix, name, PAYMENT_APPLIERS, 'Sum');
    return { label, metrics: refs, expression: sumOf(refs) };
  };

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
          { label: 'error rate %', metrics: { ...errors, ...calls }, expression: { percent: { of: sumOf(errors), over: sumOf(calls), minDenominator: 1 } } },
          { label: 'average latency ms', metrics: { ...latency, ...calls }, expression: { ratio: { of: sumOf(latency), over: sumOf(calls) } } },
          { label: 'calls', metrics: calls, expression: sumOf(calls) },
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
    [
      {
        title: 'Credit purchases (Orange Money)',
        periodSeconds: 300,
        series: [
          summed('successful', 's', METRICS.paymentsSucceeded),
          summed('failed', 'f', METRICS.paymentsFailed),
          one('expired (deadline)', own(METRICS.paymentsExpired, 'paymentsSweeper', 'Sum')),
          summed('needing reconciliation', 'r', METRICS.paymentsNeedingReconciliation),
        ],
      },
      {
        title: 'Automatic recharge',
        periodSeconds: 300,
        series: [
          one('purchases started', own(METRICS.autoRechargeStarted, 'paymentsSweeper', 'Sum')),
          one('stopped (1 = stopped after K failures)', own(METRICS.autoRechargeStopped, 'paymentsSweeper', 'Maximum')),
        ],
      },
      {
        // After a webhook secret rotation: once `previous` stays at 0, MONCRENEAU signs with the new secret only.
        title: 'Webhook secret that verified each delivery',
        periodSeconds: 300,
        series: [
          one('current', own(METRICS.webhookSecretMatched, 'webhookReceiver', 'Sum', { secret: 'current' })),
          one('previous (rotation window)', own(METRICS.webhookSecretMatched, 'webhookReceiver', 'Sum', { secret: 'previous' })),
          one('previous after its window (refused)', own(METRICS.webhookSecretMatched, 'webhookReceiver', 'Sum', { secret: 'previous_expired' })),
        ],
      },
      {
        title: 'Secrets: age of the value in use (days)',
        periodSeconds: 3600,
        series: [
          one('API key', own(METRICS.secretAgeDays, 'healthMonitor', 'Maximum', { secret: 'apiKey' })),
          one('webhook secret', own(METRICS.secretAgeDays, 'healthMonitor', 'Maximum', { secret: 'webhookSecret' })),
        ],
      },
    ],
  ];
}
