#!/usr/bin/env node
// `npm start`: the whole pipeline on this machine (see lib/embedded/stack.ts). `npm start -- --help` for options.
import '../lib/runtime/sdk-warning.ts';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type CrawlSource, parsePageTypes } from '../lib/config.ts';
import type { PageType } from '../lib/core/article.ts';
import { crawlRoundLine } from '../lib/embedded/progress-lines.ts';
import { DEFAULT_QUERY_PORT, type ProgressEvent, startEmbeddedStack } from '../lib/embedded/stack.ts';
import { forwardToWebhook, WebhookPublisher } from '../lib/events/webhook.ts';

const USAGE = `usage: npm start -- [options]
  --data-dir DIR            where S3 objects and the DynamoDB table are kept (default .data)
  --source URL              add this feed, sitemap, site or URL list to the sources registry and crawl the
                            registry instead of the example site (repeatable; see \`articles sources\`)
  --interval DURATION       crawl every DURATION, e.g. 90s, 15m, 1h (default 15m)
  --port N                  query API port (default ${DEFAULT_QUERY_PORT}; 0 picks a free one)
  --host HOST               query API address (default 127.0.0.1)
  --concurrency N           ingest batches in flight (default 4)
  --page-types LIST         page types to store, comma-separated, or all (default article; INGEST_PAGE_TYPES):
                            article, forum, product, collection, listing, documentation, service; pages of
                            other types are counted and recorded in crawl state, not stored
  --allow-private-network   let sources on private addresses through
  --webhook URL             POST every ArticleIngested event to URL, signed with HMAC-SHA256 (see docs/api.md)
  --webhook-secret SECRET   the signing secret (default: ARTICLE_WEBHOOK_SECRET, else a random one, printed)
  --engine ENGINE           dynalite (default) or dynamodb-local
  --servers-thread          run the S3/DynamoDB servers on a worker thread (uses a second core)
  --log-level LEVEL         handler JSON logs: DEBUG, INFO, WARN (default), ERROR, SILENT
  --once                    crawl once, ingest everything queued, print totals and exit
  --quiet                   no line per article`;

/** Bad arguments: reported with the usage text and exit code 2 (other failures exit 1 without it). */
class UsageError extends Error {}

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;

