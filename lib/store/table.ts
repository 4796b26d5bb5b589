import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one DynamoDB table of the pipeline, as plain data. The CDK stack (lib/cdk) and the embedded stack
 * (lib/embedded/servers.ts, via `createTableInput`) both build the table from this, so they cannot drift.
 *
 * Items (single-table design; every access pattern is a GetItem or a Query, never a Scan):
 *
 * | item            | pk                     | sk                | gsi1 (bySite)                        | gsi2 (byIngested)                               |
 * | --------------- | ---------------------- | ----------------- | ------------------------------------ | ----------------------------------------------- |
 * | current article | `ARTICLE#<id>`         | `CURRENT`         | `SITE#<site>` / `<sortDate>#<id>`    | layouts 1-2: `INGESTED#<yyyy-mm-dd>#<shard>` / `<ingestedAt>#<id>` |
 * | batch feed item | `FEED#<yyyy-mm-dd>`    | `<ingestedAt>#<batch>` | -                               | -                                               |
 * | one version     | `ARTICLE#<id>`         | `VERSION#<00000n>`| -                                    | -                                               |
 * | crawl state     | `CRAWL#<sha256(url)>`  | `STATE`           | -                                    | -                                               |
 * | day with commits| `INGESTED_DAYS`        | `<yyyy-mm-dd>`    | -                                    | -                                               |
 * | host token      | `HOST#<host>`          | `TOKEN`           | -                                    | -                                               |
 * | robots.txt      | `HOST#<host>`          | `ROBOTS#<scheme>` | -                                    | -                                               |
 * | crawl source    | `SOURCES`              | `<source id>`     | gsi3 (dueSources, unless paused): `DUE#<shard>` / `<nextDueAt>#<id>` |
 * | dedup anchor    | `DEDUP#<anchor key>`   | `~~<place>[#<id>]` | -                                    | -                                               |
 * | cluster member  | `CLUSTER#<cluster id>` | `<article id>`    | -                                    | -                                               |
 * | ingest counts   | `COUNTS#<yyyy-mm-dd>`  | `<stamp>#<batch>` | -                                    | -                                               |
 * | counts folded   | `COUNTS`               | `FOLDED`          | -                                    | -                                               |
 *
 * - get by id: GetItem(`ARTICLE#<id>`, `CURRENT`). Get by URL is the same GetItem: id = sha256(canonical URL).
 * - list versions: Query(pk = `ARTICLE#<id>`) - the versions share the article's partition; a VERSION# item
 *   is written when its version is superseded, the current version is the CURRENT item itself.
 * - a site's articles newest first: Query(bySite, gsi1pk = `SITE#<site>`, descending); sortDate is
 *   publishedAt, or firstIngestedAt when the page gives no publication date.
 * - everything ingested since T (store layout 3): Query(pk = `FEED#<day>`) from T for each day with commits; each
 *   feed item lists the ids one ingest batch committed at its stamp, and the listed CURRENT items are read by key
 *   (BatchGetItem), an entry counting only while CURRENT still carries that ingestedAt. Merged by (ingestedAt, id)
 *   with the items layouts 1 and 2 indexed in byIngested (each of the INGESTED_SHARD_COUNT shards of the day), which
 *   new commits no longer write (one index copy less per article). The INGESTED_DAYS items (one Query) say which
 *   days have commits, so empty days cost nothing.
 * - crawl state by URL: GetItem(`CRAWL#<sha256(canonical url)>`, `STATE`); many at once: BatchGetItem. A state
 *   still holding a lease no recorded fetch followed is read with `ARTICLE#<same hash>`/`CURRENT` too: a new or
 *   changed article's commit records the fetch of its own URL there (store layout 4, foldIndexedFetch).
 * - politeness: UpdateItem(`HOST#<host>`, `TOKEN`) conditional on nextAllowedAt having passed takes the host's
 *   next request slot (one write, no read); GetItem/PutItem(`HOST#<host>`, `ROBOTS#<scheme>`) share robots.txt.
 *   The same item holds the block of slots a crawl reserved for one host's spaced messages (blockStart,
 *   blockSpacing, blockCount, blockWindow, blockInterval, blockEnd: one conditional write per host and crawl);
 *   ingest fetches a reserved message with one eventually consistent GetItem instead of a write
 *   (lib/core/fetch/host-slots.ts).
 * - the sources registry: Query(pk = `SOURCES`) lists every source; GetItem(`SOURCES`, id) reads one. One
 *   partition is plenty: a source item is ~0.5 KB and is written once per crawl (10,000 sources every 15 minutes
 *   is 11 writes/s, against a partition's 1,000).
 * - the sources due now: Query(dueSources, gsi3pk = `DUE#<shard>`, gsi3sk <= `<now>#~`) on each of the
 *   SOURCE_DUE_SHARD_COUNT shards, then the found sources' `nextDueAt` by key (BatchGetItem): the index key is a
 *   lower bound of the due time, moved only when it lags by more than DUE_INDEX.keyLagMs (lib/store/aws/sources.ts),
 *   so a claim and most crawl records write no index copy. Sparse: a paused source has no gsi3 keys, so it is not
 *   in the index at all. KEYS_ONLY: the schedule needs only ids (the sort key carries them).
 * - articles ingested per source: ingest puts one `COUNTS#<day>` item per batch (source id -> new articles; TTL
 *   `expiresAt`); the schedule Queries the days since `COUNTS`/`FOLDED` says it folded and adds each source's sum to
 *   its `articlesIngested` (one conditional update per source, marked `countedThrough`, so nothing counts twice).
 * - near-duplicate candidates of a new article: Query(pk = `DEDUP#<key>`, newest first, Limit entriesPerKey)
 *   for each of its few anchor keys (lib/core/dedup/settings.ts): a fixed number of key reads whatever the table's size. A new
 *   representative writes one anchor entry (its MinHash signature rides in it, so no second read compares it), as
 *   a conditional PutItem of the next place under its key (`~~<place>`, after the newest it read): of two copies of
 *   one story ingested at once, the one refused reads the holder and joins it. A member writes its entry under the
 *   cluster and, for a cluster's first members, one under a key the cluster lacks (`~~<place>#<id>`, no condition).
 * - a cluster's members: Query(pk = `CLUSTER#<cluster id>`); the representative is the article whose id is the
 *   cluster id.
 */

export type KeyAttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  name: string;
  type: KeyAttributeType;
}

