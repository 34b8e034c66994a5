/**
 * The single source of truth for how the system is wired: tables, queues, secrets, functions,
 * their routes, event sources, environment and permissions. No CDK or AWS SDK imports here:
 * the CDK stacks (infra/stacks) and the local runtime (infra/local) both interpret this data,
 * and test/infra/wiring-agreement.test.ts proves they agree.
 */
import { COMMANDS_ENV, FUNCTION_ENV, MONCRENEAU_CALLER_ENV, PAYMENTS_ENV } from '../shared/config/function-env';
import type { FlagName } from '../shared/config/flags';
import { API_KEY_LOCAL_ENV, WEBHOOK_SECRET_LOCAL_ENV } from '../shared/config/local-secrets';
import { maxRawBodyBytes } from '../shared/webhooks/queue-body';
import type { StageConfig } from './config/stages';

export type TableKey = 'events' | 'appointments' | 'commands' | 'ledger' | 'rateLimits' | 'flags' | 'payments';
export type QueueKey = 'webhookEvents' | 'webhookEventsDlq' | 'outboundCommands' | 'outboundCommandsDlq';
export type SecretKey = 'webhookSecret' | 'apiKey';
export type FunctionKey = 'webhookReceiver' | 'webhookProcessor' | 'appointmentsApi' | 'outboundWorker' | 'healthMonitor' | 'paymentsSweeper' | 'secretRotation';

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface TableSpec {
  /** Physical name suffix; the full name is `moncreneau-<stage>-<name>`. */
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly timeToLiveAttribute?: string;
  readonly globalIndexes?: ReadonlyArray<{
    readonly indexName: string;
    readonly partitionKey: KeyAttribute;
    readonly sortKey?: KeyAttribute;
    /** Non-key attributes copied into the index (INCLUDE); absent = all of them. */
    readonly include?: readonly string[];
  }>;
  /**
   * The physical table the functions use instead of the stack's own (the stage's `tableOverrides`: a table
   * restored to a point in time, docs/restore.md). The stack's own table stays as it is.
   */
  readonly override?: string;
}

export interface QueueSpec {
  readonly name: string;
  /** Set explicitly: new SQS queues default to 1 MiB, and the receiver's body limit is derived from this. */
  readonly maxMessageBytes: number;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  /** Where messages go after `maxReceiveCount` receives. */
  readonly deadLetter?: { readonly queue: QueueKey; readonly maxReceiveCount: number };
}

export interface SecretSpec {
  readonly name: string;
  readonly description: string;
  /** Local runtime: the environment variables that stand in for the secret's JSON fields. */
  readonly localEnv: Readonly<Record<string, string>>;
  /** Secrets Manager calls `function` for each rotation step every `everyDays` days (≤ 180: checklist §1). */
  readonly rotation: { readonly function: FunctionKey; readonly everyDays: number };
}

/** A value for a function's environment, resolved by CDK (tokens) or by the local runtime (emulator names). */
export type EnvValue =
  | { readonly tableName: TableKey }
  | { readonly queueUrl: QueueKey }
  | { readonly secretArn: SecretKey }
  | { readonly value: string };

/** DynamoDB item actions a function may be granted (IAM names without `dynamodb:`). TransactWriteItems is
 * authorized as the Put/Update/ConditionCheck items it carries; TransactGetItems as GetItem. */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'ConditionCheckItem' | 'DeleteItem' | 'BatchWriteItem' | 'Scan';
export type QueueAction = 'SendMessage' | 'ReceiveMessage' | 'DeleteMessage' | 'ChangeMessageVisibility' | 'GetQueueAttributes';
export type SecretAction = 'GetSecretValue' | 'DescribeSecret' | 'PutSecretValue' | 'UpdateSecretVersionStage' | 'ListSecretVersionIds';

/**
 * What a function may do, named action by action (infra/permissions.ts turns each into one IAM statement;
 * test/infra/stack.test.ts asserts the exact list per function). `index`: the actions apply to that global
 * secondary index only (a Query on it), not to the table's items.
 * The `access` forms are named sets kept for brevity (infra/permissions.ts lists their actions); none of
 * them includes DeleteItem or Scan.
 */
