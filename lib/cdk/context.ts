import type { Node } from 'constructs';
import * as z from 'zod';
import { PipelineError } from '../core/errors.ts';
import type { ArticlePipelineProps } from './props.ts';

/**
 * Stack properties from CDK context: `cdk deploy -c sources=https://example.com/feed.xml -c crawlRateMinutes=30`
 * or the "context" block of cdk.json. `-c` values arrive as strings, cdk.json values as JSON; both are accepted.
 */
export const CONTEXT_KEYS = [
  'stackName',
  'sources',
  'crawlRateMinutes',
  'crawlEnabled',
  'crawlMaxConcurrency',
  'rawTransitionDays',
  'rawStorageClass',
  'rawExpireDays',
  'eventBus',
  'articleEvents',
  'alarmEmail',
  'alarmTopicArn',
  'ingestMaxConcurrency',
  'ingestBatchSize',
  'ingestBatchWindowSeconds',
  'ingestTimeoutSeconds',
  'ingestPageTypes',
  'logRetentionDays',
  'logLevel',
  'userAgent',
  'fetchAllowedOrigins',
  'apiAuthorization',
  'apiRateLimit',
  'apiBurstLimit',
  'bucketEncryption',
  'bucketVersioning',
  'tableDeletionProtection',
  'removalPolicy',
  'bundleAwsSdk',
  'sourceMap',
  'permanentFailureRetryDays',
  'siteMetrics',
] as const;

/** A list from context: "a,b" on the command line (-c key=a,b), or a JSON array in cdk.json. */
const commaList = z.union([
  z.string().transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  ),
  z.array(z.string()),
]);
const integer = z.coerce.number().int();
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** A JSON array of `{url, allowOtherSites?}` or of URL strings, or a comma-separated list of URLs. */
const sources = z.union([z.string(), z.array(z.unknown())]).transform((value, ctx) => {
  let list: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('[')) {
      try {
        list = JSON.parse(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not valid JSON: ${error}` });
        return z.NEVER;
      }
    } else {
      list = text
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
    }
  }
  const parsed = z
    .array(
      z.union([
        z.string().transform((url) => ({ url })),
        z.object({
          url: z.string(),
          allowOtherSites: z.boolean().optional(),
          intervalSeconds: z.number().int().optional(),
        }),
      ]),
    )
    .safeParse(list);
  if (!parsed.success) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected URLs or {url, allowOtherSites?, intervalSeconds?} objects',
    });
    return z.NEVER;
  }
  return parsed.data;
});

const ContextSchema = z.object({
  stackName: z.string().min(1).optional(),
  sources: sources.optional(),
  crawlRateMinutes: integer.optional(),
  crawlEnabled: flag.optional(),
  crawlMaxConcurrency: integer.optional(),
  rawTransitionDays: integer.optional(),
  rawStorageClass: z.enum(['STANDARD_IA', 'GLACIER_IR', 'INTELLIGENT_TIERING']).optional(),
  rawExpireDays: integer.optional(),
  eventBus: z.enum(['default', 'new']).optional(),
  articleEvents: z.enum(['batch', 'per-article']).optional(),
  alarmEmail: z.email().optional(),
  alarmTopicArn: z.string().startsWith('arn:').optional(),
  ingestMaxConcurrency: integer.optional(),
  ingestBatchSize: integer.optional(),
  ingestBatchWindowSeconds: integer.optional(),
  ingestTimeoutSeconds: integer.optional(),
  /** "article,forum", "all", or a JSON array in cdk.json; checked against the page types in resolveProps. */
  ingestPageTypes: commaList.optional(),
  logRetentionDays: integer.optional(),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).optional(),
  userAgent: z.string().min(1).optional(),
  fetchAllowedOrigins: commaList.optional(),
  apiAuthorization: z.enum(['iam', 'none']).optional(),
  apiRateLimit: integer.optional(),
  apiBurstLimit: integer.optional(),
  bucketEncryption: z.enum(['s3-managed', 'kms']).optional(),
  bucketVersioning: flag.optional(),
  tableDeletionProtection: flag.optional(),
  removalPolicy: z.enum(['retain', 'destroy']).optional(),
  bundleAwsSdk: flag.optional(),
  sourceMap: flag.optional(),
  permanentFailureRetryDays: integer.optional(),
  siteMetrics: flag.optional(),
});

export interface ContextSettings {
  stackName?: string;
  props: ArticlePipelineProps;
}

/** Drops undefined values so that defaults in resolveProps apply. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** Reads the pipeline's settings from CDK context; unknown values fail with a message naming the key. */
export function settingsFromContext(node: Node): ContextSettings {
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = node.tryGetContext(key);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = ContextSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PipelineError('BAD_REQUEST', `invalid CDK context: ${z.prettifyError(parsed.error)}`);
  }
  const c = parsed.data;
  const rawHtml = defined({
    transitionAfterDays: c.rawTransitionDays,
    storageClass: c.rawStorageClass,
    expireAfterDays: c.rawExpireDays,
  });
  const apiThrottle = defined({ rateLimit: c.apiRateLimit, burstLimit: c.apiBurstLimit });
  const bundling = defined({ bundleAwsSdk: c.bundleAwsSdk, sourceMap: c.sourceMap });
  return {
    ...(c.stackName ? { stackName: c.stackName } : {}),
    props: defined<ArticlePipelineProps>({
      sources: c.sources,
      crawlRateMinutes: c.crawlRateMinutes,
      crawlEnabled: c.crawlEnabled,
      crawlMaxConcurrency: c.crawlMaxConcurrency,
      rawHtml,
      eventBus: c.eventBus,
      articleEvents: c.articleEvents,
      alarmEmail: c.alarmEmail,
      alarmTopicArn: c.alarmTopicArn,
      ingestMaxConcurrency: c.ingestMaxConcurrency,
      ingestBatchSize: c.ingestBatchSize,
      ingestBatchWindowSeconds: c.ingestBatchWindowSeconds,
      ingestTimeoutSeconds: c.ingestTimeoutSeconds,
      ingestPageTypes: c.ingestPageTypes as ArticlePipelineProps['ingestPageTypes'],
      logRetentionDays: c.logRetentionDays,
      logLevel: c.logLevel,
      userAgent: c.userAgent,
      fetchAllowedOrigins: c.fetchAllowedOrigins,
      apiAuthorization: c.apiAuthorization,
      apiThrottle,
      bucketEncryption: c.bucketEncryption,
      bucketVersioning: c.bucketVersioning,
      tableDeletionProtection: c.tableDeletionProtection,
      removalPolicy: c.removalPolicy,
      bundling,
      permanentFailureRetryDays: c.permanentFailureRetryDays,
      siteMetrics: c.siteMetrics,
    }),
  };
}
