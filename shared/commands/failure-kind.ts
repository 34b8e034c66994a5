/**
 * Definitive or transient? Decides what the worker does with a failed MONCRENEAU call. Pure.
 *  - definitive: MONCRENEAU gave a final answer (4xx other than 429): release the credit, FAILED,
 *    the message goes to the DLQ with its reason (replayable after a fix).
 *  - transient: 5xx, network, timeouts, 429, our deadline or rate limiter, an unknown create
 *    outcome, 402 CREDIT_CHECK_FAILED (MONCRENEAU could not check the balance: not a refusal), or
 *    anything that is not a MONCRENEAU answer (DynamoDB hiccup): keep the credit, RETRYING, and let
 *    SQS redeliver (then its redrive moves it to the DLQ).
 * Of the 402s, only INSUFFICIENT_CREDITS with a numeric `available` tells us the balance
 * (`reportedAvailableCredits`); PAYMENT_REQUIRED or any other 402 code fails that command only.
 */
import {
  AuthenticationError,
  ConflictError,
  ForbiddenError,
  InsufficientCreditsError,
  MoncreneauError,
  NotFoundError,
  UnexpectedResponseError,
  UnexpectedStatusError,
  ValidationError,
} from '../moncreneau/client/errors';
import type { CommandError, CommandType } from './types';

export type FailureKind = 'definitive' | 'transient';

/** 402 codes (docs/moncreneau-api.md §4.3). A 402 without a readable code is mapped to INSUFFICIENT_CREDITS by errors.ts. */
export const CREDITS_CODES = { insufficient: 'INSUFFICIENT_CREDITS', checkFailed: 'CREDIT_CHECK_FAILED' } as const;

export function failureKind(error: unknown, type: CommandType): FailureKind {
  if (!(error instanceof MoncreneauError)) return 'transient';
  // A 2xx we could not read may still have booked: treat a create like an unknown outcome.
  if (error instanceof UnexpectedResponseError) return type === 'create' ? 'transient' : 'definitive';
  if (error instanceof InsufficientCreditsError && error.code === CREDITS_CODES.checkFailed) return 'transient';
  const definitive =
    error instanceof ValidationError ||
    error instanceof InsufficientCreditsError ||
    error instanceof ConflictError ||
    error instanceof NotFoundError ||
    error instanceof ForbiddenError ||
    error instanceof AuthenticationError ||
    error instanceof UnexpectedStatusError;
  return definitive ? 'definitive' : 'transient';
}

/**
 * The credits MONCRENEAU says it holds, when it says so: only a 402 INSUFFICIENT_CREDITS whose
 * `details.available` is a whole number ≥ 0. Anything else (another 402 code, no or a non-numeric
 * `available`) says nothing about the balance, so the ledger must not be synced to it.
 */
export function reportedAvailableCredits(error: unknown): number | undefined {
  if (!(error instanceof InsufficientCreditsError) || error.code !== CREDITS_CODES.insufficient) return undefined;
  const available = error.available;
  return available !== undefined && Number.isInteger(available) && available >= 0 ? available : undefined;
}

/** What is stored on the command and shown by GET /commands/{id}. Messages are already scrubbed of keys by the client. */
export function toCommandError(error: unknown): CommandError {
  if (error instanceof MoncreneauError) return { code: error.code, message: error.message, ...(error.status !== undefined ? { status: error.status } : {}) };
  return { code: 'INTERNAL_ERROR', message: (error as Error)?.name ? `${(error as Error).name}: ${(error as Error).message}` : 'Unexpected error' };
}
