/**
 * Appointment commands: what the API accepts and the outbound worker executes. Pure types.
 * A command is stored as `cmd#<id>` in the commands table; its lifecycle:
 *   QUEUED → RUNNING → SUCCEEDED | FAILED
 *   RUNNING → RETRYING (transient failure, SQS redelivers) → RUNNING …
 *   QUEUED | RETRYING → PAUSED (kill switch off, re-enqueued with a delay) → RUNNING …
 *   FAILED → RUNNING again only when its DLQ message is replayed (operator decision).
 */
import type { Appointment, CreateAppointmentRequest, UpdateAppointmentRequest } from '../moncreneau/client/types';

export type CommandType = 'create' | 'update' | 'cancel' | 'purchase';

export type CommandStatus = 'QUEUED' | 'RUNNING' | 'RETRYING' | 'PAUSED' | 'SUCCEEDED' | 'FAILED';

export const TERMINAL_STATUSES: readonly CommandStatus[] = ['SUCCEEDED', 'FAILED'];

export interface CommandError {
  readonly code: string;
  readonly message: string;
  /** HTTP status MONCRENEAU answered, when there was one. */
  readonly status?: number;
}

/** What each command type carries. `create` always has an externalUserId (defaulted to `kit-<commandId>`). */
export type CommandPayload =
  | { readonly type: 'create'; readonly request: CreateAppointmentRequest }
  | { readonly type: 'update'; readonly appointmentId: string; readonly changes: UpdateAppointmentRequest }
  | { readonly type: 'cancel'; readonly appointmentId: string }
  /**
   * A credit purchase (docs/payments.md). The payer phone is never stored in clear: only its mask is kept
   * here; the number itself travels in the queue message (CommandMessage.phone) to the worker.
   */
  | { readonly type: 'purchase'; readonly credits: number; readonly origin: 'api' | 'cli' | 'auto'; readonly reason: string; readonly phoneMasked?: string };

export interface CommandRecord {
  readonly commandId: string;
  readonly type: CommandType;
  readonly payload: CommandPayload;
  readonly status: CommandStatus;
  /** Executions started (RUNNING transitions). */
  readonly attempts: number;
  /** Definitive failures so far; a DLQ replay re-runs the command only if this still matches. */
  readonly failures: number;
  readonly idempotencyKey?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
  readonly enqueuedAt?: string;
  /** A worker holds the command until then (epoch ms): a concurrent duplicate delivery backs off. */
  readonly leaseUntil?: number;
  readonly result?: CommandResult;
  readonly error?: CommandError;
  readonly lastError?: CommandError;
  readonly pausedReason?: string;
  /** Epoch seconds (DynamoDB TTL). */
  readonly expiresAt: number;
}

export type CommandResult =
  | {
      readonly appointment: Appointment;
      readonly outcome: 'created' | 'recovered' | 'duplicate' | 'updated';
      /** A booking adopted by a lookup although MONCRENEAU's list did not return these fields (see docs/moncreneau-client.md §4). */
      readonly matchedWithout?: readonly ('externalUserId' | 'name')[];
      /** Why `matchedWithout` is set, in words. */
      readonly lookupNote?: string;
    }
  | {
      readonly appointmentId: string;
      readonly outcome: 'cancelled' | 'already_cancelled';
      /**
       * The credits MONCRENEAU reported refunded (the appointment read after the DELETE; `from` names the field,
       * `default` = 1) and what the ledger did: `already_refunded` when the cancellation webhook recorded it first.
       */
      readonly refund?: { readonly credits: number; readonly from: 'creditsRefunded' | 'creditsConsumed' | 'creditsUsed' | 'default'; readonly ledger: 'refunded' | 'already_refunded' };
    }
  | {
      /** The payment MONCRENEAU started (PENDING until its webhook, a poll or the deadline settles it: npm run credits). */
      readonly payment: { readonly paymentId: string; readonly status: string; readonly credits: number };
      /** `already_started`: a redelivery found the purchase already sent and answered. */
      readonly outcome: 'purchase_started' | 'already_started';
    };

export function isTerminal(status: CommandStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The default externalUserId of a create without one: lets a retry look the booking up (no double booking). */
export function defaultExternalUserId(commandId: string): string {
  return `kit-${commandId}`;
}
