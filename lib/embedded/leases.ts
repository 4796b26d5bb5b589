import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { IngestMessage } from '../queue/types.ts';
import { AwsCrawlStateStore } from '../store/aws/crawl-state.ts';

/**
 * Finds the messages a dead process held: the embedded ingest queue lives in this process, so a message queued
 * before this stack started died with the process that held it (Ctrl-C, a crash, SIGKILL). Its URL still
 * carries the crawl's in-flight lease, which keeps later crawls from queueing it again, and its source, crawled
 * a moment ago, is not due: nothing would ever fetch it. The data-directory lock guarantees no other process
 * works on this table, so every lease taken before `startedAt` is orphaned; the caller queues those URLs again
 * with their original `queuedAt`, which their leases still match, so ingest takes them and crawls keep skipping
 * them. Finished URLs carry their fetch's state (fetched after queuedAt) and are not returned; so are those whose
 * fetch is recorded by their article's commit (store layout 4), which the crawl-state item alone does not show.
 *
 * A Scan, which the AWS wiring never does: the embedded table is local and this runs once per start.
 */
export async function findOrphanedMessages(
  dynamodb: DynamoDBClient,
  tableName: string,
  startedAt: Date,
): Promise<IngestMessage[]> {
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const before = startedAt.toISOString();
  const orphans: IngestMessage[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression:
          'attribute_exists(#leaseUntil) AND #queuedAt < :before AND ' +
          '(attribute_not_exists(#lastFetchedAt) OR #lastFetchedAt < #queuedAt)',
        ProjectionExpression: '#url, #queuedAt',
        ExpressionAttributeNames: {
          '#url': 'url',
          '#queuedAt': 'queuedAt',
          '#leaseUntil': 'leaseUntil',
          '#lastFetchedAt': 'lastFetchedAt',
        },
        ExpressionAttributeValues: { ':before': before },
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const message = IngestMessage.safeParse({
        url: item.url,
        discoveredAt: item.queuedAt,
        queuedAt: item.queuedAt,
      });
      if (message.success) orphans.push(message.data);
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  if (orphans.length === 0) return orphans;
  const states = await new AwsCrawlStateStore({ dynamodb, tableName }).getMany(
    orphans.map((message) => message.url),
  );
  return orphans.filter((message) => {
    const state = states.get(message.url);
    return !(state?.indexedFetch === true && state.leaseUntil === undefined);
  });
}
