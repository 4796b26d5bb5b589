import { PAGE_TYPES, type PageType } from './core/page-types.ts';
import * as z from './core/zod.ts';

/**
 * The one place that names every environment variable a handler reads. The CDK stack and the embedded stack
 * both set them from `ENV`, so the two wirings cannot drift apart. Add a variable here, never inline.
 */
export const ENV = {
  bucketName: 'ARTICLES_BUCKET_NAME',
  tableName: 'ARTICLES_TABLE_NAME',
  ingestQueueUrl: 'INGEST_QUEUE_URL',
  eventBusName: 'ARTICLE_EVENT_BUS_NAME',
  /** batch (default): one ArticlesIngested event per ingest batch; per-article: one ArticleIngested each (v1). */
  articleEventFormat: 'ARTICLE_EVENT_FORMAT',
  crawlSources: 'CRAWL_SOURCES',
  crawlQueueLeaseSeconds: 'CRAWL_QUEUE_LEASE_SECONDS',
  /** Which page types ingest stores (comma-separated; default article); the others go to crawl state only. */
  ingestPageTypes: 'INGEST_PAGE_TYPES',
  /** The crawl-task queue the schedule fans out to (one message per due source). */
  crawlQueueUrl: 'CRAWL_QUEUE_URL',
  /** How long a source the schedule handed out stays off the due index (a dead task's retry delay). */
  crawlClaimLeaseSeconds: 'CRAWL_CLAIM_LEASE_SECONDS',
  /** The ingest queue's batching window: the crawl sends one host's messages at least this far apart. */
  ingestBatchWindowSeconds: 'INGEST_BATCH_WINDOW_SECONDS',
  userAgent: 'FETCH_USER_AGENT',
  allowPrivateNetwork: 'FETCH_ALLOW_PRIVATE_NETWORK',
  allowedOrigins: 'FETCH_ALLOWED_ORIGINS',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** HMAC secret that signs the query API's pagination cursors (at least 32 characters). */
  cursorSecret: 'CURSOR_SIGNING_SECRET',
  /**
   * ARN of the Secrets Manager secret holding that HMAC secret; read once per cold start. The AWS stack sets
   * this (never the value itself); when set, it wins over `cursorSecret`.
   */
  cursorSecretArn: 'CURSOR_SIGNING_SECRET_ARN',
  /** Days before a permanently failed URL (4xx, NO_ARTICLE...) is tried again, so an extractor fix recovers it. */
  permanentRetryDays: 'PERMANENT_FAILURE_RETRY_DAYS',
  /** The CloudWatch namespace of the Lambdas' EMF metrics (Powertools' variable name). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** Adds a per-site dimension to the outcome metrics (one custom metric per site: billed per site). */
  siteMetrics: 'METRICS_SITE_DIMENSION',
  /** The re-extraction job's bucket (part lists, Map Run results, summaries); the AWS job only. */
  reextractJobBucket: 'REEXTRACT_JOB_BUCKET',
} as const;

export type EnvKey = keyof typeof ENV;

const booleanFlag = z.pipe(
  z.optional(z.enum(['true', 'false', '1', '0', ''])),
  z.transform((value) => value === 'true' || value === '1'),
);

const commaList = z.pipe(
  z.optional(z.string()),
  z.transform((value) =>
    (value ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  ),
);

/** A crawl source: a feed, a sitemap, a site home page (feeds are autodiscovered) or a single article URL. */
export const CrawlSource = z.object({
  url: z.url({ protocol: /^https?$/ }),
  /** Only URLs on the source's own site are kept unless this is set. */
  allowOtherSites: z.optional(z.boolean()),
});
export type CrawlSource = z.infer<typeof CrawlSource>;

const crawlSources = z.pipe(
  z.optional(z.string()),
  z.transform((value, ctx) => {
    if (!value) return [];
    try {
      return z.array(CrawlSource).parse(JSON.parse(value));
    } catch (error) {
      ctx.issues.push({
        code: 'custom',
        message: `${ENV.crawlSources} must be a JSON array of {url}: ${error}`,
        input: value,
      });
      return z.NEVER;
    }
  }),
);

/** Ingest stores articles only unless told otherwise: the other page types are not what readers came for. */
export const DEFAULT_INGEST_PAGE_TYPES: readonly PageType[] = ['article'];

/** Parses a comma-separated page-type list ("article,forum", or "all"); throws naming the unknown types. */
export function parsePageTypes(value: string): PageType[] {
  const parts = value
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean);
  if (parts.length === 1 && parts[0] === 'all') return [...PAGE_TYPES];
  const unknown = parts.filter((part) => !(PAGE_TYPES as readonly string[]).includes(part));
  if (unknown.length > 0) {
    throw new Error(
      `unknown page type ${unknown.join(', ')}: expected "all" or some of ${PAGE_TYPES.join(', ')}`,
    );
  }
  if (parts.length === 0)
    throw new Error(`no page type given: expected "all" or some of ${PAGE_TYPES.join(', ')}`);
  return [...new Set(parts as PageType[])];
}

