import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { PutObjectCommandInput } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Article } from '../../core/article.ts';
import { PipelineError } from '../../core/errors.ts';
import { createGathering } from '../../core/gather.ts';
import { articleIdForUrl, canonicalizeUrl } from '../../core/url.ts';
import {
  ArticleRecordSchema,
  articlePk,
  batchObjectKeys,
  CURRENT_SK,
  compactFetch,
  expandArticleItem,
  FEED_IDS_PER_ITEM,
  FETCH_OUTCOME_ATTR,
  feedPk,
  feedSk,
  INGESTED_DAYS_PK,
  parseStoredItem,
  sitePk,
  siteSortKey,
  slimArticleAttributes,
  utcDay,
  versionSk,
} from '../layout.ts';
import { ATTR } from '../table.ts';
import type {
  ArticleRecord,
  ArticleVersionRecord,
  ArticleWriter,
  CommitGroup,
  CommitGroupMember,
  CommitOptions,
  CommitResult,
  ObjectRange,
  RawPage,
} from '../types.ts';
import { warcResponseMember } from '../warc.ts';
import { AwsArticleReader } from './article-reader.ts';
import {
  type AwsArticleStoreOptions,
  COMMIT_ID_ATTR,
  DEFAULT_SINCE_FEED_SETTLE_MS,
  documentClient,
  FETCHED_AT_ATTR,
  getTableItem,
  isConditionFailure,
  type StoreObjects,
  storageError,
  storeObjects,
} from './common.ts';

const DEFAULT_MAX_COMMIT_ATTEMPTS = 8;
/** S3 user metadata is limited to 2 KB; fetch metadata that does not fit is left out (it is in DynamoDB). */
const S3_METADATA_BUDGET = 1_900;
const CONFLICT_BACKOFF_MS = 10;

/** Where one commit's page and Article were stored. */
interface StoredObjects {
  articleKey: string;
  rawKey: string;
  articleRange: ObjectRange;
  rawRange: ObjectRange;
}

/** A batch's stored objects and the time its commits are stamped with (listed under it in the "since" feed). */
interface StoredBatchMember {
  objects: StoredObjects;
  ingestedAt: string;
}

/**
 * The article store's write path. S3 objects first, then the CURRENT item with a conditional put: that put is the
 * commit point. No transactions are needed (dynalite has none): a crash before it leaves only unreferenced S3
 * bytes, and a lost race makes the put fail, after which we re-read and either report unchanged or build on the
 * winner's version. Commits of one group (an ingest batch) share their S3 objects: store layout 2 in layout.ts.
 */
export class AwsArticleWriter implements ArticleWriter {
  private readonly objects: StoreObjects;
  private readonly documents: DynamoDBDocumentClient;
  private readonly bucketName: string;
  private readonly tableName: string;
  private readonly clock: () => Date;
  private readonly settleMs: number;
  private readonly maxCommitAttempts: number;
  /** Days whose INGESTED_DAYS item this instance has written (or is writing). */
  private readonly markedDays = new Map<string, Promise<void>>();
  /** Reads a stored copy back when a commit is asked to repair it. */
  private readonly reader: AwsArticleReader;

  constructor(options: AwsArticleStoreOptions) {
    this.reader = new AwsArticleReader(options);
    this.objects = storeObjects(options.s3);
    this.documents = documentClient(options.dynamodb);
    this.bucketName = options.bucketName;
    this.tableName = options.tableName;
    this.clock = options.clock ?? (() => new Date());
    this.settleMs = options.sinceFeedSettleMs ?? DEFAULT_SINCE_FEED_SETTLE_MS;
    this.maxCommitAttempts = options.maxCommitAttempts ?? DEFAULT_MAX_COMMIT_ATTEMPTS;
  }

