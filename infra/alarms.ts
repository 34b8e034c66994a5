/**
 * Every alarm, declared once as data beside the wiring: what it watches (metrics and an expression),
 * when it fires, how missing data counts, who it pages and which runbook section explains it. The CDK
 * stack (infra/constructs/on-call.ts) and the local evaluator (`npm run alarms`) both interpret this;
 * test/infra/alarms.test.ts proves every metric of our namespace here is one the code emits.
 * No CDK or AWS SDK imports.
 */
import { METRICS } from '../shared/observability/metric-names';
import type { StageConfig } from './config/stages';
import { physicalName, wiring, type FunctionKey, type QueueKey, type SecretKey, type Wiring } from './wiring';

export type Severity = 'page' | 'ticket';
export type Statistic = 'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'SampleCount';
export type Comparison = 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
/** CloudWatch's names: `breaching` = missing counts as bad, `notBreaching` = as good. */
export type MissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

export interface MetricRef {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: Statistic;
}

/** A small expression language that renders to CloudWatch metric math and evaluates locally the same way. */
export type Expr =
  | { readonly metric: string }
  /** Sum of series, a missing one counting as 0 (FILL(m, 0)). */
  | { readonly sum: readonly Expr[] }
  /** 100 × numerator ÷ denominator while the denominator reaches `minDenominator`, else 0 (too little traffic to judge). */
  | { readonly percent: { readonly of: Expr; readonly over: Expr; readonly minDenominator: number } }
  /** numerator ÷ denominator, 0 when the denominator is 0. */
  | { readonly ratio: { readonly of: Expr; readonly over: Expr } };

export interface AlarmSpec {
  /** Stable id, also the CloudWatch alarm name suffix. */
  readonly id: string;
  readonly severity: Severity;
  /** What it means, in a sentence; the runbook says what to do. */
  readonly description: string;
  /** Section of docs/runbook.md (its heading's anchor). */
  readonly runbook: string;
  /** Metric ids (lowercase, used by `expression`) → metrics. */
  readonly metrics: Readonly<Record<string, MetricRef>>;
  /** Absent: the single metric itself. */
  readonly expression?: Expr;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** How many of the evaluation periods must breach (default all). */
  readonly datapointsToAlarm?: number;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly treatMissingData: MissingData;
  /**
   * Functions whose deployment rolls back while this alarm is in ALARM (CodeDeploy, infra/constructs/live-alias.ts):
   * only alarms that a bad release of that function would set off within minutes, and that a healthy stage
   * does not hold in ALARM (a DLQ or a low balance would block every deployment).
   */
  readonly guards?: readonly FunctionKey[];
}

export const RUNBOOK = 'docs/runbook.md';
const FIVE_MINUTES = 300;

/**
 * The alarm on the errors of a function's newest version (infra/constructs/live-alias.ts): not in alarmSpecs,
 * because its dimension is the version being deployed, known only to CloudFormation; runbook: #deploymenterrors.
 */
export function deploymentAlarmId(folder: string): string {
  return `DeploymentErrors-${folder}`;
}

export function serviceName(w: Wiring, key: FunctionKey): string {
  return `moncreneau-${w.functions[key].folder}`;
}

/** The functions that call MONCRENEAU (their client metrics are summed over them). */
export const MONCRENEAU_CALLERS: readonly FunctionKey[] = ['appointmentsApi', 'outboundWorker', 'paymentsSweeper'];

/** The functions that apply payment reports (webhook, poll or deadline, our POST's answer). */
export const PAYMENT_APPLIERS: readonly FunctionKey[] = ['webhookProcessor', 'paymentsSweeper', 'outboundWorker'];

/** The sum of every metric of `refs`, by id. */
export function sumOf(refs: Readonly<Record<string, MetricRef>>): Expr {
  return { sum: Object.keys(refs).map((id) => ({ metric: id })) };
}

