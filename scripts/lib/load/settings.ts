/**
 * The load runs' settings: full and `--short` defaults, command-line overrides, and the bounds every run
 * stays within (count and time), whatever it is asked.
 */
import { fail } from '../args';
import type { OutboundRunOptions } from './outbound-run';
import type { WebhookRunOptions } from './webhook-run';

export { runOutboundLoad } from './outbound-run';
export { runWebhookLoad } from './webhook-run';

export const BOUNDS = { maxEvents: 10_000, maxDurationSeconds: 3600, maxScale: 20, maxCommands: 200, maxKills: 20 } as const;

type Options = Record<string, string | true>;
export type WebhookSettings = Omit<WebhookRunOptions, 'emulators' | 'progress' | 'log'>;
export type OutboundSettings = Omit<OutboundRunOptions, 'emulators' | 'progress' | 'log'>;

/** `npm test`'s run: small enough for a loaded 2-core machine, every fault still present. */
export const SHORT_WEBHOOKS: WebhookSettings = {
  events: 150,
  seed: 7,
  concurrency: 8,
  awsFaults: { dynamodb: 0.05, sqs: 0.05, afterWrite: 0.3 },
  kills: 1,
  commands: 6,
  sandboxFaults: { errorRate: 0.2, hangRate: 0.1 },
  settleTimeoutMs: 60_000,
  redrive: true,
};

export const FULL_WEBHOOKS: WebhookSettings = { ...SHORT_WEBHOOKS, events: 10_000, concurrency: 16, kills: 5, commands: 40, settleTimeoutMs: 30 * 60_000 };

/** 10 s at 100/min with a key of MONCRENEAU's default quota (1000/h): the path works end to end, no 429. */
export const SHORT_OUTBOUND: OutboundSettings = { durationMs: 10_000, scale: 1, perMinute: 100, perHour: 1000, offeredPerMinute: 100, drainTimeoutMs: 60_000 };
/**
 * 3 minutes at 100/min with a key whose quota is 6000/h: sustaining 100/min needs it (at the default 1000/h
 * the kit holds ~16/min, as it must). `--per-hour 1000` shows that.
 */
export const FULL_OUTBOUND: OutboundSettings = { ...SHORT_OUTBOUND, durationMs: 180_000, perHour: 6000, drainTimeoutMs: 5 * 60_000 };

function number(options: Options, name: string, fallback: number, min: number, max: number): number {
  const raw = options[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw === true || !Number.isFinite(value) || value < min || value > max) fail(`--${name} must be a number from ${min} to ${max}`);
  return value;
}

export function webhookSettings(options: Options, short: boolean): WebhookSettings {
  const base = short ? SHORT_WEBHOOKS : FULL_WEBHOOKS;
  const rate = number(options, 'aws-faults', base.awsFaults.dynamodb, 0, 0.5);
  return {
    ...base,
    events: Math.round(number(options, 'events', base.events, 1, BOUNDS.maxEvents)),
    kills: Math.round(number(options, 'kills', base.kills, 0, BOUNDS.maxKills)),
    commands: Math.round(number(options, 'commands', base.commands, 0, BOUNDS.maxCommands)),
    seed: Math.round(number(options, 'seed', base.seed, 0, 2 ** 31)),
    awsFaults: { ...base.awsFaults, dynamodb: rate, sqs: rate },
    redrive: options['no-redrive'] !== true,
  };
}

export function outboundSettings(options: Options, short: boolean): OutboundSettings {
  const base = short ? SHORT_OUTBOUND : FULL_OUTBOUND;
  const perMinute = Math.round(number(options, 'per-minute', base.perMinute, 1, 10_000));
  return {
    ...base,
    durationMs: number(options, 'duration', base.durationMs / 1000, 1, BOUNDS.maxDurationSeconds) * 1000,
    scale: number(options, 'scale', base.scale, 1, BOUNDS.maxScale),
    perMinute,
    perHour: Math.round(number(options, 'per-hour', base.perHour, 1, 1_000_000)),
    offeredPerMinute: number(options, 'offered', options['per-minute'] === undefined ? base.offeredPerMinute : perMinute, 1, 10_000),
  };
}