export interface GlobalSecondaryIndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  /** ALL: listings return whole index records without a second read per item. */
  projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  billingMode: 'PAY_PER_REQUEST';
  globalSecondaryIndexes: GlobalSecondaryIndexDefinition[];
  /** An item holding this attribute (epoch seconds) is deleted by DynamoDB's TTL once it has passed (free). */
  timeToLiveAttribute?: string;
}

export const BY_SITE_INDEX = 'bySite';
export const BY_INGESTED_INDEX = 'byIngested';
export const DUE_SOURCES_INDEX = 'dueSources';

/** Partitions of the due-sources index: spreads the schedule's claims and the workers' reschedules. */
export const SOURCE_DUE_SHARD_COUNT = 4;

/**
 * Partitions per day of the "ingested since" index. 1,000 articles a minute is ~17 writes/s, far below one
 * partition's 1,000 WCU/s; 8 shards give headroom for backfills of ~8,000 items/s while a reader pays only
 * 8 small queries per page. Changing it needs a re-index: the shard is part of the stored key.
 */
export const INGESTED_SHARD_COUNT = 8;

export const ATTR = {
  pk: 'pk',
  sk: 'sk',
  siteKey: 'gsi1pk',
  siteSort: 'gsi1sk',
  ingestedKey: 'gsi2pk',
  ingestedSort: 'gsi2sk',
  dueKey: 'gsi3pk',
  dueSort: 'gsi3sk',
} as const;

export const ARTICLES_TABLE: TableDefinition = {
  partitionKey: { name: ATTR.pk, type: 'S' },
  sortKey: { name: ATTR.sk, type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    {
      indexName: BY_SITE_INDEX,
      partitionKey: { name: ATTR.siteKey, type: 'S' },
      sortKey: { name: ATTR.siteSort, type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: BY_INGESTED_INDEX,
      partitionKey: { name: ATTR.ingestedKey, type: 'S' },
      sortKey: { name: ATTR.ingestedSort, type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: DUE_SOURCES_INDEX,
      partitionKey: { name: ATTR.dueKey, type: 'S' },
      sortKey: { name: ATTR.dueSort, type: 'S' },
      projection: 'KEYS_ONLY',
    },
  ],
};

/** The CreateTable request for a table named `tableName` (used by the embedded stack and tests). */
export function createTableInput(
  tableName: string,
  definition: TableDefinition = ARTICLES_TABLE,
): CreateTableCommandInput {
  const keyAttributes = [
    definition.partitionKey,
    definition.sortKey,
    ...definition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  const attributeDefinitions = [...new Map(keyAttributes.map((attr) => [attr.name, attr])).values()];
  return {
    TableName: tableName,
    BillingMode: definition.billingMode,
    KeySchema: [
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: attributeDefinitions.map((attr) => ({
      AttributeName: attr.name,
      AttributeType: attr.type,
    })),
    GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
}