export type Permission =
  | { readonly table: TableKey; readonly actions: readonly TableAction[]; readonly index?: string }
  | { readonly queue: QueueKey; readonly actions: readonly QueueAction[] }
  | { readonly secret: SecretKey; readonly actions: readonly SecretAction[] }
  | { readonly table: TableKey; readonly access: 'read' | 'readWrite' | 'updateItem' }
  | { readonly queue: QueueKey; readonly access: 'send' | 'consume' }
  | { readonly secret: SecretKey; readonly access: 'read' };

export interface RouteSpec {
  readonly method: 'ANY' | 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** API Gateway resource path; `{name}` segments are path parameters. */
  readonly path: string;
  /** `none`: the function authenticates the caller itself (HMAC); `iam`: SigV4-signed callers only. */
  readonly auth: 'none' | 'iam';
}

export interface FunctionSpec {
  /** Folder under functions/ holding handler.ts (one handler per folder). */
  readonly folder: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly routes?: readonly RouteSpec[];
  readonly queueSource?: {
    readonly queue: QueueKey;
    readonly batchSize: number;
    readonly maxBatchingWindowSeconds: number;
    readonly maxConcurrency: number;
    readonly reportBatchItemFailures: true;
    /**
     * A flag that, when off, stops taking messages off the queue (the event source mapping is disabled by
     * `npm run flags`; the local poller checks it before each receive), so paused messages burn no receives.
     */
    readonly pausedByFlag?: FlagName;
  };
  /** Invoked on a fixed rate (EventBridge rule in AWS, a timer locally). */
  readonly schedule?: { readonly everyMinutes: number };
  readonly environment: Readonly<Record<string, EnvValue>>;
  readonly permissions: readonly Permission[];
}

export interface Wiring {
  readonly prefix: string;
  readonly tables: Readonly<Record<TableKey, TableSpec>>;
  readonly queues: Readonly<Record<QueueKey, QueueSpec>>;
  readonly secrets: Readonly<Record<SecretKey, SecretSpec>>;
  readonly functions: Readonly<Record<FunctionKey, FunctionSpec>>;
}

const DAY = 24 * 60 * 60;
/** Checklist §1: API keys rotate at least every 6 months. */
export const MAX_ROTATION_DAYS = 180;
const PROCESSOR_TIMEOUT_SECONDS = 30;
/** Three attempts of ≤ 10 s, backoff 2 s + 4 s (+ jitter), a lookup before a retried create: well under 90 s. */
const OUTBOUND_WORKER_TIMEOUT_SECONDS = 90;
/** API Gateway REST integrations time out at 29 s. */
const API_TIMEOUT_SECONDS = 29;

/**
 * 256 KiB: a webhook body travels base64-encoded when SQS cannot carry it as is, and the event store keeps
 * it in one DynamoDB item (≤ 400 KB), so the receiver's limit is ~190 KB whichever way it travels.
 */
const QUEUE_MESSAGE_BYTES = 256 * 1024;

/** AWS guidance: an SQS event source's queue visibility timeout ≥ 6 × the function timeout. */
export const VISIBILITY_FACTOR = 6;

