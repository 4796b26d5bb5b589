import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { Article } from '../../core/article.ts';
import { PipelineError } from '../../core/errors.ts';
import { articleIdForUrl } from '../../core/url.ts';
import {
  ArticleRecordSchema,
  ArticleVersionRecordSchema,
  articleObjectKey,
  articlePk,
  CURRENT_SK,
  INGESTED_DAYS_PK,
  IngestedCursorSchema,
  ingestedPk,
  ingestedShard,
  ingestedSortKey,
  normalizeTimestamp,
  objectTag,
  parseCursor,
  parseStoredItem,
  rawObjectKey,
  SiteCursorSchema,
  sitePk,
  siteSortKey,
  utcDay,
  VERSION_SK_PREFIX,
  versionSk,
} from '../layout.ts';
import { ATTR, BY_INGESTED_INDEX, BY_SITE_INDEX, INGESTED_SHARD_COUNT } from '../table.ts';
import type {
  ArticleReader,
  ArticleRecord,
  ArticleVersionRecord,
  ArticleWriter,
  CommitOptions,
  CommitResult,
  Page,
  RawPage,
  SinceListQuery,
  SiteListQuery,
  StoreCursor,
} from '../types.ts';

const gzipAsync = promisify(gzip);

export interface AwsArticleStoreOptions {
  s3: S3Client;
  dynamodb: DynamoDBClient;
  bucketName: string;
  tableName: string;
  /** Injected for tests (days, the settle window). */
  clock?: () => Date;
  /**
   * The "ingested since" feed hides items younger than this. Each item's ingestedAt is stamped just before
   * its commit, so commits can land slightly out of ingestedAt order (and a GSI lags its table); a poller
   * that has moved past a position must not find a new item behind it. See docs/capacity.md.
   */
  sinceFeedSettleMs?: number;
  /** Conditional-write conflicts tolerated per commit before giving up with CONFLICT (retryable). */
  maxCommitAttempts?: number;
}

export const DEFAULT_SINCE_FEED_SETTLE_MS = 5_000;
const DEFAULT_MAX_COMMIT_ATTEMPTS = 8;
export const MAX_PAGE_SIZE = 1_000;
/** A "since" page looks into at most this many days that have commits (each costs one query per shard). */
const MAX_DAYS_PER_PAGE = 31;
/** S3 user metadata is limited to 2 KB; fetch metadata that does not fit is left out (it is in DynamoDB). */
const S3_METADATA_BUDGET = 1_900;
const LAST_ID = 'f'.repeat(64);
const CONFLICT_BACKOFF_MS = 10;
/**
 * Attribute of the CURRENT item naming the commit() call that wrote it. Not part of ArticleRecord (the record
 * schema strips it on every read); only commit() looks at it.
 */
const COMMIT_ID_ATTR = 'commitId';
/** Attribute of the CURRENT item: when the page of that version was fetched (ISO 8601 UTC), read only by commit(). */
const FETCHED_AT_ATTR = 'fetchedAt';

export class AwsArticleStore implements ArticleReader, ArticleWriter {
  private readonly s3: S3Client;
  private readonly documents: DynamoDBDocumentClient;
  private readonly bucketName: string;
  private readonly tableName: string;
  private readonly clock: () => Date;
  private readonly settleMs: number;
  private readonly maxCommitAttempts: number;
  private readonly markedDays = new Set<string>();

