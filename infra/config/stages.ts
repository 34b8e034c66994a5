/**
 * One typed configuration per stage. CDK stacks and the local runtime read only this file,
 * so "what differs between dev, staging and prod" is visible in one place.
 */
export type StageName = 'dev' | 'staging' | 'prod';

export interface OnCallTargets {
  readonly emails: readonly string[];
  /** HTTPS endpoints, e.g. a PagerDuty or Opsgenie CloudWatch integration URL. */
  readonly httpsEndpoints: readonly string[];
}

/** Who to call at MONCRENEAU when their side is down (runbook "Escalation"; checked by `npm run preflight`). */
export interface EmergencyContact {
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
}

export interface Throttle {
  /** Requests per second (steady) and burst. */
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** How CodeDeploy moves a function's `live` alias to a new version. */
export interface TrafficShift {
  /** canary: `percent` for `intervalMinutes`, then all; linear: `percent` more every `intervalMinutes`; allAtOnce: at once. */
  readonly strategy: 'canary' | 'linear' | 'allAtOnce';
  readonly percent: number;
  readonly intervalMinutes: number;
}

export interface StageConfig {
  readonly stage: StageName;
  /** AWS account/region; undefined = resolved from the CLI environment at deploy time (synth stays offline). */
  readonly account?: string;
  readonly region: string;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Stateful resources survive `cdk destroy` and cannot be deleted by accident. */
  readonly retainData: boolean;
  readonly api: {
    /** Stage-wide API Gateway throttling (requests/s and burst). */
    readonly throttleRateLimit: number;
    readonly throttleBurstLimit: number;
    /**
     * Method-level throttling by kind of route (wiring `auth`): `none` (the public, HMAC-verified webhook) and
     * `iam` (the commands) each have their own bucket, so neither kind can use up the other's.
     */
    readonly routeThrottle: { readonly none: Throttle; readonly iam: Throttle };
    /**
     * Who may call the IAM routes (API resource policy): AWS account ids and IAM principal ARNs (roles, users).
     * Empty `accounts` = the stack's own account. The public webhook route stays open to every caller.
     */
    readonly iamCallers: { readonly accounts: readonly string[]; readonly principalArns: readonly string[] };
  };
  /** Every function is published as a version behind its `live` alias; CodeDeploy shifts traffic this way and rolls back on alarms. */
  readonly deployment: TrafficShift;
  /**
   * AWS WAF web ACL on the API stage: a per-source-IP rate rule and the AWS managed common rule set
   * (body rules count-only on public routes: docs/deploy.md). Absent = no WAF.
   */
  readonly waf?: { readonly requestsPerIpPer5Minutes: number };
  /** AWS Backup plan for every table (daily, in a retained vault), on top of PITR. Absent = PITR only. */
  readonly backup?: { readonly retentionDays: number };
  /**
   * Tables the functions use instead of the stack's own `moncreneau-<stage>-<name>`, by wiring table key:
   * a table restored to a point in time (docs/restore.md). The stack's own table is kept untouched.
   */
  readonly tableOverrides?: Readonly<Record<string, string>>;
  readonly webhooks: {
    /** Largest accepted webhook body in bytes; larger → 413. At most what a queue message carries base64-encoded (~190 KB, checked by the wiring). */
    readonly maxBodyBytes: number;
    /** Reject events whose `created` is older than this (seconds); 0 = no age check (the docs sign no timestamp). */
    readonly maxEventAgeSeconds: number;
    /** Receives before a webhook event lands in the DLQ. */
    readonly maxReceiveCount: number;
    /** Upper bound of concurrent processor instances (SQS event source maximumConcurrency, ≥ 2). */
    readonly processorMaxConcurrency: number;
    /** Days a processed event id is remembered for deduplication and inspection (its raw body holds personal data). */
    readonly eventRetentionDays: number;
    /** Days an appointment stays in the mirror after its last event (names, phone numbers: personal data). */
    readonly appointmentRetentionDays: number;
  };
  readonly moncreneau: {
    /** API base URL (HTTPS; the key's environment decides test vs live, docs/moncreneau-api.md §1). */
    readonly baseUrl: string;
    /** `x-api-key` (what every official client sends) or `bearer`. */
    readonly authScheme: 'x-api-key' | 'bearer';
    /** Client-side limit across every instance (checklist: 100/min). */
    readonly requestsPerMinute: number;
    /** The API key's hourly quota (docs: 1000/h by default). */
    readonly requestsPerHour: number;
  };
  readonly credits: {
    /** Below this balance: CreditsLow metric and log event (checklist example: 10). */
    readonly lowThreshold: number;
    /** Refuse a create locally when the ledger says 0, before calling MONCRENEAU. */
    readonly refuseWhenEmpty: boolean;
  };
  readonly payments: {
    /** A PENDING purchase unanswered this long becomes EXPIRED (checklist: 5 minutes), after one poll. */
    readonly timeoutMinutes: number;
    /** Automatic recharge (flag `autoRecharge`, off unless set): below `threshold`, buy `amount` credits; stop after `maxConsecutiveFailures`. */
    readonly autoRecharge: { readonly threshold: number; readonly amount: number; readonly maxConsecutiveFailures: number };
  };
  readonly outbound: {
    /** Receives of a command message before it lands in the outbound DLQ (crashes, timeouts). */
    readonly maxReceiveCount: number;
    /** Concurrent outbound-worker instances (they share the global rate limit anyway). */
    readonly workerMaxConcurrency: number;
    /** Days command records (and their idempotency keys) are kept. */
    readonly commandRetentionDays: number;
  };
  readonly secrets: {
    /** Secrets Manager rotates the API key and the webhook secret this often (≤ 180 days: checklist §1); nothing staged → "rotation due" alarm. */
    readonly rotationDays: number;
    /** Hours the previous webhook secret stays accepted after a rotation (MONCRENEAU may still sign with it meanwhile). */
    readonly previousWebhookSecretHours: number;
  };
  readonly metricsNamespace: string;
  /** Alarm thresholds (infra/alarms.ts declares the alarms; docs/runbook.md explains each). */
  readonly alarms: {
    /** Webhook API 5xx rate (% of requests) over 5 minutes, once at least `minRequests` arrived. */
    readonly webhook5xxPercent: number;
    readonly webhook5xxMinRequests: number;
    /** MONCRENEAU calls failing (5xx, network, timeout, 429, auth) as % of calls, over 5 minutes, from `minCalls` calls. */
    readonly moncreneauErrorPercent: number;
    readonly moncreneauMinCalls: number;
    /** Average MONCRENEAU call latency over 5 minutes (ms). */
    readonly moncreneauLatencyMs: number;
    /** Oldest message in the webhook queue (seconds): unprocessed webhooks. */
    readonly oldestWebhookSeconds: number;
    /** An event not COMPLETED this long after arrival counts as stuck (health monitor sweep). */
    readonly stuckEventMinutes: number;
    /** Signature rejections per 5 minutes that look like an attack or a wrong secret. */
    readonly signatureRejectionsPer5Min: number;
    /** "No webhook received for N hours" for organizations with steady traffic; 0 = off. */
    readonly noWebhookHours: number;
    /** A secret's value in use older than this (days) alarms, before the 6-month limit. */
    readonly secretAgeDays: number;
  };
  /** Who gets paged (severity `page`) and ticketed (`ticket`); empty lists are allowed (the topic exists either way). */
  readonly onCall: {
    readonly page: OnCallTargets;
    readonly ticket: OnCallTargets;
    /** AWS Chatbot → Slack for both topics, if configured (workspace and channel ids from the Chatbot console). */
    readonly slack?: { readonly workspaceId: string; readonly channelId: string };
  };
  /** MONCRENEAU's emergency contact for this stage; undefined fails the preflight. */
  readonly emergencyContact?: EmergencyContact;
}

const common = {
  region: 'eu-west-3',
  metricsNamespace: 'Moncreneau',
  moncreneau: { baseUrl: 'https://mc-prd.duckdns.org/api/v1', authScheme: 'x-api-key', requestsPerMinute: 100, requestsPerHour: 1000 },
  credits: { lowThreshold: 10, refuseWhenEmpty: true },
  // The recharge starts well above the low-credit page (10), so that a purchase has time to settle first.
  payments: { timeoutMinutes: 5, autoRecharge: { threshold: 25, amount: 100, maxConsecutiveFailures: 3 } },
  secrets: { rotationDays: 90, previousWebhookSecretHours: 72 },
  alarms: {
    webhook5xxPercent: 5,
    webhook5xxMinRequests: 20,
    moncreneauErrorPercent: 5,
    moncreneauMinCalls: 10,
    moncreneauLatencyMs: 200,
    oldestWebhookSeconds: 3600,
    stuckEventMinutes: 30,
    signatureRejectionsPer5Min: 20,
    noWebhookHours: 0,
    secretAgeDays: 150,
  },
  onCall: { page: { emails: [], httpsEndpoints: [] }, ticket: { emails: [], httpsEndpoints: [] } },
  // The only contact MONCRENEAU publishes (docs/moncreneau-api.md §10.6); preflight warns in prod until a direct line is added.
  emergencyContact: { name: 'MONCRENEAU support', email: 'moncreneau.rdv@gmail.com' },
} as const;

export const STAGES: Record<StageName, StageConfig> = {
  dev: {
    ...common,
    stage: 'dev',
    logLevel: 'DEBUG',
    retainData: false,
    api: { throttleRateLimit: 20, throttleBurstLimit: 40, routeThrottle: { none: { rateLimit: 10, burstLimit: 20 }, iam: { rateLimit: 10, burstLimit: 20 } }, iamCallers: { accounts: [], principalArns: [] } },
    deployment: { strategy: 'allAtOnce', percent: 100, intervalMinutes: 0 },
    webhooks: { maxBodyBytes: 190 * 1024, maxEventAgeSeconds: 0, maxReceiveCount: 3, processorMaxConcurrency: 2, eventRetentionDays: 7, appointmentRetentionDays: 90 },
    outbound: { maxReceiveCount: 3, workerMaxConcurrency: 2, commandRetentionDays: 7 },
  },
  staging: {
    ...common,
    stage: 'staging',
    logLevel: 'INFO',
    retainData: false,
    api: { throttleRateLimit: 50, throttleBurstLimit: 100, routeThrottle: { none: { rateLimit: 25, burstLimit: 50 }, iam: { rateLimit: 25, burstLimit: 50 } }, iamCallers: { accounts: [], principalArns: [] } },
    deployment: { strategy: 'linear', percent: 10, intervalMinutes: 1 },
    webhooks: { maxBodyBytes: 190 * 1024, maxEventAgeSeconds: 0, maxReceiveCount: 5, processorMaxConcurrency: 5, eventRetentionDays: 14, appointmentRetentionDays: 180 },
    outbound: { maxReceiveCount: 5, workerMaxConcurrency: 3, commandRetentionDays: 14 },
  },
  prod: {
    ...common,
    stage: 'prod',
    logLevel: 'INFO',
    retainData: true,
    api: { throttleRateLimit: 100, throttleBurstLimit: 200, routeThrottle: { none: { rateLimit: 50, burstLimit: 100 }, iam: { rateLimit: 50, burstLimit: 100 } }, iamCallers: { accounts: [], principalArns: [] } },
    // 10 % of invocations on the new version for 5 minutes, then all of them; any guarding alarm rolls it back.
    deployment: { strategy: 'canary', percent: 10, intervalMinutes: 5 },
    // 3000 requests per 5 minutes from one IP (10/s sustained) is far above a normal delivery rate: docs/moncreneau-api.md.
    waf: { requestsPerIpPer5Minutes: 3000 },
    backup: { retentionDays: 35 },
    webhooks: { maxBodyBytes: 190 * 1024, maxEventAgeSeconds: 0, maxReceiveCount: 5, processorMaxConcurrency: 10, eventRetentionDays: 30, appointmentRetentionDays: 400 },
    outbound: { maxReceiveCount: 5, workerMaxConcurrency: 5, commandRetentionDays: 30 },
  },
};

export function stageConfig(name: string | undefined): StageConfig {
  const key = (name ?? 'dev') as StageName;
  const config = STAGES[key];
  if (!config) {
    throw new Error(`Unknown stage "${name}". Use one of: ${Object.keys(STAGES).join(', ')}`);
  }
  return config;
}
