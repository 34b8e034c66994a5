/**
 * The alarms as deployed, and the metric contract: every alarm of infra/alarms.ts is in each stage's
 * template with its metric(s), expression, threshold, period, missing-data treatment and both actions
 * on its severity's topic; every metric of our namespace that an alarm or the dashboard reads is
 * printed as EMF by the code, under exactly that name, unit and dimension set, by the function named
 * in its `service` dimension.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { alarmSpecs, deploymentAlarmId, renderExpression, serviceName, type AlarmSpec, type MetricRef } from '../../infra/alarms';
import { STAGES, type StageName } from '../../infra/config/stages';
import { dashboardRows } from '../../infra/dashboard';
import { wiring, type FunctionKey } from '../../infra/wiring';
import { capturedLogs } from '../support/capture-logs';
import { resourcesOf } from './template-queries';
import { synthStage, type SynthesizedStage } from './synth-stage';

const stages: StageName[] = ['dev', 'staging', 'prod'];
const cache = new Map<StageName, SynthesizedStage>();
const get = (stage: StageName) => cache.get(stage) ?? (cache.set(stage, synthStage(stage)), cache.get(stage)!);

const COMPARISON = { GreaterThanThreshold: 'GreaterThanThreshold', GreaterThanOrEqualToThreshold: 'GreaterThanOrEqualToThreshold', LessThanThreshold: 'LessThanThreshold', LessThanOrEqualToThreshold: 'LessThanOrEqualToThreshold' } as const;

describe.each(stages)('%s alarms', (stage) => {
  const config = STAGES[stage];
  const w = wiring(config);
  const specs = alarmSpecs(config);

  it('declares at least the alarms the on-call issue lists', () => {
    const ids = specs.map((s) => s.id);
    for (const id of ['PaymentFailures', 'PaymentsNeedingReconciliation', 'AutoRechargeStopped', 'Webhook5xxRate', 'MoncreneauErrorRate', 'MoncreneauLatency', 'CreditsLow', 'InsufficientCredits', 'WebhooksUnprocessed', 'WebhookDlqNotEmpty', 'OutboundDlqNotEmpty', 'StuckWebhookEvents', 'WebhookEnqueueFailures', 'SignatureRejections', 'RateLimitGateRejecting', 'RotationDue', 'RotationFailed', 'SecretAgeHigh-apiKey', 'SecretAgeHigh-webhookSecret']) {
      expect(ids).toContain(id);
    }
    for (const key of Object.keys(w.functions)) {
      expect(ids).toContain(`LambdaErrors-${w.functions[key as FunctionKey].folder}`);
      expect(ids).toContain(`LambdaThrottles-${w.functions[key as FunctionKey].folder}`);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(specs.map((s) => [s.id, s] as const))('%s is in the template with its metric, threshold, period, missing data and both actions', (_id, spec: AlarmSpec) => {
    const { template } = get(stage);
    const topicId = Object.entries(resourcesOf(template, 'AWS::SNS::Topic')).find(([, r]) => r.Properties?.TopicName === `${w.prefix}-${spec.severity}`)?.[0];
    expect(topicId).toBeDefined();
    const single = !spec.expression;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${w.prefix}-${spec.id}`,
      AlarmDescription: Match.stringLikeRegexp(`Runbook: docs/runbook.md#${spec.runbook}`),
      Threshold: spec.threshold,
      EvaluationPeriods: spec.evaluationPeriods,
      DatapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods,
      ComparisonOperator: COMPARISON[spec.comparison],
      TreatMissingData: spec.treatMissingData,
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
      ...(single
        ? {
            MetricName: Object.values(spec.metrics)[0].name,
            Namespace: Object.values(spec.metrics)[0].namespace,
            Period: spec.periodSeconds,
            Statistic: Object.values(spec.metrics)[0].statistic,
          }
        : {
            Metrics: Match.arrayWith([
              Match.objectLike({ Expression: renderExpression(spec.expression!), ReturnData: true }),
              ...Object.entries(spec.metrics).map(([id, ref]) =>
                Match.objectLike({ Id: id, ReturnData: false, MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: ref.name, Namespace: ref.namespace }), Period: spec.periodSeconds, Stat: ref.statistic }) }),
              ),
            ]),
          }),
    });
  });

  it('creates exactly the declared alarms plus one new-version alarm per function, each with an action, and no alarm without one', () => {
    const alarms = Object.values(resourcesOf(get(stage).template, 'AWS::CloudWatch::Alarm'));
    // The new-version errors alarms (infra/constructs/live-alias.ts) roll deployments back; releases-edge.test.ts checks them.
    const deployment = Object.values(w.functions).map((f) => `${w.prefix}-${deploymentAlarmId(f.folder)}`);
    expect(alarms.map((a) => a.Properties?.AlarmName).sort()).toEqual([...specs.map((spec) => `${w.prefix}-${spec.id}`), ...deployment].sort());
    for (const alarm of alarms) {
      expect(alarm.Properties?.AlarmActions).toHaveLength(1);
      expect(alarm.Properties?.OKActions).toHaveLength(1);
      expect(alarm.Properties?.TreatMissingData).toBeDefined();
    }
  });

  it('encrypts both topics with a rotating key CloudWatch may use, enforces TLS, and outputs the dashboard URL', () => {
    const { template } = get(stage);
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) }),
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) }) });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: `${w.prefix}-operations` });
    template.hasOutput('DashboardUrl', Match.anyValue());
  });

  it('runs the health monitor on its schedule', () => {
    const every = w.functions.healthMonitor.schedule?.everyMinutes;
    get(stage).template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: `rate(${every} minutes)`, State: 'ENABLED' });
  });
});

describe('alarm definitions', () => {
  const runbook = readFileSync(path.resolve(__dirname, '../../docs/runbook.md'), 'utf8');
  const anchors = new Set([...runbook.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1].trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));

  it.each(stages)('%s: every alarm has a runbook section, a description, a severity and explicit missing-data treatment', (stage) => {
    for (const spec of alarmSpecs(STAGES[stage])) {
      expect({ id: spec.id, anchor: anchors.has(spec.runbook) }).toEqual({ id: spec.id, anchor: true });
      expect(spec.description.length).toBeGreaterThan(20);
      expect(['page', 'ticket']).toContain(spec.severity);
      expect(['breaching', 'notBreaching', 'ignore', 'missing']).toContain(spec.treatMissingData);
    }
    // The deployment alarms' section.
    expect(anchors.has('deploymenterrors')).toBe(true);
  });

  it('the "no webhook for N hours" alarm is off by default and appears when a stage sets it', () => {
    expect(alarmSpecs(STAGES.prod).some((s) => s.id === 'NoWebhooksReceived')).toBe(false);
    const steady = { ...STAGES.prod, alarms: { ...STAGES.prod.alarms, noWebhookHours: 6 } };
    expect(alarmSpecs(steady).find((s) => s.id === 'NoWebhooksReceived')).toMatchObject({ evaluationPeriods: 6, treatMissingData: 'breaching', comparison: 'LessThanThreshold' });
  });
});

// ---- The metric contract ---------------------------------------------------------------------

interface EmfMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Every metric in the EMF lines of `text`, with its dimension values. */
function emfMetrics(text: string): EmfMetric[] {
  const found: EmfMetric[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"_aws"')) continue;
    const doc = JSON.parse(line) as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } } & Record<string, unknown>;
    for (const directive of doc._aws.CloudWatchMetrics) {
      for (const set of directive.Dimensions) {
        for (const metric of directive.Metrics) {
          found.push({ namespace: directive.Namespace, name: metric.Name, unit: metric.Unit, dimensions: Object.fromEntries(set.map((d) => [d, String(doc[d])])) });
        }
      }
    }
  }
  return found;
}

