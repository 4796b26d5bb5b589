import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { PipelineError } from '../../core/errors.ts';
import { CRAWL_STATE_SK, CrawlStateRecordSchema, crawlPk, parseStoredItem } from '../layout.ts';
import { ATTR } from '../table.ts';
import type { CrawlStateRecord, CrawlStateStore } from '../types.ts';

export interface AwsCrawlStateStoreOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
}

/**
 * One item per URL (keyed by the hash of its canonical form). Writes replace the whole record: the ingest
 * handler is the only writer of a URL's state at a time (one queue message per URL), and the last fetch wins.
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

  async put(state: CrawlStateRecord): Promise<boolean> {
    const parsed = CrawlStateRecordSchema.safeParse(state);
    if (!parsed.success) {
      throw new PipelineError('BAD_REQUEST', `invalid crawl state: ${z.prettifyError(parsed.error)}`);
    }
    // Stored in one fixed form (UTC, milliseconds) so that string order is time order in the condition.
    const lastFetchedAt = parsed.data.lastFetchedAt && new Date(parsed.data.lastFetchedAt).toISOString();
    const record = { ...parsed.data, ...(lastFetchedAt ? { lastFetchedAt } : {}) };
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
      if ((error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException') return false;
      throw new PipelineError('INTERNAL', `store: write crawl state failed: ${String(error)}`, {
        retryable: true,
      });
    }
  }
}
