import { parsePageTypes } from '../config.ts';
import { PipelineError } from '../core/errors.ts';
import type { PageType } from '../core/page-types.ts';
import { NewSource } from '../core/sources.ts';

/** How raw HTML ages: moved to a cheaper storage class, then deleted. Articles (normalized JSON) never expire. */
export interface RawHtmlLifecycle {
  /** Days after which raw HTML moves to `storageClass`. S3 needs at least 30 for STANDARD_IA. Default 30. */
  transitionAfterDays?: number;
  /** Default GLACIER_IR: millisecond reads, cheapest class that still serves a re-extraction on demand. */
  storageClass?: 'STANDARD_IA' | 'GLACIER_IR' | 'INTELLIGENT_TIERING';
  /** Days after which raw HTML is deleted; 0 keeps it forever. Default 365. */
  expireAfterDays?: number;
}

export interface ArticlePipelineProps {
  /**
   * Feeds, sitemaps, site home pages or URL lists added to the sources registry at deploy (any number; they are
   * written by a custom resource, not carried in an environment). Sources already registered are left as they
   * are; the registry is then managed at run time (`articles sources`, the /sources API).
   */
  sources?: Array<{ url: string; allowOtherSites?: boolean; intervalSeconds?: number }>;
  /** Sources crawled at once (crawl worker invocations, 2..1000). Default 10. */
  crawlMaxConcurrency?: number;
  /** Minutes between crawls. Default 15. */
  crawlRateMinutes?: number;
  /** Set false to deploy with the schedule disabled (crawl on demand only). Default true. */
  crawlEnabled?: boolean;
  rawHtml?: RawHtmlLifecycle;
  /** 'default' publishes ArticleIngested to the account's default bus; 'new' creates a dedicated bus. Default 'new'. */
  eventBus?: 'default' | 'new';
  /**
   * How ingest and re-extraction publish: 'batch' (default) one ArticlesIngested event (schemaVersion 2) per batch
   * of articles, 'per-article' one ArticleIngested (schemaVersion 1) per article, as before (docs/api.md).
   */
  articleEvents?: 'batch' | 'per-article';
  /** Creates an SNS topic for the alarms with this e-mail subscribed. */
  alarmEmail?: string;
  /** An existing SNS topic ARN for the alarms (instead of creating one). */
  alarmTopicArn?: string;
  /** The most ingest functions running at once, so a crawl cannot hammer sites or the table (2..1000). Default 5. */
  ingestMaxConcurrency?: number;
  /**
   * Messages per ingest invocation (1..100). Default 50: a batch costs two S3 PUTs (one object for its pages, one for
   * its articles), one event and one SQS receive and delete, whatever its size. Above 10, Lambda needs a batching
   * window (ingestBatchWindowSeconds).
   */
  ingestBatchSize?: number;
  /**
   * Longest wait, in seconds (0..300), for the event source to gather a full batch before invoking ingest with what
   * it has. Default 30: a quiet pipeline stores a new URL at most this much later, and a slow flow of URLs (a
   * million a month is one every 2.6 s) still fills batches of ten or more. 0 only with batches of 10 or less.
   */
  ingestBatchWindowSeconds?: number;
  /**
   * Ingest function timeout in seconds; the queue's visibility timeout is six times this. Default 180: a batch
   * of URLs from one host is paced by its robots.txt Crawl-delay (honoured up to 30 s), and Lambda bills the
   * time used, not the timeout.
   */
  ingestTimeoutSeconds?: number;
  /**
   * Page types ingest stores (INGEST_PAGE_TYPES): article, forum, product, collection, listing, documentation,
   * service. Pages of other types are recorded in crawl state with their type, not stored. Default ['article'].
   */
  ingestPageTypes?: PageType[];
  /** Retention of the functions' and the API's log groups, in days. Default 30. */
  logRetentionDays?: number;
  /** `POWERTOOLS_LOG_LEVEL` for the functions. Default INFO. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Overrides the fetcher's User-Agent (it should name a contact page for site owners). */
  userAgent?: string;
  /**
   * Origins (`http://host:port`) the fetcher may reach even on private or loopback addresses, e.g. an
   * intranet site. Default none: every private address is refused (SSRF guard).
   */
  fetchAllowedOrigins?: string[];
  /** 'iam' (default) requires SigV4-signed requests; 'none' makes the query API public. */
  apiAuthorization?: 'iam' | 'none';
  /** Steady-state requests per second and burst for the query API stage. Defaults 50 and 100. */
  apiThrottle?: { rateLimit?: number; burstLimit?: number };
  /** Bucket encryption: S3-managed keys (default, free) or a customer-managed KMS key (rotated). */
  bucketEncryption?: 's3-managed' | 'kms';
  /**
   * S3 object versioning. Default false: the store writes every article version under its own immutable key,
   * so bucket versioning would only duplicate history and keep expired raw HTML as noncurrent versions.
   */
  bucketVersioning?: boolean;
  /** DynamoDB deletion protection. Default true. */
  tableDeletionProtection?: boolean;
  /** 'retain' (default) keeps bucket and table when the stack is deleted; 'destroy' removes them (dev only). */
  removalPolicy?: 'retain' | 'destroy';
  /**
   * Lambda bundling. `bundleAwsSdk` (default true) bundles the tree-shaken SDK clients: a cold import several
   * times faster than loading the runtime's full `@aws-sdk/*` packages (benchmark/RESULTS.md, 60-bundles),
   * and the SDK version the tests ran with. `sourceMap` (default false) ships a .map and enables it: readable
   * stack traces, but a larger zip and `--enable-source-maps` slows every stack trace the function builds.
   */
  bundling?: { bundleAwsSdk?: boolean; sourceMap?: boolean };
  /** Entry files exporting `handler` (default `lambdas/<name>.ts`); lets an embedding app wrap the handlers. */
  entries?: Partial<Record<'crawl' | 'ingest' | 'query', string>>;
  /**
   * Days before a URL that failed permanently (4xx, a 403 bot wall, NO_ARTICLE, SCHEMA_VIOLATION) is tried again,
   * so an extractor fix recovers it (PERMANENT_FAILURE_RETRY_DAYS). Default 30.
   */
  permanentFailureRetryDays?: number;
  /**
   * Adds a per-site dimension to the ingest and crawl outcome metrics. Default false: each site then becomes its
   * own custom metrics (billed per metric); the site is always in the EMF log line for Logs Insights.
   */
  siteMetrics?: boolean;
}

