import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { CRAWL_POLICY, type PresumedRecheck } from '../../core/crawl-policy.ts';
import { PipelineError } from '../../core/errors.ts';
import * as z from '../../core/zod.ts';
import {
  articlePk,
  CRAWL_STATE_SK,
  CrawlStateRecordSchema,
  CURRENT_SK,
  crawlPk,
  foldIndexedFetch,
  isBareFirstLease,
  mayHaveIndexedFetch,
  parseStoredItem,
  presumeFirstFetch,
} from '../layout.ts';
import { ATTR } from '../table.ts';
import type { CrawlStateRecord, CrawlStateStore } from '../types.ts';

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_LIMIT = 100;
const MAX_BATCH_ATTEMPTS = 8;

export interface AwsCrawlStateStoreOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** The re-check schedule a fetch recorded in an article's CURRENT item starts (CRAWL_POLICY's by default). */
  recheckScheduleMs?: readonly number[];
}

/**
 * One item per URL (keyed by the hash of its canonical form). Ingest's writes (put) replace the whole record,
 * conditional on the fetch's start time: the last fetch wins. The crawl's only write (markQueued) sets just
 * the queue lease, conditional on no later fetch and no live lease. A new or changed article's fetch is recorded
 * by its commit instead (store layout 4): a state still holding the lease that fetch answered is read with the
 * article's CURRENT item folded in (foldIndexedFetch), one more read only for such states.
 */
