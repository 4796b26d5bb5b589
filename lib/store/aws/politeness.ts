import { gunzipSync, gzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PipelineError } from '../../core/errors.ts';
import { type SlotBlock, slotBlockEndMs } from '../../core/fetch/host-slots.ts';
import type {
  HostTokenState,
  HostTokenStore,
  SharedRobotsStore,
  StoredRobots,
  TokenTake,
} from '../../core/fetch/index.ts';
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

  async take(
    host: string,
    nowMs: number,
    intervalMs: number,
    knownBlockStartMs?: number,
  ): Promise<TokenTake> {
    // Free of the host's reserved block (if any) when it has ended by this slot, or when it is the block the taker
    // knows and has placed its slot clear of (host-slots.ts firstFreeSlotMs).
    const result = await this.setNextAllowedAt(
      host,
      nowMs + intervalMs,
      `(attribute_not_exists(#next) OR #next <= :now) AND (attribute_not_exists(#blockEnd) OR #blockEnd <= :now${
        knownBlockStartMs === undefined ? '' : ' OR #blockStart = :known'
      })`,
      { ':now': nowMs, ...(knownBlockStartMs === undefined ? {} : { ':known': knownBlockStartMs }) },
      'take host token',
      {
        '#blockEnd': 'blockEnd',
        ...(knownBlockStartMs === undefined ? {} : { '#blockStart': 'blockStart' }),
      },
    );
    if (result.set) return { taken: true };
    const refused = result.refused ?? (await this.read(host, true));
    const nextAllowedAtMs = Number(refused?.nextAllowedAt?.N ?? Number.NaN);
    const block = blockOf(refused);
    return {
      taken: false,
      ...(Number.isFinite(nextAllowedAtMs) ? { nextAllowedAtMs } : {}),
      ...(block === undefined ? {} : { block }),
    };
  }

  /**
   * Reserves a block of slots with one conditional write: refused while another block still runs at `nowMs` (its
   * reserved windows must stay known to every free taker) or while a free request's interval reaches past the
   * first slot. A refusal returns the host's state, so the caller can start the block later.
   */
  async reserve(
    host: string,
    block: SlotBlock,
    nowMs: number,
  ): Promise<{ reserved: boolean; state?: HostTokenState }> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [ATTR.pk]: hostPk(host), [ATTR.sk]: HOST_TOKEN_SK },
          UpdateExpression:
            'SET #blockStart = :start, #blockSpacing = :spacing, #blockCount = :count, #blockWindow = :window, #blockInterval = :interval, #blockEnd = :end',
          ConditionExpression:
            '(attribute_not_exists(#next) OR #next <= :start) AND (attribute_not_exists(#blockEnd) OR #blockEnd <= :now)',
          ExpressionAttributeNames: {
            '#next': 'nextAllowedAt',
            '#blockStart': 'blockStart',
            '#blockSpacing': 'blockSpacing',
            '#blockCount': 'blockCount',
            '#blockWindow': 'blockWindow',
            '#blockInterval': 'blockInterval',
            '#blockEnd': 'blockEnd',
          },
          ExpressionAttributeValues: {
            ':start': block.startMs,
            ':spacing': block.spacingMs,
            ':count': block.count,
            ':window': block.windowMs,
            ':interval': block.intervalMs,
            ':end': slotBlockEndMs(block),
            ':now': nowMs,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { reserved: true };
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') {
        throw new PipelineError('INTERNAL', `store: reserve host slots failed: ${String(error)}`, {
          retryable: true,
        });
      }
      const item = (error as { Item?: TokenItem }).Item ?? (await this.read(host, true));
      return { reserved: false, state: stateOf(item) };
    }
  }

  /**
   * Grows a block this caller reserved to `count` slots (one conditional write), while it still stands as reserved
   * (same start and count) and no request has taken the host past its first new slot. The slots it had keep their
   * identity (the block's start), so messages already carrying them stay valid. False when refused.
   */
  async extendBlock(host: string, block: SlotBlock, count: number): Promise<boolean> {
    return this.resizeBlock(host, block, count, 'extend', block.startMs + block.count * block.spacingMs);
  }

  /**
   * Cuts a block to `count` slots (one conditional write) while it still stands as the caller read it (same start and
   * count): ingest, behind the block's pace, gives its later slots back to free takers. False when refused.
   */
  async cutBlock(host: string, block: SlotBlock, count: number): Promise<boolean> {
    return this.resizeBlock(host, block, count, 'cut');
  }

  /**
   * Sets a block's slot count (one conditional write) while it still stands as the caller knows it (same start and
   * count) and, with `freeFromMs` (an extension), no request has taken the host past that time. False when refused.
   */
  private async resizeBlock(
    host: string,
    block: SlotBlock,
    count: number,
    verb: 'extend' | 'cut',
    freeFromMs?: number,
  ): Promise<boolean> {
    const free = freeFromMs !== undefined;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [ATTR.pk]: hostPk(host), [ATTR.sk]: HOST_TOKEN_SK },
          UpdateExpression: 'SET #blockCount = :count, #blockEnd = :end',
          ConditionExpression:
            '#blockStart = :start AND #blockCount = :was' +
            (free ? ' AND (attribute_not_exists(#next) OR #next <= :freeFrom)' : ''),
          ExpressionAttributeNames: {
            '#blockStart': 'blockStart',
            '#blockCount': 'blockCount',
            '#blockEnd': 'blockEnd',
            ...(free ? { '#next': 'nextAllowedAt' } : {}),
          },
          ExpressionAttributeValues: {
            ':count': count,
            ':end': slotBlockEndMs({ ...block, count }),
            ':start': block.startMs,
            ':was': block.count,
            ...(free ? { ':freeFrom': freeFromMs } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw new PipelineError('INTERNAL', `store: ${verb} host slots failed: ${String(error)}`, {
        retryable: true,
      });
    }
  }

  /** The host's token as last written (an eventually consistent read: half a read unit, no write). */
  async peek(host: string): Promise<HostTokenState> {
    return stateOf(await this.read(host, false));
  }

  private async read(host: string, consistent: boolean): Promise<TokenItem | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [ATTR.pk]: hostPk(host), [ATTR.sk]: HOST_TOKEN_SK },
        ConsistentRead: consistent,
      }),
    );
    if (Item === undefined) return undefined;
    // The document client gives plain numbers; the refusal path gives raw attribute values: one shape for both.
    const raw: TokenItem = {};
    for (const [name, value] of Object.entries(Item)) {
      if (typeof value === 'number') raw[name] = { N: String(value) };
    }
    return raw;
  }

  async extend(
    host: string,
    heldUntilMs: number,
    untilMs: number,
    slotMs: number,
    knownBlockStartMs?: number,
  ): Promise<boolean> {
    // Refused: taken by another worker since (or held longer by a back-off): this taker's slot is gone. Or a block
    // was reserved since (after this taker's slot, which the new one may not reach into) and the taker did not
    // place the new slot clear of it.
    const result = await this.setNextAllowedAt(
      host,
      untilMs,
      `#next = :held AND (attribute_not_exists(#blockEnd) OR #blockEnd <= :slot${
        knownBlockStartMs === undefined ? '' : ' OR #blockStart = :known'
      })`,
      {
        ':held': heldUntilMs,
        ':slot': slotMs,
        ...(knownBlockStartMs === undefined ? {} : { ':known': knownBlockStartMs }),
      },
      'extend host token',
      {
        '#blockEnd': 'blockEnd',
        ...(knownBlockStartMs === undefined ? {} : { '#blockStart': 'blockStart' }),
      },
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
    names: Record<string, string> = {},
  ): Promise<{ set: true } | { set: false; refused?: TokenItem }> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [ATTR.pk]: hostPk(host), [ATTR.sk]: HOST_TOKEN_SK },
          UpdateExpression: 'SET #next = :next',
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#next': 'nextAllowedAt', ...names },
          ExpressionAttributeValues: { ':next': nextMs, ...values },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { set: true };
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
        return { set: false, refused: (error as { Item?: TokenItem }).Item };
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

