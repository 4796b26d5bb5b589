// Counts what the store's real SDK clients ask of S3 and DynamoDB, through SDK middleware attached by the client
// factories (instrumentStoreClients), and computes DynamoDB capacity units from item sizes the way DynamoDB
// bills them: writes per started 1 KB of the larger of the old and new item, plus one write per global secondary
// index whose projected copy changes (two when its key moves); reads per started 4 KB, halved when eventually
// consistent; a Query per started 4 KB of all the items it read. dynalite's own ConsumedCapacity ignores
// indexes, so the units are computed here, the same way on dynalite and DynamoDB Local.
import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { ARTICLES_TABLE, type TableDefinition } from '../lib/store/table.ts';

type Item = Record<string, AttributeValue>;

/** Bytes DynamoDB counts for an item: attribute names plus values (numbers ~1 byte per 2 digits + 1). */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
  if (value.M) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  return 0;
}

function numberSize(text: string): number {
  const digits =
    text
      .replace(/^-/, '')
      .replace(/[.eE].*$/, '')
      .replace(/^0+/, '').length || 1;
  return 1 + Math.ceil(digits / 2);
}

/** The copy of an item an index holds, or undefined when the item lacks the index's keys (a sparse index). */
export function indexCopy(
  item: Item | undefined,
  table: TableDefinition,
  index: TableDefinition['globalSecondaryIndexes'][number],
): Item | undefined {
  if (!item?.[index.partitionKey.name] || !item[index.sortKey.name]) return undefined;
  if (index.projection === 'ALL') return item;
  const names = [
    table.partitionKey.name,
    table.sortKey.name,
    index.partitionKey.name,
    index.sortKey.name,
    ...('nonKeyAttributes' in index
      ? ((index as { nonKeyAttributes?: string[] }).nonKeyAttributes ?? [])
      : []),
  ];
  const copy: Item = {};
  for (const name of names) if (item[name] !== undefined) copy[name] = item[name] as AttributeValue;
  return copy;
}

const writeUnitsOf = (size: number) => Math.max(1, Math.ceil(size / 1024));

/** Write units of one item write: the table's, and each index's that had a copy to write or delete. */
export function writeUnits(
  before: Item | undefined,
  after: Item | undefined,
  table: TableDefinition = ARTICLES_TABLE,
): { table: number; indexes: Record<string, number> } {
  const indexes: Record<string, number> = {};
  for (const index of table.globalSecondaryIndexes) {
    const old = indexCopy(before, table, index);
    const next = indexCopy(after, table, index);
    let units = 0;
    if (old && next) {
      const sameKey =
        JSON.stringify([old[index.partitionKey.name], old[index.sortKey.name]]) ===
        JSON.stringify([next[index.partitionKey.name], next[index.sortKey.name]]);
      if (!sameKey) units = writeUnitsOf(itemSize(old)) + writeUnitsOf(itemSize(next));
      else if (JSON.stringify(sorted(old)) !== JSON.stringify(sorted(next)))
        units = writeUnitsOf(Math.max(itemSize(old), itemSize(next)));
    } else if (old) units = writeUnitsOf(itemSize(old));
    else if (next) units = writeUnitsOf(itemSize(next));
    if (units > 0) indexes[index.indexName] = units;
  }
  return { table: writeUnitsOf(Math.max(itemSize(before), itemSize(after))), indexes };
}