export class AwsCrawlStateStore implements CrawlStateStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly recheckScheduleMs: readonly number[];

  constructor(options: AwsCrawlStateStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.recheckScheduleMs = options.recheckScheduleMs ?? CRAWL_POLICY.recheckScheduleMs;
  }

  async get(
    url: string,
    options: { ownFirstLease?: string; ownLease?: string; known?: CrawlStateRecord } = {},
  ): Promise<CrawlStateRecord | undefined> {
    const key = { [ATTR.pk]: crawlPk(url), [ATTR.sk]: CRAWL_STATE_SK };
    let item = options.known as Record<string, unknown> | undefined;
    if (item === undefined) {
      try {
        item = (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key }))).Item;
      } catch (error) {
        throw new PipelineError('INTERNAL', `store: read crawl state failed: ${String(error)}`, {
          retryable: true,
        });
      }
    }
    if (!item) return undefined;
    const state = parseStoredItem(CrawlStateRecordSchema, item, 'crawl state');
    if (
      !mayHaveIndexedFetch(state) ||
      isOwnFirstLease(state, options.ownFirstLease) ||
      isOwnCarriedLease(state, options.ownLease)
    )
      return state;
    let current: Record<string, unknown> | undefined;
    try {
      current = (
        await this.documents.send(
          new GetCommand({ TableName: this.tableName, Key: this.currentKey(state.url) }),
        )
      ).Item;
    } catch (error) {
      throw new PipelineError('INTERNAL', `store: read crawl state failed: ${String(error)}`, {
        retryable: true,
      });
    }
    return foldIndexedFetch(state, current, this.recheckScheduleMs);
  }

  /** The CURRENT item of the article whose id is the URL's hash: where a fetch of that URL may be recorded. */
  private currentKey(url: string): Record<string, string> {
    return { [ATTR.pk]: articlePk(crawlPk(url).slice('CRAWL#'.length)), [ATTR.sk]: CURRENT_SK };
  }

  async getMany(
    urls: readonly string[],
    options: {
      ownFirstLeases?: ReadonlyMap<string, string>;
      ownLeases?: ReadonlyMap<string, string>;
      presumeFirstFetch?: (state: CrawlStateRecord) => boolean;
      known?: ReadonlyMap<string, CrawlStateRecord>;
    } = {},
  ): Promise<Map<string, CrawlStateRecord>> {
    const found = new Map<string, CrawlStateRecord>();
    const known = options.known ?? new Map<string, CrawlStateRecord>();
    const items: Array<Record<string, unknown>> = [
      ...(await this.batchGet(
        [...new Set(urls)]
          .filter((url) => !known.has(url))
          .map((url) => ({ [ATTR.pk]: crawlPk(url), [ATTR.sk]: CRAWL_STATE_SK })),
      )),
      ...[...new Set(urls)].flatMap((url) => {
        const state = known.get(url);
        return state === undefined ? [] : [state as unknown as Record<string, unknown>];
      }),
    ];
    for (const item of items) {
      const record = parseStoredItem(CrawlStateRecordSchema, item, 'crawl state');
      // An owned URL's first lease, read by its owner's crawl: presumed answered, with no CURRENT read.
      const presumed =
        options.presumeFirstFetch !== undefined &&
        isBareFirstLease(record) &&
        options.presumeFirstFetch(record);
      found.set(record.url, presumed ? presumeFirstFetch(record, this.recheckScheduleMs) : record);
    }
    const folding = [...found.values()].filter(
      (state) =>
        mayHaveIndexedFetch(state) &&
        !isOwnFirstLease(state, options.ownFirstLeases?.get(state.url)) &&
        !isOwnCarriedLease(state, options.ownLeases?.get(state.url)),
    );
    if (folding.length === 0) return found;
    const currents = new Map<string, Record<string, unknown>>();
    for (const item of await this.batchGet(folding.map((state) => this.currentKey(state.url)))) {
      currents.set(String(item[ATTR.pk]), item);
    }
    for (const state of folding) {
      const current = currents.get(String(this.currentKey(state.url)[ATTR.pk]));
      const folded = foldIndexedFetch(state, current, this.recheckScheduleMs);
      found.set(state.url, isBareFirstLease(state) ? { ...folded, foldedFirstLease: true } : folded);
    }
    return found;
  }

  /** BatchGetItem of many keys, 100 at a time, unprocessed keys retried with backoff. */
  private async batchGet(allKeys: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
    const found: Array<Record<string, unknown>> = [];
    for (let start = 0; start < allKeys.length; start += BATCH_GET_LIMIT) {
      let keys = allKeys.slice(start, start + BATCH_GET_LIMIT);
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt >= MAX_BATCH_ATTEMPTS) {
          throw new PipelineError('INTERNAL', 'store: read crawl states failed: keys left unprocessed', {
            retryable: true,
          });
        }
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        let response: BatchGetCommandOutput;
        try {
          response = await this.documents.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
          );
        } catch (error) {
          throw new PipelineError('INTERNAL', `store: read crawl states failed: ${String(error)}`, {
            retryable: true,
          });
        }
        found.push(...(response.Responses?.[this.tableName] ?? []));
        keys = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  async put(state: CrawlStateRecord): Promise<boolean> {
    const parsed = CrawlStateRecordSchema.safeParse(state);
    if (!parsed.success) {
      throw new PipelineError('BAD_REQUEST', `invalid crawl state: ${z.prettifyError(parsed.error)}`);
    }
    // Stored in one fixed form (UTC, milliseconds) so that string order is time order in the condition.
    const lastFetchedAt = parsed.data.lastFetchedAt && new Date(parsed.data.lastFetchedAt).toISOString();
    // A fetch's outcome ends the queue lease (and any presumption made with it): the message has been handled.
    const {
      queuedAt: _queuedAt,
      leaseUntil: _leaseUntil,
      presumedAt: _presumedAt,
      indexedFetch: _indexedFetch,
      ...outcome
    } = parsed.data;
    const record = { ...outcome, ...(lastFetchedAt ? { lastFetchedAt } : {}) };
    const key = { [ATTR.pk]: crawlPk(record.url), [ATTR.sk]: CRAWL_STATE_SK };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, ...record },
          ...(lastFetchedAt
            ? {
                ConditionExpression: 'attribute_not_exists(#fetchedAt) OR #fetchedAt <= :fetchedAt',
                ExpressionAttributeNames: { '#fetchedAt': 'lastFetchedAt' },
                ExpressionAttributeValues: { ':fetchedAt': lastFetchedAt },
              }
            : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new PipelineError('INTERNAL', `store: write crawl state failed: ${String(error)}`, {
        retryable: true,
      });
    }
  }

  async markQueued(
    url: string,
    queuedAt: Date,
    leaseUntil: Date,
    presumed?: PresumedRecheck,
    endedLease?: string,
    unseen = false,
    carried?: CrawlStateRecord,
    owner?: string,
  ): Promise<boolean> {
    const parsedUrl = CrawlStateRecordSchema.shape.url.safeParse(url);
    if (!parsedUrl.success) {
      throw new PipelineError('BAD_REQUEST', `invalid crawl state url: ${z.prettifyError(parsedUrl.error)}`);
    }
    if (!(leaseUntil.getTime() > queuedAt.getTime())) {
      throw new PipelineError('BAD_REQUEST', 'a queue lease must end after the time it was queued');
    }
    const at = queuedAt.toISOString();
    const key = { [ATTR.pk]: crawlPk(url), [ATTR.sk]: CRAWL_STATE_SK };
    // A presumed re-check's lease ends when its next step is due (after the last step, when the presumption says):
    // ingest writes nothing for its 304 to end it.
    const presumedDue = presumed?.nextDueAt === undefined ? undefined : new Date(presumed.nextDueAt);
    const presumedUntil =
      presumed === undefined ? undefined : new Date(presumed.leaseUntil ?? presumed.nextDueAt ?? Number.NaN);
    const after = (date: Date | undefined) => date === undefined || date.getTime() > queuedAt.getTime();
    if (
      presumed &&
      (!presumedUntil ||
        !after(presumedUntil) ||
        !after(presumedDue) ||
        !Number.isInteger(presumed.recheckStep))
    ) {
      throw new PipelineError(
        'BAD_REQUEST',
        'a presumed re-check needs a next due time or a lease end after it is queued, and a step',
      );
    }
    const until = presumedUntil && presumedUntil < leaseUntil ? presumedUntil : leaseUntil;
    const fetch = unseen ? undefined : carriedFetch(carried, url, queuedAt, presumed !== undefined);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          // Only the lease changes (and, presumed, the schedule); an unknown URL also gets the fields every state has.
          UpdateExpression:
            'SET #url = if_not_exists(#url, :url), #failureCount = if_not_exists(#failureCount, :zero), ' +
            '#queuedAt = :at, #leaseUntil = :leaseUntil' +
            // The URL's owner (the source whose crawls time-re-check it): the first that leases it.
            (owner === undefined ? '' : ', #owner = if_not_exists(#owner, :owner)') +
            // The fetch the look-up folded in from CURRENT, recorded with the lease (same write).
            (fetch === undefined ? '' : fetch.names.map((_, i) => `, #c${i} = :c${i}`).join('')) +
            (presumed
              ? `${presumedDue ? ', #nextDueAt = :nextDueAt' : ''}, #recheckStep = :recheckStep, #presumedAt = :at` +
                (presumedDue ? '' : ' REMOVE #nextDueAt')
              : ' REMOVE #presumedAt'),
          // Stored times share one form (UTC, milliseconds), so string order is time order here.
          // A lease a fetch recorded only in the article's CURRENT item ended (endedLease, store layout 4) is over too.
          // Unseen: only while no state exists (one created since the look-up may hold a fetch or a lease that ended).
          // Carrying a fetch: only over an item that has recorded none since it (the fetch carried is older than :at).
          ConditionExpression: unseen
            ? 'attribute_not_exists(#pk)'
            : `(attribute_not_exists(#fetchedAt) OR #fetchedAt ${fetch === undefined ? '<= :at' : '< :carriedAt'}) AND ` +
              `(attribute_not_exists(#leaseUntil) OR #leaseUntil <= :at${endedLease === undefined ? '' : ' OR #queuedAt = :endedLease'})`,
          ExpressionAttributeNames: {
            ...(unseen ? { '#pk': ATTR.pk } : { '#fetchedAt': 'lastFetchedAt' }),
            '#url': 'url',
            '#failureCount': 'failureCount',
            '#queuedAt': 'queuedAt',
            '#leaseUntil': 'leaseUntil',
            '#presumedAt': 'presumedAt',
            ...(presumed ? { '#nextDueAt': 'nextDueAt', '#recheckStep': 'recheckStep' } : {}),
            ...(owner === undefined ? {} : { '#owner': 'owner' }),
            ...Object.fromEntries((fetch?.names ?? []).map((name, i) => [`#c${i}`, name])),
          },
          ExpressionAttributeValues: {
            ':url': parsedUrl.data,
            ':zero': 0,
            ':at': at,
            ':leaseUntil': until.toISOString(),
            ...(owner === undefined ? {} : { ':owner': owner }),
            ...(endedLease === undefined || unseen ? {} : { ':endedLease': endedLease }),
            ...(presumed ? { ':recheckStep': presumed.recheckStep } : {}),
            ...(presumedDue ? { ':nextDueAt': presumedDue.toISOString() } : {}),
            ...(fetch === undefined
              ? {}
              : {
                  ':carriedAt': fetch.lastFetchedAt,
                  ...Object.fromEntries(fetch.values.map((value, i) => [`:c${i}`, value])),
                }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new PipelineError('INTERNAL', `store: write crawl queue lease failed: ${String(error)}`, {
        retryable: true,
      });
    }
  }
}

