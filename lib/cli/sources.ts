import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { PipelineError } from '../core/errors.ts';
import {
  newSourceRecord,
  parseInterval,
  parseSourceId,
  SOURCE_KINDS,
  type SourceKind,
  type SourceRecord,
} from '../core/sources.ts';
import { createDynamoDbClient } from '../store/aws/clients.ts';
import { AwsSourceRegistry } from '../store/aws/sources.ts';
import type { SourceRegistry } from '../store/types.ts';
import { DEFAULT_DATA_DIR } from './ingest.ts';
import { type CliIO, parseCliArgs, UsageError } from './io.ts';
import { SOURCES_USAGE } from './sources-usage.ts';

/**
 * `articles sources add|import|list|get|pause|resume|remove`: manages the crawl sources registry at run time,
 * in the embedded store (`--data-dir`, the default) or a deployed stack's table (`--stack NAME` or
 * `--table NAME`, with the usual AWS credentials and region).
 */

/** Most import lines shown when a file has errors (the rest are counted). */
const MAX_REPORTED_LINE_ERRORS = 10;
const LIST_PAGE = 100;

interface Connection {
  registry: SourceRegistry;
  close(): Promise<void>;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCliArgs(args, OPTIONS);
  const { values, positionals } = parsed;
  const [action, ...operands] = positionals;
  const needs = (count: number, what: string) => {
    if (operands.length !== count) throw new UsageError(`sources ${action} takes ${what}`);
  };
  // Arguments are checked before any store is opened, so a typo costs nothing.
  let work: (registry: SourceRegistry) => Promise<number>;
  switch (action) {
    case 'add': {
      needs(1, 'one URL');
      const source = toRecord({
        url: operands[0],
        ...(values.every === undefined ? {} : { intervalSeconds: interval(values.every) }),
        ...(values['allow-other-sites'] ? { allowOtherSites: true } : {}),
        ...(values.kind === undefined ? {} : { kind: kind(values.kind) }),
        ...(values.paused ? { paused: true } : {}),
      });
      work = async (registry) => {
        const status = await registry.add(source);
        const stored = (await registry.get(source.id)) ?? source;
        if (status === 'exists')
          io.stderr(`sources add: ${stored.url} is already registered as ${stored.id}`);
        io.stdout(JSON.stringify({ status, ...stored }));
        return 0;
      };
      break;
    }
    case 'import': {
      needs(1, 'one FILE (or - for standard input)');
      const file = operands[0] as string;
      work = async (registry) => importSources(registry, file, io);
      break;
    }
    case 'list':
      needs(0, 'no operands');
      work = async (registry) => {
        let after: string | undefined;
        do {
          const page = await registry.list({ limit: LIST_PAGE, ...(after ? { after } : {}) });
          for (const source of page.items) io.stdout(JSON.stringify(source));
          after = page.next;
        } while (after !== undefined);
        return 0;
      };
      break;
    case 'get':
    case 'pause':
    case 'resume':
    case 'remove': {
      needs(1, 'one source id');
      const id = sourceId(operands[0] as string);
      work = async (registry) => {
        if (action === 'remove') {
          if (!(await registry.remove(id))) return notFound(io, id);
          io.stdout(JSON.stringify({ id, status: 'removed' }));
          return 0;
        }
        const source =
          action === 'get'
            ? await registry.get(id)
            : await registry.update(id, { paused: action === 'pause' }, new Date());
        if (source === undefined) return notFound(io, id);
        io.stdout(JSON.stringify(source));
        return 0;
      };
      break;
    }
    case undefined:
      throw new UsageError(`give an action:\n  articles ${SOURCES_USAGE}`);
    default:
      throw new UsageError(`unknown action ${JSON.stringify(action)}:\n  articles ${SOURCES_USAGE}`);
  }
  const connection = await connect(values);
  try {
    return await work(connection.registry);
  } finally {
    await connection.close();
  }
}

const OPTIONS = {
  every: { type: 'string' },
  'allow-other-sites': { type: 'boolean' },
  kind: { type: 'string' },
  paused: { type: 'boolean' },
  'data-dir': { type: 'string' },
  stack: { type: 'string' },
  table: { type: 'string' },
} as const;

function notFound(io: CliIO, id: string): number {
  io.stderr(`sources: no source with id ${id}`);
  return 1;
}

/** Bad input is a usage error (exit 2) with the validator's message. */
function usageOnBadInput<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof PipelineError) throw new UsageError(error.message);
    throw error;
  }
}

