/**
 * What the payments logic needs from the outside world: the payment store (DynamoDB, with the ledger credit
 * in the same transaction), the purchase attempts, the automatic recharge's state, and MONCRENEAU's
 * purchase endpoints. Adapters in shared/adapters implement them.
 */
import type { CreditsResource } from '../moncreneau/client/resources/credits';
import type { PaymentReport } from '../moncreneau/payment-contract';
import type { PaymentMeta, PaymentRecord, PaymentStatus, PaymentTransition } from './types';

/** `already_credited`: the write happened but the ledger entry `payment#<id>` existed (never twice). */
export type CreditWrite = 'credited' | 'already_credited' | 'not_credited';

export interface PaymentStore {
  get(paymentId: string): Promise<PaymentRecord | undefined>;
  /** Put if absent (`exists` otherwise); `credit`: the ledger entry and the balance in the same transaction. */
  create(record: PaymentRecord, credit: boolean): Promise<{ readonly kind: 'created'; readonly credit: CreditWrite } | { readonly kind: 'exists' }>;
  /** One conditional write: status `from` → `to`, the transition appended, the ledger credited in the same transaction when `credit` is given. */
  transition(
    paymentId: string,
    change: { readonly from: PaymentStatus; readonly to: PaymentStatus; readonly transition: PaymentTransition; readonly credit?: number; readonly reconcile?: string },
  ): Promise<{ readonly kind: 'done'; readonly credit: CreditWrite } | { readonly kind: 'conflict' }>;
  /** Marks it for an operator (no status change). */
  flag(paymentId: string, reconcile: string): Promise<void>;
  /** Adds who started it to a record first made from a webhook (only the fields it lacks). */
  annotate(paymentId: string, meta: PaymentMeta): Promise<void>;
  /** PENDING payments whose deadline is at or before `now`, oldest deadline first. */
  due(now: Date, limit: number): Promise<PaymentRecord[]>;
}

/** Our POST of one purchase command, so that it is never sent twice (MONCRENEAU documents no idempotency). */
export type AttemptState =
  | { readonly kind: 'begun' }
  /** An earlier execution sent the POST and did not record the answer: it may have started a payment. */
  | { readonly kind: 'sending'; readonly since: string }
  | { readonly kind: 'done'; readonly report: PaymentReport };

export interface PurchaseAttempts {
  /** SENDING unless an earlier execution got here first (then its state). */
  begin(commandId: string): Promise<AttemptState>;
  done(commandId: string, report: PaymentReport): Promise<void>;
  /** The POST certainly did not start a payment (refused, or never sent): a later execution may send it. */
  notSent(commandId: string): Promise<void>;
  attempt(commandId: string): Promise<AttemptState | undefined>;
}

export interface AutoRechargeState {
  /** The purchase command in flight (at most one). */
  readonly commandId?: string;
  readonly startedAt?: string;
  readonly consecutiveFailures: number;
  /** Set after K consecutive failures: no more automatic purchases until an operator resumes. */
  readonly stoppedAt?: string;
  readonly stoppedReason?: string;
  readonly lastOutcome?: string;
}

export interface AutoRechargeStore {
  read(): Promise<AutoRechargeState>;
  /** Conditional: only when no purchase is in flight and not stopped. */
  claim(commandId: string, at: string): Promise<boolean>;
  /** Conditional on `commandId` still being the one in flight: clears it and records the outcome. */
  settle(commandId: string, outcome: { readonly failed: boolean; readonly lastOutcome: string; readonly stopAfter: number; readonly at: string }): Promise<AutoRechargeState | undefined>;
  /** Operator: clears the stop and the failure count. */
  resume(reason: string, at: string): Promise<void>;
}

export type PurchasePort = Pick<CreditsResource, 'purchase' | 'getPurchase'>;