  constructor(options: AwsArticleStoreOptions) {
    this.s3 = options.s3;
    this.documents = DynamoDBDocumentClient.from(options.dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.bucketName = options.bucketName;
    this.tableName = options.tableName;
    this.clock = options.clock ?? (() => new Date());
    this.settleMs = options.sinceFeedSettleMs ?? DEFAULT_SINCE_FEED_SETTLE_MS;
    this.maxCommitAttempts = options.maxCommitAttempts ?? DEFAULT_MAX_COMMIT_ATTEMPTS;
  }

  // ---- writer ----

  /**
   * S3 objects first, then the CURRENT item with a conditional put: that put is the commit point. No
   * transactions are needed (dynalite has none): a crash before it leaves only unreferenced S3 objects, and
   * a lost race makes the put fail, after which we re-read and either report unchanged or build on the
   * winner's version.
   */
  async commit(input: Article, raw: RawPage, options: CommitOptions = {}): Promise<CommitResult> {
    const article = validateArticle(input);
    const articleJson = JSON.stringify(article);
    const tag = objectTag(articleJson);
    // Compressed only when there is something to write (re-crawls are mostly unchanged).
    let rawBody: Uint8Array | undefined;
    const uploaded = new Set<string>();
    // Byte-identical articles from two workers share object keys, so only this id tells our commit from theirs.
    const commitId = randomUUID();
    const fetchedAt = fetchTime(raw.fetchedAt);

    for (let attempt = 1; attempt <= this.maxCommitAttempts; attempt += 1) {
      const currentItem = await this.getItem(articlePk(article.id), CURRENT_SK, true);
      const current = currentItem ? parseStoredItem(ArticleRecordSchema, currentItem, 'article') : undefined;
      if (current && current.contentHash === article.contentHash) {
        // Our own earlier attempt may have committed even though its response was lost (an SDK retry then
        // fails the condition): that is still our commit, not someone else's unchanged copy.
        const ours = currentItem?.[COMMIT_ID_ATTR] === commitId;
        if (options.repair && !ours && !(await this.storedCopyReadable(current))) {
          // The index is right, its object is not: the same content goes back under the same keys.
          await Promise.all([
            this.putRawObject(current.rawKey, await gzipAsync(raw.body), raw, article.id, current.version),
            this.putArticleObject(current.articleKey, articleJson, article, current.version),
          ]);
          return { status: 'unchanged', record: current, repaired: true };
        }
        return { status: ours ? statusOf(current) : 'unchanged', record: current };
      }
      if (current && isBefore(fetchedAt, currentItem?.[FETCHED_AT_ATTR])) {
        // A worker that fetched later has committed already: this older copy of the page must not supersede
        // it (the version history would end on stale content). Nothing is written.
        return { status: 'unchanged', record: current };
      }
      const version = (current?.version ?? 0) + 1;
      const firstIngestedAt = current?.firstIngestedAt ?? this.nowIso();
      const parts = { site: article.site.domain, firstIngestedAt, id: article.id, version, tag };
      const articleKey = articleObjectKey(parts);
      const rawKey = rawObjectKey(parts);
      if (!uploaded.has(articleKey)) {
        rawBody ??= await gzipAsync(raw.body);
        await Promise.all([
          this.putRawObject(rawKey, rawBody, raw, article.id, version),
          this.putArticleObject(articleKey, articleJson, article, version),
        ]);
        uploaded.add(articleKey);
      }
      // History first: the version being superseded gets its own item before the CURRENT item moves on, so
      // no version is ever only in CURRENT once CURRENT has changed. Idempotent (same data every time).
      if (current) await this.putVersionItem(current);

      const record: ArticleRecord = {
        id: article.id,
        url: article.url,
        site: article.site.domain,
        title: article.title,
        authors: article.authors,
        publishedAt: article.publishedAt,
        modifiedAt: article.modifiedAt,
        language: article.language,
        contentHash: article.contentHash,
        version,
        ingestedAt: this.nowIso(),
        firstIngestedAt,
        articleKey,
        rawKey,
      };
      await this.markIngestedDay(record.ingestedAt);
      try {
        await this.putCurrent(record, { commitId, fetchedAt }, current?.version);
      } catch (error) {
        if (!isConditionFailure(error)) throw storageError('commit', error);
        // Lost a race: back off a little (jittered, growing) so a crowd of writers does not retry in lockstep.
        await sleep(Math.random() * CONFLICT_BACKOFF_MS * attempt);
        continue;
      }
      // No VERSION# item for the new version yet: CURRENT stands for it until it is superseded (above).
      return { status: statusOf(record), record: await this.restampIfLate(record) };
    }
    throw new PipelineError(
      'CONFLICT',
      `article ${article.id} changed concurrently ${this.maxCommitAttempts} times; try again`,
      { retryable: true, url: article.url },
    );
  }

  private async storedCopyReadable(record: ArticleRecord): Promise<boolean> {
    try {
      const article = await this.getArticle(record.id, record.version);
      return article !== undefined && article.contentHash === record.contentHash;
    } catch {
      return false;
    }
  }

  private async putCurrent(
    record: ArticleRecord,
    commit: { commitId: string; fetchedAt: string | undefined },
    expectedVersion: number | undefined,
  ): Promise<void> {
    const shard = ingestedShard(record.id);
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [ATTR.pk]: articlePk(record.id),
          [ATTR.sk]: CURRENT_SK,
          [ATTR.siteKey]: sitePk(record.site),
          [ATTR.siteSort]: siteSortKey(record),
          [ATTR.ingestedKey]: ingestedPk(utcDay(record.ingestedAt), shard),
          [ATTR.ingestedSort]: ingestedSortKey(record.ingestedAt, record.id),
          ...record,
          [COMMIT_ID_ATTR]: commit.commitId,
          ...(commit.fetchedAt === undefined ? {} : { [FETCHED_AT_ATTR]: commit.fetchedAt }),
        },
        ...(expectedVersion === undefined
          ? {
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': ATTR.pk },
            }
          : {
              ConditionExpression: '#version = :expectedVersion',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
            }),
      }),
    );
  }

  /** Written before any commit stamped on that day (once per day per store instance), never after. */
  private async markIngestedDay(ingestedAt: string): Promise<void> {
    const day = utcDay(ingestedAt);
    if (this.markedDays.has(day)) return;
    try {
      await this.documents.send(
        new PutCommand({ TableName: this.tableName, Item: { [ATTR.pk]: INGESTED_DAYS_PK, [ATTR.sk]: day } }),
      );
    } catch (error) {
      throw storageError('mark ingested day', error);
    }
    this.markedDays.add(day);
  }

  private async putVersionItem(record: ArticleRecord): Promise<void> {
    const version: ArticleVersionRecord = {
      id: record.id,
      version: record.version,
      contentHash: record.contentHash,
      ingestedAt: record.ingestedAt,
      articleKey: record.articleKey,
      rawKey: record.rawKey,
    };
    await this.documents
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: { [ATTR.pk]: articlePk(record.id), [ATTR.sk]: versionSk(record.version), ...version },
        }),
      )
      .catch((error: unknown) => {
        throw storageError('write version history', error);
      });
  }

  /**
   * A commit that took longer than half the settle window may have landed behind a poller's position in
   * the "since" feed. Moving it to "now" makes it visible again further on (a poller may see it twice,
   * never zero times). Rare: it needs a very slow PutItem.
   */
  private async restampIfLate(record: ArticleRecord): Promise<ArticleRecord> {
    const now = this.nowIso();
    // With no settle window (tests, a single writer) there is no feed position to protect.
    if (this.settleMs === 0 || Date.parse(now) - Date.parse(record.ingestedAt) <= this.settleMs / 2) {
      return record;
    }
    await this.markIngestedDay(now);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [ATTR.pk]: articlePk(record.id), [ATTR.sk]: CURRENT_SK },
          UpdateExpression: 'SET #ingestedAt = :now, #feedKey = :feedKey, #feedSort = :feedSort',
          ConditionExpression: '#version = :version AND #ingestedAt = :stamped',
          ExpressionAttributeNames: {
            '#ingestedAt': 'ingestedAt',
            '#version': 'version',
            '#feedKey': ATTR.ingestedKey,
            '#feedSort': ATTR.ingestedSort,
          },
          ExpressionAttributeValues: {
            ':now': now,
            ':feedKey': ingestedPk(utcDay(now), ingestedShard(record.id)),
            ':feedSort': ingestedSortKey(now, record.id),
            ':version': record.version,
            ':stamped': record.ingestedAt,
          },
        }),
      );
      return { ...record, ingestedAt: now };
    } catch (error) {
      if (isConditionFailure(error)) return record; // superseded meanwhile: the newer commit is later anyway
      throw storageError('restamp', error);
    }
  }

  private async putArticleObject(
    key: string,
    json: string,
    article: Article,
    version: number,
  ): Promise<void> {
    await this.putObject({
      Key: key,
      Body: json,
      ContentType: 'application/json; charset=utf-8',
      Metadata: fitMetadata({
        'article-id': article.id,
        version: String(version),
        'content-hash': article.contentHash,
        'schema-version': String(article.schemaVersion),
        url: article.url,
      }),
    });
  }

  private async putRawObject(
    key: string,
    body: Uint8Array,
    raw: RawPage,
    id: string,
    version: number,
  ): Promise<void> {
    await this.putObject({
      Key: key,
      Body: body,
      ContentType: raw.contentType ?? 'application/octet-stream',
      ContentEncoding: 'gzip',
      Metadata: fitMetadata({
        'article-id': id,
        version: String(version),
        status: String(raw.status),
        'fetched-at': raw.fetchedAt,
        charset: raw.charset,
        etag: raw.etag,
        'last-modified': raw.lastModified,
        url: raw.url,
        'final-url': raw.finalUrl,
      }),
    });
  }

  private async putObject(input: Omit<ConstructorParameters<typeof PutObjectCommand>[0], 'Bucket'>) {
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: this.bucketName, ...input }));
    } catch (error) {
      throw storageError(`write s3://${this.bucketName}/${input.Key}`, error);
    }
  }

  // ---- reader ----

  async getRecord(id: string): Promise<ArticleRecord | undefined> {
    if (!isArticleId(id)) return undefined;
    return this.readCurrent(id, false);
  }

  async getArticle(id: string, version?: number): Promise<Article | undefined> {
    if (!isArticleId(id)) return undefined;
    if (version !== undefined && (!Number.isSafeInteger(version) || version < 1)) {
      throw new PipelineError('BAD_REQUEST', `version must be a positive integer, got ${version}`);
    }
    const key =
      version === undefined ? (await this.readCurrent(id, false))?.articleKey : await this.keyOf(id, version);
    if (key === undefined) return undefined;
    let text: string;
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucketName, Key: key }));
      text = (await object.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      // The index only ever points at objects written before it, so a missing object is a storage fault.
      throw storageError(`read s3://${this.bucketName}/${key}`, error);
    }
    const parsed = Article.safeParse(safeJson(text));
    if (!parsed.success)
      throw new PipelineError('INTERNAL', `stored article ${key} does not match the schema`);
    return parsed.data;
  }

  private async keyOf(id: string, version: number): Promise<string | undefined> {
    const item = await this.getItem(articlePk(id), versionSk(version), false);
    if (item) return parseStoredItem(ArticleVersionRecordSchema, item, 'version').articleKey;
    const current = await this.readCurrent(id, false);
    return current?.version === version ? current.articleKey : undefined;
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
      const version = parseStoredItem(ArticleVersionRecordSchema, item, 'version');
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
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const result = await this.query({
        TableName: this.tableName,
        IndexName: BY_SITE_INDEX,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
        ExpressionAttributeNames: { '#pk': ATTR.siteKey, '#sk': ATTR.siteSort },
        ExpressionAttributeValues: { ':pk': sitePk(query.site), ':lower': lower, ':upper': upper },
        ScanIndexForward: false,
        Limit: limit + 2,
        ExclusiveStartKey: exclusiveStartKey,
      });
      for (const item of result.items) {
        // BETWEEN is inclusive; the cursor's own item was on the previous page.
        if (afterKey !== undefined && item[ATTR.siteSort] === afterKey) continue;
        items.push(parseStoredItem(ArticleRecordSchema, item, 'article'));
      }
      exclusiveStartKey = result.lastEvaluatedKey;
    } while (exclusiveStartKey && items.length <= limit);

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
      const shards = await Promise.all(
        Array.from({ length: INGESTED_SHARD_COUNT }, (_, shard) =>
          this.queryFeedShard(ingestedPk(day, shard), lower, upper, limit + 2),
        ),
      );
      const merged = shards
        .flat()
        .filter((item) => exclusiveKey === undefined || (item[ATTR.ingestedSort] as string) > exclusiveKey)
        .sort((a, b) => compareStrings(a[ATTR.ingestedSort] as string, b[ATTR.ingestedSort] as string));
      for (const item of merged) collected.push(parseStoredItem(ArticleRecordSchema, item, 'article'));
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

  /** The marked days in [fromDay, toDay], at most MAX_DAYS_PER_PAGE of them. */
  private async daysWithCommits(fromDay: string, toDay: string): Promise<{ days: string[]; more: boolean }> {
    const result = await this.query({
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
      ExpressionAttributeValues: { ':pk': INGESTED_DAYS_PK, ':from': fromDay, ':to': toDay },
      Limit: MAX_DAYS_PER_PAGE + 1,
    });
    const days = result.items.map((item) => String(item[ATTR.sk]));
    return { days: days.slice(0, MAX_DAYS_PER_PAGE), more: days.length > MAX_DAYS_PER_PAGE };
  }

  private async queryFeedShard(
    partition: string,
    lower: string,
    upper: string,
    wanted: number,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const result = await this.query({
        TableName: this.tableName,
        IndexName: BY_INGESTED_INDEX,
        // `<upper>` sorts before `<upper>#<id>`: items stamped at or after `upper` are excluded.
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
        ExpressionAttributeNames: { '#pk': ATTR.ingestedKey, '#sk': ATTR.ingestedSort },
        ExpressionAttributeValues: { ':pk': partition, ':lower': lower, ':upper': upper },
        ScanIndexForward: true,
        Limit: wanted,
        ExclusiveStartKey: exclusiveStartKey,
      });
      items.push(...result.items);
      exclusiveStartKey = result.lastEvaluatedKey;
    } while (exclusiveStartKey && items.length < wanted);
    return items;
  }

  // ---- DynamoDB helpers ----

  private async readCurrent(id: string, consistent: boolean): Promise<ArticleRecord | undefined> {
    const item = await this.getItem(articlePk(id), CURRENT_SK, consistent);
    return item ? parseStoredItem(ArticleRecordSchema, item, 'article') : undefined;
  }

  private async getItem(pk: string, sk: string, consistent: boolean) {
    try {
      const result = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [ATTR.pk]: pk, [ATTR.sk]: sk },
          ConsistentRead: consistent,
        }),
      );
      return result.Item;
    } catch (error) {
      throw storageError('read', error);
    }
  }

  private async query(input: QueryCommandInput) {
    try {
      const result = await this.documents.send(new QueryCommand(input));
      return { items: result.Items ?? [], lastEvaluatedKey: result.LastEvaluatedKey };
    } catch (error) {
      throw storageError('query', error);
    }
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const result = await this.query({ ...input, ExclusiveStartKey: exclusiveStartKey });
      items.push(...result.items);
      exclusiveStartKey = result.lastEvaluatedKey;
    } while (exclusiveStartKey);
    return items;
  }

  private nowIso(): string {
    return this.clock().toISOString();
  }
}

