import { gunzipSync } from 'node:zlib';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  paginateQuery,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { Article } from '../../core/article.ts';
import { PipelineError } from '../../core/errors.ts';
import {
  ArticleRecordSchema,
  ArticleVersionRecordSchema,
  articlePk,
  CURRENT_SK,
  expandArticleItem,
  FeedItemSchema,
  feedPk,
  INGESTED_DAYS_PK,
  IngestedCursorSchema,
  ingestedPk,
  ingestedSortKey,
  normalizeTimestamp,
  parseCursor,
  parseStoredItem,
  rangeHeader,
  SiteCursorSchema,
  sitePk,
  utcDay,
  VERSION_SK_PREFIX,
  versionSk,
} from '../layout.ts';
import { ATTR, BY_INGESTED_INDEX, BY_SITE_INDEX, INGESTED_SHARD_COUNT } from '../table.ts';
import type {
  ArticleReader,
  ArticleRecord,
  ArticleVersionRecord,
  Page,
  RawPage,
  SinceListQuery,
  SiteListQuery,
} from '../types.ts';
import { parseWarcResponse } from '../warc.ts';
import {
  type AwsArticleStoreOptions,
  DEFAULT_SINCE_FEED_SETTLE_MS,
  documentClient,
  getTableItem,
  isArticleId,
  type StoreObjects,
  storageError,
  storeObjects,
} from './common.ts';

export const MAX_PAGE_SIZE = 1_000;
/** A "since" page looks into at most this many days that have commits (each costs one query per shard). */
const MAX_DAYS_PER_PAGE = 31;
const LAST_ID = 'f'.repeat(64);
/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_LIMIT = 100;
const MAX_BATCH_ATTEMPTS = 8;
/** Length of a stored timestamp (`2024-05-01T09:30:00.000Z`), the head of every feed sort key. */
const STAMP_LENGTH = 24;

/**
 * The article store's read path: GetItem for one record, Query (lib-dynamodb's paginator) for lists, and S3 GET
 * for the stored Article (a byte range of a batch object in layout 2, the whole object in layout 1).
 */
export class AwsArticleReader implements ArticleReader {
  private readonly objects: StoreObjects;
  private readonly documents: DynamoDBDocumentClient;
  private readonly bucketName: string;
  private readonly tableName: string;
  private readonly clock: () => Date;
  private readonly settleMs: number;

  constructor(options: AwsArticleStoreOptions) {
    this.objects = storeObjects(options.s3);
    this.documents = documentClient(options.dynamodb);
    this.bucketName = options.bucketName;
    this.tableName = options.tableName;
    this.clock = options.clock ?? (() => new Date());
    this.settleMs = options.sinceFeedSettleMs ?? DEFAULT_SINCE_FEED_SETTLE_MS;
  }

  async getRecord(id: string): Promise<ArticleRecord | undefined> {
    if (!isArticleId(id)) return undefined;
    return this.readCurrent(id, false);
  }

  async getArticle(id: string, version?: number): Promise<Article | undefined> {
    if (!isArticleId(id)) return undefined;
    if (version !== undefined && (!Number.isSafeInteger(version) || version < 1)) {
      throw new PipelineError('BAD_REQUEST', `version must be a positive integer, got ${version}`);
    }
    const location =
      version === undefined ? await this.readCurrent(id, false) : await this.locate(id, version);
    if (location === undefined) return undefined;
    const { articleKey: key, articleRange: range } = location;
    let text: string;
    try {
      // Layout 2: the Article is one gzip member of a batch object; layout 1: the whole object.
      const object = await this.objects.get({
        Bucket: this.bucketName,
        Key: key,
        ...(range ? { Range: rangeHeader(range) } : {}),
      });
      text = range
        ? gunzipSync((await object.Body?.transformToByteArray()) ?? new Uint8Array()).toString('utf-8')
        : ((await object.Body?.transformToString('utf-8')) ?? '');
    } catch (error) {
      // The index only ever points at objects written before it, so a missing object is a storage fault.
      throw storageError(
        `read s3://${this.bucketName}/${key}${range ? ` (${rangeHeader(range)})` : ''}`,
        error,
      );
    }
    const parsed = Article.safeParse(safeJson(text));
    if (!parsed.success)
      throw new PipelineError('INTERNAL', `stored article ${key} does not match the schema`);
    return parsed.data;
  }

