/**
 * The whole local runtime (real handlers in worker threads, emulators, the MONCRENEAU sandbox) tuned
 * for the command scenarios: short client timeouts and backoff, a 1 s pause delay, no flag cache.
 * Plus small helpers to drive it: HTTP calls, sandbox control, ledger, DLQ inspection.
 */
import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, ReceiveMessageCommand, DeleteMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { localClients, type LocalClients } from '../../infra/local/clients';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../infra/local/stack';
import { DEFAULT_API_KEY, DEFAULT_WEBHOOK_SECRET } from '../../sandbox/defaults';
import { ControlClient } from '../../sandbox/control-client';
import { CreditsLedger } from '../../shared/adapters/credits-ledger';
import { documentClient } from '../../shared/adapters/aws-clients';
import { seedLedgerFromSandbox } from '../../infra/local/seed-ledger';
import { FeatureFlags } from '../../shared/adapters/feature-flags';
import { emulatorsFromEnv, eventually, uniquePrefix } from './local-helpers';

/** Env the functions inherit (worker threads get process.env + the wiring's values). */
export const FAST_ENV: Record<string, string> = {
  MONCRENEAU_API_KEY: DEFAULT_API_KEY,
  MONCRENEAU_WEBHOOK_SECRET: DEFAULT_WEBHOOK_SECRET,
  MONCRENEAU_TIMEOUT_MS: '1000',
  MONCRENEAU_RETRY_BASE_DELAY_MS: '100',
  OUTBOUND_PAUSE_DELAY_SECONDS: '1',
  FLAGS_CACHE_TTL_MS: '0',
  // Transient failures come back after the (short) test visibility timeout, not after 30 s.
  OUTBOUND_RETRY_BASE_SECONDS: '0',
};

export interface CommandsStack {
  readonly stack: LocalStack;
  readonly clients: LocalClients;
  readonly sandbox: ControlClient;
  readonly ledger: CreditsLedger;
  readonly flags: FeatureFlags;
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  waitForCommand(commandId: string, statuses: readonly string[], timeoutMs?: number): Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  sandboxAppointments(filter?: (a: SandboxAppointment) => boolean): Promise<SandboxAppointment[]>;
  dlqDepth(): Promise<number>;
  /** Receives (and deletes) the DLQ message of a command, with its attributes. */
  takeDlqMessage(commandId: string): Promise<Message>;
  stop(): Promise<void>;
}

export interface SandboxAppointment {
  readonly id: number;
  readonly departmentId: number;
  readonly dateTime: string;
  readonly status: string;
  readonly externalUserId?: string;
  readonly name: string;
}

export async function startCommandsStack(
  log: (line: string) => void = () => undefined,
  env: Record<string, string> = {},
  stackOptions: Pick<LocalStackOptions, 'metricsFile' | 'scheduleMinuteMs'> = {},
): Promise<CommandsStack> {
  Object.assign(process.env, FAST_ENV, env);
  const stack = await startLocalStack({
    port: 0,
    emulators: emulatorsFromEnv(),
    namePrefix: uniquePrefix('cmds'),
    // Longer than one worker invocation under hanging requests (≈ 2 timeouts + backoff), as 6 × the function timeout is in AWS.
    visibilityTimeoutSeconds: 4,
    withSandbox: true,
    sandboxPort: 0,
    prepare: seedLedgerFromSandbox,
    pollWaitTimeSeconds: 1,
    ...stackOptions,
    log,
  });
  const clients = localClients(emulatorsFromEnv());
  const db = documentClient(clients.dynamodb);
  const sandbox = new ControlClient(stack.sandboxUrl ?? '');
  const api: CommandsStack['api'] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
  };
  const dlqUrl = stack.resources.queues.outboundCommandsDlq.url;
  return {
    stack,
    clients,
    sandbox,
    ledger: new CreditsLedger(stack.resources.tables.ledger, { db }),
    flags: new FeatureFlags(stack.resources.tables.flags, { db, cacheMs: 0 }),
    api,
    async waitForCommand(commandId, statuses, timeoutMs = 30_000) {
      return eventually(
        async () => {
          const res = await api('GET', `/commands/${commandId}`);
          return statuses.includes(res.body.status) ? res.body : undefined;
        },
        `command ${commandId} to be ${statuses.join('|')}`,
        timeoutMs,
        200,
      );
    },
    async sandboxAppointments(filter = () => true) {
      return ((await sandbox.request('GET', '/appointments')) as SandboxAppointment[]).filter(filter);
    },
    async dlqDepth() {
      const out = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    },
    async takeDlqMessage(commandId) {
      return eventually(
        async () => {
          const out = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 1, MessageAttributeNames: ['All'] }));
          const message = (out.Messages ?? []).find((m) => m.Body?.includes(commandId));
          if (message?.ReceiptHandle) await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }));
          return message;
        },
        `the DLQ message of ${commandId}`,
        15_000,
        300,
      );
    },
    async stop() {
      await stack.stop();
      clients.destroy();
    },
  };
}

/** A fresh `Idempotency-Key` header (required on POST /appointments): one per booking, reused only for its retries. */
export function idempotencyHeader(label = 'it'): Record<string, string> {
  return { 'Idempotency-Key': `${label}-${randomUUID()}` };
}

/** The n-th bookable slot of department 5 (Mon–Fri 08:00–12:00, 30 min) in the week after next, so always in the future. */
export function slot(n: number): string {
  const now = new Date();
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + ((8 - now.getUTCDay()) % 7 || 7) + 7));
  const day = new Date(monday.getTime() + Math.floor(n / 8) * 86_400_000);
  const minutes = 8 * 60 + (n % 8) * 30;
  return `${day.toISOString().slice(0, 10)}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;
}