/** Metric references of one stage, as the alarms and the dashboard both read them. */
export function stageMetrics(config: StageConfig, w: Wiring = wiring(config)) {
  /** One of our metrics as a given function emits it (Powertools adds `service`, our Metrics adds `stage`). */
  const own = (name: string, fn: FunctionKey, statistic: Statistic, extra: Record<string, string> = {}): MetricRef => ({
    namespace: config.metricsNamespace,
    name,
    dimensions: { service: serviceName(w, fn), stage: config.stage, ...extra },
    statistic,
  });
  return {
    own,
    /** The same metric from several functions, as `<prefix>1`, `<prefix>2` … for a sum. */
    fromEach: (prefix: string, name: string, fns: readonly FunctionKey[], statistic: Statistic, extra: Record<string, string> = {}): Record<string, MetricRef> =>
      Object.fromEntries(fns.map((fn, i) => [`${prefix}${i + 1}`, own(name, fn, statistic, extra)])),
    queue: (key: QueueKey, name: string, statistic: Statistic): MetricRef => ({ namespace: 'AWS/SQS', name, dimensions: { QueueName: physicalName(w, w.queues[key].name) }, statistic }),
    lambda: (key: FunctionKey, name: string): MetricRef => ({ namespace: 'AWS/Lambda', name, dimensions: { FunctionName: physicalName(w, w.functions[key].folder) }, statistic: 'Sum' }),
    api: (name: string): MetricRef => ({ namespace: 'AWS/ApiGateway', name, dimensions: { ApiName: w.prefix, Stage: config.stage }, statistic: 'Sum' }),
  };
}