/**
 * What each function's observers emit, driven with the outcomes its composition root sends them
 * (shared/composition/<function>.ts), under that function's service name.
 */
const DRIVERS: Record<FunctionKey, () => Promise<void>> = {
  webhookReceiver: async () => {
    const { observeReceipt } = await import('../../shared/observability/receiver-observer');
    const { observeSecretProblem } = await import('../../shared/observability/secret-observer');
    const { QueueRefusedError } = await import('../../shared/webhooks/ports');
    observeReceipt({ kind: 'accepted', eventId: 'evt_1', eventType: 'appointment.created', secretProblems: ['current_too_short'], secretMatched: 'current' });
    observeReceipt({ kind: 'accepted', eventId: 'evt_3', eventType: 'appointment.created', secretMatched: 'previous' });
    observeReceipt({ kind: 'rejected', reason: 'signature', secretMatched: 'previous_expired' });
    observeReceipt({ kind: 'parked', eventId: 'evt_2', eventType: 'appointment.created', cause: new QueueRefusedError('refused', 'InvalidMessageContents'), duplicate: false });
    observeReceipt({ kind: 'rejected', reason: 'signature' });
    observeReceipt({ kind: 'enqueue_failed', error: new Error('x') });
    observeSecretProblem({ secret: 's', kind: 'fetch_failed' });
  },
  webhookProcessor: async () => {
    const { observeRecord, observeRecordFailure } = await import('../../shared/observability/processor-observer');
    const { observeBalance } = await import('../../shared/observability/credits-observer');
    const record = { messageId: 'm', attributes: { SentTimestamp: String(Date.now()) }, messageAttributes: {} } as never;
    observeRecord({ kind: 'processed', eventId: 'e', eventType: 'appointment.created', outcome: 'inserted', credits: 'debited' }, record);
    observeRecord({ kind: 'duplicate', eventId: 'e', eventType: 'appointment.created' }, record);
    observeRecordFailure(new Error('x'), record);
    observeBalance({ balance: 3, threshold: 10, low: true });
    // Payment events: a SUCCESSFUL, a FAILED, a SUCCESSFUL after EXPIRED (as the payment appliers report them).
    const payment = (fields: object) => ({ paymentId: 'pay_1', reported: 'SUCCESSFUL', source: 'webhook', result: 'transitioned', ...fields }) as never;
    observeRecord({ kind: 'processed', eventId: 'p1', eventType: 'payment.successful', outcome: 'payment_transitioned', credits: 'credited', payment: payment({ from: 'PENDING', to: 'SUCCESSFUL' }) }, record);
    observeRecord({ kind: 'processed', eventId: 'p2', eventType: 'payment.failed', outcome: 'payment_transitioned', payment: payment({ reported: 'FAILED', from: 'PENDING', to: 'FAILED' }) }, record);
    observeRecord({ kind: 'processed', eventId: 'p3', eventType: 'payment.successful', outcome: 'payment_transitioned', payment: payment({ from: 'EXPIRED', to: 'SUCCESSFUL', reconcile: 'late' }) }, record);
  },
  appointmentsApi: async () => {
    const { observeApiOutcome } = await import('../../shared/observability/api-observer');
    const { onMoncreneauRequest, onLocalThrottleRejected } = await import('../../shared/observability/moncreneau-observer');
    const { observeSecretProblem } = await import('../../shared/observability/secret-observer');
    observeApiOutcome({ kind: 'accepted', command: { commandId: 'c', type: 'create', status: 'QUEUED' } as never, replayed: false, paused: false });
    observeApiOutcome({ kind: 'refused_no_credits', balance: 0 });
    onMoncreneauRequest({ method: 'GET', route: '/appointments', status: 503, durationMs: 120, attempt: 1, outcome: 'server_error', requestId: 'r' } as never);
    onLocalThrottleRejected({ limiter: 'moncreneau', limitedBy: 'per-minute', wouldWaitMs: 1000 });
    observeSecretProblem({ secret: 's', kind: 'not_json' });
  },
  outboundWorker: async () => {
    const { observeOutcome } = await import('../../shared/observability/worker-observer');
    const { onMoncreneauRequest, onLocalThrottleRejected } = await import('../../shared/observability/moncreneau-observer');
    const { observeBalance } = await import('../../shared/observability/credits-observer');
    const { observeSecretProblem } = await import('../../shared/observability/secret-observer');
    const record = { messageId: 'm', attributes: {} } as never;
    const create = { commandId: 'c', type: 'create', attempts: 1 } as never;
    const cancel = { commandId: 'c', type: 'cancel', attempts: 1 } as never;
    observeOutcome({ kind: 'executed', command: create, execution: { kind: 'succeeded', result: { appointment: { id: 1 }, outcome: 'created' } } as never }, record);
    observeOutcome({ kind: 'executed', command: cancel, execution: { kind: 'succeeded', result: { appointmentId: '1', outcome: 'cancelled' } } as never }, record);
    observeOutcome({ kind: 'executed', command: create, execution: { kind: 'definitive', error: { code: 'INSUFFICIENT_CREDITS', message: 'x' }, insufficientCredits: 'local' } as never }, record);
    observeOutcome({ kind: 'executed', command: create, execution: { kind: 'definitive', error: { code: 'INSUFFICIENT_CREDITS', message: 'x' }, insufficientCredits: 'api' } as never }, record);
    onMoncreneauRequest({ method: 'POST', route: '/appointments', status: 201, durationMs: 90, attempt: 1, outcome: 'success', requestId: 'r' } as never);
    onLocalThrottleRejected({ limiter: 'moncreneau', limitedBy: 'per-minute', wouldWaitMs: 1000 });
    observeBalance({ balance: 30, threshold: 10, low: false });
    observeSecretProblem({ secret: 's', kind: 'fetch_failed', servingLastGoodForMs: 1000 });
    // A purchase whose POST answer already settled it (rare: normally PENDING).
    const purchase = { commandId: 'p', type: 'purchase', attempts: 1 } as never;
    const paid = (fields: object) => ({ kind: 'executed', command: purchase, execution: { kind: 'succeeded', result: { payment: { paymentId: 'pay_1', status: 'X', credits: 5 }, outcome: 'purchase_started' }, payment: { paymentId: 'pay_1', reported: 'X', source: 'purchase', result: 'created', from: null, ...fields } } }) as never;
    observeOutcome(paid({ to: 'SUCCESSFUL' }), record);
    observeOutcome(paid({ to: 'FAILED' }), record);
    observeOutcome(paid({ to: 'SUCCESSFUL', reconcile: 'x' }), record);
  },
  paymentsSweeper: async () => {
    const { observeSweep } = await import('../../shared/observability/sweeper-observer');
    const { onMoncreneauRequest, onLocalThrottleRejected } = await import('../../shared/observability/moncreneau-observer');
    const { observeSecretProblem } = await import('../../shared/observability/secret-observer');
    const applied = (fields: object) => ({ paymentId: 'pay_1', reported: 'SUCCESSFUL', result: 'transitioned', from: 'PENDING', ...fields }) as never;
    observeSweep({
      deadline: [
        { applied: applied({ reported: 'EXPIRED', source: 'deadline', to: 'EXPIRED' }), poll: 'PENDING' },
        { applied: applied({ source: 'poll', to: 'SUCCESSFUL' }), poll: 'SUCCESSFUL' },
        { applied: applied({ reported: 'FAILED', source: 'poll', to: 'FAILED' }), poll: 'FAILED' },
        { applied: applied({ source: 'poll', from: 'EXPIRED', to: 'SUCCESSFUL', reconcile: 'late' }), poll: 'SUCCESSFUL' },
      ],
      autoRecharge: { enabled: true, stopped: true, started: { commandId: 'c', credits: 100, balance: 3 }, state: { consecutiveFailures: 3, stoppedAt: 't' } },
    });
    onMoncreneauRequest({ method: 'GET', route: '/credits/purchases/{id}', status: 200, durationMs: 50, attempt: 1, outcome: 'success', requestId: 'r' } as never);
    onLocalThrottleRejected({ limiter: 'moncreneau', limitedBy: 'per-minute', wouldWaitMs: 1000 });
    observeSecretProblem({ secret: 's', kind: 'fetch_failed' });
  },
  healthMonitor: async () => {
    const { observeHealth } = await import('../../shared/observability/health-observer');
    observeHealth({
      balance: { balance: 4, threshold: 10, low: true },
      stuck: { processing: 1, failed: 0, parked: 0, total: 1 },
      secretAges: [
        { secret: 'apiKey', ageDays: 12.5 },
        { secret: 'webhookSecret', ageDays: 3 },
      ],
    });
  },
  secretRotation: async () => {
    const { observeRotation } = await import('../../shared/observability/rotation-observer');
    for (const secret of ['apiKey', 'webhookSecret'] as const) {
      observeRotation({ kind: 'failed', secret, step: 'createSecret', reason: 'nothing_staged', message: 'x' });
      observeRotation({ kind: 'failed', secret, step: 'testSecret', reason: 'key_refused', message: 'x' });
      observeRotation({ kind: 'done', secret, step: 'finishSecret', result: 'promoted' });
    }
  },
};

