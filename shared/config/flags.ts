/**
 * Every feature flag, declared once: its default (what an unset flag means) and what turning it off does.
 * The flags live in the `feature-flags` DynamoDB table (shared/adapters/feature-flags.ts), are read at run
 * time with a short cache, and are changed with `npm run flags` (a reason recorded for each change).
 */
export const FLAGS = {
  outboundWrites: {
    default: true,
    description: 'Kill switch for calls out: off = commands are still accepted (202) and kept; the outbound worker re-queues them with a delay until it is back on.',
  },
  webhookProcessing: {
    default: true,
    description:
      'Off = the receiver keeps verifying and queueing webhooks; nothing takes them off the queue (the processor\'s SQS event source mapping is disabled in AWS, the local poller stops receiving), so no receive count is burnt.',
  },
  autoRecharge: {
    default: false,
    description: 'Automatic credit top-up (payments capability). Off by default: turning it on lets the kit start payments on its own.',
  },
} as const satisfies Record<string, { readonly default: boolean; readonly description: string }>;

export type FlagName = keyof typeof FLAGS;

export const FLAG_NAMES = Object.keys(FLAGS) as FlagName[];

export function isFlagName(name: string): name is FlagName {
  return Object.prototype.hasOwnProperty.call(FLAGS, name);
}