export type ResolvedArticlePipelineProps = Required<
  Omit<
    ArticlePipelineProps,
    'alarmEmail' | 'alarmTopicArn' | 'userAgent' | 'rawHtml' | 'apiThrottle' | 'bundling' | 'entries'
  >
> & {
  entries: Partial<Record<'crawl' | 'ingest' | 'query', string>>;
  alarmEmail?: string;
  alarmTopicArn?: string;
  userAgent?: string;
  rawHtml: Required<RawHtmlLifecycle>;
  apiThrottle: { rateLimit: number; burstLimit: number };
  bundling: { bundleAwsSdk: boolean; sourceMap: boolean };
};

export const DEFAULT_PROPS = {
  crawlRateMinutes: 15,
  crawlMaxConcurrency: 10,
  crawlEnabled: true,
  rawHtml: { transitionAfterDays: 30, storageClass: 'GLACIER_IR', expireAfterDays: 365 },
  eventBus: 'new',
  articleEvents: 'batch',
  ingestMaxConcurrency: 5,
  ingestBatchSize: 50,
  ingestBatchWindowSeconds: 30,
  ingestTimeoutSeconds: 180,
  ingestPageTypes: ['article'],
  fetchAllowedOrigins: [],
  logRetentionDays: 30,
  logLevel: 'INFO',
  apiAuthorization: 'iam',
  apiThrottle: { rateLimit: 50, burstLimit: 100 },
  bucketEncryption: 's3-managed',
  bucketVersioning: false,
  tableDeletionProtection: true,
  removalPolicy: 'retain',
  bundling: { bundleAwsSdk: true, sourceMap: false },
  permanentFailureRetryDays: 30,
  siteMetrics: false,
} as const satisfies Omit<ResolvedArticlePipelineProps, 'sources' | 'entries'>;

/**
 * Of Lambda's 4 KB (4,096 bytes) of environment variables per function, what the variables of bounded size
 * leave: names, table name, queue URL, flags, log settings and NODE_OPTIONS stay well under 1 KB.
 */
const MAX_UNBOUNDED_ENVIRONMENT_BYTES = 3_072;