const pageTypeList = z.pipe(
  z.optional(z.string()),
  z.transform((value, ctx) => {
    if (value === undefined || value.trim() === '') return [...DEFAULT_INGEST_PAGE_TYPES];
    try {
      return parsePageTypes(value);
    } catch (error) {
      ctx.issues.push({
        code: 'custom',
        message: `${ENV.ingestPageTypes}: ${(error as Error).message}`,
        input: value,
      });
      return z.NEVER;
    }
  }),
);

export const DEFAULT_USER_AGENT =
  'article-pipeline/0.1 (+https://github.com/article-pipeline/article-pipeline; bot for news article indexing)';

const ConfigSchema = z.object({
  [ENV.bucketName]: z.optional(z.string().check(z.minLength(1))),
  [ENV.tableName]: z.optional(z.string().check(z.minLength(1))),
  [ENV.ingestQueueUrl]: z.optional(z.string().check(z.minLength(1))),
  [ENV.eventBusName]: z.optional(z.string().check(z.minLength(1))),
  [ENV.articleEventFormat]: z.optional(z.enum(['batch', 'per-article'])),
  [ENV.crawlSources]: crawlSources,
  [ENV.crawlQueueLeaseSeconds]: z.optional(z.coerce.number().check(z.int(), z.positive())),
  [ENV.ingestPageTypes]: pageTypeList,
  [ENV.crawlQueueUrl]: z.optional(z.string().check(z.minLength(1))),
  [ENV.crawlClaimLeaseSeconds]: z.optional(z.coerce.number().check(z.int(), z.positive())),
  [ENV.ingestBatchWindowSeconds]: z.optional(z.coerce.number().check(z.gte(0), z.lte(300))),
  [ENV.userAgent]: z.optional(z.string().check(z.minLength(1))),
  [ENV.allowPrivateNetwork]: booleanFlag,
  [ENV.allowedOrigins]: commaList,
  [ENV.permanentRetryDays]: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(3650))),
  [ENV.metricsNamespace]: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  [ENV.siteMetrics]: booleanFlag,
  [ENV.reextractJobBucket]: z.optional(z.string().check(z.minLength(1))),
});

export interface PipelineConfig {
  bucketName?: string;
  tableName?: string;
  ingestQueueUrl?: string;
  eventBusName?: string;
  /** How events go on the bus (lib/core/events.ts); the publisher's default (batch) when unset. */
  articleEventFormat?: 'batch' | 'per-article';
  crawlSources: CrawlSource[];
  /** How long a crawl leaves a URL it queued alone (the crawl handler's default when unset). */
  crawlQueueLeaseSeconds?: number;
  /** The page types ingest stores; other pages are recorded in crawl state with their type. */
  ingestPageTypes: PageType[];
  crawlQueueUrl?: string;
  crawlClaimLeaseSeconds?: number;
  ingestBatchWindowSeconds?: number;
  userAgent: string;
  allowPrivateNetwork: boolean;
  allowedOrigins: string[];
  /** Days before a permanent failure is retried; the crawl policy's (30) unless set. */
  permanentRetryDays?: number;
  metricsNamespace?: string;
  siteMetrics: boolean;
  reextractJobBucket?: string;
}

/** Reads the configuration from an environment (process.env by default); throws a clear error when malformed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid configuration: ${z.prettifyError(parsed.error)}`);
  }
  const values = parsed.data;
  return {
    bucketName: values[ENV.bucketName],
    tableName: values[ENV.tableName],
    ingestQueueUrl: values[ENV.ingestQueueUrl],
    eventBusName: values[ENV.eventBusName],
    articleEventFormat: values[ENV.articleEventFormat],
    crawlSources: values[ENV.crawlSources],
    crawlQueueLeaseSeconds: values[ENV.crawlQueueLeaseSeconds],
    ingestPageTypes: values[ENV.ingestPageTypes],
    crawlQueueUrl: values[ENV.crawlQueueUrl],
    crawlClaimLeaseSeconds: values[ENV.crawlClaimLeaseSeconds],
    ingestBatchWindowSeconds: values[ENV.ingestBatchWindowSeconds],
    userAgent: values[ENV.userAgent] ?? DEFAULT_USER_AGENT,
    allowPrivateNetwork: values[ENV.allowPrivateNetwork],
    allowedOrigins: values[ENV.allowedOrigins],
    permanentRetryDays: values[ENV.permanentRetryDays],
    metricsNamespace: values[ENV.metricsNamespace],
    siteMetrics: values[ENV.siteMetrics],
    reextractJobBucket: values[ENV.reextractJobBucket],
  };
}

/** Throws when a variable the caller needs is missing, naming the variable. */
export function required<T>(value: T | undefined, key: EnvKey): T {
  if (value === undefined) throw new Error(`missing environment variable ${ENV[key]}`);
  return value;
}
