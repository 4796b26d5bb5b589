import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { timeRecheck } from '../core/crawl-policy.ts';
import { IngestMessage } from '../queue/types.ts';
import { AwsCrawlStateStore } from '../store/aws/crawl-state.ts';
import type { SourceRegistry } from '../store/types.ts';

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
 * With `sources`, the time re-checks a dead process held too: they have no lease, but a URL's step is in flight by
 * derivation (its owner's recheckedThrough is past the step's nominal time, no fetch recorded since, the step's window
 * still open: lib/core/crawl-policy.ts timeRecheck), so no crawl queues it again before the window ends. They are
 * queued again as `queuedAt` their owner's recheckedThrough; one that was answered 304 before the stop (which writes
 * nothing) is fetched once more.
 *
 * A Scan, which the AWS wiring never does: the embedded table is local and this runs once per start.
 */
export async function findOrphanedMessages(
  dynamodb: DynamoDBClient,
  tableName: string,
  startedAt: Date,
  sources?: Pick<SourceRegistry, 'get'>,
): Promise<IngestMessage[]> {
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const before = startedAt.toISOString();
  const orphans: IngestMessage[] = [];
  const pages = paginateScan(
    { client: documents },
    {
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
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const message = IngestMessage.safeParse({
        url: item.url,
        discoveredAt: item.queuedAt,
        queuedAt: item.queuedAt,
      });
      if (message.success) orphans.push(message.data);
    }
  }
  const store = new AwsCrawlStateStore({ dynamodb, tableName });
  const leased =
    orphans.length === 0
      ? []
      : await store.getMany(orphans.map((message) => message.url)).then((states) =>
          orphans.filter((message) => {
            const state = states.get(message.url);
            return !(state?.indexedFetch === true && state.leaseUntil === undefined);
          }),
        );
  if (sources === undefined) return leased;
  return [...leased, ...(await orphanedTimeRechecks(documents, store, tableName, startedAt, sources))];
}

/** The time re-checks in flight by derivation when the process stopped (findOrphanedMessages). */
async function orphanedTimeRechecks(
  documents: DynamoDBDocumentClient,
  store: AwsCrawlStateStore,
  tableName: string,
  startedAt: Date,
  sources: Pick<SourceRegistry, 'get'>,
): Promise<IngestMessage[]> {
  const owned: string[] = [];
  const pages = paginateScan(
    { client: documents },
    {
      TableName: tableName,
      FilterExpression: 'attribute_exists(#owner) AND attribute_exists(#url)',
      ProjectionExpression: '#url',
      ExpressionAttributeNames: { '#owner': 'owner', '#url': 'url' },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) if (typeof item.url === 'string') owned.push(item.url);
  }
  if (owned.length === 0) return [];
  const states = await store.getMany(owned);
  const through = new Map<string, string | undefined>();
  const messages: IngestMessage[] = [];
  for (const state of states.values()) {
    const owner = state.owner;
    if (owner === undefined) continue;
    // A live lease is the lease scan's (or a live message's) to handle.
    if (state.leaseUntil !== undefined && Date.parse(state.leaseUntil) > startedAt.getTime()) continue;
    if (!through.has(owner)) through.set(owner, (await sources.get(owner))?.recheckedThrough);
    const recheckedThrough = through.get(owner);
    const derived = timeRecheck(state, startedAt, recheckedThrough);
    if (derived?.status !== 'in-flight' || recheckedThrough === undefined) continue;
    const message = IngestMessage.safeParse({
      url: state.url,
      sourceId: owner,
      discoveredAt: recheckedThrough,
      queuedAt: recheckedThrough,
      recheck: { step: derived.recheck.step, dueAt: derived.recheck.dueAt },
    });
    if (message.success) messages.push(message.data);
  }
  return messages;
}