export function wiring(config: StageConfig): Wiring {
  const prefix = `moncreneau-${config.stage}`;
  const largestBody = maxRawBodyBytes(QUEUE_MESSAGE_BYTES);
  if (config.webhooks.maxBodyBytes > largestBody) {
    throw new Error(`Stage ${config.stage}: webhooks.maxBodyBytes ${config.webhooks.maxBodyBytes} exceeds ${largestBody}, the largest body a ${QUEUE_MESSAGE_BYTES}-byte queue message carries base64-encoded`);
  }
  if (config.secrets.rotationDays > MAX_ROTATION_DAYS || config.secrets.rotationDays < 1) {
    throw new Error(`Stage ${config.stage}: secrets.rotationDays ${config.secrets.rotationDays} must be between 1 and ${MAX_ROTATION_DAYS} (checklist: rotation at least every 6 months)`);
  }
  const rotation = { function: 'secretRotation', everyDays: config.secrets.rotationDays } as const;
  return {
    prefix,
    tables: withOverrides(config, {
      events: {
        name: 'webhook-events',
        partitionKey: { name: 'eventId', type: 'S' },
        timeToLiveAttribute: 'expiresAt',
        // "Recent events" listing: one partition per UTC day, newest first. Only what the listing shows is
        // copied, never the raw body (names, phone numbers): personal data stays in one place, with its TTL.
        globalIndexes: [
          {
            indexName: 'byDay',
            partitionKey: { name: 'day', type: 'S' },
            sortKey: { name: 'receivedAt', type: 'S' },
            include: ['eventType', 'created', 'status', 'attempts', 'duplicates', 'outcome', 'creditsOutcome', 'lastError', 'parkReason'],
          },
        ],
      },
      appointments: {
        name: 'appointments',
        partitionKey: { name: 'appointmentId', type: 'S' },
        // Personal data: an appointment expires `appointmentRetentionDays` after its last event.
        timeToLiveAttribute: 'expiresAt',
      },
      commands: {
        name: 'commands',
        // `cmd#<id>` records and `idem#<Idempotency-Key>` reservations share the table.
        partitionKey: { name: 'pk', type: 'S' },
        timeToLiveAttribute: 'expiresAt',
      },
      ledger: {
        name: 'credits-ledger',
        // `balance` plus one item per movement, keyed by a deterministic entry id (exactly once).
        partitionKey: { name: 'entryId', type: 'S' },
        globalIndexes: [{ indexName: 'byMonth', partitionKey: { name: 'month', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } }],
      },
      rateLimits: {
        name: 'rate-limits',
        partitionKey: { name: 'pk', type: 'S' },
        timeToLiveAttribute: 'expiresAt',
      },
      flags: {
        name: 'feature-flags',
        partitionKey: { name: 'name', type: 'S' },
      },
      payments: {
        name: 'payments',
        // `pay#<paymentId>` (a purchase and its transitions), `attempt#<commandId>` (our POST, sent once),
        // `auto-recharge` (its state). Financial records: no TTL; the payer phone is stored masked only.
        partitionKey: { name: 'pk', type: 'S' },
        globalIndexes: [
          { indexName: 'byMonth', partitionKey: { name: 'month', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } },
          // Sparse: only PENDING payments carry `openStatus`; the deadline sweep reads those past `deadlineAt`.
          { indexName: 'due', partitionKey: { name: 'openStatus', type: 'S' }, sortKey: { name: 'deadlineAt', type: 'S' } },
        ],
      },
    }),
    queues: {
      webhookEvents: {
        name: 'webhook-events',
        maxMessageBytes: QUEUE_MESSAGE_BYTES,
        visibilityTimeoutSeconds: VISIBILITY_FACTOR * PROCESSOR_TIMEOUT_SECONDS,
        retentionSeconds: 4 * DAY,
        deadLetter: { queue: 'webhookEventsDlq', maxReceiveCount: config.webhooks.maxReceiveCount },
      },
      webhookEventsDlq: {
        name: 'webhook-events-dlq',
        maxMessageBytes: QUEUE_MESSAGE_BYTES,
        visibilityTimeoutSeconds: 30,
        retentionSeconds: 14 * DAY,
      },
      outboundCommands: {
        name: 'outbound-commands',
        maxMessageBytes: QUEUE_MESSAGE_BYTES,
        visibilityTimeoutSeconds: VISIBILITY_FACTOR * OUTBOUND_WORKER_TIMEOUT_SECONDS,
        retentionSeconds: 4 * DAY,
        deadLetter: { queue: 'outboundCommandsDlq', maxReceiveCount: config.outbound.maxReceiveCount },
      },
      outboundCommandsDlq: {
        name: 'outbound-commands-dlq',
        maxMessageBytes: QUEUE_MESSAGE_BYTES,
        visibilityTimeoutSeconds: 30,
        retentionSeconds: 14 * DAY,
      },
    },
    secrets: {
      webhookSecret: {
        name: 'webhook-secret',
        description: 'MONCRENEAU webhook signing secret: {"current":"whsec_…","previous":"whsec_…"}',
        localEnv: WEBHOOK_SECRET_LOCAL_ENV,
        rotation,
      },
      apiKey: {
        name: 'api-key',
        description: 'MONCRENEAU API key: {"apiKey":"mk_live_…"}',
        localEnv: API_KEY_LOCAL_ENV,
        rotation,
      },
    },
    functions: {
      webhookReceiver: {
        folder: 'webhook-receiver',
        description: 'Verifies MONCRENEAU webhook signatures and enqueues events',
        timeoutSeconds: 10,
        memoryMb: 512,
        routes: [{ method: 'ANY', path: '/webhooks/moncreneau', auth: 'none' }],
        environment: bindEnv(FUNCTION_ENV.webhookReceiver, {
          eventsQueueUrl: { queueUrl: 'webhookEvents' },
          // An event the queue refuses for good is parked in the event store instead of being lost.
          eventsTable: { tableName: 'events' },
          eventRetentionDays: { value: String(config.webhooks.eventRetentionDays) },
          webhookSecretArn: { secretArn: 'webhookSecret' },
          maxBodyBytes: { value: String(config.webhooks.maxBodyBytes) },
          maxEventAgeSeconds: { value: String(config.webhooks.maxEventAgeSeconds) },
        }),
        permissions: [
          { queue: 'webhookEvents', actions: ['SendMessage'] },
          // Parks an event the queue refuses for good; it never reads the table.
          { table: 'events', actions: ['UpdateItem'] },
          { secret: 'webhookSecret', actions: ['GetSecretValue'] },
        ],
      },
      webhookProcessor: {
        folder: 'webhook-processor',
        description: 'Deduplicates and applies MONCRENEAU webhook events',
        timeoutSeconds: PROCESSOR_TIMEOUT_SECONDS,
        memoryMb: 512,
        queueSource: {
          queue: 'webhookEvents',
          batchSize: 10,
          maxBatchingWindowSeconds: 0,
          maxConcurrency: config.webhooks.processorMaxConcurrency,
          reportBatchItemFailures: true,
          pausedByFlag: 'webhookProcessing',
        },
        environment: bindEnv(FUNCTION_ENV.webhookProcessor, {
          eventsTable: { tableName: 'events' },
          appointmentsTable: { tableName: 'appointments' },
          ledgerTable: { tableName: 'ledger' },
          lowCreditThreshold: { value: String(config.credits.lowThreshold) },
          eventRetentionDays: { value: String(config.webhooks.eventRetentionDays) },
          appointmentRetentionDays: { value: String(config.webhooks.appointmentRetentionDays) },
          // A crashed attempt's claim expires before SQS shows the message again.
          processingLeaseSeconds: { value: String(PROCESSOR_TIMEOUT_SECONDS) },
          ...paymentsEnvironment(config),
        }),
        permissions: [
          // Claims and completions (UpdateItem), a first delivery's record (PutItem in the one write), the known-events read.
          { table: 'events', actions: ['BatchGetItem', 'PutItem', 'UpdateItem'] },
          // Put-if-absent, overwrite-if-newer, fill-gaps: conditional writes, never a read.
          { table: 'appointments', actions: ['PutItem', 'UpdateItem'] },
          // Entries are put once (conditional), the balance item updated, both read back; never deleted.
          { table: 'ledger', actions: ['GetItem', 'PutItem', 'UpdateItem'] },
          // Payment transitions: conditional puts and updates (with the ledger credit in one transaction); never deleted.
          { table: 'payments', actions: ['GetItem', 'PutItem', 'UpdateItem'] },
        ],
      },
      healthMonitor: {
        folder: 'health-monitor',
        description: 'Publishes the credits balance, the stuck webhook events and the age of each secret for the alarms, on a schedule',
        timeoutSeconds: 60,
        memoryMb: 256,
        // The low-credit alarm treats a missing balance as breaching: it needs a datapoint every period.
        schedule: { everyMinutes: 5 },
        environment: bindEnv(FUNCTION_ENV.healthMonitor, {
          ledgerTable: { tableName: 'ledger' },
          eventsTable: { tableName: 'events' },
          lowCreditThreshold: { value: String(config.credits.lowThreshold) },
          stuckEventMinutes: { value: String(config.alarms.stuckEventMinutes) },
          eventRetentionDays: { value: String(config.webhooks.eventRetentionDays) },
          apiKeySecretArn: { secretArn: 'apiKey' },
          webhookSecretArn: { secretArn: 'webhookSecret' },
        }),
        permissions: [
          { table: 'ledger', actions: ['GetItem'] },
          // The stuck-events sweep reads the byDay index only (no body is projected there).
          { table: 'events', index: 'byDay', actions: ['Query'] },
          // The age of the value in use: version dates only, never the value.
          { secret: 'apiKey', actions: ['ListSecretVersionIds'] },
          { secret: 'webhookSecret', actions: ['ListSecretVersionIds'] },
        ],
      },
      secretRotation: {
        folder: 'secret-rotation',
        description: 'Rotates the API key and the webhook secret (Secrets Manager four-step protocol) from a value the operator staged',
        timeoutSeconds: 60,
        memoryMb: 256,
        environment: bindEnv(FUNCTION_ENV.secretRotation, {
          apiKeySecretArn: { secretArn: 'apiKey' },
          webhookSecretArn: { secretArn: 'webhookSecret' },
          baseUrl: { value: config.moncreneau.baseUrl },
          authScheme: { value: config.moncreneau.authScheme },
          webhookPreviousWindowHours: { value: String(config.secrets.previousWebhookSecretHours) },
        }),
        permissions: [
          // The four-step protocol on these two secrets only: read the staged and pending versions, write the pending one, move the labels.
          { secret: 'apiKey', actions: ['DescribeSecret', 'GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage'] },
          { secret: 'webhookSecret', actions: ['DescribeSecret', 'GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage'] },
        ],
      },
      appointmentsApi: {
        folder: 'appointments-api',
        description: 'Accepts appointment commands (IAM-signed callers) and answers their status',
        timeoutSeconds: API_TIMEOUT_SECONDS,
        memoryMb: 512,
        routes: APPOINTMENTS_API_ROUTES,
        environment: bindEnv(FUNCTION_ENV.appointmentsApi, {
          ...commandsEnvironment(config),
          commandRetentionDays: { value: String(config.outbound.commandRetentionDays) },
        }),
        permissions: [
          ...commandsPermissions(),
          // Creates commands and idempotency reservations, marks them enqueued, reads them back.
          { table: 'commands', actions: ['GetItem', 'PutItem', 'UpdateItem'] },
          // The balance, for the local 402.
          { table: 'ledger', actions: ['GetItem'] },
          { queue: 'outboundCommands', actions: ['SendMessage'] },
        ],
      },
      outboundWorker: {
        folder: 'outbound-worker',
        description: 'Executes appointment commands against MONCRENEAU under the global rate limit',
        timeoutSeconds: OUTBOUND_WORKER_TIMEOUT_SECONDS,
        memoryMb: 512,
        queueSource: {
          queue: 'outboundCommands',
          // One command per invocation: each is a slow external call with its own deadline.
          batchSize: 1,
          maxBatchingWindowSeconds: 0,
          maxConcurrency: config.outbound.workerMaxConcurrency,
          reportBatchItemFailures: true,
        },
        environment: bindEnv(FUNCTION_ENV.outboundWorker, {
          ...commandsEnvironment(config),
          outboundDlqUrl: { queueUrl: 'outboundCommandsDlq' },
          lowCreditThreshold: { value: String(config.credits.lowThreshold) },
          ...paymentsEnvironment(config),
        }),
        permissions: [
          ...commandsPermissions(),
          // Runs and settles existing commands: it never creates one.
          { table: 'commands', actions: ['GetItem', 'UpdateItem'] },
          // Reserve, confirm, release, sync: conditional puts of entries and updates of the balance; never deleted.
          { table: 'ledger', actions: ['GetItem', 'PutItem', 'UpdateItem'] },
          // A paused command is re-sent with a delay; a transient failure's visibility is shortened (polling: queueSource).
          { queue: 'outboundCommands', actions: ['SendMessage', 'ChangeMessageVisibility'] },
          { queue: 'outboundCommandsDlq', actions: ['SendMessage'] },
          // A purchase command records its payment (and the attempt that sent it) with conditional writes.
          { table: 'payments', actions: ['GetItem', 'PutItem', 'UpdateItem'] },
        ],
      },
      paymentsSweeper: {
        folder: 'payments-sweeper',
        description: 'Expires unanswered purchases at their deadline (after one poll) and runs the automatic recharge, every minute',
        timeoutSeconds: 60,
        memoryMb: 256,
        // A one-minute sweep rather than a Scheduler one-shot per payment: the same code runs locally on a
        // timer, no per-payment resources, lateness ≤ 1 minute (docs/payments.md).
        schedule: { everyMinutes: 1 },
        environment: bindEnv(FUNCTION_ENV.paymentsSweeper, {
          ...commandsEnvironment(config),
          ...paymentsEnvironment(config),
          commandRetentionDays: { value: String(config.outbound.commandRetentionDays) },
          autoRechargeThreshold: { value: String(config.payments.autoRecharge.threshold) },
          autoRechargeAmount: { value: String(config.payments.autoRecharge.amount) },
          autoRechargeMaxFailures: { value: String(config.payments.autoRecharge.maxConsecutiveFailures) },
        }),
        permissions: [
          ...commandsPermissions(),
          // Starts automatic-recharge purchases as commands (idempotency record + command record) and queues them.
          { table: 'commands', actions: ['GetItem', 'PutItem', 'UpdateItem'] },
          { queue: 'outboundCommands', actions: ['SendMessage'] },
          // Reads the balance; a poll that finds a payment SUCCESSFUL credits it (entry put once, balance updated).
          { table: 'ledger', actions: ['GetItem', 'PutItem', 'UpdateItem'] },
          // Transitions and the auto-recharge state; the deadline sweep queries the sparse `due` index only.
          { table: 'payments', actions: ['GetItem', 'PutItem', 'UpdateItem'] },
          { table: 'payments', index: 'due', actions: ['Query'] },
        ],
      },
    },
  };
}

