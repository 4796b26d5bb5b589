import { gunzipSync, gzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PipelineError } from '../../core/errors.ts';
import type { HostTokenStore, SharedRobotsStore, StoredRobots, TokenTake } from '../../core/fetch/index.ts';
import { HOST_TOKEN_SK, hostPk, robotsSk } from '../layout.ts';
import { ATTR } from '../table.ts';

export interface AwsPolitenessStoreOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
}

/** robots.txt bodies above this (gzipped) are not shared: an item holds 400 KB, and a read costs per 4 KB. */
const MAX_SHARED_ROBOTS_BYTES = 64 * 1024;

/**
 * The per-host token and the shared robots.txt cache in the table. Taking the token is one conditional
 * UpdateItem (1 write unit: the item is ~60 bytes) and no read; a refusal returns the stored nextAllowedAt
 * (ReturnValuesOnConditionCheckFailure, free) where the engine supports it. robots.txt is one GetItem per
 * instance per origin per TTL, and one PutItem per origin per TTL, gzipped.
 */
export class AwsPolitenessStore implements HostTokenStore, SharedRobotsStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: AwsPolitenessStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
  }

  async take(host: string, nowMs: number, intervalMs: number): Promise<TokenTake> {
    const result = await this.setNextAllowedAt(
      host,
      nowMs + intervalMs,
      'attribute_not_exists(#next) OR #next <= :now',
      { ':now': nowMs },
      'take host token',
    );
    if (result.set) return { taken: true };
    const nextAllowedAtMs = Number(result.refused?.nextAllowedAt?.N ?? Number.NaN);
    return Number.isFinite(nextAllowedAtMs) ? { taken: false, nextAllowedAtMs } : { taken: false };
  }

  async extend(host: string, heldUntilMs: number, untilMs: number): Promise<boolean> {
    // Refused: taken by another worker since (or held longer by a back-off): this taker's slot is gone.
    const result = await this.setNextAllowedAt(
      host,
      untilMs,
      '#next = :held',
      { ':held': heldUntilMs },
      'extend host token',
    );
    return result.set;
  }

  /**
   * One conditional UpdateItem of the host's nextAllowedAt (1 write unit, no read). A refusal carries the stored
   * item where the engine returns it (ReturnValuesOnConditionCheckFailure, free).
   */
  private async setNextAllowedAt(
    host: string,
    nextMs: number,
    condition: string,
    values: Record<string, number>,
    action: string,
  ): Promise<{ set: true } | { set: false; refused?: Record<string, { N?: string } | undefined> }> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [ATTR.pk]: hostPk(host), [ATTR.sk]: HOST_TOKEN_SK },
          UpdateExpression: 'SET #next = :next',
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#next': 'nextAllowedAt' },
          ExpressionAttributeValues: { ':next': nextMs, ...values },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { set: true };
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
        return { set: false, refused: (error as { Item?: Record<string, { N?: string } | undefined> }).Item };
      }
      throw new PipelineError('INTERNAL', `store: ${action} failed: ${String(error)}`, { retryable: true });
    }
  }

  async holdUntil(host: string, untilMs: number): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [ATTR.pk]: hostPk(host), [ATTR.sk]: HOST_TOKEN_SK },
          UpdateExpression: 'SET #next = :until',
          ConditionExpression: 'attribute_not_exists(#next) OR #next < :until',
          ExpressionAttributeNames: { '#next': 'nextAllowedAt' },
          ExpressionAttributeValues: { ':until': untilMs },
        }),
      );
    } catch (error) {
      // Already held longer (by another worker's back-off): nothing to do.
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return;
      throw new PipelineError('INTERNAL', `store: hold host token failed: ${String(error)}`, {
        retryable: true,
      });
    }
  }

  async get(origin: string): Promise<StoredRobots | undefined> {
    const url = new URL(origin);
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [ATTR.pk]: hostPk(url.host), [ATTR.sk]: robotsSk(url.protocol) },
      }),
    );
    if (Item === undefined) return undefined;
    const state = Item.state;
    const fetchedAtMs = Item.fetchedAt;
    if (
      (state !== 'fetched' && state !== 'missing' && state !== 'unavailable') ||
      typeof fetchedAtMs !== 'number'
    ) {
      return undefined;
    }
    const body = Item.body;
    const text = body instanceof Uint8Array ? gunzipSync(body).toString('utf8') : undefined;
    return { state, fetchedAtMs, ...(text === undefined ? {} : { text }) };
  }

  async put(origin: string, robots: StoredRobots): Promise<void> {
    const url = new URL(origin);
    const body = robots.text === undefined ? undefined : gzipSync(robots.text);
    if (body !== undefined && body.length > MAX_SHARED_ROBOTS_BYTES) return;
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [ATTR.pk]: hostPk(url.host),
          [ATTR.sk]: robotsSk(url.protocol),
          state: robots.state,
          fetchedAt: robots.fetchedAtMs,
          ...(body === undefined ? {} : { body: new Uint8Array(body) }),
        },
      }),
    );
  }
}
