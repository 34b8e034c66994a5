/**
 * sandbox CLI. `serve` runs the sandbox (npm run sandbox); every other subcommand talks to a running
 * sandbox's control plane (--url, SANDBOX_URL, or http://127.0.0.1:$SANDBOX_PORT).
 */
import { parseArgs } from 'node:util';
import { ControlClient, ControlClientError } from './control-client';
import { DEFAULT_API_KEY, DEFAULT_PORT, DEFAULT_SEED, DEFAULT_WEBHOOK_SECRET, webhookUrlFromEnv } from './defaults';
import { maskSecret } from './domain/mask';
import { startSandbox } from './server';

const USAGE = `Usage: tsx sandbox/cli.ts <command> [options]

  serve [--port N] [--host H] [--seed N] [--webhook-url URL|""] [--state-file F]
        [--payment-delay MS] [--retry-schedule 1000,5000,...]
  status
  credits [set N] [--org ID]
  key create [--scopes a,b] [--quota N] [--expired] [--org ID] [--name NAME]
  key list | key revoke <key>
  webhook list [--reveal] | webhook set <url> [--secret S] [--events a,b] | webhook add <url> [...]
  webhook remove <id> | webhook none
  retry-schedule [set 100,200,400]
  faults [get] | faults clear
  faults set [--error-rate R] [--latency MS] [--hang-rate R] [--drop-rate R] [--after-commit]
             [--duplicate-rate R] [--out-of-order-rate R] [--wrong-signature-rate R] [--seed N] [--replace]
  trigger <event-type> [--appointment ID] [--payment ID] [--credits N] [--object JSON]
  deliveries [--event ID] [--type T] [--status pending|delivered|failed] | deliveries flush | deliveries clear
  payment list | payment settle <id> SUCCESSFUL|FAILED
  payment-delay <ms>
  assumptions [get] | assumptions set <json>
  clock | clock advance <ms>
  reset

Global: --url http://127.0.0.1:4010 (default: SANDBOX_URL or http://127.0.0.1:$SANDBOX_PORT)`;

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    seed: { type: 'string' },
    'webhook-url': { type: 'string' },
    'state-file': { type: 'string' },
    'payment-delay': { type: 'string' },
    'retry-schedule': { type: 'string' },
    org: { type: 'string' },
    scopes: { type: 'string' },
    quota: { type: 'string' },
    expired: { type: 'boolean' },
    name: { type: 'string' },
    secret: { type: 'string' },
    events: { type: 'string' },
    reveal: { type: 'boolean' },
    'error-rate': { type: 'string' },
    latency: { type: 'string' },
    'hang-rate': { type: 'string' },
    'drop-rate': { type: 'string' },
    'after-commit': { type: 'boolean' },
    'duplicate-rate': { type: 'string' },
    'out-of-order-rate': { type: 'string' },
    'wrong-signature-rate': { type: 'string' },
    replace: { type: 'boolean' },
    appointment: { type: 'string' },
    payment: { type: 'string' },
    credits: { type: 'string' },
    object: { type: 'string' },
    event: { type: 'string' },
    type: { type: 'string' },
    status: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const list = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));
