/**
 * Definitive or transient? Decides what the worker does with a failed MONCRENEAU call. Pure.
 *  - definitive: MONCRENEAU gave a final answer (4xx other than 429): release the credit, FAILED,
 *    the message goes to the DLQ with its reason (replayable after a fix).
 *  - transient: 5xx, network, timeouts, 429, our deadline or rate limiter, an unknown create
 *    outcome, or anything that is not a MONCRENEAU answer (DynamoDB hiccup): keep the credit,
 *    RETRYING, and let SQS redeliver (then its redrive moves it to the DLQ).
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

export function failureKind(error: unknown, type: CommandType): FailureKind {
  if (!(error instanceof MoncreneauError)) return 'transient';
  // A 2xx we could not read may still have booked: treat a create like an unknown outcome.
  if (error instanceof UnexpectedResponseError) return type === 'create' ? 'transient' : 'definitive';
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

/** What is stored on the command and shown by GET /commands/{id}. Messages are already scrubbed of keys by the client. */
export function toCommandError(error: unknown): CommandError {
  if (error instanceof MoncreneauError) return { code: error.code, message: error.message, ...(error.status !== undefined ? { status: error.status } : {}) };
  return { code: 'INTERNAL_ERROR', message: (error as Error)?.name ? `${(error as Error).name}: ${(error as Error).message}` : 'Unexpected error' };
}
