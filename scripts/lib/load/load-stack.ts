/**
 * The local stack as the load runs use it: every function, the emulators (optionally behind the AWS fault
 * proxy), the MONCRENEAU sandbox with a key of the run's own whose hourly quota is the one the kit is told
 * (as a real key's would be), enough credits, the ledger seeded from the sandbox as an operator would, and
 * optionally a proxy in front of the sandbox's API that records every arrival and its answer (the server's
 * view: what MONCRENEAU would count and answer).
 */
import { DEFAULT_WEBHOOK_SECRET } from '../../../sandbox/defaults';
import type { SandboxControl } from '../../../sandbox/control';
import { startArrivalProxy, type ArrivalProxy } from '../../../bench/lib/arrival-proxy';
import type { Emulators } from '../../../infra/local/emulators';
import { seedLedgerFromSandbox } from '../../../infra/local/seed-ledger';
import { startLocalStack, type LocalStack } from '../../../infra/local/stack';
import { MONCRENEAU_CALLER_ENV } from '../../../shared/config/function-env';
import { API_KEY_LOCAL_ENV, WEBHOOK_SECRET_LOCAL_ENV } from '../../../shared/config/local-secrets';
import { startAwsFaultProxy, type AwsFaultProxy } from './aws-fault-proxy';

export interface LoadStackOptions {
  readonly emulators: Emulators;
  readonly namePrefix: string;
  /** Credits the sandbox organization holds (and the ledger is seeded with). */
  readonly credits: number;
  /** The kit's rules and the run key's quota: what the kit is configured with equals what the server enforces. */
  readonly perMinute: number;
  readonly perHour: number;
  /** Faults at the AWS wire (seeded). */
  readonly awsFaults?: { readonly seed: number };
  /** Record arrivals at the sandbox's API. */
  readonly recordArrivals?: boolean;
  /** Visibility timeout of every queue (default: the local runtime's). */
  readonly visibilityTimeoutSeconds?: number;
  /** Extra tuning for the functions (client timeouts…). */
  readonly env?: Readonly<Record<string, string>>;
  readonly log?: (line: string) => void;
}

export interface LoadStack {
  readonly stack: LocalStack;
  readonly sandbox: SandboxControl;
  readonly apiKey: string;
  readonly ledgerSeed: number;
  readonly arrivals?: ArrivalProxy;
  readonly awsFaults?: AwsFaultProxy;
  stop(): Promise<void>;
}

export async function startLoadStack(options: LoadStackOptions): Promise<LoadStack> {
  const log = options.log ?? (() => undefined);
  const awsFaults = options.awsFaults ? await startAwsFaultProxy(options.emulators, options.awsFaults.seed) : undefined;
  const captured: { sandbox?: SandboxControl; apiKey?: string; arrivals?: ArrivalProxy } = {};
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      port: 0,
      emulators: awsFaults ? { ...options.emulators, dynamoEndpoint: awsFaults.dynamoEndpoint, sqsEndpoint: awsFaults.sqsEndpoint, stop: async () => undefined } : options.emulators,
      namePrefix: options.namePrefix,
      withSandbox: true,
      sandboxPort: 0,
      pollWaitTimeSeconds: 1,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      log,
      prepare: async (context) => {
        const sandbox = context.sandbox;
        if (!sandbox) throw new Error('the load stack needs the sandbox');
        captured.sandbox = sandbox.control;
        sandbox.control.setCredits(options.credits);
        // Webhook retries on the scale of the run, not of hours (the schedule's shape is the sandbox's).
        sandbox.control.setRetrySchedule([200, 500, 1000, 2000, 5000]);
        captured.apiKey = sandbox.control.createKey({ name: 'load run', quotaPerHour: options.perHour }).key;
        if (options.recordArrivals) captured.arrivals = await startArrivalProxy(sandbox.apiBaseUrl);
        await seedLedgerFromSandbox(context);
      },
      functionEnv: () => ({
        [WEBHOOK_SECRET_LOCAL_ENV.current]: DEFAULT_WEBHOOK_SECRET,
        [API_KEY_LOCAL_ENV.apiKey]: captured.apiKey ?? '',
        [MONCRENEAU_CALLER_ENV.ratePerMinute]: String(options.perMinute),
        [MONCRENEAU_CALLER_ENV.ratePerHour]: String(options.perHour),
        ...(captured.arrivals ? { [MONCRENEAU_CALLER_ENV.baseUrl]: captured.arrivals.url } : {}),
        ...options.env,
      }),
    });
  } catch (error) {
    await captured.arrivals?.stop();
    await awsFaults?.stop();
    throw error;
  }
  return {
    stack,
    sandbox: captured.sandbox!,
    apiKey: captured.apiKey!,
    ledgerSeed: options.credits,
    arrivals: captured.arrivals,
    awsFaults,
    stop: async () => {
      awsFaults?.setRates({ dynamodb: 0, sqs: 0, afterWrite: 0 });
      await stack.stop();
      await captured.arrivals?.stop();
      await awsFaults?.stop();
    },
  };
}