export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`not a duration: ${JSON.stringify(text)} (try 90s, 15m or 1h)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Number(match[1]) * unit;
  if (ms < 1000) throw new UsageError('the crawl interval must be at least 1s');
  return ms;
}

function positiveInteger(text: string | undefined, name: string, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
  return value;
}

/** A loopback receiver is the usual local webhook; other private addresses still need --allow-private-network. */
function webhookPublisher(values: {
  webhook?: string;
  'webhook-secret'?: string;
  'allow-private-network': boolean;
}) {
  const url = values.webhook ?? '';
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError(`--webhook must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  const given = values['webhook-secret'] ?? process.env.ARTICLE_WEBHOOK_SECRET;
  const secret = given ?? randomBytes(24).toString('base64url');
  if (secret.length < 16) throw new UsageError('--webhook-secret must be at least 16 characters');
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);
  const publisher = new WebhookPublisher({
    url,
    secret,
    allowPrivateNetwork: values['allow-private-network'] || loopback,
  });
  return { url, secret, generatedSecret: given === undefined, publisher };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'data-dir': { type: 'string', default: '.data' },
      source: { type: 'string', multiple: true },
      interval: { type: 'string', default: '15m' },
      port: { type: 'string' },
      host: { type: 'string' },
      concurrency: { type: 'string' },
      'page-types': { type: 'string' },
      'allow-private-network': { type: 'boolean', default: false },
      webhook: { type: 'string' },
      'webhook-secret': { type: 'string' },
      engine: { type: 'string', default: 'dynalite' },
      'log-level': { type: 'string', default: 'WARN' },
      once: { type: 'boolean', default: false },
      'servers-thread': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const engine = values.engine;
  if (engine !== 'dynalite' && engine !== 'dynamodb-local')
    throw new UsageError('--engine must be dynalite or dynamodb-local');
  const logLevel = values['log-level'].toUpperCase();
  if (!LOG_LEVELS.includes(logLevel as (typeof LOG_LEVELS)[number])) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const sources: CrawlSource[] | undefined = values.source?.map((url) => ({ url }));
  for (const source of sources ?? []) {
    if (!URL.canParse(source.url) || !/^https?:$/.test(new URL(source.url).protocol)) {
      throw new UsageError(`--source must be an http(s) URL, got ${JSON.stringify(source.url)}`);
    }
  }
  let ingestPageTypes: PageType[] | undefined;
  if (values['page-types'] !== undefined) {
    try {
      ingestPageTypes = parsePageTypes(values['page-types']);
    } catch (error) {
      throw new UsageError(`--page-types: ${(error as Error).message}`);
    }
  }
  const webhook = values.webhook === undefined ? undefined : webhookPublisher(values);
  const intervalMs = parseDuration(values.interval);
  const quiet = values.quiet;
  const say = (line: string) => process.stderr.write(`${line}\n`);

  const onProgress = (event: ProgressEvent) => {
    if (event.kind === 'crawl') {
      say(crawlRoundLine(event.summary));
    } else if (event.kind === 'source') {
      const { summary, done, total } = event;
      const detail =
        summary.outcome === 'failed'
          ? `${summary.error?.code ?? 'FAILED'}: ${summary.error?.message ?? ''}`
          : `discovered ${summary.discovered}, queued ${summary.queued}`;
      say(`source ${done}/${total} ${summary.outcome.padEnd(12)} ${summary.url ?? summary.id} ${detail}`);
    } else if (event.kind === 'crawl-failed') {
      say(`crawl failed: ${event.error}`);
    } else if (event.kind === 'resumed') {
      say(`resuming ${event.count} URL(s) the last run queued but did not finish`);
    } else if (event.kind === 'resumed-sources') {
      say(`${event.count} source(s) the last run was crawling are due again`);
    } else if (event.kind === 'dead-letter') {
      say(`dead-lettered ${event.count} message(s) after repeated failures`);
    } else if (!quiet) {
      const { outcome } = event;
      const detail =
        outcome.status === 'failed'
          ? `${outcome.error?.code ?? 'FAILED'}${outcome.retryable ? ' (will retry)' : ''}: ${outcome.error?.message ?? ''}`
          : outcome.status === 'skipped'
            ? `(${outcome.pageType ?? 'unknown'} page, not stored)`
            : outcome.version === undefined
              ? ''
              : `v${outcome.version}`;
      say(`${outcome.status.padEnd(9)} ${outcome.url} ${detail}`.trimEnd());
    }
  };

  const stack = await startEmbeddedStack({
    dataDir: values['data-dir'],
    engine,
    ...(sources ? { sources } : {}),
    port: positiveInteger(values.port, 'port', DEFAULT_QUERY_PORT, 0),
    ...(values.host ? { host: values.host } : {}),
    concurrency: positiveInteger(values.concurrency, 'concurrency', 4),
    ...(ingestPageTypes ? { ingestPageTypes } : {}),
    allowPrivateNetwork: values['allow-private-network'],
    serversThread: values['servers-thread'],
    logLevel: logLevel as (typeof LOG_LEVELS)[number],
    ...(values.once ? {} : { intervalMs }),
    onProgress,
  });
  const totalsLine = () => {
    const t = stack.totals();
    const byType = Object.entries(t.skippedByType)
      .map(([type, count]) => `${type} ${count}`)
      .join(', ');
    const notStored = `not stored (page type) ${t.skipped}${byType ? ` (${byType})` : ''}`;
    return `totals: discovered ${t.discovered}, queued ${t.queued}, ingested ${t.ingested}, unchanged ${t.unchanged}, ${notStored}, failed ${t.failed}, dead-lettered ${t.deadLettered}`;
  };
  if (webhook) {
    forwardToWebhook(stack.bus, webhook.publisher);
    say(`webhook: ${webhook.url}${webhook.generatedSecret ? ` (signing secret ${webhook.secret})` : ''}`);
  }
  say(`data in ${values['data-dir']} (${engine})`);
  if (stack.exampleSite)
    say(`example site: ${stack.exampleSite.origin}/ (feed ${stack.exampleSite.feedUrl})`);
  else if (stack.sources.length > 0)
    say(`sources added: ${stack.sources.map((source) => source.url).join(', ')}`);
  else say('sources: the registry (`npm run -s articles -- sources list`)');
  if (stack.queryUrl) say(`query API: ${stack.queryUrl}/articles  (OpenAPI: ${stack.queryUrl}/openapi.json)`);

  // First Ctrl-C: stop taking new pages and finish the ones in flight. Second: stop at once. Nothing committed
  // is lost either way (a commit is one conditional write); pages cut off are queued again by the next start.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      say(`${signal} again: stopping now; unfinished pages are picked up by the next start`);
      process.exit(130);
    }
    stopping = true;
    const pages = stack.queue.stats().inFlightMessages;
    say(`${signal}: finishing ${pages} page${pages === 1 ? '' : 's'} (Ctrl-C again to stop now)`);
    await stack.stop();
    say(`stopped (${totalsLine()})`);
    process.exit(values.once ? 130 : 0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (values.once) {
    try {
      await stack.runOnce();
      say(totalsLine());
    } finally {
      await stack.stop();
    }
    return 0;
  }

  say(`crawling now and every ${values.interval}; Ctrl-C to stop`);
  const crawlAndReport = async () => {
    try {
      await stack.crawl();
      await stack.drain();
      say(totalsLine());
    } catch (error) {
      say(`crawl failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await crawlAndReport();
  // The stack's own timer keeps crawling; this one reports totals after each round settles.
  setInterval(() => void stack.drain().then(() => say(totalsLine())), intervalMs).unref();
  await new Promise<never>(() => {
    // Runs until a signal stops it; the query server keeps the event loop alive.
  });
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const badArguments =
    error instanceof UsageError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
  process.stderr.write(badArguments ? `start: ${message}\n${USAGE}\n` : `start: ${message}\n`);
  process.exitCode = badArguments ? 2 : 1;
}
