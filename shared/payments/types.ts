/**
 * A credit purchase as the kit records it (table `payments`, item `pay#<paymentId>`). Pure types.
 *   PENDING → SUCCESSFUL | FAILED | EXPIRED (the kit's own state: no answer by the deadline)
 *   EXPIRED → SUCCESSFUL (late: the money was taken; credited, flagged for reconciliation) | FAILED (late confirmation)
 *   FAILED  → SUCCESSFUL (contradictory answers: credited, flagged)
 * Every transition is one conditional write on the status read; SUCCESSFUL credits the ledger in the same
 * transaction (entry `payment#<paymentId>`), so the credits are added exactly once.
 */
import type { ReportedStatus } from '../moncreneau/payment-contract';

export type PaymentStatus = ReportedStatus | 'EXPIRED';

/** What made a transition: a webhook, a poll, the deadline sweep, our POST's answer, an operator. */
export type PaymentSource = 'webhook' | 'poll' | 'deadline' | 'purchase' | 'operator';

/** Who started the purchase: our API, the operator command, the automatic recharge, or not us (dashboard, lost answer). */
export type PaymentOrigin = 'api' | 'cli' | 'auto' | 'unknown';

export interface PaymentTransition {
  readonly from: PaymentStatus | null;
  readonly to: PaymentStatus;
  readonly source: PaymentSource;
  readonly at: string;
  /** The event id, the poll's finding, … */
  readonly ref?: string;
}

export interface PaymentRecord {
  readonly paymentId: string;
  readonly status: PaymentStatus;
  readonly credits: number;
  readonly amount?: number;
  readonly currency?: string;
  readonly reference?: string;
  readonly origin: PaymentOrigin;
  /** The purchase command that started it, when it was us. */
  readonly commandId?: string;
  readonly reason?: string;
  /** The payer's phone, masked (`+224•••••••67`): never stored in clear. */
  readonly phoneMasked?: string;
  /** When the kit first recorded it. */
  readonly createdAt: string;
  /** A PENDING payment still unanswered at this instant becomes EXPIRED (after one poll). */
  readonly deadlineAt: string;
  readonly updatedAt: string;
  readonly transitions: readonly PaymentTransition[];
  /** Set by the transaction that credited the ledger (`payment#<paymentId>`). */
  readonly creditedAt?: string;
  /** Why an operator should look at it (a SUCCESSFUL after EXPIRED, contradictory answers). */
  readonly reconcile?: string;
}

/** What the purchase's metadata adds to a record it creates or meets. */
export interface PaymentMeta {
  readonly origin: PaymentOrigin;
  readonly commandId?: string;
  readonly reason?: string;
  readonly phoneMasked?: string;
}

export const DEFAULT_PAYMENT_TIMEOUT_MINUTES = 5;

/** `+224621234567` → `+224•••••••67`: enough to recognise, not enough to call. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 6) return '•••';
  return `${phone.startsWith('+') ? '+' : ''}${digits.slice(0, 3)}${'•'.repeat(digits.length - 5)}${digits.slice(-2)}`;
}

/** E.164-looking: `+` and 8 to 15 digits (MONCRENEAU decides what it accepts). */
export function isPhone(value: unknown): value is string {
  return typeof value === 'string' && /^\+\d{8,15}$/.test(value);
}