/**
 * Whether the state is still the first lease a message holds (its crawl created the state: markQueued's `unseen`),
 * with no fetch recorded: a fetch its article's CURRENT item records can then only be that message's own, which
 * ingest handles again from the lease alone, so there is nothing to fold in.
 */
function isOwnFirstLease(state: CrawlStateRecord, ownFirstLease: string | undefined): boolean {
  return (
    ownFirstLease !== undefined &&
    state.queuedAt === ownFirstLease &&
    state.lastFetchedAt === undefined &&
    state.articleId === undefined
  );
}

/**
 * Whether the state is the reading message's own lease and holds the fetch its crawl carried in (markQueued's
 * `carried`): the item then says what folding the article's CURRENT item would, but for a fetch by this very
 * message's earlier attempt, which a retry does again (its commit compares with CURRENT and announces what changed).
 */
function isOwnCarriedLease(state: CrawlStateRecord, ownLease: string | undefined): boolean {
  return ownLease !== undefined && state.queuedAt === ownLease && state.lastFetchedAt !== undefined;
}

/**
 * The fields of a fetch the crawl's look-up folded in from the article's CURRENT item (indexedFetch), to write with
 * the lease: the fetch itself, and the schedule it set unless a presumed lease sets its own. Undefined when the state
 * carries none (read from the crawl-state item alone).
 */
function carriedFetch(
  carried: CrawlStateRecord | undefined,
  url: string,
  queuedAt: Date,
  presumed: boolean,
): { lastFetchedAt: string; names: string[]; values: unknown[] } | undefined {
  if (carried?.indexedFetch !== true || carried.url !== url || carried.lastFetchedAt === undefined)
    return undefined;
  const fetchedAt = new Date(carried.lastFetchedAt);
  if (Number.isNaN(fetchedAt.getTime()) || fetchedAt.getTime() >= queuedAt.getTime()) return undefined;
  const fields: Record<string, unknown> = {
    lastFetchedAt: fetchedAt.toISOString(),
    lastStatus: carried.lastStatus,
    lastOutcome: carried.lastOutcome,
    etag: carried.etag,
    lastModified: carried.lastModified,
    contentHash: carried.contentHash,
    articleId: carried.articleId,
    pageType: carried.pageType,
    permanentFailure: false,
    ...(presumed ? {} : { nextDueAt: carried.nextDueAt, recheckStep: carried.recheckStep }),
  };
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  return {
    lastFetchedAt: fetchedAt.toISOString(),
    names: entries.map(([name]) => name),
    values: entries.map(([, value]) => value),
  };
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}