function invalid(message: string): PipelineError {
  return new PipelineError('BAD_REQUEST', `ArticlePipeline: ${message}`);
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** Fills defaults and rejects values AWS would reject at deploy time, so mistakes surface at synth. */
export function resolveProps(props: ArticlePipelineProps = {}): ResolvedArticlePipelineProps {
  const rawHtml = { ...DEFAULT_PROPS.rawHtml, ...props.rawHtml };
  const minTransition = rawHtml.storageClass === 'STANDARD_IA' ? 30 : 0;
  integerIn('rawHtml.transitionAfterDays', rawHtml.transitionAfterDays, minTransition, 36_500);
  integerIn('rawHtml.expireAfterDays', rawHtml.expireAfterDays, 0, 36_500);
  if (rawHtml.expireAfterDays !== 0 && rawHtml.expireAfterDays <= rawHtml.transitionAfterDays) {
    throw invalid(
      `rawHtml.expireAfterDays (${rawHtml.expireAfterDays}) must be greater than transitionAfterDays (${rawHtml.transitionAfterDays}), or 0 to keep raw HTML forever`,
    );
  }
  const sources = props.sources ?? [];
  for (const source of sources) {
    let url: URL;
    try {
      url = new URL(source.url);
    } catch {
      throw invalid(`source ${JSON.stringify(source.url)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw invalid(`source ${source.url} must be http(s)`);
    }
    const checked = NewSource.safeParse(source);
    if (!checked.success) {
      throw invalid(`source ${source.url}: ${checked.error.issues.map((issue) => issue.message).join('; ')}`);
    }
  }
  for (const origin of props.fetchAllowedOrigins ?? []) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {}
    if (!parsed || parsed.origin !== origin) {
      throw invalid(
        `fetchAllowedOrigins entry ${JSON.stringify(origin)} must be an origin like http://host:8080`,
      );
    }
  }
  // Lambda refuses a function whose environment (names and values) exceeds 4 KB; the origins and the user agent
  // are the only values of unbounded size (sources are not in any environment), so they get that budget less
  // what the rest needs.
  const unboundedBytes = Buffer.byteLength(
    (props.fetchAllowedOrigins ?? []).join(',') + (props.userAgent ?? ''),
  );
  if (unboundedBytes > MAX_UNBOUNDED_ENVIRONMENT_BYTES) {
    throw invalid(
      `fetchAllowedOrigins and userAgent take ${unboundedBytes} bytes; Lambda allows 4 KB of environment variables per function, so at most ${MAX_UNBOUNDED_ENVIRONMENT_BYTES} are left for them`,
    );
  }
  if (props.alarmEmail !== undefined && props.alarmTopicArn !== undefined) {
    throw invalid('give alarmEmail or alarmTopicArn, not both');
  }
  const resolved: ResolvedArticlePipelineProps = {
    ...DEFAULT_PROPS,
    ...props,
    sources,
    entries: props.entries ?? {},
    rawHtml,
    apiThrottle: { ...DEFAULT_PROPS.apiThrottle, ...props.apiThrottle },
    bundling: { ...DEFAULT_PROPS.bundling, ...props.bundling },
  };
  try {
    resolved.ingestPageTypes = parsePageTypes(resolved.ingestPageTypes.join(','));
  } catch (error) {
    throw invalid(`ingestPageTypes: ${(error as Error).message}`);
  }
  integerIn('crawlRateMinutes', resolved.crawlRateMinutes, 1, 7 * 24 * 60);
  // Lambda's SQS event source accepts a maximum concurrency from 2 to 1000.
  integerIn('ingestMaxConcurrency', resolved.ingestMaxConcurrency, 2, 1000);
  integerIn('crawlMaxConcurrency', resolved.crawlMaxConcurrency, 2, 1000);
  integerIn('ingestBatchSize', resolved.ingestBatchSize, 1, 100);
  integerIn('ingestBatchWindowSeconds', resolved.ingestBatchWindowSeconds, 0, 300);
  // Lambda refuses an SQS batch size above 10 without a batching window.
  if (resolved.ingestBatchSize > 10 && resolved.ingestBatchWindowSeconds < 1) {
    throw invalid('ingestBatchSize above 10 needs ingestBatchWindowSeconds of at least 1');
  }
  // Six times the timeout must stay within SQS's 12-hour visibility limit; Lambda caps at 900 s anyway.
  integerIn('ingestTimeoutSeconds', resolved.ingestTimeoutSeconds, 5, 900);
  integerIn('logRetentionDays', resolved.logRetentionDays, 1, 3653);
  integerIn('apiThrottle.rateLimit', resolved.apiThrottle.rateLimit, 1, 10_000);
  integerIn('apiThrottle.burstLimit', resolved.apiThrottle.burstLimit, 1, 5_000);
  integerIn('permanentFailureRetryDays', resolved.permanentFailureRetryDays, 1, 3650);
  return resolved;
}
