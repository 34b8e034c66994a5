/**
 * What a report (MONCRENEAU's answer, or the deadline's EXPIRED) does to a payment, given its current
 * status. Pure: the adapter writes the decision conditionally on the status it was decided from.
 */
import type { PaymentStatus } from './types';

export type Decision =
  /** Unknown payment: record it in the reported status (credit it if SUCCESSFUL). */
  | { readonly kind: 'create'; readonly to: PaymentStatus; readonly credit: boolean }
  | { readonly kind: 'transition'; readonly from: PaymentStatus; readonly to: PaymentStatus; readonly credit: boolean; readonly reconcile?: string }
  /** Nothing to write: the same status again (a duplicate), an older news (PENDING after an answer), too late (EXPIRED after an answer). */
  | { readonly kind: 'none'; readonly why: 'duplicate' | 'stale' | 'settled' }
  /** Contradictory answers that cannot be undone (FAILED after SUCCESSFUL: the credits stay): flag it for an operator. */
  | { readonly kind: 'flag'; readonly reconcile: string };

export function decide(current: PaymentStatus | undefined, reported: PaymentStatus): Decision {
  if (current === undefined) return reported === 'EXPIRED' ? { kind: 'none', why: 'stale' } : { kind: 'create', to: reported, credit: reported === 'SUCCESSFUL' };
  if (current === reported) return { kind: 'none', why: 'duplicate' };
  if (reported === 'PENDING') return { kind: 'none', why: 'stale' };
  switch (current) {
    case 'PENDING':
      return { kind: 'transition', from: current, to: reported, credit: reported === 'SUCCESSFUL' };
    case 'EXPIRED':
      if (reported === 'SUCCESSFUL') return { kind: 'transition', from: current, to: reported, credit: true, reconcile: 'SUCCESSFUL after EXPIRED: the money was taken after the deadline; credited' };
      return { kind: 'transition', from: current, to: reported, credit: false };
    case 'FAILED':
      if (reported === 'SUCCESSFUL') return { kind: 'transition', from: current, to: reported, credit: true, reconcile: 'SUCCESSFUL after FAILED: contradictory answers; credited' };
      return { kind: 'none', why: 'settled' };
    case 'SUCCESSFUL':
      if (reported === 'FAILED') return { kind: 'flag', reconcile: 'FAILED after SUCCESSFUL: contradictory answers; the credits were kept' };
      return { kind: 'none', why: 'settled' };
  }
}