function sorted(item: Item): Array<[string, AttributeValue]> {
  return Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Read units of reading `bytes` in one request (GetItem, or a Query's whole page). */
export function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}

export interface DynamoTally {
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** Of writeUnits, those spent on index copies, by index name. */
  indexWriteUnits: Record<string, number>;
  /** Conditional writes that were refused (still billed). */
  conditionFailures: number;
}

export interface S3Tally {
  requests: number;
  bytesIn: number;
}

export interface Tallies {
  dynamodb: Record<string, DynamoTally>;
  s3: Record<string, S3Tally>;
}

const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/**
 * Attaches counting middleware to store clients. A write's units reflect the item it replaced (ReturnValues
 * ALL_OLD, added to the request and removed from the response) and, for an update, the item it left (read by a
 * client of its own, not counted, after the write), as DynamoDB bills them.
 */
export class CostMeter {
  private tallies: Tallies = { dynamodb: {}, s3: {} };
  private shadow: DynamoDBClient | undefined;
  counting = false;
  readonly table: TableDefinition;

  constructor(table: TableDefinition = ARTICLES_TABLE) {
    this.table = table;
  }

  /** Where the uncounted image reads go (the same DynamoDB server as the store's clients). */
  useShadowClient(env: Record<string, string>): void {
    this.shadow = new DynamoDBClient({
      endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
      region: env.AWS_REGION ?? 'us-east-1',
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
      },
    });
  }

  private readonly pending = new Set<Promise<void>>();

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Waits for the image reads still in flight, so every write so far is in the tallies. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  snapshot(): Tallies {
    return structuredClone(this.tallies);
  }

  instrument(client: S3Client | DynamoDBClient): void {
    const isDynamo = client instanceof DynamoDBClient;
    // biome-ignore lint/suspicious/noExplicitAny: the two clients' stacks differ only in their input/output types
    const stack = client.middlewareStack as any;
    stack.add(
      // biome-ignore lint/suspicious/noExplicitAny: SDK middleware signature
      (next: any, context: { commandName?: string }) => async (args: { input: any; request?: unknown }) => {
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        if (!this.counting) return isDynamo ? this.observeUncounted(operation, args, next) : next(args);
        return isDynamo ? this.countDynamo(operation, args, next) : this.countS3(operation, args, next);
      },
      { step: 'build', name: 'costMeter' },
    );
  }

  // biome-ignore lint/suspicious/noExplicitAny: SDK middleware signature
  private async countS3(operation: string, args: { input: any }, next: any) {
    const tally = this.tallies.s3[operation] ?? { requests: 0, bytesIn: 0 };
    this.tallies.s3[operation] = tally;
    tally.requests++;
    const body = args.input.Body;
    if (typeof body === 'string') tally.bytesIn += Buffer.byteLength(body);
    else if (body instanceof Uint8Array) tally.bytesIn += body.byteLength;
    return next(args);
  }

  /**
   * The images of the items the meter saw written, so a write's units need no read of its own on the handlers'
   * thread (those reads were up to 2 in 5 of a re-check's DynamoDB requests and their CPU was billed as the
   * handlers'). `null`: known absent. An entry is kept only when no other write of the item started meanwhile.
   */
  private readonly images = new Map<string, Item | null>();
  /** Writes started per item: a cached image is trusted only when no other write started since it was taken. */
  private readonly writesStarted = new Map<string, number>();
  private readonly writesInFlight = new Map<string, number>();
  /** Reads the meter made of its own to size writes (not billed, but CPU on the handlers' thread). */
  shadowReads = 0;

  private imageKey(tableName: string, key: Item): string {
    return `${tableName}\u0000${JSON.stringify(key)}`;
  }

  /** Marks a write of the item started; returns what `finishWrite` needs. */
  private startWrite(id: string): number {
    const started = (this.writesStarted.get(id) ?? 0) + 1;
    this.writesStarted.set(id, started);
    this.writesInFlight.set(id, (this.writesInFlight.get(id) ?? 0) + 1);
    return started;
  }

  /** Ends a write: the item's image is `after` if no other write of it started since `started`, else unknown. */
  private finishWrite(id: string, started: number, after: Item | null | undefined): void {
    const inFlight = (this.writesInFlight.get(id) ?? 1) - 1;
    if (inFlight > 0) this.writesInFlight.set(id, inFlight);
    else this.writesInFlight.delete(id);
    if (after !== undefined && this.writesStarted.get(id) === started) this.images.set(id, after);
    else if (after === undefined || this.writesStarted.get(id) !== started) this.images.delete(id);
  }

  /** A batch write's items: their images are no longer known (and any write of them under way is not alone). */
  // biome-ignore lint/suspicious/noExplicitAny: a BatchWriteItem input
  private forgetBatchWrites(input: any): void {
    type Request = { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } };
    for (const [tableName, requests] of Object.entries(
      (input.RequestItems ?? {}) as Record<string, Request[]>,
    ))
      for (const request of requests) {
        const key = request.DeleteRequest?.Key ?? (request.PutRequest && this.keyOf(request.PutRequest.Item));
        if (!key) continue;
        const id = this.imageKey(tableName, key);
        this.images.delete(id);
        this.writesStarted.set(id, (this.writesStarted.get(id) ?? 0) + 1);
      }
  }

  /** An uncounted write (set-up): the cached image follows it, or is dropped when it cannot be known. */
  // biome-ignore lint/suspicious/noExplicitAny: SDK middleware signature
  private async observeUncounted(operation: string, args: { input: any }, next: any) {
    const input = args.input;
    if (operation === 'BatchWriteItem') {
      this.forgetBatchWrites(input);
      return next(args);
    }
    if (!WRITE_OPERATIONS.has(operation)) return next(args);
    const id = this.imageKey(input.TableName, input.Key ?? this.keyOf(input.Item as Item));
    const started = this.startWrite(id);
    try {
      const result = await next(args);
      const after =
        operation === 'PutItem' ? (input.Item as Item) : operation === 'DeleteItem' ? null : undefined;
      this.finishWrite(id, started, after);
      return result;
    } catch (error) {
      // A refused conditional write left the item as it was.
      const refused = (error as { name?: string }).name === 'ConditionalCheckFailedException';
      this.finishWrite(id, started, refused ? this.images.get(id) : undefined);
      throw error;
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: SDK middleware signature
  private async countDynamo(operation: string, args: { input: any; request?: unknown }, next: any) {
    const label = `${operation} ${itemKind(args.input)}`;
    const tally = this.tallies.dynamodb[label] ?? {
      requests: 0,
      readUnits: 0,
      writeUnits: 0,
      indexWriteUnits: {},
      conditionFailures: 0,
    };
    this.tallies.dynamodb[label] = tally;
    tally.requests++;
    const input = args.input;
    if (WRITE_OPERATIONS.has(operation)) {
      const key: Item = input.Key ?? this.keyOf(input.Item as Item);
      const id = this.imageKey(input.TableName, key);
      // The item as this write finds it, when the meter saw it written and no other write of it is under way.
      const cached = (this.writesInFlight.get(id) ?? 0) === 0 ? this.images.get(id) : undefined;
      const started = this.startWrite(id);
      const free = input.ReturnValues === undefined || input.ReturnValues === 'NONE';
      // An update of a known item asks for its new image with the write; any other write for its old image (no
      // extra round trip inside the measured handler). Only an update of an unknown item reads its new image
      // afterwards, off the handler's path (settle() waits for it).
      const injectNew =
        free && operation === 'UpdateItem' && cached !== undefined && askForImage(args.request, 'ALL_NEW');
      const inject = !injectNew && free && askForImage(args.request, 'ALL_OLD');
      if (!inject && !injectNew && cached === undefined) this.shadowReads++;
      const before = inject
        ? undefined
        : cached !== undefined
          ? (cached ?? undefined)
          : await this.image(input.TableName, key);
      try {
        const result = await next(args);
        const old = inject ? this.asItem(result.output?.Attributes) : before;
        const returnedNew = injectNew ? (this.asItem(result.output?.Attributes) ?? null) : undefined;
        if ((inject || injectNew) && result.output) delete result.output.Attributes;
        const record = (after: Item | undefined) => {
          const units = writeUnits(old, operation === 'DeleteItem' ? undefined : after, this.table);
          tally.writeUnits += units.table;
          for (const [name, n] of Object.entries(units.indexes)) {
            tally.writeUnits += n;
            tally.indexWriteUnits[name] = (tally.indexWriteUnits[name] ?? 0) + n;
          }
        };
        if (operation === 'PutItem') {
          record(input.Item as Item);
          this.finishWrite(id, started, input.Item as Item);
        } else if (operation === 'DeleteItem') {
          record(undefined);
          this.finishWrite(id, started, null);
        } else if (returnedNew !== undefined) {
          record(returnedNew ?? undefined);
          this.finishWrite(id, started, returnedNew);
        } else {
          this.shadowReads++;
          this.track(
            this.image(input.TableName, key).then((after) => {
              record(after);
              this.finishWrite(id, started, after ?? null);
            }),
          );
        }
        return result;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
          // A refused conditional write is billed for the item it was checked against; no index changes.
          tally.conditionFailures++;
          const bill = (current: Item | undefined) => {
            tally.writeUnits += writeUnitsOf(Math.max(itemSize(current), itemSize(input.Item as Item)));
          };
          if (cached !== undefined) {
            bill(cached ?? undefined);
            this.finishWrite(id, started, cached);
          } else {
            this.shadowReads++;
            this.track(
              this.image(input.TableName, key).then((current) => {
                bill(current);
                this.finishWrite(id, started, current ?? null);
              }),
            );
          }
        } else this.finishWrite(id, started, undefined);
        throw error;
      }
    }
    const result = await next(args);
    const output = result.output ?? {};
    if (operation === 'GetItem') {
      tally.readUnits += readUnits(itemSize(this.asItem(output.Item)), input.ConsistentRead === true);
    } else if (operation === 'Query' || operation === 'Scan') {
      const bytes = ((output.Items ?? []) as unknown[]).reduce(
        (sum: number, item) => sum + itemSize(this.asItem(item)),
        0,
      );
      tally.readUnits += readUnits(bytes, input.ConsistentRead === true);
    } else if (operation === 'BatchGetItem') {
      const requested = (input.RequestItems ?? {}) as Record<
        string,
        { Keys?: unknown[]; ConsistentRead?: boolean }
      >;
      const responses = (output.Responses ?? {}) as Record<string, Item[]>;
      const unprocessed = (output.UnprocessedKeys ?? {}) as Record<string, { Keys?: unknown[] }>;
      for (const [table, request] of Object.entries(requested)) {
        const consistent = request.ConsistentRead === true;
        const found = responses[table] ?? [];
        for (const item of found) tally.readUnits += readUnits(itemSize(this.asItem(item)), consistent);
        // A key with no item is read as GetItem reads it: the minimum unit (DynamoDB bills a miss in a batch so).
        const missing = (request.Keys?.length ?? 0) - (unprocessed[table]?.Keys?.length ?? 0) - found.length;
        tally.readUnits += Math.max(0, missing) * readUnits(0, consistent);
      }
    } else if (operation === 'BatchWriteItem') {
      this.forgetBatchWrites(input);
      for (const requests of Object.values(
        (input.RequestItems ?? {}) as Record<string, Array<{ PutRequest?: { Item: Item } }>>,
      ))
        for (const request of requests) {
          const units = writeUnits(undefined, request.PutRequest?.Item, this.table);
          tally.writeUnits += units.table + Object.values(units.indexes).reduce((a, b) => a + b, 0);
        }
    }
    return result;
  }

  /**
   * An item of a response in DynamoDB's typed form. This middleware runs inside lib-dynamodb's unmarshalling, so a
   * document client's responses arrive as plain values (the table's partition key is then a string, not {S}).
   */
  private asItem(item: unknown): Item | undefined {
    if (item === undefined || item === null) return undefined;
    const record = item as Record<string, unknown>;
    if (typeof record[this.table.partitionKey.name] === 'object') return record as Item;
    return (toAttributeValue(record) as { M: Item }).M;
  }

  private keyOf(item: Item): Item {
    const { partitionKey, sortKey } = this.table;
    return {
      [partitionKey.name]: item[partitionKey.name] as AttributeValue,
      [sortKey.name]: item[sortKey.name] as AttributeValue,
    };
  }

  private async image(tableName: string, key: Item): Promise<Item | undefined> {
    if (!this.shadow) throw new Error('CostMeter: useShadowClient() before counting writes');
    const result = await this.shadow.send(
      new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    return result.Item;
  }
}

/**
 * Adds ReturnValues (the old or the new image) to a write's serialized JSON body (at the build step the request is serialized already,
 * so changing the command's input would not reach it); false when the body is not JSON text.
 */
// biome-ignore lint/suspicious/noExplicitAny: the SDK's HttpRequest at the build step
function askForImage(request: any, image: 'ALL_OLD' | 'ALL_NEW'): boolean {
  // The SDK serializes to bytes (a Uint8Array that also reads as the JSON text); older versions to a string.
  const raw: unknown = request?.body;
  const text =
    typeof raw === 'string'
      ? raw
      : raw instanceof Uint8Array
        ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')
        : undefined;
  if (text === undefined) return false;
  const body = JSON.parse(text) as Record<string, unknown>;
  body.ReturnValues = image;
  request.body = JSON.stringify(body);
  for (const name of Object.keys(request.headers ?? {}))
    if (name.toLowerCase() === 'content-length')
      request.headers[name] = String(Buffer.byteLength(request.body));
  return true;
}

/** A plain value in DynamoDB's typed form (what lib-dynamodb's marshalling would send), for sizing. */
function toAttributeValue(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number' || typeof value === 'bigint') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value === null || value === undefined) return { NULL: true };
  if (value instanceof Uint8Array) return { B: value };
  if (Array.isArray(value)) return { L: value.map(toAttributeValue) };
  if (value instanceof Set) {
    const members = [...value];
    return typeof members[0] === 'number' ? { NS: members.map(String) } : { SS: members.map(String) };
  }
  const map: Item = {};
  for (const [name, member] of Object.entries(value as Record<string, unknown>))
    if (member !== undefined) map[name] = toAttributeValue(member);
  return { M: map };
}

/** Which kind of item a request touches (the key's prefix, or the index it queries), for the per-item tally. */
// biome-ignore lint/suspicious/noExplicitAny: any DynamoDB command input
export function itemKind(input: any): string {
  if (input.IndexName) return `index ${input.IndexName}`;
  const key = input.Key ?? input.Item ?? firstBatchKey(input.RequestItems);
  const pk = key?.pk?.S ?? input.ExpressionAttributeValues?.[':pk']?.S;
  const sk = key?.sk?.S;
  if (typeof pk !== 'string') return 'query';
  const prefix = pk.replace(/#.*$/, '');
  const sortPrefix = typeof sk === 'string' ? sk.replace(/#.*$/, '') : '';
  return prefix === 'ARTICLE' || prefix === 'HOST' ? `${prefix} ${sortPrefix}` : prefix;
}

// biome-ignore lint/suspicious/noExplicitAny: BatchGetItem / BatchWriteItem request items
function firstBatchKey(requestItems: any): any {
  if (!requestItems) return undefined;
  const first = Object.values(requestItems)[0] as
    | { Keys?: unknown[] }
    | Array<{ PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }>
    | undefined;
  if (Array.isArray(first)) return first[0]?.PutRequest?.Item ?? first[0]?.DeleteRequest?.Key;
  return first?.Keys?.[0];
}

/** What happened between two snapshots. */
export function difference(after: Tallies, before: Tallies): Tallies {
  const dynamodb: Tallies['dynamodb'] = {};
  for (const [op, a] of Object.entries(after.dynamodb)) {
    const b = before.dynamodb[op];
    const indexWriteUnits: Record<string, number> = {};
    for (const [name, n] of Object.entries(a.indexWriteUnits))
      indexWriteUnits[name] = n - (b?.indexWriteUnits[name] ?? 0);
    dynamodb[op] = {
      requests: a.requests - (b?.requests ?? 0),
      readUnits: a.readUnits - (b?.readUnits ?? 0),
      writeUnits: a.writeUnits - (b?.writeUnits ?? 0),
      indexWriteUnits,
      conditionFailures: a.conditionFailures - (b?.conditionFailures ?? 0),
    };
  }
  const s3: Tallies['s3'] = {};
  for (const [op, a] of Object.entries(after.s3)) {
    const b = before.s3[op];
    s3[op] = { requests: a.requests - (b?.requests ?? 0), bytesIn: a.bytesIn - (b?.bytesIn ?? 0) };
  }
  return { dynamodb, s3 };
}
