import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { PipelineError } from '../../core/errors.ts';
import { type SourcePatch, SourceRecord } from '../../core/sources.ts';
import {
  daysBetween,
  INGEST_COUNTS_FOLD_SK,
  INGEST_COUNTS_PK,
  ingestCountsPk,
  ingestCountsSk,
  parseStoredItem,
  utcDay,
} from '../layout.ts';
import { ATTR, DUE_SOURCES_INDEX, SOURCE_DUE_SHARD_COUNT } from '../table.ts';
import type { DueSource, PendingIngestCounts, SourceCrawlRecord, SourceRegistry } from '../types.ts';

export interface AwsSourceRegistryOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** Waits between retries of unprocessed batch items; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** The clock that stamps ingest count items; injectable for tests. */
  now?: () => Date;
}

/** How ingest's per-batch count items are kept and folded into the sources' totals (lib/store/layout.ts). */
export const INGEST_COUNT_FOLD = {
  /**
   * Count items stamped this recently are left for a later fold: an item is stamped just before its write, inside
   * an ingest invocation, so after Lambda's longest invocation (15 minutes) and a margin it has landed or never will.
   */
  settleMs: 16 * 60_000,
  /** Count items expire (DynamoDB TTL) after this; a fold reads back at most this far. */
  keepDays: 14,
  /** Source updates of one fold in flight at once. */
  concurrency: 16,
  /** Tries of one source's update when another fold got there first (it re-reads how far that one counted). */
  maxSourceTries: 4,
} as const;

/**
 * How the due index is kept (lib/store/table.ts). A source's due-index key is a lower bound of its next due time, not
 * the time itself: the schedule reads the real one from the item. Moving the key costs two index writes (the old
 * copy deleted, the new one put), so a crawl's record keeps the key it was found under while that lags the next due
 * time by at most `keyLagMs`; a key further behind would make the schedule read the source's item on every run
 * until it is due (0.5 read units a run, against 2 write units a move: about 1/20).
 */
export const DUE_INDEX = {
  keyLagMs: 2 * 60 * 60_000,
} as const;

/** The partition every source item lives in (see lib/store/table.ts for why one is enough). */
export const SOURCES_PK = 'SOURCES';
const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
const MAX_BATCH_ATTEMPTS = 8;

/** The due-index partition of a source: stable per id, spread evenly (ids are hashes). */
export function dueShard(id: string): number {
  return Number.parseInt(id.slice(0, 8), 16) % SOURCE_DUE_SHARD_COUNT;
}

export function dueKeys(id: string, nextDueAt: string): Record<string, string> {
  return { [ATTR.dueKey]: `DUE#${dueShard(id)}`, [ATTR.dueSort]: `${nextDueAt}#${id}` };
}

