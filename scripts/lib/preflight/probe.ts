/**
 * What the checks may ask of a target, and nothing more: the local stack (`local-probe.ts`) and a
 * deployed stage (`aws-probe.ts`) each answer it, so every check runs unchanged on both. A question
 * that has no meaning on a target answers `undefined` (the check then reports "not applicable").
 */
import type { StageConfig } from '../../../infra/config/stages';
import type { QueueKey, SecretKey, TableKey, Wiring } from '../../../infra/wiring';

export interface SecretHistory {
  /** The secret still holds the value generated at deploy time (never set by an operator). */
  readonly neverSet: boolean;
  readonly rotationEnabled: boolean;
  readonly rotationDays?: number;
  /** When the current value was last set or rotated. */
  readonly lastChanged?: Date;
}

export interface AlarmStatus {
  readonly id: string;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /** Actions on ALARM (SNS topics); locally the severity's topic the deployed alarm would get. */
  readonly actions: number;
}

export interface FlagView {
  readonly name: string;
  readonly enabled: boolean;
}

export interface StageProbe {
  readonly kind: 'local' | 'aws';
  readonly label: string;
  readonly config: StageConfig;
  readonly wiring: Wiring;
  /** The secret's JSON fields; throws when it cannot be read. Values never leave the checks. */
  secret(key: SecretKey): Promise<Readonly<Record<string, unknown>>>;
  secretHistory(key: SecretKey): Promise<SecretHistory | undefined>;
  /** MONCRENEAU's base URL as the functions use it (the sandbox locally). */
  readonly moncreneauBaseUrl: string;
  /** The public webhook URL; undefined when the stage exposes none. */
  webhookUrl(): Promise<string | undefined>;
  /** Visible + in-flight messages. */
  queueDepth(key: QueueKey): Promise<number>;
  pointInTimeRecovery(key: TableKey): Promise<boolean | undefined>;
  alarms(): Promise<AlarmStatus[]>;
  /** Confirmed subscriptions to the page topic; undefined locally. */
  pageSubscribers(): Promise<number | undefined>;
  /** Publishes the test page; undefined when the target has no paging. */
  sendTestPage?(reason: string): Promise<string>;
  eventStatus(eventId: string): Promise<string | undefined>;
  /** The ledger's balance; null while unknown. */
  creditsBalance(): Promise<number | null>;
  flags(): Promise<FlagView[]>;
}