/** The appointments API's routes; its router (shared/commands/api.ts) serves exactly these (a test proves it). */
export const APPOINTMENTS_API_ROUTES: readonly RouteSpec[] = [
  { method: 'POST', path: '/appointments', auth: 'iam' },
  { method: 'GET', path: '/appointments', auth: 'iam' },
  { method: 'GET', path: '/appointments/{id}', auth: 'iam' },
  { method: 'PATCH', path: '/appointments/{id}', auth: 'iam' },
  { method: 'DELETE', path: '/appointments/{id}', auth: 'iam' },
  { method: 'GET', path: '/commands/{id}', auth: 'iam' },
  { method: 'POST', path: '/credits/purchases', auth: 'iam' },
];

type EnvValues<Names> = { readonly [K in keyof Names]: EnvValue };

/**
 * A function's environment: a value for each name the function reads (shared/config/function-env.ts),
 * no more, no fewer — a missing or an extra key does not compile.
 */
function bindEnv<Names extends Readonly<Record<string, string>>>(names: Names, values: NoInfer<EnvValues<Names>>): Record<string, EnvValue> {
  return Object.fromEntries(Object.entries(names).map(([key, name]) => [name, values[key as keyof Names]]));
}

function moncreneauEnvironment(config: StageConfig): EnvValues<typeof MONCRENEAU_CALLER_ENV> {
  return {
    baseUrl: { value: config.moncreneau.baseUrl },
    authScheme: { value: config.moncreneau.authScheme },
    apiKeySecretArn: { secretArn: 'apiKey' },
    rateLimitTable: { tableName: 'rateLimits' },
    ratePerMinute: { value: String(config.moncreneau.requestsPerMinute) },
    ratePerHour: { value: String(config.moncreneau.requestsPerHour) },
  };
}