  async getRawPage(id: string, version?: number): Promise<RawPage | undefined> {
    if (!isArticleId(id)) return undefined;
    const location =
      version === undefined ? await this.readCurrent(id, false) : await this.locate(id, version);
    if (location === undefined) return undefined;
    const { rawKey: key, rawRange: range } = location;
    const where = `s3://${this.bucketName}/${key}${range ? ` (${rangeHeader(range)})` : ''}`;
    let bytes: Uint8Array;
    let contentType: string | undefined;
    let metadata: Record<string, string> = {};
    try {
      const object = await this.objects.get({
        Bucket: this.bucketName,
        Key: key,
        ...(range ? { Range: rangeHeader(range) } : {}),
      });
      bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
      contentType = object.ContentType;
      metadata = object.Metadata ?? {};
    } catch (error) {
      throw storageError(`read ${where}`, error);
    }
    try {
      if (range) {
        // Layout 2: one gzip member of a batch WARC object.
        const record = parseWarcResponse(gunzipSync(bytes));
        return {
          url: record.url,
          finalUrl: record.url,
          status: record.status,
          ...(record.contentType === undefined ? {} : { contentType: record.contentType }),
          body: record.body,
          fetchedAt: record.fetchedAt,
          ...(record.etag === undefined ? {} : { etag: record.etag }),
          ...(record.lastModified === undefined ? {} : { lastModified: record.lastModified }),
        };
      }
      // Layout 1: the page gzipped whole, its fetch details in the object's user metadata.
      const field = (name: string) => {
        const value = metadata[name];
        return value === undefined ? undefined : safeDecodeUri(value);
      };
      const isGzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
      const finalUrl = field('final-url') ?? field('url') ?? '';
      const page: RawPage = {
        url: field('url') ?? finalUrl,
        finalUrl,
        status: Number(field('status') ?? 200),
        body: isGzip ? new Uint8Array(gunzipSync(bytes)) : bytes,
        fetchedAt: field('fetched-at') ?? '',
      };
      const optional: Array<[keyof RawPage, string | undefined]> = [
        ['contentType', contentType],
        ['charset', field('charset')],
        ['etag', field('etag')],
        ['lastModified', field('last-modified')],
      ];
      for (const [name, value] of optional) if (value !== undefined) Object.assign(page, { [name]: value });
      return page;
    } catch (error) {
      throw new PipelineError('INTERNAL', `stored page ${where} cannot be read: ${(error as Error).message}`);
    }
  }

  private async locate(
    id: string,
    version: number,
  ): Promise<Pick<ArticleVersionRecord, 'articleKey' | 'articleRange' | 'rawKey' | 'rawRange'> | undefined> {
    const item = await this.getItem(articlePk(id), versionSk(version), false);
    if (item) return parseStoredItem(ArticleVersionRecordSchema, expandArticleItem(item), 'version');
    const current = await this.readCurrent(id, false);
    return current?.version === version ? current : undefined;
  }