  /** A commit on its own: a group of one (two PUTs). */
  async commit(input: Article, raw: RawPage, options: CommitOptions = {}): Promise<CommitResult> {
    const member = this.group(1).member();
    try {
      return await member.commit(input, raw, options);
    } finally {
      member.leave();
    }
  }

  group(size: number): CommitGroup {
    return new BatchCommit(size, (pending) => this.writeObjects(pending), this);
  }

  /**
   * One commit, storing its objects through `store` (which parks it until its group writes). Called by a group
   * member; `release` tells the group this commit needs no objects (unchanged, or superseded by a later fetch).
   */
  async commitWith(
    input: Article,
    raw: RawPage,
    store: (pending: PendingObjects) => Promise<StoredBatchMember>,
    release: () => void,
    options: CommitOptions = {},
  ): Promise<CommitResult> {
    const article = validateArticle(input);
    // Byte-identical articles from two workers would share nothing but content, so only this id tells our
    // commit from theirs when a put succeeded but its response was lost.
    const commitId = randomUUID();
    const fetchedAt = fetchTime(raw.fetchedAt);
    let stored: StoredBatchMember | undefined;

    for (let attempt = 1; attempt <= this.maxCommitAttempts; attempt += 1) {
      // A first fetch of the article's own URL expects no item: the conditional put below checks that for free
      // (a refusal sends the commit round again, reading the item this time).
      const expectNone =
        attempt === 1 &&
        options.firstFetch === true &&
        !options.replaces &&
        !options.repair &&
        fetchedFromOwnUrl(raw.url, article.id);
      const currentItem = expectNone ? undefined : await this.getItem(articlePk(article.id), CURRENT_SK);
      const current = currentItem
        ? parseStoredItem(ArticleRecordSchema, expandArticleItem(currentItem), 'article')
        : undefined;
      const { replaces } = options;
      if (replaces) {
        // A replacement (re-extraction) is written only over the version it was made from.
        if (current && currentItem?.[COMMIT_ID_ATTR] === commitId) {
          return { status: statusOf(current), record: current };
        }
        if (current?.version !== replaces.version) {
          release();
          if (!current) throw new PipelineError('NOT_FOUND', `article ${article.id} is not stored`);
          return { status: 'unchanged', record: current };
        }
      } else if (current && current.contentHash === article.contentHash) {
        // Our own earlier attempt may have committed even though its response was lost (an SDK retry then
        // fails the condition): that is still our commit, not someone else's unchanged copy.
        const ours = currentItem?.[COMMIT_ID_ATTR] === commitId;
        if (options.repair && !ours && !(await this.storedCopyReadable(current))) {
          // The index is right, its objects are not: the same content is stored again (new batch objects:
          // a batch object is shared, so it is never rewritten) and CURRENT is pointed at it.
          // Its feed entry is skipped by readers: CURRENT keeps its ingestedAt.
          const { objects: repaired } = await store({ article, articleJson: JSON.stringify(article), raw });
          if (await this.repointCurrent(current, repaired)) {
            return { status: 'unchanged', record: { ...current, ...repaired }, repaired: true };
          }
          continue; // CURRENT moved on meanwhile: look again
        }
        release();
        return { status: ours ? statusOf(current) : 'unchanged', record: current };
      }
      if (!replaces && current && isBefore(fetchedAt, currentItem?.[FETCHED_AT_ATTR])) {
        // A worker that fetched later has committed already: this older copy of the page must not supersede
        // it (the version history would end on stale content). Nothing is written.
        release();
        return { status: 'unchanged', record: current };
      }
      const version = (current?.version ?? 0) + 1;
      const firstIngestedAt = current?.firstIngestedAt ?? this.nowIso();
      // Object keys do not depend on the version, so a retry after a lost race reuses what was stored, and the
      // stamp its batch listed it under in the "since" feed.
      stored ??= await store({ article, articleJson: JSON.stringify(article), raw });
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
        ...(article.pageType === undefined || article.pageType === 'article'
          ? {}
          : { pageType: article.pageType }),
        // A version made without a cluster decision (re-extraction) stays in the cluster of the one before.
        ...((article.cluster ?? current?.cluster) === undefined
          ? {}
          : { cluster: article.cluster ?? current?.cluster }),
        contentHash: article.contentHash,
        version,
        ingestedAt: stored.ingestedAt,
        firstIngestedAt,
        ...stored.objects,
        ...(replaces ? { reason: replaces.reason } : {}),
      };
      // Fetched from the article's own URL (not a re-extraction): the commit records the fetch, so that URL's
      // crawl state needs no write of its own (store layout 4, foldIndexedFetch). Any other commit keeps the fetch
      // the item recorded, with its time.
      const ownFetch = !replaces && fetchedAt !== undefined && fetchedFromOwnUrl(raw.url, article.id);
      const fetch = ownFetch ? compactFetch(raw) : carriedFetch(currentItem);
      try {
        await this.putCurrent(record, { commitId, fetchedAt, fetch }, current?.version);
      } catch (error) {
        if (!isConditionFailure(error)) throw storageError('commit', error);
        // Lost a race: back off a little (jittered, growing) so a crowd of writers does not retry in lockstep.
        await sleep(Math.random() * CONFLICT_BACKOFF_MS * attempt);
        continue;
      }
      // No VERSION# item for the new version yet: CURRENT stands for it until it is superseded (above).
      return {
        status: statusOf(record),
        record: await this.restampIfLate(record),
        ...(ownFetch ? { fetchRecorded: true } : {}),
      };
    }
    release();
    throw new PipelineError(
      'CONFLICT',
      `article ${article.id} changed concurrently ${this.maxCommitAttempts} times; try again`,
      { retryable: true, url: article.url },
    );
  }

  private async storedCopyReadable(record: ArticleRecord): Promise<boolean> {
    try {
      const article = await this.reader.getArticle(record.id, record.version);
      return article !== undefined && article.contentHash === record.contentHash;
    } catch {
      return false;
    }
  }

  /** Points CURRENT at a rewritten copy of the same version; false when CURRENT changed meanwhile. */
  private async repointCurrent(current: ArticleRecord, stored: StoredObjects): Promise<boolean> {
    // The new objects in the item's stored form (a batch stem and ranges); attributes of the old form go.
    const { batch, ranges } = slimArticleAttributes({ ...current, ...stored });
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [ATTR.pk]: articlePk(current.id), [ATTR.sk]: CURRENT_SK },
          UpdateExpression:
            batch === undefined
              ? 'SET articleKey = :ak, rawKey = :rk, articleRange = :ar, rawRange = :rr REMOVE #batch, #ranges'
              : 'SET #batch = :batch, #ranges = :ranges REMOVE articleKey, rawKey, articleRange, rawRange',
          ConditionExpression: '#version = :version AND contentHash = :hash',
          ExpressionAttributeNames: { '#version': 'version', '#batch': 'batch', '#ranges': 'ranges' },
          ExpressionAttributeValues: {
            ...(batch === undefined
              ? {
                  ':ak': stored.articleKey,
                  ':rk': stored.rawKey,
                  ':ar': stored.articleRange,
                  ':rr': stored.rawRange,
                }
              : { ':batch': batch, ':ranges': ranges }),
            ':version': current.version,
            ':hash': current.contentHash,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storageError('repair', error);
    }
  }

  /**
   * One WARC object for the pages and one JSON Lines object for the Articles (a gzip member per record), then the
   * batch's "since" feed item: the commits that follow are stamped with its time.
   */
  private async writeObjects(pending: PendingObjects[]): Promise<StoredBatchMember[]> {
    const keys = batchObjectKeys(randomUUID(), this.nowIso());
    const pages = pending.map(({ article, raw }) =>
      warcResponseMember({
        url: raw.finalUrl,
        fetchedAt: raw.fetchedAt,
        status: raw.status,
        ...(raw.contentType === undefined ? {} : { contentType: raw.contentType }),
        ...(raw.etag === undefined ? {} : { etag: raw.etag }),
        ...(raw.lastModified === undefined ? {} : { lastModified: raw.lastModified }),
        body: raw.body,
        articleId: article.id,
      }),
    );
    const articles = pending.map(({ articleJson }) => gzipSync(`${articleJson}\n`));
    const metadata = fitMetadata({ records: String(pending.length), 'layout-version': '2' });
    await Promise.all([
      this.putObject({
        Key: keys.raw,
        Body: Buffer.concat(pages),
        // Stored compressed on purpose: no Content-Encoding, so a ranged GET returns the gzip member itself.
        ContentType: 'application/warc',
        Metadata: metadata,
      }),
      this.putObject({
        Key: keys.articles,
        Body: Buffer.concat(articles),
        ContentType: 'application/jsonl',
        Metadata: metadata,
      }),
    ]);
    const rawRanges = ranges(pages);
    const articleRanges = ranges(articles);
    const ingestedAt = this.nowIso();
    await this.listInFeed(
      ingestedAt,
      pending.map(({ article }) => article.id),
    );
    return pending.map((_, index) => ({
      objects: {
        articleKey: keys.articles,
        rawKey: keys.raw,
        articleRange: articleRanges[index] as ObjectRange,
        rawRange: rawRanges[index] as ObjectRange,
      },
      ingestedAt,
    }));
  }

  /**
   * Lists article ids in the "since" feed under `stampedAt` (one item per FEED_IDS_PER_ITEM ids), after the day's
   * INGESTED_DAYS mark. Written before the commits it lists: an entry whose commit never lands is skipped by
   * readers, a commit without its entry would never be seen.
   */
  private async listInFeed(stampedAt: string, ids: readonly string[]): Promise<void> {
    await this.markIngestedDay(stampedAt);
    const unique = [...new Set(ids)];
    const writes: Promise<unknown>[] = [];
    for (let start = 0; start < unique.length; start += FEED_IDS_PER_ITEM) {
      writes.push(
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              [ATTR.pk]: feedPk(utcDay(stampedAt)),
              [ATTR.sk]: feedSk(stampedAt, randomUUID()),
              ids: unique.slice(start, start + FEED_IDS_PER_ITEM),
            },
          }),
        ),
      );
    }
    try {
      await Promise.all(writes);
    } catch (error) {
      throw storageError('list in the since feed', error);
    }
  }

  private async putCurrent(
    record: ArticleRecord,
    commit: { commitId: string; fetchedAt: string | undefined; fetch?: Record<string, unknown> | undefined },
    expectedVersion: number | undefined,
  ): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [ATTR.pk]: articlePk(record.id),
          [ATTR.sk]: CURRENT_SK,
          [ATTR.siteKey]: sitePk(record.site),
          [ATTR.siteSort]: siteSortKey(record),
          ...slimArticleAttributes(record),
          [COMMIT_ID_ATTR]: commit.commitId,
          ...(commit.fetchedAt === undefined ? {} : { [FETCHED_AT_ATTR]: commit.fetchedAt }),
          ...(commit.fetch === undefined ? {} : { [FETCH_OUTCOME_ATTR]: commit.fetch }),
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

  /**
   * Written before any commit stamped on that day (once per day per store instance), never after. The commits
   * of a batch run at once: they share one write (a failed one is tried again by the next commit).
   */
  private markIngestedDay(ingestedAt: string): Promise<void> {
    const day = utcDay(ingestedAt);
    let marking = this.markedDays.get(day);
    if (marking === undefined) {
      marking = this.documents
        .send(
          new PutCommand({
            TableName: this.tableName,
            Item: { [ATTR.pk]: INGESTED_DAYS_PK, [ATTR.sk]: day },
          }),
        )
        .then(
          () => undefined,
          (error: unknown) => {
            this.markedDays.delete(day);
            throw storageError('mark ingested day', error);
          },
        );
      this.markedDays.set(day, marking);
    }
    return marking;
  }

  private async putVersionItem(record: ArticleRecord): Promise<void> {
    const version: ArticleVersionRecord = {
      id: record.id,
      version: record.version,
      contentHash: record.contentHash,
      ingestedAt: record.ingestedAt,
      articleKey: record.articleKey,
      rawKey: record.rawKey,
      ...(record.articleRange ? { articleRange: record.articleRange } : {}),
      ...(record.rawRange ? { rawRange: record.rawRange } : {}),
      ...(record.reason ? { reason: record.reason } : {}),
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
    await this.listInFeed(now, [record.id]);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [ATTR.pk]: articlePk(record.id), [ATTR.sk]: CURRENT_SK },
          UpdateExpression: 'SET #ingestedAt = :now',
          ConditionExpression: '#version = :version AND #ingestedAt = :stamped',
          ExpressionAttributeNames: { '#ingestedAt': 'ingestedAt', '#version': 'version' },
          ExpressionAttributeValues: {
            ':now': now,
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

  private async putObject(input: Omit<PutObjectCommandInput, 'Bucket'>) {
    try {
      await this.objects.put({ Bucket: this.bucketName, ...input });
    } catch (error) {
      throw storageError(`write s3://${this.bucketName}/${input.Key}`, error);
    }
  }

  /** The commit reads CURRENT strongly consistent: it decides the next version from it. */
  private getItem(pk: string, sk: string) {
    return getTableItem(this.documents, this.tableName, { pk, sk }, true);
  }

  private nowIso(): string {
    return this.clock().toISOString();
  }
}

/** What a parked commit hands its group to store. */
interface PendingObjects {
  article: Article;
  articleJson: string;
  raw: RawPage;
}

/**
 * Waits until each of its `size` members has either parked a commit (it needs objects) or left, then writes the
 * parked commits' objects in one go and lets each carry on to its own conditional put.
 */
class BatchCommit implements CommitGroup {
  private readonly gathering: ReturnType<typeof createGathering<PendingObjects, StoredBatchMember>>;

  constructor(
    size: number,
    write: (pending: PendingObjects[]) => Promise<StoredBatchMember[]>,
    private readonly writer: AwsArticleWriter,
  ) {
    this.gathering = createGathering(size, 'a commit group', write);
  }

  member(): CommitGroupMember {
    const member = this.gathering.member();
    let started = false;
    return {
      commit: (article, raw, options) => {
        if (started || !member.active) {
          return Promise.reject(new PipelineError('INTERNAL', 'a commit group member commits once'));
        }
        started = true;
        return this.writer.commitWith(
          article,
          raw,
          (objects) => member.submit(objects),
          () => member.leave(),
          options,
        );
      },
      leave: () => member.leave(),
    };
  }
}

function ranges(members: Uint8Array[]): ObjectRange[] {
  let offset = 0;
  return members.map((member) => {
    const range = { offset, length: member.byteLength };
    offset += member.byteLength;
    return range;
  });
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The fetch an item recorded, with its time, for a commit that records none of its own (layout 4). */
function carriedFetch(item: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const fetch = item?.[FETCH_OUTCOME_ATTR];
  if (typeof fetch !== 'object' || fetch === null || typeof item?.[FETCHED_AT_ATTR] !== 'string')
    return undefined;
  const recorded = fetch as Record<string, unknown>;
  return { ...recorded, t: typeof recorded.t === 'string' ? recorded.t : item[FETCHED_AT_ATTR] };
}

/** Whether a page was fetched from the URL its article's id is the hash of (their crawl-state and index keys match). */
function fetchedFromOwnUrl(url: string, articleId: string): boolean {
  try {
    return articleIdForUrl(canonicalizeUrl(url)) === articleId;
  } catch {
    return false;
  }
}
