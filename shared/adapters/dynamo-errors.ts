import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * A conditional write whose condition did not hold — the expected outcome of every dedupe, claim and
 * optimistic-concurrency write. Matched by name too: with several SDK copies bundled (tests, workers)
 * `instanceof` alone can miss.
 */
export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}