  async listVersions(id: string): Promise<ArticleVersionRecord[]> {
    if (!isArticleId(id)) return [];
    // One Query: the CURRENT item and the VERSION# items share the article's partition.
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.pk },
      ExpressionAttributeValues: { ':pk': articlePk(id) },
      ConsistentRead: true,
    });
    const byVersion = new Map<number, ArticleVersionRecord>();
    for (const item of items) {
      const sk = item[ATTR.sk];
      if (sk !== CURRENT_SK && !(typeof sk === 'string' && sk.startsWith(VERSION_SK_PREFIX))) continue;
      const version = parseStoredItem(ArticleVersionRecordSchema, expandArticleItem(item), 'version');
      byVersion.set(version.version, version);
    }
    return [...byVersion.values()].sort((a, b) => a.version - b.version);
  }

  async listBySite(query: SiteListQuery): Promise<Page<ArticleRecord>> {
    const limit = validateLimit(query.limit);
    if (typeof query.site !== 'string' || query.site.length === 0 || query.site.length > 512) {
      throw new PipelineError('BAD_REQUEST', 'site must be a non-empty domain');
    }
    const from = query.from === undefined ? undefined : normalizeTimestamp(query.from, 'from');
    const to = query.to === undefined ? undefined : normalizeTimestamp(query.to, 'to');
    const after = query.after === undefined ? undefined : parseCursor(SiteCursorSchema, query.after);

    // Sort keys are `<date>#<id>` with fixed-width UTC dates, so string bounds are time bounds:
    // `<from>` sorts before every key of that date, `<to>#~` after every key of that date ('~' > hex).
    const lower = from ?? '0';
    let upper = to === undefined ? '~' : `${to}#~`;
    const afterKey = after ? `${after.date}#${after.id}` : undefined;
    if (afterKey !== undefined && afterKey < upper) upper = afterKey;
    if (lower > upper) return { items: [] };

    const items: ArticleRecord[] = [];
    for await (const page of this.queryPages({
      TableName: this.tableName,
      IndexName: BY_SITE_INDEX,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
      ExpressionAttributeNames: { '#pk': ATTR.siteKey, '#sk': ATTR.siteSort },
      ExpressionAttributeValues: { ':pk': sitePk(query.site), ':lower': lower, ':upper': upper },
      ScanIndexForward: false,
      Limit: limit + 2,
    })) {
      for (const item of page) {
        // BETWEEN is inclusive; the cursor's own item was on the previous page.
        if (afterKey !== undefined && item[ATTR.siteSort] === afterKey) continue;
        items.push(parseStoredItem(ArticleRecordSchema, expandArticleItem(item), 'article'));
      }
      if (items.length > limit) break;
    }

    const page = items.slice(0, limit);
    const last = page.at(-1);
    return items.length > limit && last
      ? { items: page, cursor: { date: last.publishedAt ?? last.firstIngestedAt, id: last.id } }
      : { items: page };
  }

  async listIngestedSince(query: SinceListQuery): Promise<Page<ArticleRecord>> {
    const limit = validateLimit(query.limit);
    const since = normalizeTimestamp(query.since, 'since');
    const after = query.after === undefined ? undefined : parseCursor(IngestedCursorSchema, query.after);
    const afterKey = after ? ingestedSortKey(after.ingestedAt, after.id) : undefined;
    // Start at the later of `since` (inclusive) and the cursor (exclusive).
    const lower = afterKey !== undefined && afterKey > since ? afterKey : since;
    const exclusiveKey = lower === afterKey ? afterKey : undefined;
    // Items at or after `upper` are too fresh to hand out yet (see sinceFeedSettleMs).
    const upper = new Date(this.clock().getTime() - this.settleMs).toISOString();
    const given = after ? { ingestedAt: after.ingestedAt, id: after.id } : undefined;
    if (lower >= upper) return { items: [], ...(given ? { resume: given } : {}) };

    const { days, more: moreDays } = await this.daysWithCommits(utcDay(lower), utcDay(upper));
    const collected: ArticleRecord[] = [];
    for (const day of days) {
      collected.push(
        ...(await this.dayOfFeed(day, lower, exclusiveKey, upper, limit + 1 - collected.length)),
      );
      if (collected.length > limit) break;
    }

    const page = collected.slice(0, limit);
    const last = page.at(-1);
    const lastPosition = last ? { ingestedAt: last.ingestedAt, id: last.id } : given;
    if (collected.length > limit && last) {
      return { items: page, cursor: { ingestedAt: last.ingestedAt, id: last.id }, resume: lastPosition };
    }
    const lastDay = days.at(-1);
    if (moreDays && lastDay) {
      // Looked as far as one page may; continue after the last day scanned.
      const endOfScan = { ingestedAt: `${lastDay}T23:59:59.999Z`, id: LAST_ID };
      return { items: page, cursor: endOfScan, resume: endOfScan };
    }
    return { items: page, ...(lastPosition ? { resume: lastPosition } : {}) };
  }

  /**
   * One day of the "since" feed from `lower` (or after `exclusiveKey`) to before `upper`, in (ingestedAt, id) order:
   * at least `wanted` records when the day has them (more may come), every one of them final (no record of the
   * day sorts before the last one returned but is left out). Two sources are merged: the batch feed items (layout
   * 3; each listed id checked against its CURRENT item) and the byIngested index shards (items of layouts 1 and 2).
   */
  private async dayOfFeed(
    day: string,
    lower: string,
    exclusiveKey: string | undefined,
    upper: string,
    wanted: number,
  ): Promise<ArticleRecord[]> {
    const after = (key: string) => key >= lower && (exclusiveKey === undefined || key > exclusiveKey);
    const shardWanted = wanted + 1;
    const shards = await Promise.all(
      Array.from({ length: INGESTED_SHARD_COUNT }, (_, shard) =>
        this.queryFeedShard(ingestedPk(day, shard), lower, upper, shardWanted),
      ),
    );
    // A shard that filled its page may hold more past its last item: nothing after that is final yet.
    let bound = '~';
    for (const items of shards) {
      const last = items.at(-1)?.[ATTR.ingestedSort];
      if (items.length >= shardWanted && typeof last === 'string' && `${last}\u0000` < bound)
        bound = `${last}\u0000`;
    }
    const indexed = shards
      .flat()
      .map((item) => ({ key: item[ATTR.ingestedSort] as string, item }))
      .filter(({ key }) => after(key));
    const listed = await this.listedInFeed(day, lower, upper, after, wanted);
    if (listed.bound < bound) bound = listed.bound;
    // One item per key: an article is in one of the two at its ingestedAt, but a key is the item either way.
    const byKey = new Map([...indexed, ...listed.entries].map(({ key, item }) => [key, item]));
    return [...byKey]
      .filter(([key]) => key < bound)
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([, item]) => parseStoredItem(ArticleRecordSchema, expandArticleItem(item), 'article'));
  }

  /**
   * The articles a day's batch feed items list from `lower` on, each the CURRENT item it names while that still
   * carries the entry's stamp (an entry whose commit lost, failed or was superseded is skipped). Feed items are read
   * in stamp order until `wanted` entries are final; `bound` is where the final ones end (entries at the last read
   * stamp may still have company in the next item).
   */
  private async listedInFeed(
    day: string,
    lower: string,
    upper: string,
    after: (key: string) => boolean,
    wanted: number,
  ): Promise<{ entries: Array<{ key: string; item: Record<string, unknown> }>; bound: string }> {
    const pending: Array<{ key: string; id: string; stamp: string }> = [];
    const entries: Array<{ key: string; item: Record<string, unknown> }> = [];
    let bound = '~';
    const pages = this.queryPages({
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
      ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
      // `<stamp>#<batch>` sorts after `<stamp>`: from the lower stamp on, stamps before `upper` only.
      ExpressionAttributeValues: {
        ':pk': feedPk(day),
        ':lower': lower.slice(0, STAMP_LENGTH),
        ':upper': upper,
      },
      Limit: Math.min(MAX_PAGE_SIZE, wanted + 1),
    });
    for (;;) {
      const page = await pages.next();
      if (page.done) {
        bound = '~';
        break;
      }
      for (const raw of page.value) {
        const feedItem = parseStoredItem(FeedItemSchema, raw, 'feed item');
        const stamp = feedItem.sk.slice(0, STAMP_LENGTH);
        for (const id of feedItem.ids) {
          const key = ingestedSortKey(stamp, id);
          if (after(key)) pending.push({ key, id, stamp });
        }
        bound = stamp;
      }
      // Entries stamped before the last stamp read are final; check them against their CURRENT items.
      const final = pending.filter(({ stamp }) => stamp < bound);
      if (final.length > 0) {
        entries.push(...(await this.stillCurrent(final)));
        pending.splice(0, pending.length, ...pending.filter(({ stamp }) => stamp >= bound));
      }
      if (entries.length >= wanted) break;
    }
    if (bound === '~' && pending.length > 0) entries.push(...(await this.stillCurrent(pending)));
    await pages.return(undefined);
    return { entries, bound };
  }

  /**
   * The CURRENT items of feed entries that still carry the entry's stamp (BatchGetItem, strongly consistent: a commit
   * a lagging read missed would be skipped for good once the poller moves past it; a read unit per item up to 4 KB).
   */
  private async stillCurrent(
    entries: ReadonlyArray<{ key: string; id: string; stamp: string }>,
  ): Promise<Array<{ key: string; item: Record<string, unknown> }>> {
    const found: Array<{ key: string; item: Record<string, unknown> }> = [];
    const wanted = new Map(entries.map((entry) => [`${entry.id}#${entry.stamp}`, entry.key]));
    const ids = [...new Set(entries.map(({ id }) => id))];
    for (let start = 0; start < ids.length; start += BATCH_GET_LIMIT) {
      let keys: Array<Record<string, unknown>> = ids
        .slice(start, start + BATCH_GET_LIMIT)
        .map((id) => ({ [ATTR.pk]: articlePk(id), [ATTR.sk]: CURRENT_SK }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt >= MAX_BATCH_ATTEMPTS) throw storageError('read', new Error('keys left unprocessed'));
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        let response: BatchGetCommandOutput;
        try {
          response = await this.documents.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
        } catch (error) {
          throw storageError('read', error);
        }
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const id = String(item[ATTR.pk]).slice('ARTICLE#'.length);
          const key = wanted.get(`${id}#${String(item.ingestedAt)}`);
          if (key !== undefined) found.push({ key, item });
        }
        keys = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  /** The marked days in [fromDay, toDay], at most MAX_DAYS_PER_PAGE of them. */
  private async daysWithCommits(fromDay: string, toDay: string): Promise<{ days: string[]; more: boolean }> {
    let days: string[] = [];
    for await (const page of this.queryPages({
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
      ExpressionAttributeValues: { ':pk': INGESTED_DAYS_PK, ':from': fromDay, ':to': toDay },
      Limit: MAX_DAYS_PER_PAGE + 1,
    })) {
      days = page.map((item) => String(item[ATTR.sk]));
      break; // one page: at most MAX_DAYS_PER_PAGE + 1 days
    }
    return { days: days.slice(0, MAX_DAYS_PER_PAGE), more: days.length > MAX_DAYS_PER_PAGE };
  }

  private async queryFeedShard(
    partition: string,
    lower: string,
    upper: string,
    wanted: number,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for await (const page of this.queryPages({
      TableName: this.tableName,
      IndexName: BY_INGESTED_INDEX,
      // `<upper>` sorts before `<upper>#<id>`: items stamped at or after `upper` are excluded.
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
      ExpressionAttributeNames: { '#pk': ATTR.ingestedKey, '#sk': ATTR.ingestedSort },
      ExpressionAttributeValues: { ':pk': partition, ':lower': lower, ':upper': upper },
      ScanIndexForward: true,
      Limit: wanted,
    })) {
      items.push(...page);
      if (items.length >= wanted) break;
    }
    return items;
  }

  // ---- DynamoDB helpers ----

  private async readCurrent(id: string, consistent: boolean): Promise<ArticleRecord | undefined> {
    const item = await this.getItem(articlePk(id), CURRENT_SK, consistent);
    return item ? parseStoredItem(ArticleRecordSchema, expandArticleItem(item), 'article') : undefined;
  }

  private getItem(pk: string, sk: string, consistent: boolean) {
    return getTableItem(this.documents, this.tableName, { pk, sk }, consistent);
  }

  /**
   * The pages of a Query (lib-dynamodb's paginator follows LastEvaluatedKey), until `enough` says so after a
   * page. Storage faults become retryable PipelineErrors.
   */
  private async *queryPages(input: QueryCommandInput): AsyncGenerator<Record<string, unknown>[]> {
    try {
      for await (const page of paginateQuery({ client: this.documents }, input)) yield page.Items ?? [];
    } catch (error) {
      throw storageError('query', error);
    }
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for await (const page of this.queryPages(input)) items.push(...page);
    return items;
  }
}

function validateLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new PipelineError(
      'BAD_REQUEST',
      `limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`,
    );
  }
  return limit;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function safeDecodeUri(value: string): string {
  try {
    return decodeURI(value);
  } catch {
    return value;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
