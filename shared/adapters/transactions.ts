/** DynamoDB transactions as the adapters write them: one item of a TransactWriteItems, and why a transaction was cancelled. */
import { TransactionCanceledException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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

/** Conflicts on a shared item (the ledger's balance) are short-lived: retried this many times before failing. */
const CONFLICT_RETRIES = 8;

/**
 * Runs a transaction: undefined on success, else which items failed their condition. A `TransactionConflict`
 * (another transaction on the same item) is retried with a jittered backoff, 10–20 ms doubling.
 */
export async function transactWrite(db: DynamoDBDocumentClient, items: TransactItem[]): Promise<boolean[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return undefined;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      const failed = codes.map((c) => c === 'ConditionalCheckFailed');
      if (failed.some(Boolean)) return failed;
      if (!codes.includes('TransactionConflict') || attempt >= CONFLICT_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, (5 + Math.random() * 5) * 2 ** attempt));
    }
  }
}
