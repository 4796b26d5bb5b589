import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { PipelineError } from '../../core/errors.ts';
import * as z from '../../core/zod.ts';
import { CRAWL_STATE_SK, CrawlStateRecordSchema, crawlPk, parseStoredItem } from '../layout.ts';
import { ATTR } from '../table.ts';
import type { CrawlStateRecord, CrawlStateStore } from '../types.ts';

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_LIMIT = 100;
const MAX_BATCH_ATTEMPTS = 8;

export interface AwsCrawlStateStoreOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
}

/**
 * One item per URL (keyed by the hash of its canonical form). Ingest's writes (put) replace the whole record,
 * conditional on the fetch's start time: the last fetch wins. The crawl's only write (markQueued) sets just
 * the queue lease, conditional on no later fetch and no live lease.
 */
export class AwsCrawlStateStore implements CrawlStateStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: AwsCrawlStateStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
  }

  async get(url: string): Promise<CrawlStateRecord | undefined> {
    const key = { [ATTR.pk]: crawlPk(url), [ATTR.sk]: CRAWL_STATE_SK };
    let item: Record<string, unknown> | undefined;
    try {
      item = (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key }))).Item;
    } catch (error) {
      throw new PipelineError('INTERNAL', `store: read crawl state failed: ${String(error)}`, {
        retryable: true,
      });
    }
    return item ? parseStoredItem(CrawlStateRecordSchema, item, 'crawl state') : undefined;
  }

  async getMany(urls: readonly string[]): Promise<Map<string, CrawlStateRecord>> {
    const found = new Map<string, CrawlStateRecord>();
    const unique = [...new Set(urls)];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      let keys: Array<Record<string, unknown>> = unique
        .slice(start, start + BATCH_GET_LIMIT)
        .map((url) => ({ [ATTR.pk]: crawlPk(url), [ATTR.sk]: CRAWL_STATE_SK }));
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
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const record = parseStoredItem(CrawlStateRecordSchema, item, 'crawl state');
          found.set(record.url, record);
        }
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
    const { queuedAt: _queuedAt, leaseUntil: _leaseUntil, presumedAt: _presumedAt, ...outcome } = parsed.data;
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
    presumed?: { nextDueAt: string; recheckStep: number },
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
    const presumedDue = presumed && new Date(presumed.nextDueAt);
    if (
      presumed &&
      (!presumedDue ||
        !(presumedDue.getTime() > queuedAt.getTime()) ||
        !Number.isInteger(presumed.recheckStep))
    ) {
      throw new PipelineError(
        'BAD_REQUEST',
        'a presumed re-check needs a next due time after it is queued, and a step',
      );
    }
    // A presumed re-check's lease ends when its next step is due: ingest writes nothing for its 304 to end it.
    const until = presumedDue && presumedDue < leaseUntil ? presumedDue : leaseUntil;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          // Only the lease changes (and, presumed, the schedule); an unknown URL also gets the fields every state has.
          UpdateExpression:
            'SET #url = if_not_exists(#url, :url), #failureCount = if_not_exists(#failureCount, :zero), ' +
            '#queuedAt = :at, #leaseUntil = :leaseUntil' +
            (presumed
              ? ', #nextDueAt = :nextDueAt, #recheckStep = :recheckStep, #presumedAt = :at'
              : ' REMOVE #presumedAt'),
          // Stored times share one form (UTC, milliseconds), so string order is time order here.
          ConditionExpression:
            '(attribute_not_exists(#fetchedAt) OR #fetchedAt <= :at) AND ' +
            '(attribute_not_exists(#leaseUntil) OR #leaseUntil <= :at)',
          ExpressionAttributeNames: {
            '#url': 'url',
            '#failureCount': 'failureCount',
            '#queuedAt': 'queuedAt',
            '#leaseUntil': 'leaseUntil',
            '#fetchedAt': 'lastFetchedAt',
            '#presumedAt': 'presumedAt',
            ...(presumed ? { '#nextDueAt': 'nextDueAt', '#recheckStep': 'recheckStep' } : {}),
          },
          ExpressionAttributeValues: {
            ':url': parsedUrl.data,
            ':zero': 0,
            ':at': at,
            ':leaseUntil': until.toISOString(),
            ...(presumed
              ? { ':nextDueAt': (presumedDue as Date).toISOString(), ':recheckStep': presumed.recheckStep }
              : {}),
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

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}