function validateArticle(input: Article): Article {
  const parsed = Article.safeParse(input);
  if (!parsed.success) {
    throw new PipelineError('SCHEMA_VIOLATION', `article does not match the schema: ${parsed.error.message}`);
  }
  const article = parsed.data;
  if (articleIdForUrl(article.url) !== article.id) {
    throw new PipelineError('SCHEMA_VIOLATION', `article id ${article.id} is not the SHA-256 of its url`, {
      url: article.url,
    });
  }
  return article;
}

/** A fetch time in the stored form (UTC, milliseconds), or undefined when it is not a timestamp. */
function fetchTime(value: string): string | undefined {
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** Whether fetch time `a` is strictly before the stored fetch time `b` (unknown times never are). */
function isBefore(a: string | undefined, b: unknown): boolean {
  return a !== undefined && typeof b === 'string' && a < b;
}

function statusOf(record: ArticleRecord): 'created' | 'updated' {
  return record.version === 1 ? 'created' : 'updated';
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

function isArticleId(id: string): boolean {
  return typeof id === 'string' && /^[0-9a-f]{64}$/.test(id);
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

function storageError(action: string, error: unknown): PipelineError {
  if (error instanceof PipelineError) return error;
  const name = (error as { name?: string } | undefined)?.name ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return new PipelineError(
    'INTERNAL',
    `store: ${action} failed: ${name}: ${message}`,
    { retryable: true },
    {
      cause: error,
    },
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * S3 user metadata: US-ASCII values, 2 KB in all. Non-ASCII is percent-encoded; fields are kept in the order
 * given while they fit, so the short, useful ones go first.
 */
export function fitMetadata(fields: Record<string, string | undefined>): Record<string, string> {
  const metadata: Record<string, string> = {};
  let size = 0;
  for (const [name, raw] of Object.entries(fields)) {
    if (raw === undefined) continue;
    const value = /^[\x20-\x7e]*$/.test(raw) ? raw : encodeURI(raw);
    if (size + name.length + value.length > S3_METADATA_BUDGET) continue;
    metadata[name] = value;
    size += name.length + value.length;
  }
  return metadata;
}

export type { StoreCursor };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
