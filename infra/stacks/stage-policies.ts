/**
 * Per-stage operational choices derived from StageConfig, in one place: what follows from the
 * stage's kind (prod or not) rather than being a setting of its own.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StageConfig } from '../config/stages';

/** Prod keeps a year of logs for incident forensics; dev/staging a month is plenty. */
export function logRetention(config: StageConfig): RetentionDays {
  return config.retainData ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH;
}

/** `webhookEvents` → `WebhookEvents`: construct ids and output names from wiring keys. */
export function pascal(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/** Keys of a wiring record, typed (Object.keys loses the key type). */
export function keysOf<K extends string>(record: Readonly<Record<K, unknown>>): K[] {
  return Object.keys(record) as K[];
}