function commandsEnvironment(config: StageConfig): EnvValues<typeof COMMANDS_ENV> {
  return {
    ...moncreneauEnvironment(config),
    commandsTable: { tableName: 'commands' },
    ledgerTable: { tableName: 'ledger' },
    flagsTable: { tableName: 'flags' },
    outboundQueueUrl: { queueUrl: 'outboundCommands' },
    refuseWhenNoCredits: { value: String(config.credits.refuseWhenEmpty) },
  };
}

function paymentsEnvironment(config: StageConfig): EnvValues<typeof PAYMENTS_ENV> {
  return {
    paymentsTable: { tableName: 'payments' },
    paymentTimeoutMinutes: { value: String(config.payments.timeoutMinutes) },
  };
}

/** What both command functions need for the kill switch and the rate-limited MONCRENEAU client. */
function commandsPermissions(): Permission[] {
  return [
    { table: 'flags', actions: ['GetItem'] },
    // One guarded update per grant, a read of the schedule when a pause or a conflict needs it.
    { table: 'rateLimits', actions: ['GetItem', 'UpdateItem'] },
    { secret: 'apiKey', actions: ['GetSecretValue'] },
  ];
}

/** Environment every function gets, whatever it does. */
export function commonEnvironment(config: StageConfig, functionKey: FunctionKey): Record<string, string> {
  return {
    STAGE: config.stage,
    POWERTOOLS_SERVICE_NAME: `moncreneau-${wiringFolder(functionKey)}`,
    POWERTOOLS_METRICS_NAMESPACE: config.metricsNamespace,
    POWERTOOLS_LOG_LEVEL: config.logLevel,
    NODE_OPTIONS: '--enable-source-maps',
  };
}

