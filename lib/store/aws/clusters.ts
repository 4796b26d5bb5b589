import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { AnchorClaim, AnchorEntry, ClusterDecision, MemberEntry } from '../../core/dedup/cluster.ts';
import { decodeSignature, encodeSignature } from '../../core/dedup/fingerprint.ts';
import { DEDUP_SETTINGS } from '../../core/dedup/settings.ts';
import * as z from '../../core/zod.ts';
import { anchorPk, anchorSk, anchorSlot, clusterPk, parseStoredItem } from '../layout.ts';
import { ATTR } from '../table.ts';
import type { ClusterIndex } from '../types.ts';
import { documentClient, isConditionFailure, storageError } from './common.ts';

/** A cluster lists at most this many members (a wire story carried by more outlets lists its first ones). */
const MAX_LISTED_MEMBERS = 1_000;

const sha256 = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const role = z.enum(['representative', 'duplicate', 'related']);
const timestamp = z.iso.datetime({ offset: false, precision: 3 });

const StoredAnchor = z.object({
  // One shingle (8 hex digits) or a pair of content words (16).
  key: z.string().check(z.regex(/^(?:[0-9a-f]{8}){1,2}$/)),
  articleId: sha256,
  clusterId: sha256,
  role,
  similarity: z.number().check(z.gte(0), z.lte(1)),
  site: z.string().check(z.minLength(1)),
  url: z.string().check(z.minLength(1)),
  firstSeenAt: timestamp,
  signature: z.instanceof(Uint8Array),
  shingleCount: z.number().check(z.int(), z.positive()),
  sk: z.string(),
});

const StoredMember = z.object({
  clusterId: sha256,
  articleId: sha256,
  role: z.enum(['duplicate', 'related']),
  similarity: z.number().check(z.gte(0), z.lte(1)),
  site: z.string().check(z.minLength(1)),
  url: z.string().check(z.minLength(1)),
  firstSeenAt: timestamp,
});

export interface AwsClusterIndexOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
  entriesPerKey?: number;
}

/**
 * The near-duplicate index in the pipeline's table: anchor entries (`DEDUP#<key>`) and cluster members
 * (`CLUSTER#<id>`), see lib/store/table.ts. Finding a new article's candidates is one small Query per anchor key
 * (eventually consistent: a copy ingested within the same second as its original may miss it and found a
 * cluster of its own); recording is one PutItem per entry, idempotent.
 */
export class AwsClusterIndex implements ClusterIndex {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly entriesPerKey: number;

  constructor(options: AwsClusterIndexOptions) {
    this.documents = documentClient(options.dynamodb);
    this.tableName = options.tableName;
    this.entriesPerKey = options.entriesPerKey ?? DEDUP_SETTINGS.entriesPerKey;
  }

  async candidates(keys: readonly string[]): Promise<AnchorEntry[]> {
    const pages = await Promise.all(
      [...new Set(keys)].map(async (key) => {
        try {
          const result = await this.documents.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeNames: { '#pk': ATTR.pk },
              ExpressionAttributeValues: { ':pk': anchorPk(key) },
              // Newest first: a copy follows its original within hours, so a key many articles share still
              // leads it to the recent ones.
              ScanIndexForward: false,
              Limit: this.entriesPerKey,
            }),
          );
          return result.Items ?? [];
        } catch (error) {
          throw storageError('read near-duplicate anchors', error);
        }
      }),
    );
    return pages.flat().map((item) => this.parseAnchor(item));
  }

  /**
   * One conditional PutItem of a representative's entry at its place under its key (`~~<place>`). Refused when
   * another article holds the place: the holder is then read (consistent GetItem, only then) and returned. The
   * article's own entry is claimed again in place (a retry). Works without transactions (dynalite).
   */
  async claim(anchor: AnchorEntry): Promise<AnchorClaim> {
    const Key = { [ATTR.pk]: anchorPk(anchor.key), [ATTR.sk]: anchorSk(anchor.slot) };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.anchorItem(anchor), ...Key },
          ConditionExpression: 'attribute_not_exists(#pk) OR #articleId = :articleId',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#articleId': 'articleId' },
          ExpressionAttributeValues: { ':articleId': anchor.articleId },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw storageError('claim a near-duplicate anchor', error);
    }
    try {
      const held = await this.documents.send(
        new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }),
      );
      return held.Item ? { claimed: false, holder: this.parseAnchor(held.Item) } : { claimed: false };
    } catch (error) {
      throw storageError('read a near-duplicate anchor claim', error);
    }
  }

  private anchorItem(anchor: AnchorEntry): Record<string, unknown> {
    const { slot: _slot, ...stored } = anchor;
    return {
      [ATTR.pk]: anchorPk(anchor.key),
      [ATTR.sk]: anchorSk(anchor.slot, anchor.articleId),
      ...stored,
      signature: encodeSignature(anchor.signature),
    };
  }

  private parseAnchor(item: Record<string, unknown>): AnchorEntry {
    const { sk, ...stored } = parseStoredItem(StoredAnchor, item, 'near-duplicate anchor');
    return { ...stored, signature: decodeSignature(stored.signature), slot: anchorSlot(sk) };
  }

  async record(writes: Pick<ClusterDecision, 'anchor' | 'member'>): Promise<void> {
    const items: Record<string, unknown>[] = [];
    if (writes.anchor) items.push(this.anchorItem(writes.anchor));
    if (writes.member) {
      items.push({
        [ATTR.pk]: clusterPk(writes.member.clusterId),
        [ATTR.sk]: writes.member.articleId,
        ...writes.member,
      });
    }
    try {
      await Promise.all(
        items.map((Item) => this.documents.send(new PutCommand({ TableName: this.tableName, Item }))),
      );
    } catch (error) {
      throw storageError('write near-duplicate entries', error);
    }
  }

  async members(clusterId: string): Promise<MemberEntry[]> {
    const members: MemberEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      let result: QueryCommandOutput;
      try {
        result = await this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': ATTR.pk },
            ExpressionAttributeValues: { ':pk': clusterPk(clusterId) },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
      } catch (error) {
        throw storageError('read cluster members', error);
      }
      for (const item of result.Items ?? []) {
        members.push(parseStoredItem(StoredMember, item, 'cluster member'));
      }
      start = result.LastEvaluatedKey;
    } while (start && members.length < MAX_LISTED_MEMBERS);
    return members
      .slice(0, MAX_LISTED_MEMBERS)
      .sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.articleId.localeCompare(b.articleId));
  }
}