/** The token item's numeric attributes as DynamoDB returns them on a refused write. */
type TokenItem = Record<string, { N?: string } | undefined>;

function numberOf(item: TokenItem | undefined, name: string): number | undefined {
  const value = Number(item?.[name]?.N ?? Number.NaN);
  return Number.isFinite(value) ? value : undefined;
}

function blockOf(item: TokenItem | undefined): SlotBlock | undefined {
  const startMs = numberOf(item, 'blockStart');
  const spacingMs = numberOf(item, 'blockSpacing');
  const count = numberOf(item, 'blockCount');
  const windowMs = numberOf(item, 'blockWindow');
  const intervalMs = numberOf(item, 'blockInterval');
  if (
    startMs === undefined ||
    spacingMs === undefined ||
    count === undefined ||
    windowMs === undefined ||
    intervalMs === undefined
  ) {
    return undefined;
  }
  return { startMs, spacingMs, count, windowMs, intervalMs };
}

function stateOf(item: TokenItem | undefined): HostTokenState {
  const nextAllowedAtMs = numberOf(item, 'nextAllowedAt');
  const block = blockOf(item);
  return {
    ...(nextAllowedAtMs === undefined ? {} : { nextAllowedAtMs }),
    ...(block === undefined ? {} : { block }),
  };
}