function storeError(what: string, error: unknown): PipelineError {
  return new PipelineError('INTERNAL', `store: ${what} failed: ${String(error)}`, { retryable: true });
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

/** The stored item of a source: the record, its keys and, unless paused, its due-index keys. */
function toItem(source: SourceRecord): Record<string, unknown> {
  const { health, ...rest } = source;
  const { articlesIngested, ...crawlHealth } = health;
  return {
    [ATTR.pk]: SOURCES_PK,
    [ATTR.sk]: source.id,
    ...rest,
    health: crawlHealth,
    articlesIngested,
    ...(source.paused ? {} : dueKeys(source.id, source.nextDueAt)),
  };
}

function fromItem(item: Record<string, unknown>): SourceRecord {
  const {
    [ATTR.pk]: _pk,
    [ATTR.sk]: _sk,
    [ATTR.dueKey]: _dueKey,
    [ATTR.dueSort]: _dueSort,
    claimUntil: _claimUntil,
    countedThrough: _countedThrough,
    articlesIngested,
    health,
    ...rest
  } = item;
  return parseStoredItem(
    SourceRecord,
    { ...rest, health: { ...(health as object), articlesIngested: articlesIngested ?? 0 } },
    'source',
  );
}

/** The sources registry on the pipeline's DynamoDB table (real, DynamoDB Local or dynalite). */
export class AwsSourceRegistry implements SourceRegistry {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;

  constructor(options: AwsSourceRegistryOptions) {
    this.documents = DynamoDBDocumentClient.from(options.dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => new Date());
  }

  private key(id: string) {
    return { [ATTR.pk]: SOURCES_PK, [ATTR.sk]: id };
  }

  async add(source: SourceRecord): Promise<'created' | 'exists'> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(SourceRecord.parse(source)),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': ATTR.pk },
        }),
      );
      return 'created';
    } catch (error) {
      if (isConditionFailure(error)) return 'exists';
      throw storeError('add source', error);
    }
  }

  async addMany(
    sources: SourceRecord[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ created: number; existing: number }> {
    // One URL is one source: duplicates in the input collapse to the first.
    const unique = [...new Map(sources.map((source) => [source.id, SourceRecord.parse(source)])).values()];
    let created = 0;
    let existing = sources.length - unique.length;
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      const slice = unique.slice(start, start + BATCH_GET_LIMIT);
      // Already registered sources keep their health and schedule: only the new ones are written.
      const known = await this.existingIds(slice.map((source) => source.id));
      const fresh = slice.filter((source) => !known.has(source.id));
      existing += slice.length - fresh.length;
      for (let at = 0; at < fresh.length; at += BATCH_WRITE_LIMIT) {
        await this.batchWrite(fresh.slice(at, at + BATCH_WRITE_LIMIT).map(toItem));
      }
      created += fresh.length;
      onProgress?.(Math.min(start + slice.length, unique.length), unique.length);
    }
    return { created, existing };
  }

  private async existingIds(ids: string[]): Promise<Set<string>> {
    const items = await this.batchGet(
      ids.map((id) => this.key(id)),
      '#sk',
      { '#sk': ATTR.sk },
    );
    return new Set(items.map((item) => String(item[ATTR.sk])));
  }

  private async batchWrite(items: Array<Record<string, unknown>>): Promise<void> {
    let requests: Array<Record<string, unknown>> = items.map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw storeError('write sources', 'items left unprocessed');
      if (attempt > 0) await this.sleep(Math.min(1000, 25 * 2 ** attempt));
      try {
        const response = await this.documents.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }),
        );
        requests = (response.UnprocessedItems?.[this.tableName] ?? []) as Array<Record<string, unknown>>;
      } catch (error) {
        throw storeError('write sources', error);
      }
    }
  }

  async get(id: string): Promise<SourceRecord | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      item = (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: this.key(id) })))
        .Item;
    } catch (error) {
      throw storeError('read source', error);
    }
    return item ? fromItem(item) : undefined;
  }

  async list(options: { limit: number; after?: string }): Promise<{ items: SourceRecord[]; next?: string }> {
    const items: SourceRecord[] = [];
    let startKey: Record<string, unknown> | undefined =
      options.after === undefined ? undefined : this.key(options.after);
    // A Query page can come back short (1 MB cap); keep reading until the page is full or the partition ends.
    do {
      let response: { Items?: Array<Record<string, unknown>>; LastEvaluatedKey?: Record<string, unknown> };
      try {
        response = await this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': ATTR.pk },
            ExpressionAttributeValues: { ':pk': SOURCES_PK },
            Limit: options.limit - items.length,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
      } catch (error) {
        throw storeError('list sources', error);
      }
      for (const item of response.Items ?? []) items.push(fromItem(item));
      startKey = response.LastEvaluatedKey;
    } while (startKey !== undefined && items.length < options.limit);
    const last = items.at(-1);
    return { items, ...(startKey !== undefined && last !== undefined ? { next: last.id } : {}) };
  }

  async update(id: string, patch: SourcePatch, now: Date): Promise<SourceRecord | undefined> {
    const names: Record<string, string> = { '#pk': ATTR.pk };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    const set = (attribute: string, value: unknown) => {
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      sets.push(`#${attribute} = :${attribute}`);
    };
    if (patch.intervalSeconds !== undefined) set('intervalSeconds', patch.intervalSeconds);
    if (patch.kind !== undefined) set('kind', patch.kind);
    if (patch.allowOtherSites !== undefined) set('allowOtherSites', patch.allowOtherSites);
    if (patch.paused === true) {
      set('paused', true);
      // Off the due index: a paused source costs the schedule nothing.
      names['#dueKey'] = ATTR.dueKey;
      names['#dueSort'] = ATTR.dueSort;
      removes.push('#dueKey', '#dueSort');
    } else if (patch.paused === false) {
      // Resumed sources are due at once (the due index gets them back).
      const nextDueAt = now.toISOString();
      set('paused', false);
      set('nextDueAt', nextDueAt);
      const keys = dueKeys(id, nextDueAt);
      names['#dueKey'] = ATTR.dueKey;
      names['#dueSort'] = ATTR.dueSort;
      values[':dueKey'] = keys[ATTR.dueKey];
      values[':dueSort'] = keys[ATTR.dueSort];
      sets.push('#dueKey = :dueKey', '#dueSort = :dueSort');
    }
    if (sets.length === 0 && removes.length === 0) return this.get(id);
    try {
      const response = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(id),
          UpdateExpression: [
            sets.length ? `SET ${sets.join(', ')}` : '',
            removes.length ? `REMOVE ${removes.join(', ')}` : '',
          ]
            .join(' ')
            .trim(),
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return response.Attributes ? fromItem(response.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw storeError('update source', error);
    }
  }

  async remove(id: string): Promise<boolean> {
    try {
      const response = await this.documents.send(
        new DeleteCommand({ TableName: this.tableName, Key: this.key(id), ReturnValues: 'ALL_OLD' }),
      );
      return response.Attributes !== undefined;
    } catch (error) {
      throw storeError('remove source', error);
    }
  }

  async due(now: Date, limitPerShard: number): Promise<DueSource[]> {
    const upper = now.toISOString();
    const shards = Array.from({ length: SOURCE_DUE_SHARD_COUNT }, (_, shard) => shard);
    // Candidates: index keys at or before now (a key is a lower bound of the source's next due time, DUE_INDEX).
    const candidates = (
      await Promise.all(
        shards.map(async (shard) => {
          const found: Array<{ id: string; dueKey: string }> = [];
          const pages = this.queryPages('query due sources', {
            IndexName: DUE_SOURCES_INDEX,
            KeyConditionExpression: '#dueKey = :dueKey AND #dueSort <= :upper',
            ExpressionAttributeNames: { '#dueKey': ATTR.dueKey, '#dueSort': ATTR.dueSort },
            ExpressionAttributeValues: { ':dueKey': `DUE#${shard}`, ':upper': `${upper}#~` },
            Limit: limitPerShard,
          });
          for await (const page of pages) {
            for (const item of page)
              found.push({ id: String(item[ATTR.sk]), dueKey: String(item[ATTR.dueSort]) });
          }
          return found;
        }),
      )
    ).flat();
    // The real due times, from the items (eventually consistent: a stale one only makes a claim fail or wait a run).
    const due: DueSource[] = [];
    for (let start = 0; start < candidates.length; start += BATCH_GET_LIMIT) {
      const slice = candidates.slice(start, start + BATCH_GET_LIMIT);
      const items = await this.batchGet(
        slice.map((candidate) => this.key(candidate.id)),
        '#sk, #nextDueAt, #paused',
        { '#sk': ATTR.sk, '#nextDueAt': 'nextDueAt', '#paused': 'paused' },
      );
      const byId = new Map(items.map((item) => [String(item[ATTR.sk]), item]));
      for (const candidate of slice) {
        const item = byId.get(candidate.id);
        if (item === undefined || item.paused === true || typeof item.nextDueAt !== 'string') continue;
        if (item.nextDueAt <= upper) due.push({ ...candidate, nextDueAt: item.nextDueAt });
      }
    }
    return due;
  }

  /** Items by key, eventually consistent, retrying unprocessed keys; a storage fault is storeError. */
  private async batchGet(
    keys: Array<Record<string, unknown>>,
    projection: string,
    names: Record<string, string>,
  ): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw storeError('read sources', 'keys left unprocessed');
      if (attempt > 0) await this.sleep(Math.min(1000, 25 * 2 ** attempt));
      let response: BatchGetCommandOutput;
      try {
        response = await this.documents.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ProjectionExpression: projection,
                ExpressionAttributeNames: names,
              },
            },
          }),
        );
      } catch (error) {
        throw storeError('read sources', error);
      }
      items.push(...(response.Responses?.[this.tableName] ?? []));
      keys = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }

  async claim(source: DueSource, leaseUntil: Date, counts?: PendingIngestCounts): Promise<boolean> {
    const nextDueAt = leaseUntil.toISOString();
    // The source's settled ingest counts, when the schedule read them first: added by the claim itself (the same
    // write, no update of its own), on foldSource's terms (no fold has counted the source past `after`).
    const count = counts === undefined ? 0 : countAfter(counts.bySource.get(source.id), counts.after);
    const folding = counts !== undefined && count > 0;
    const send = (withCount: boolean) =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(source.id),
          // claimUntil marks the due time as a claim's (until a crawl records its own): releaseClaims finds it.
          // The due-index key stays (no index write): it is a lower bound of the due time (DUE_INDEX), and the
          // lease's end is the due time now, so the schedule finds the source again only if no record comes by then
          // (its task died).
          UpdateExpression:
            'SET #nextDueAt = :nextDueAt, #claimUntil = :nextDueAt' +
            (withCount ? ', #countedThrough = :through' : '') +
            (withCount ? ' ADD #ingested :count' : ''),
          // Still due exactly as found: not claimed by another schedule run, paused or rescheduled meanwhile.
          ConditionExpression:
            '#nextDueAt = :seen AND #paused = :false' +
            (withCount ? ' AND (attribute_not_exists(#countedThrough) OR #countedThrough <= :after)' : ''),
          ExpressionAttributeNames: {
            '#nextDueAt': 'nextDueAt',
            '#paused': 'paused',
            '#claimUntil': 'claimUntil',
            ...(withCount ? { '#countedThrough': 'countedThrough', '#ingested': 'articlesIngested' } : {}),
          },
          ExpressionAttributeValues: {
            ':nextDueAt': nextDueAt,
            ':seen': source.nextDueAt,
            ':false': false,
            ...(withCount && counts
              ? { ':through': counts.through, ':after': counts.after, ':count': count }
              : {}),
          },
        }),
      );
    if (folding) {
      try {
        await send(true);
        counts.claimed.add(source.id);
        return true;
      } catch (error) {
        // Claimed meanwhile, or a fold counted the source further: the claim alone, the fold's own update for it.
        if (!isConditionFailure(error)) throw storeError('claim source', error);
      }
    }
    try {
      await send(false);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeError('claim source', error);
    }
  }

  /**
   * Makes every source still held by a claim due at `now`: for a process that starts alone on its store (the
   * embedded stack, behind its data-directory lock), every such claim belongs to a crawl task that died with an
   * earlier process, and would otherwise keep its source off the due index until the claim lease ran out.
   * Reads the registry's partition (a Query, not a Scan); returns how many were released.
   */
  async releaseClaims(now: Date): Promise<number> {
    return this.putClaimsBack(now, 'held');
  }

  async returnExpiredClaims(now: Date): Promise<number> {
    return this.putClaimsBack(now, 'expired');
  }

  /**
   * Puts claimed sources back on the due index, due at `now`: those whose claim still runs (`held`: a restart's
   * release) or has run out without a crawl record (`expired`: its task died; only claims of earlier releases
   * took the source off the index, and a claim now keeps its key, so the due query finds it by itself). One Query of the registry's
   * partition (filtered; it reads every source item, ~0.5 KB each) and one conditional update per source put back.
   */
  private async putClaimsBack(now: Date, which: 'held' | 'expired'): Promise<number> {
    let released = 0;
    const claimedPages = this.queryPages('find claimed sources', {
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: `#claimUntil = #nextDueAt AND #nextDueAt ${which === 'held' ? '>' : '<='} :now AND #paused = :false${
        which === 'expired' ? ' AND attribute_not_exists(#dueSort)' : ''
      }`,
      ProjectionExpression: '#sk, #nextDueAt',
      ExpressionAttributeNames: {
        '#pk': ATTR.pk,
        '#sk': ATTR.sk,
        '#claimUntil': 'claimUntil',
        '#nextDueAt': 'nextDueAt',
        '#paused': 'paused',
        ...(which === 'expired' ? { '#dueSort': ATTR.dueSort } : {}),
      },
      ExpressionAttributeValues: { ':pk': SOURCES_PK, ':now': now.toISOString(), ':false': false },
    });
    for await (const claimed of claimedPages) {
      for (const item of claimed) {
        const id = String(item[ATTR.sk]);
        const nextDueAt = now.toISOString();
        const keys = dueKeys(id, nextDueAt);
        try {
          await this.documents.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: this.key(id),
              UpdateExpression: 'SET #nextDueAt = :nextDueAt, #dueKey = :dueKey, #dueSort = :dueSort',
              // Still the same claim, and not paused meanwhile.
              ConditionExpression: '#claimUntil = :held AND #nextDueAt = :held AND #paused = :false',
              ExpressionAttributeNames: {
                '#nextDueAt': 'nextDueAt',
                '#dueKey': ATTR.dueKey,
                '#dueSort': ATTR.dueSort,
                '#claimUntil': 'claimUntil',
                '#paused': 'paused',
              },
              ExpressionAttributeValues: {
                ':nextDueAt': nextDueAt,
                ':dueKey': keys[ATTR.dueKey],
                ':dueSort': keys[ATTR.dueSort],
                ':held': item.nextDueAt,
                ':false': false,
              },
            }),
          );
          released++;
        } catch (error) {
          if (!isConditionFailure(error)) throw storeError('release source claim', error);
        }
      }
    }
    return released;
  }

  /** The pages of a Query on the table (lib-dynamodb's paginator); a storage fault is storeError(what). */
  private async *queryPages(
    what: string,
    input: Omit<QueryCommandInput, 'TableName'>,
  ): AsyncGenerator<Array<Record<string, unknown>>> {
    try {
      const pages = paginateQuery({ client: this.documents }, { TableName: this.tableName, ...input });
      for await (const page of pages) yield page.Items ?? [];
    } catch (error) {
      throw storeError(what, error);
    }
  }

  async recordCrawl(id: string, record: SourceCrawlRecord): Promise<void> {
    const names: Record<string, string> = {
      '#health': 'health',
      '#kind': 'kind',
      '#nextDueAt': 'nextDueAt',
    };
    const values: Record<string, unknown> = {
      ':health': record.health,
      ':kind': record.kind,
      ':nextDueAt': record.nextDueAt,
    };
    const sets = ['#health = :health', '#kind = :kind', '#nextDueAt = :nextDueAt'];
    if (record.validators !== undefined) {
      names['#validators'] = 'validators';
      values[':validators'] = record.validators;
      sets.push('#validators = :validators');
    }
    if (record.highWaterMark !== undefined) {
      names['#highWaterMark'] = 'highWaterMark';
      values[':highWaterMark'] = record.highWaterMark;
      sets.push('#highWaterMark = :highWaterMark');
    }
    if (record.recheckedThrough !== undefined) {
      names['#recheckedThrough'] = 'recheckedThrough';
      values[':recheckedThrough'] = record.recheckedThrough;
      sets.push('#recheckedThrough = :recheckedThrough');
    }
    // The due-index key the schedule found the source under stays while it lags the next due time by at most
    // DUE_INDEX.keyLagMs (no index write), if it is still the item's; otherwise it moves to the next due time.
    const foundAt = record.dueKey?.split('#')[0];
    const keepKey =
      record.dueKey !== undefined &&
      foundAt !== undefined &&
      foundAt <= record.nextDueAt &&
      Date.parse(record.nextDueAt) - Date.parse(foundAt) <= DUE_INDEX.keyLagMs;
    if (keepKey) {
      try {
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: this.key(id),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'attribute_exists(#pk) AND #paused = :false AND #dueSort = :found',
            ExpressionAttributeNames: {
              ...names,
              '#pk': ATTR.pk,
              '#paused': 'paused',
              '#dueSort': ATTR.dueSort,
            },
            ExpressionAttributeValues: { ...values, ':false': false, ':found': record.dueKey },
          }),
        );
        return;
      } catch (error) {
        // Paused, resumed or released meanwhile (the key moved): recorded as below.
        if (!isConditionFailure(error)) throw storeError('record source crawl', error);
      }
    }
    const send = (active: boolean) => {
      const due = dueKeys(id, record.nextDueAt);
      return this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(id),
          UpdateExpression: `SET ${[...sets, ...(active ? ['#dueKey = :dueKey', '#dueSort = :dueSort'] : [])].join(', ')}`,
          // A source removed meanwhile stays removed; one paused meanwhile stays off the due index.
          ConditionExpression: active
            ? 'attribute_exists(#pk) AND #paused = :false'
            : 'attribute_exists(#pk)',
          ExpressionAttributeNames: {
            ...names,
            '#pk': ATTR.pk,
            ...(active ? { '#paused': 'paused', '#dueKey': ATTR.dueKey, '#dueSort': ATTR.dueSort } : {}),
          },
          ExpressionAttributeValues: {
            ...values,
            ...(active
              ? { ':false': false, ':dueKey': due[ATTR.dueKey], ':dueSort': due[ATTR.dueSort] }
              : {}),
          },
        }),
      );
    };
    try {
      await send(true);
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError('record source crawl', error);
      try {
        await send(false);
      } catch (again) {
        if (!isConditionFailure(again)) throw storeError('record source crawl', again);
      }
    }
  }

  async recordIngested(counts: ReadonlyMap<string, number>): Promise<void> {
    const positive = [...counts].filter(([, count]) => count > 0);
    if (positive.length === 0) return;
    const stampedAt = this.now().toISOString();
    const expiresAt = Math.ceil(Date.parse(stampedAt) / 1000) + INGEST_COUNT_FOLD.keepDays * 86_400;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [ATTR.pk]: ingestCountsPk(utcDay(stampedAt)),
            [ATTR.sk]: ingestCountsSk(stampedAt, randomUUID()),
            counts: Object.fromEntries(positive),
            expiresAt,
          },
        }),
      );
    } catch (error) {
      throw storeError('count ingested articles', error);
    }
  }

  async pendingIngested(
    now: Date,
    settleMs: number = INGEST_COUNT_FOLD.settleMs,
  ): Promise<PendingIngestCounts> {
    const through = new Date(now.getTime() - settleMs).toISOString();
    const oldest = new Date(now.getTime() - INGEST_COUNT_FOLD.keepDays * 86_400_000).toISOString();
    let folded: string | undefined;
    try {
      const { Item } = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [ATTR.pk]: INGEST_COUNTS_PK, [ATTR.sk]: INGEST_COUNTS_FOLD_SK },
          ConsistentRead: true,
        }),
      );
      if (typeof Item?.through === 'string') folded = Item.through;
    } catch (error) {
      throw storeError('read the ingest counts folded', error);
    }
    const after = folded !== undefined && folded > oldest ? folded : oldest;
    const bySource = new Map<string, Array<{ stampedAt: string; count: number }>>();
    const pending = {
      after,
      through,
      items: 0,
      first: folded === undefined,
      bySource,
      claimed: new Set<string>(),
    };
    if (after >= through) return { ...pending, first: false };
    // Each source's counts with their stamps: a source another fold has counted part of takes only the rest.
    for (const day of daysBetween(utcDay(after), utcDay(through))) {
      const pages = this.queryPages('read ingest counts', {
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :after AND :through',
        ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
        ExpressionAttributeValues: {
          ':pk': ingestCountsPk(day),
          // '~' sorts after every batch id: items stamped exactly `after` were folded, those at `through` are not.
          ':after': `${after}#~`,
          ':through': `${through}#~`,
        },
      });
      for await (const page of pages) {
        for (const item of page) {
          pending.items++;
          const stampedAt = String(item[ATTR.sk]).split('#')[0] as string;
          for (const [id, count] of Object.entries((item.counts ?? {}) as Record<string, unknown>)) {
            if (typeof count !== 'number' || count <= 0) continue;
            const entries = bySource.get(id) ?? [];
            entries.push({ stampedAt, count });
            bySource.set(id, entries);
          }
        }
      }
    }
    return pending;
  }

  async foldIngested(
    now: Date,
    settleMs: number = INGEST_COUNT_FOLD.settleMs,
    read?: PendingIngestCounts,
  ): Promise<{ items: number; sources: number }> {
    const pending = read ?? (await this.pendingIngested(now, settleMs));
    const { after, through, items, bySource } = pending;
    if (items === 0 && !pending.first) return { items: 0, sources: 0 };
    // Sources whose claim added their counts (the schedule's run) are done.
    const left = [...bySource].filter(([id]) => !pending.claimed.has(id));
    await mapLimit(left, INGEST_COUNT_FOLD.concurrency, ([id, entries]) =>
      this.foldSource(id, entries, after, through),
    );
    // Recorded when it read something, and on the first fold (so an idle store's folds read one day, not keepDays).
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { [ATTR.pk]: INGEST_COUNTS_PK, [ATTR.sk]: INGEST_COUNTS_FOLD_SK, through },
          // Never backwards: a slower fold that read less must not make the next one read it all again.
          ConditionExpression: 'attribute_not_exists(#through) OR #through < :through',
          ExpressionAttributeNames: { '#through': 'through' },
          ExpressionAttributeValues: { ':through': through },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError('record the ingest counts folded', error);
    }
    return { items, sources: bySource.size };
  }

  /**
   * Adds a source's counts stamped after `after` up to `through`, and marks it counted through `through`: one
   * conditional update, refused when a fold (crashed, or running at the same time) has counted the source past
   * `after`; then only the counts after what it says are added. So no count is added twice or lost.
   */
  private async foldSource(
    id: string,
    entries: ReadonlyArray<{ stampedAt: string; count: number }>,
    after: string,
    through: string,
  ): Promise<void> {
    let seen: string | undefined;
    for (let attempt = 0; attempt < INGEST_COUNT_FOLD.maxSourceTries; attempt++) {
      const from = seen ?? after;
      const count = entries.reduce((sum, entry) => sum + (entry.stampedAt > from ? entry.count : 0), 0);
      if (count === 0) return;
      try {
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: this.key(id),
            UpdateExpression: 'ADD #ingested :count SET #countedThrough = :through',
            ConditionExpression:
              seen === undefined
                ? 'attribute_exists(#pk) AND (attribute_not_exists(#countedThrough) OR #countedThrough <= :after)'
                : 'attribute_exists(#pk) AND #countedThrough = :after',
            ExpressionAttributeNames: {
              '#pk': ATTR.pk,
              '#ingested': 'articlesIngested',
              '#countedThrough': 'countedThrough',
            },
            ExpressionAttributeValues: { ':count': count, ':through': through, ':after': from },
          }),
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw storeError('fold ingest counts', error);
      }
      let item: Record<string, unknown> | undefined;
      try {
        item = (
          await this.documents.send(
            new GetCommand({
              TableName: this.tableName,
              Key: this.key(id),
              ProjectionExpression: '#countedThrough',
              ExpressionAttributeNames: { '#countedThrough': 'countedThrough' },
              ConsistentRead: true,
            }),
          )
        ).Item;
      } catch (error) {
        throw storeError('fold ingest counts', error);
      }
      // Removed meanwhile, or counted as far as this fold reads: nothing left to add.
      if (item === undefined || typeof item.countedThrough !== 'string' || item.countedThrough >= through)
        return;
      seen = item.countedThrough;
    }
    throw storeError('fold ingest counts', `source ${id} kept changing`);
  }
}

/** The sum of a source's counts stamped after `after`. */
function countAfter(
  entries: ReadonlyArray<{ stampedAt: string; count: number }> | undefined,
  after: string,
): number {
  return (entries ?? []).reduce((sum, entry) => sum + (entry.stampedAt > after ? entry.count : 0), 0);
}

/** Maps with at most `limit` calls in flight. */
async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await map(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