/** The alarms of a stage. */
export function alarmSpecs(config: StageConfig): AlarmSpec[] {
  const w = wiring(config);
  const a = config.alarms;
  const { own, fromEach, queue, lambda, api } = stageMetrics(config, w);
  const callers = MONCRENEAU_CALLERS;
  const secretReaders: FunctionKey[] = ['webhookReceiver', 'appointmentsApi', 'outboundWorker', 'paymentsSweeper'];
  const routed = (Object.keys(w.functions) as FunctionKey[]).filter((key) => (w.functions[key].routes ?? []).length > 0);

  const calls = fromEach('c', METRICS.moncreneauCalls, callers, 'Sum');
  const callErrors = fromEach('e', METRICS.moncreneauCallErrors, callers, 'Sum');
  const latency = fromEach('l', METRICS.moncreneauCallLatencyMs, callers, 'Sum');
  const throttled = fromEach('r', METRICS.moncreneauLocalThrottleRejected, callers, 'Sum');
  const secrets = fromEach('s', METRICS.secretProblems, secretReaders, 'Sum');
  const insufficient = {
    i1: own(METRICS.insufficientCredits, 'appointmentsApi', 'Sum', { type: 'create', source: 'local' }),
    i2: own(METRICS.insufficientCredits, 'outboundWorker', 'Sum', { type: 'create', source: 'local' }),
    i3: own(METRICS.insufficientCredits, 'outboundWorker', 'Sum', { type: 'create', source: 'api' }),
  };

  const paymentFailures = { ...fromEach('f', METRICS.paymentsFailed, PAYMENT_APPLIERS, 'Sum'), x1: own(METRICS.paymentsExpired, 'paymentsSweeper', 'Sum') };
  const reconcile = fromEach('r', METRICS.paymentsNeedingReconciliation, PAYMENT_APPLIERS, 'Sum');

  const specs: AlarmSpec[] = [
    {
      id: 'Webhook5xxRate',
      severity: 'page',
      description: `More than ${a.webhook5xxPercent} % of requests to the API answered 5xx over 5 minutes (from ${a.webhook5xxMinRequests} requests): MONCRENEAU is retrying deliveries.`,
      runbook: 'webhook5xxrate',
      metrics: { errors: api('5XXError'), requests: api('Count') },
      expression: { percent: { of: { metric: 'errors' }, over: { metric: 'requests' }, minDenominator: a.webhook5xxMinRequests } },
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: a.webhook5xxPercent,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      guards: routed,
    },
    {
      id: 'MoncreneauErrorRate',
      severity: 'page',
      description: `More than ${a.moncreneauErrorPercent} % of MONCRENEAU calls failed (5xx, network, timeout, 429, auth) for 10 minutes: bookings and cancellations are being retried or dead-lettered.`,
      runbook: 'moncreneauerrorrate',
      metrics: { ...callErrors, ...calls },
      expression: { percent: { of: sumOf(callErrors), over: sumOf(calls), minDenominator: a.moncreneauMinCalls } },
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 2,
      threshold: a.moncreneauErrorPercent,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'MoncreneauLatency',
      severity: 'ticket',
      description: `MONCRENEAU calls averaged more than ${a.moncreneauLatencyMs} ms for 15 minutes.`,
      runbook: 'moncreneaulatency',
      metrics: { ...latency, ...calls },
      expression: { ratio: { of: sumOf(latency), over: sumOf(calls) } },
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 3,
      threshold: a.moncreneauLatencyMs,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'CreditsLow',
      severity: 'page',
      description: `The credits balance is below ${config.credits.lowThreshold}, or unknown (the health monitor published none in 15 minutes): new bookings will soon be refused.`,
      runbook: 'creditslow',
      metrics: { balance: own(METRICS.creditsRemaining, 'healthMonitor', 'Minimum') },
      periodSeconds: 900,
      evaluationPeriods: 1,
      threshold: config.credits.lowThreshold,
      comparison: 'LessThanThreshold',
      treatMissingData: 'breaching',
    },
    {
      id: 'InsufficientCredits',
      severity: 'page',
      description: 'A booking was refused for lack of credits, by the ledger or by MONCRENEAU (402).',
      runbook: 'insufficientcredits',
      metrics: insufficient,
      expression: sumOf(insufficient),
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'PaymentFailures',
      severity: 'ticket',
      description: 'A credit purchase FAILED or EXPIRED (no answer 5 minutes after it started, after one poll): no credits were added.',
      runbook: 'paymentfailures',
      metrics: paymentFailures,
      expression: sumOf(paymentFailures),
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'PaymentsNeedingReconciliation',
      severity: 'ticket',
      description: 'A payment needs an operator: a SUCCESSFUL after it EXPIRED (credited late) or contradictory answers from MONCRENEAU.',
      runbook: 'paymentsneedingreconciliation',
      metrics: reconcile,
      expression: sumOf(reconcile),
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'AutoRechargeStopped',
      severity: 'page',
      description: `The automatic recharge stopped after ${config.payments.autoRecharge.maxConsecutiveFailures} consecutive failed purchases: credits will run out unless someone buys them.`,
      runbook: 'autorechargestopped',
      metrics: { stopped: own(METRICS.autoRechargeStopped, 'paymentsSweeper', 'Maximum') },
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'WebhooksUnprocessed',
      severity: 'page',
      description: `The oldest webhook in the queue waited more than ${a.oldestWebhookSeconds} s: the processor is not keeping up or not running.`,
      runbook: 'webhooksunprocessed',
      metrics: { age: queue('webhookEvents', 'ApproximateAgeOfOldestMessage', 'Maximum') },
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: a.oldestWebhookSeconds,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'WebhookDlqNotEmpty',
      severity: 'page',
      description: 'A webhook event failed every retry and waits in the DLQ: its effect (appointment, credits) is not applied.',
      runbook: 'webhookdlqnotempty',
      metrics: { depth: queue('webhookEventsDlq', 'ApproximateNumberOfMessagesVisible', 'Maximum') },
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'OutboundDlqNotEmpty',
      severity: 'ticket',
      description: 'An appointment command failed definitively and waits in the outbound DLQ with its reason.',
      runbook: 'outbounddlqnotempty',
      metrics: { depth: queue('outboundCommandsDlq', 'ApproximateNumberOfMessagesVisible', 'Maximum') },
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'StuckWebhookEvents',
      severity: 'ticket',
      description: `Webhook events are unfinished (processing, failed or parked) ${a.stuckEventMinutes} minutes after they arrived.`,
      runbook: 'stuckwebhookevents',
      metrics: { stuck: own(METRICS.stuckWebhookEvents, 'healthMonitor', 'Maximum') },
      periodSeconds: 900,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'WebhookEnqueueFailures',
      severity: 'page',
      description: 'The receiver could not queue verified webhooks (answered 503): MONCRENEAU retries them, but SQS or its permissions are failing.',
      runbook: 'webhookenqueuefailures',
      metrics: { failed: own(METRICS.webhooksEnqueueFailed, 'webhookReceiver', 'Sum') },
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      guards: ['webhookReceiver'],
    },
    {
      id: 'WebhooksParked',
      severity: 'page',
      description: 'A verified webhook was refused by the queue for good and parked in the event store: it is acknowledged but not applied until replayed.',
      runbook: 'webhooksparked',
      metrics: { parked: own(METRICS.webhooksParked, 'webhookReceiver', 'Sum') },
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      guards: ['webhookReceiver'],
    },
    {
      id: 'SignatureRejections',
      severity: 'ticket',
      description: `More than ${a.signatureRejectionsPer5Min} webhooks with a bad signature in 5 minutes: a wrong secret after a rotation, or someone probing the endpoint.`,
      runbook: 'signaturerejections',
      metrics: { rejected: own(METRICS.webhooksRejected, 'webhookReceiver', 'Sum', { reason: 'signature' }) },
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: a.signatureRejectionsPer5Min,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'RateLimitGateRejecting',
      severity: 'ticket',
      description: 'The global rate limiter had no slot before a caller\'s deadline: traffic is above the MONCRENEAU limits or a 429 pause is in force.',
      runbook: 'ratelimitgaterejecting',
      metrics: throttled,
      expression: sumOf(throttled),
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'SecretProblems',
      severity: 'page',
      description: 'A secret (webhook signing secret, API key) could not be read, is malformed, lacks its field, or the webhook secret is shorter than 32 characters.',
      runbook: 'secretproblems',
      metrics: { ...secrets, w1: own(METRICS.webhookSecretProblem, 'webhookReceiver', 'Sum') },
      expression: { sum: [...Object.keys(secrets).map((id) => ({ metric: id })), { metric: 'w1' }] },
      periodSeconds: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      guards: secretReaders,
    },
  ];

  // Rotation (docs/rotation.md): every rotating secret, by its wiring key (the `secret` dimension).
  const rotating = (Object.keys(w.secrets) as SecretKey[]).filter((key) => w.secrets[key].rotation.function === 'secretRotation');
  const byRotatingSecret = (prefix: string, name: string) =>
    Object.fromEntries(rotating.map((key, i) => [`${prefix}${i + 1}`, own(name, 'secretRotation', 'Sum', { secret: key })]));
  const nothingStaged = byRotatingSecret('n', METRICS.rotationNothingStaged);
  const rotationFailed = byRotatingSecret('f', METRICS.rotationFailed);
  specs.push(
    {
      id: 'RotationDue',
      severity: 'ticket',
      description: `A scheduled rotation (every ${config.secrets.rotationDays} days) found no new value staged: stage the new API key or webhook secret from the MONCRENEAU dashboard.`,
      runbook: 'rotationdue',
      metrics: nothingStaged,
      expression: sumOf(nothingStaged),
      periodSeconds: 3600,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'RotationFailed',
      severity: 'ticket',
      description: 'A secret rotation step failed (new key refused by MONCRENEAU, staged value invalid, MONCRENEAU unreachable): the value in use was kept.',
      runbook: 'rotationfailed',
      metrics: rotationFailed,
      expression: sumOf(rotationFailed),
      periodSeconds: 3600,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    ...rotating.map(
      (key): AlarmSpec => ({
        id: `SecretAgeHigh-${key}`,
        severity: 'ticket',
        // No age at all (locally: no Secrets Manager; in AWS: the versions unreadable, logged) is INSUFFICIENT_DATA, not ALARM.
        description: `The ${key} value in use is older than ${a.secretAgeDays} days (the checklist allows 6 months): rotate it.`,
        runbook: 'secretagehigh',
        metrics: { age: own(METRICS.secretAgeDays, 'healthMonitor', 'Maximum', { secret: key }) },
        periodSeconds: 3600,
        evaluationPeriods: 1,
        threshold: a.secretAgeDays,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'missing',
      }),
    ),
  );

  for (const key of Object.keys(w.functions) as FunctionKey[]) {
    const receiver = key === 'webhookReceiver';
    specs.push(
      {
        id: `LambdaErrors-${w.functions[key].folder}`,
        // A receiver that fails loses nothing (MONCRENEAU retries) but answers no one: page.
        severity: receiver ? 'page' : 'ticket',
        description: `${physicalName(w, w.functions[key].folder)} failed invocations in two consecutive 5-minute periods.`,
        runbook: 'lambdaerrors',
        metrics: { errors: lambda(key, 'Errors') },
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 2,
        threshold: 0,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        guards: [key],
      },
      {
        id: `LambdaThrottles-${w.functions[key].folder}`,
        severity: 'ticket',
        description: `${physicalName(w, w.functions[key].folder)} was throttled (account or reserved concurrency).`,
        runbook: 'lambdathrottles',
        metrics: { throttles: lambda(key, 'Throttles') },
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        threshold: 0,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      },
    );
  }

  if (a.noWebhookHours > 0) {
    specs.push({
      id: 'NoWebhooksReceived',
      severity: 'ticket',
      description: `No webhook was received for ${a.noWebhookHours} hours, where traffic is steady: the endpoint may be disabled or unregistered in the MONCRENEAU dashboard.`,
      runbook: 'nowebhooksreceived',
      metrics: { received: own(METRICS.webhooksReceived, 'webhookReceiver', 'Sum') },
      periodSeconds: 3600,
      evaluationPeriods: a.noWebhookHours,
      threshold: 1,
      comparison: 'LessThanThreshold',
      treatMissingData: 'breaching',
    });
  }
  return specs;
}

/** CloudWatch metric math for an expression (FILL keeps a silent series from blanking a sum). */
export function renderExpression(expr: Expr): string {
  if ('metric' in expr) return expr.metric;
  if ('sum' in expr) return `(${expr.sum.map((e) => ('metric' in e ? `FILL(${e.metric}, 0)` : renderExpression(e))).join(' + ')})`;
  if ('percent' in expr) {
    const { of, over, minDenominator } = expr.percent;
    return `IF(${renderExpression(over)} >= ${minDenominator}, 100 * ${renderExpression(of)} / ${renderExpression(over)}, 0)`;
  }
  return `IF(${renderExpression(expr.ratio.over)} > 0, ${renderExpression(expr.ratio.of)} / ${renderExpression(expr.ratio.over)}, 0)`;
}

/** The expression's value for one period, from each metric's statistic in that period (undefined = no data). */
export function evaluateExpression(expr: Expr, values: Readonly<Record<string, number | undefined>>): number | undefined {
  if ('metric' in expr) return values[expr.metric];
  if ('sum' in expr) {
    const parts = expr.sum.map((e) => evaluateExpression(e, values));
    return parts.every((p) => p === undefined) ? undefined : parts.reduce<number>((total, p) => total + (p ?? 0), 0);
  }
  if ('percent' in expr) {
    const over = evaluateExpression(expr.percent.over, values);
    if (over === undefined) return undefined;
    return over >= expr.percent.minDenominator ? (100 * (evaluateExpression(expr.percent.of, values) ?? 0)) / over : 0;
  }
  const over = evaluateExpression(expr.ratio.over, values);
  if (over === undefined) return undefined;
  return over > 0 ? (evaluateExpression(expr.ratio.of, values) ?? 0) / over : 0;
}