/** Runs a driver in a fresh module registry, as the function `fn` of `stage`, and returns the EMF it printed. */
async function emittedBy(fn: FunctionKey, stage: StageName): Promise<EmfMetric[]> {
  const w = wiring(STAGES[stage]);
  const saved = { service: process.env.POWERTOOLS_SERVICE_NAME, stage: process.env.STAGE, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE };
  Object.assign(process.env, { POWERTOOLS_SERVICE_NAME: serviceName(w, fn), STAGE: stage, POWERTOOLS_METRICS_NAMESPACE: STAGES[stage].metricsNamespace });
  const before = capturedLogs().length;
  try {
    await jest.isolateModulesAsync(async () => {
      await DRIVERS[fn]();
      const { metrics } = await import('../../shared/observability/powertools');
      metrics.publishStoredMetrics();
    });
  } finally {
    Object.assign(process.env, { POWERTOOLS_SERVICE_NAME: saved.service, STAGE: saved.stage, POWERTOOLS_METRICS_NAMESPACE: saved.namespace });
  }
  return emfMetrics(capturedLogs().slice(before));
}

const UNIT_BY_STATISTIC_NAME: Record<string, string> = { MoncreneauCallLatencyMs: 'Milliseconds' };

describe.each(['dev', 'prod'] as StageName[])('metric contract (%s)', (stage) => {
  const config = STAGES[stage];
  const ours = (refs: MetricRef[]) => refs.filter((r) => r.namespace === config.metricsNamespace);
  const watched = [
    ...ours(alarmSpecs(config).flatMap((s) => Object.values(s.metrics))),
    ...ours(dashboardRows(config).flat().flatMap((g) => g.series.flatMap((s) => Object.values(s.metrics)))),
  ];
  const w = wiring(config);
  const byService = new Map(Object.keys(w.functions).map((fn) => [serviceName(w, fn as FunctionKey), fn as FunctionKey]));

  it('every metric an alarm or the dashboard reads is emitted with that name, unit and exact dimension set', async () => {
    expect(watched.length).toBeGreaterThan(20);
    const emitted = new Map<FunctionKey, EmfMetric[]>();
    for (const fn of Object.keys(DRIVERS) as FunctionKey[]) emitted.set(fn, await emittedBy(fn, stage));
    for (const ref of watched) {
      const fn = byService.get(ref.dimensions.service);
      expect({ metric: ref.name, service: ref.dimensions.service, known: fn !== undefined }).toEqual({ metric: ref.name, service: ref.dimensions.service, known: true });
      const match = emitted.get(fn!)!.find(
        (m) => m.name === ref.name && m.namespace === ref.namespace && JSON.stringify(Object.entries(m.dimensions).sort()) === JSON.stringify(Object.entries(ref.dimensions).sort()),
      );
      expect({ metric: ref.name, dimensions: ref.dimensions, emitted: match !== undefined }).toEqual({ metric: ref.name, dimensions: ref.dimensions, emitted: true });
      if (UNIT_BY_STATISTIC_NAME[ref.name]) expect(match?.unit).toBe(UNIT_BY_STATISTIC_NAME[ref.name]);
    }
  });

  it('an alarm on a metric nobody emits would be caught (the check is not vacuous)', async () => {
    const emitted = await emittedBy('webhookReceiver', stage);
    expect(emitted.some((m) => m.name === 'PaymentsFailed')).toBe(false);
    expect(emitted.some((m) => m.name === 'WebhooksReceived' && m.dimensions.service === 'moncreneau-webhook-receiver' && m.dimensions.stage === stage)).toBe(true);
  });
});