const numbers = (v: string | undefined): number[] | undefined => list(v)?.map(Number);
const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
/** Drops undefined fields so partial updates only send what was given. */
const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function print(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

async function serve(): Promise<void> {
  const env = process.env;
  const port = num(opts.port) ?? num(env.SANDBOX_PORT) ?? DEFAULT_PORT;
  const webhookUrl = opts['webhook-url'] !== undefined ? opts['webhook-url'].trim() || null : webhookUrlFromEnv(env);
  const sandbox = await startSandbox({
    port,
    host: opts.host ?? env.SANDBOX_HOST,
    seed: num(opts.seed) ?? num(env.SANDBOX_SEED) ?? DEFAULT_SEED,
    webhookUrl,
    stateFile: opts['state-file'] ?? (env.SANDBOX_STATE_FILE || undefined),
    paymentDelayMs: num(opts['payment-delay']) ?? num(env.SANDBOX_PAYMENT_DELAY_MS),
    webhookRetrySchedule: numbers(opts['retry-schedule']),
    logger: (line) => console.log(`[sandbox] ${line}`),
  });
  console.log(`MONCRENEAU sandbox ready
  API base URL   ${sandbox.apiBaseUrl}
  control plane  ${sandbox.url}/_sandbox
  API key        ${maskSecret(DEFAULT_API_KEY)} (sandbox/defaults.ts DEFAULT_API_KEY)
  webhooks       ${webhookUrl ?? '(none)'} signed with ${maskSecret(DEFAULT_WEBHOOK_SECRET)}
Ctrl-C to stop.`);
  const shutdown = (): void => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

async function control(command: string, args: string[]): Promise<void> {
  const base = opts.url ?? process.env.SANDBOX_URL ?? `http://127.0.0.1:${process.env.SANDBOX_PORT ?? DEFAULT_PORT}`;
  const c = new ControlClient(base);
  const [sub, a1, a2] = args;
  const org = num(opts.org);
  switch (command) {
    case 'status':
      return print({
        health: await c.request('GET', '/health'),
        credits: await c.request('GET', '/credits'),
        webhooks: await c.request('GET', '/webhooks'),
        faults: await c.request('GET', '/faults'),
        clock: await c.request('GET', '/clock'),
      });
    case 'credits':
      if (sub === 'set') return print(await c.request('PUT', '/credits', defined({ credits: Number(a1), organizationId: org })));
      return print(await c.request('GET', `/credits${org ? `?organizationId=${org}` : ''}`));
    case 'key':
      if (sub === 'create') {
        return print(
          await c.request('POST', '/keys', defined({ scopes: list(opts.scopes), quotaPerHour: num(opts.quota), expired: opts.expired, organizationId: org, name: opts.name })),
        );
      }
      if (sub === 'revoke') return print(await c.request('POST', '/keys/revoke', { key: a1 }));
      return print(await c.request('GET', '/keys'));
    case 'webhook':
      if (sub === 'set' || sub === 'add') {
        const body = defined({ url: a1, secret: opts.secret, events: list(opts.events) });
        return print(await c.request(sub === 'set' ? 'PUT' : 'POST', '/webhooks', body));
      }
      if (sub === 'none') return print(await c.request('PUT', '/webhooks', {}));
      if (sub === 'remove') return print(await c.request('DELETE', `/webhooks/${encodeURIComponent(a1)}`));
      return print(await c.request('GET', `/webhooks${opts.reveal ? '?reveal=true' : ''}`));
    case 'retry-schedule':
      if (sub === 'set') return print(await c.request('PUT', '/webhooks/retry-schedule', { retryScheduleMs: numbers(a1) }));
      return print(await c.request('GET', '/webhooks/retry-schedule'));
    case 'faults':
      if (sub === 'clear') return print(await c.request('DELETE', '/faults'));
      if (sub === 'set') {
        const body = defined({
          errorRate: num(opts['error-rate']),
          latencyMs: num(opts.latency),
          hangRate: num(opts['hang-rate']),
          dropRate: num(opts['drop-rate']),
          afterCommit: opts['after-commit'],
          duplicateRate: num(opts['duplicate-rate']),
          outOfOrderRate: num(opts['out-of-order-rate']),
          wrongSignatureRate: num(opts['wrong-signature-rate']),
          seed: num(opts.seed),
        });
        return print(await c.request('PUT', `/faults${opts.replace ? '?replace=true' : ''}`, body));
      }
      return print(await c.request('GET', '/faults'));
    case 'trigger':
      return print(
        await c.request(
          'POST',
          '/events',
          defined({
            type: sub,
            appointmentId: opts.appointment,
            paymentId: opts.payment,
            credits: num(opts.credits),
            organizationId: org,
            object: opts.object ? (JSON.parse(opts.object) as unknown) : undefined,
          }),
        ),
      );
    case 'deliveries':
      if (sub === 'flush') return print(await c.request('POST', '/deliveries/flush', {}));
      if (sub === 'clear') return print(await c.request('DELETE', '/deliveries'));
      return print(
        await c.request('GET', `/deliveries?${new URLSearchParams(defined({ eventId: opts.event, eventType: opts.type, status: opts.status }) as Record<string, string>)}`),
      );
    case 'payment':
      if (sub === 'settle') return print(await c.request('POST', `/payments/${encodeURIComponent(a1)}/settle`, { status: a2 }));
      return print(await c.request('GET', '/payments'));
    case 'payment-delay':
      return print(await c.request('PUT', '/payments/delay', { ms: Number(sub) }));
    case 'assumptions':
      if (sub === 'set') return print(await c.request('PUT', '/assumptions', JSON.parse(a1) as unknown));
      return print(await c.request('GET', '/assumptions'));
    case 'clock':
      if (sub === 'advance') return print(await c.request('POST', '/clock/advance', { ms: Number(a1) }));
      return print(await c.request('GET', '/clock'));
    case 'reset':
      return print(await c.request('POST', '/reset'));
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = positionals;
  if (opts.help || !command) {
    console.log(USAGE);
    if (!command && !opts.help) process.exitCode = 2;
    return;
  }
  if (command === 'serve') return serve();
  return control(command, rest);
}

main().catch((err: unknown) => {
  console.error(err instanceof ControlClientError || err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
