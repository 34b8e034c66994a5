/**
 * Newest-first reads from a GSI partitioned by a time bucket (a day, a month): query each bucket in
 * order, newest bucket first, until `limit` items are found. Low-volume listings only (one partition
 * per bucket is a deliberate hot key: a few writes per minute).
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export async function recentFromBuckets<T>(
  db: DynamoDBDocumentClient,
  query: { tableName: string; indexName: string; bucketAttribute: string },
  buckets: readonly string[],
  limit: number,
): Promise<T[]> {
  const found: T[] = [];
  for (const bucket of buckets) {
    if (found.length >= limit) break;
    const out = await db.send(
      new QueryCommand({
        TableName: query.tableName,
        IndexName: query.indexName,
        KeyConditionExpression: '#bucket = :bucket',
        ExpressionAttributeNames: { '#bucket': query.bucketAttribute },
        ExpressionAttributeValues: { ':bucket': bucket },
        ScanIndexForward: false,
        Limit: limit - found.length,
      }),
    );
    found.push(...((out.Items ?? []) as T[]));
  }
  return found;
}