const interval = (text: string) => usageOnBadInput(() => parseInterval(text));
const sourceId = (text: string) => usageOnBadInput(() => parseSourceId(text));
const toRecord = (input: unknown) => usageOnBadInput(() => newSourceRecord(input, new Date()));

function kind(text: string): SourceKind {
  if (!(SOURCE_KINDS as readonly string[]).includes(text)) {
    throw new UsageError(`--kind must be one of ${SOURCE_KINDS.join(', ')}, got ${JSON.stringify(text)}`);
  }
  return text as SourceKind;
}

/** One import line: a bare URL, or a JSON object with url and optional every/intervalSeconds, kind, allowOtherSites. */
export function parseImportLine(line: string, now: Date): SourceRecord {
  const text = line.trim();
  if (!text.startsWith('{')) return newSourceRecord({ url: text }, now);
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new PipelineError('BAD_REQUEST', `not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PipelineError('BAD_REQUEST', 'a JSON line must be an object with a url');
  }
  const { every, ...rest } = value;
  if (every !== undefined && typeof every !== 'string') {
    throw new PipelineError('BAD_REQUEST', 'every must be a string like "15m"');
  }
  return newSourceRecord(
    { ...rest, ...(every === undefined ? {} : { intervalSeconds: parseInterval(every) }) },
    now,
  );
}

/**
 * Reads every line first and writes only when all are valid: a file with a bad line changes nothing, and the
 * errors name their lines. Then batched writes, with progress on stderr.
 */
async function importSources(registry: SourceRegistry, file: string, io: CliIO): Promise<number> {
  const input = file === '-' ? io.stdin : createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const now = new Date();
  const sources: SourceRecord[] = [];
  const errors: string[] = [];
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
      try {
        sources.push(parseImportLine(line, now));
      } catch (error) {
        errors.push(`line ${lineNumber}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } catch (error) {
    throw new PipelineError('BAD_REQUEST', `cannot read ${file}: ${(error as Error).message}`);
  }
  if (errors.length > 0) {
    for (const error of errors.slice(0, MAX_REPORTED_LINE_ERRORS)) io.stderr(`sources import: ${error}`);
    if (errors.length > MAX_REPORTED_LINE_ERRORS) {
      io.stderr(`sources import: ... and ${errors.length - MAX_REPORTED_LINE_ERRORS} more bad lines`);
    }
    io.stderr(`sources import: ${errors.length} bad line(s); nothing was imported`);
    return 1;
  }
  let lastReported = 0;
  const started = Date.now();
  const result = await registry.addMany(sources, (done, total) => {
    if (done === total || Date.now() - lastReported > 1000) {
      lastReported = Date.now();
      io.stderr(`sources import: ${done}/${total}`);
    }
  });
  io.stdout(JSON.stringify({ ...result, lines: sources.length, seconds: (Date.now() - started) / 1000 }));
  return 0;
}

async function connect(values: { 'data-dir'?: string; stack?: string; table?: string }): Promise<Connection> {
  const chosen = [values['data-dir'], values.stack, values.table].filter((value) => value !== undefined);
  if (chosen.length > 1) throw new UsageError('give one of --data-dir, --stack or --table');
  if (values.table !== undefined || values.stack !== undefined) {
    const dynamodb = createDynamoDbClient();
    const tableName = values.table ?? (await tableOfStack(values.stack as string));
    return {
      registry: new AwsSourceRegistry({ dynamodb, tableName }),
      close: async () => dynamodb.destroy(),
    };
  }
  const { startEmbeddedStack } = await import('../embedded/stack.ts');
  const stack = await startEmbeddedStack({
    dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR,
    sources: [],
    port: false,
    logLevel: 'SILENT',
  });
  return { registry: stack.registry, close: () => stack.stop() };
}

/** The TableName output of a deployed ArticlePipeline stack. */
async function tableOfStack(stackName: string): Promise<string> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({});
  try {
    const response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const output = response.Stacks?.[0]?.Outputs?.find((candidate) => candidate.OutputKey === 'TableName');
    if (!output?.OutputValue) {
      throw new PipelineError('NOT_FOUND', `stack ${stackName} has no TableName output`);
    }
    return output.OutputValue;
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    throw new PipelineError('NOT_FOUND', `cannot read stack ${stackName}: ${(error as Error).message}`);
  } finally {
    client.destroy();
  }
}
