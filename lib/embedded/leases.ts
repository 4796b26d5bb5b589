import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ATTR } from '../store/table.ts';

/**
 * Releases the crawl's queue leases that no live worker holds. The embedded ingest queue lives in this
 * process, so a message queued before this stack started died with the process that held it (Ctrl-C, a
 * crash, SIGKILL); its lease would keep later crawls from queueing the URL again until it expired (an hour),
 * leaving the rest of an interrupted crawl undone. The data-directory lock guarantees no other process works
 * on this table, so every lease taken before `startedAt` is orphaned: removing it lets the next crawl queue
 * exactly the unfinished URLs (finished ones carry their fetch's state and are skipped as usual).
 *
 * A Scan, which the AWS wiring never does: the embedded table is local and this runs once per start.
 * Returns the number of leases released.
 */
export async function releaseOrphanedLeases(
  dynamodb: DynamoDBClient,
  tableName: string,
  startedAt: Date,
): Promise<number> {
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const before = startedAt.toISOString();
  let released = 0;
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'attribute_exists(#leaseUntil) AND #queuedAt < :before',
        ProjectionExpression: '#pk, #sk, #queuedAt',
        ExpressionAttributeNames: {
          '#pk': ATTR.pk,
          '#sk': ATTR.sk,
          '#queuedAt': 'queuedAt',
          '#leaseUntil': 'leaseUntil',
        },
        ExpressionAttributeValues: { ':before': before },
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { [ATTR.pk]: item[ATTR.pk], [ATTR.sk]: item[ATTR.sk] },
            UpdateExpression: 'REMOVE #queuedAt, #leaseUntil',
            // Untouched since the scan read it (nothing else runs yet, but a lease is never removed blindly).
            ConditionExpression: '#queuedAt = :queuedAt',
            ExpressionAttributeNames: { '#queuedAt': 'queuedAt', '#leaseUntil': 'leaseUntil' },
            ExpressionAttributeValues: { ':queuedAt': item.queuedAt },
          }),
        );
        released++;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      }
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return released;
}
