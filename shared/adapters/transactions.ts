/** DynamoDB transactions as the adapters write them: one item of a TransactWriteItems, and why a transaction was cancelled. */
import { TransactionCanceledException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** The cancellation reasons of a cancelled transaction, in item order (undefined for other errors); `Item` is in DynamoDB's wire format. */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof TransactionCanceledException) && (error as { name?: string })?.name !== 'TransactionCanceledException') return undefined;
  return (error as TransactionCanceledException).CancellationReasons ?? [];
}

/** The cancellation reason codes of a cancelled transaction, in item order (undefined for other errors). */
export function cancellationCodes(error: unknown): Array<string | undefined> | undefined {
  return cancellationReasons(error)?.map((r) => r.Code);
}