function wiringFolder(key: FunctionKey): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function physicalName(w: Wiring, name: string): string {
  return `${w.prefix}-${name}`;
}

/** The table the functions and the operator commands use: the stage's override, else the stack's own. */
export function tableNameInUse(w: Wiring, key: TableKey): string {
  return w.tables[key].override ?? physicalName(w, w.tables[key].name);
}

/** Applies the stage's `tableOverrides`; an unknown table key or an empty name is a configuration error. */
function withOverrides(config: StageConfig, tables: Record<TableKey, TableSpec>): Record<TableKey, TableSpec> {
  const overrides = config.tableOverrides ?? {};
  for (const [key, name] of Object.entries(overrides)) {
    if (!(key in tables)) throw new Error(`Stage ${config.stage}: tableOverrides names an unknown table "${key}" (known: ${Object.keys(tables).join(', ')})`);
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) throw new Error(`Stage ${config.stage}: tableOverrides.${key} "${name}" is not a DynamoDB table name`);
  }
  return Object.fromEntries(Object.entries(tables).map(([key, spec]) => [key, overrides[key] ? { ...spec, override: overrides[key] } : spec])) as Record<TableKey, TableSpec>;
}

/** Queues in dependency order: a dead-letter target before the queues that redrive into it. */
export function queueOrder(w: Wiring): QueueKey[] {
  const ordered: QueueKey[] = [];
  const visit = (key: QueueKey, path: QueueKey[]): void => {
    if (ordered.includes(key)) return;
    if (path.includes(key)) throw new Error(`Dead-letter cycle in wiring: ${[...path, key].join(' → ')}`);
    const target = w.queues[key].deadLetter?.queue;
    if (target) visit(target, [...path, key]);
    ordered.push(key);
  };
  for (const key of Object.keys(w.queues) as QueueKey[]) visit(key, []);
  return ordered;
}
