import { ArticleCluster, ArticleSummary } from '../core/article.ts';
import { ERROR_CODES } from '../core/errors.ts';
import { VersionReasonSchema } from '../core/events.ts';
import * as z from '../core/zod.ts';

/**
 * The query API's parameters and response bodies as zod schemas. The handler validates with them and the
 * OpenAPI document is generated from them, so the two cannot disagree.
 */

export const MAX_QUERY_STRING_BYTES = 2048;
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
export const MAX_CURSOR_LENGTH = 1024;

/** An article id as stored and returned: 64 lowercase hex characters. */
export const ArticleId = z.withMeta(
  z
    .string()
    .check(
      z.regex(
        /^[0-9a-f]{64}$/,
        'an article id is 64 lowercase hex characters (the SHA-256 of its canonical URL)',
      ),
    ),
  { description: 'Hex SHA-256 of the canonical URL', example: 'a'.repeat(64) },
);

/** An id as a client sends it: hex is case-insensitive, so an upper-case copy names the same article. */
export const ArticleIdParam = z.withMeta(
  z.pipe(
    z
      .string()
      .check(
        z.regex(/^[0-9a-fA-F]{64}$/, 'an article id is 64 hex characters (the SHA-256 of its canonical URL)'),
      ),
    z.transform((id) => id.toLowerCase()),
  ),
  {
    description: 'Hex SHA-256 of the canonical URL (either case; answers name it in lowercase)',
    example: 'a'.repeat(64),
  },
);

export const FormatParam = z.withMeta(z.enum(['json', 'text', 'html', 'markdown']), {
  description:
    'json (the default): the full Article; text: the body as plain text; html: the sanitized body HTML; ' +
    'markdown: content.markdown (404 for an article stored before Markdown was produced, until re-extracted)',
});

export const VersionParam = z.withMeta(
  z.pipe(
    z.string().check(z.regex(/^[1-9][0-9]{0,8}$/, 'version must be a positive integer')),
    z.transform(Number),
  ),
  { description: 'A stored version (see /articles/{id}/versions); the current one when omitted' },
);

export const LimitParam = z.withMeta(
  z.pipe(
    z.pipe(
      // One message for every bad form ("-5", "ten", "0", "500"): the client learns the range at once.
      z.string().check(z.regex(/^[0-9]{1,6}$/, `limit must be a whole number from 1 to ${MAX_LIMIT}`)),
      z.transform(Number),
    ),
    z
      .number()
      .check(
        z.int(),
        z.gte(1, `limit must be at least 1 (a whole number from 1 to ${MAX_LIMIT})`),
        z.lte(MAX_LIMIT, `limit must be at most ${MAX_LIMIT} (a whole number from 1 to ${MAX_LIMIT})`),
      ),
  ),
  { description: `Page size, 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT})` },
);

const isoDateTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();

/**
 * An ISO 8601 date-time (any offset) or a plain date, normalized to UTC with milliseconds, the form the store
 * compares. A plain date means the start of that day in UTC (`endOfDay` makes it the last millisecond, so
 * `to=2024-05-01` includes all of May 1st).
 */
function timestampParam(name: string, endOfDay = false) {
  return z.withMeta(
    z
      .pipe(
        z
          .pipe(
            z.string().check(z.maxLength(40, `${name} is too long`)),
            // An unencoded "+02:00" offset arrives as " 02:00" (a "+" in a query string means a space).
            z.transform((value) => value.replace(/ (\d{2}(?::?\d{2})?)$/, '+$1')),
          )
          .check(
            z.refine((value) => isoDateTime.safeParse(value).success || isoDate.safeParse(value).success, {
              message: `${name} must be an ISO 8601 date or date-time, e.g. 2024-05-01 or 2024-05-01T09:30:00Z`,
            }),
          ),
        z.transform((value) => {
          const dateOnly = isoDate.safeParse(value).success;
          const suffix = dateOnly ? (endOfDay ? 'T23:59:59.999Z' : 'T00:00:00.000Z') : '';
          return new Date(value + suffix).toISOString();
        }),
      )
      // An extreme offset can carry 9999-12-31 past year 9999 in UTC ("+010000-…"), a form that would sort
      // before every stored timestamp.
      .check(
        z.refine((utc) => /^\d{4}-/.test(utc), {
          message: `${name} must fall within the years 0000 to 9999 in UTC`,
        }),
      ),
    { description: `${name}: ISO 8601 date-time (any offset) or date (UTC day)` },
  );
}

export const SinceParam = z.withMeta(timestampParam('since'), {
  description:
    'Articles committed at or after this instant (ISO 8601 date-time or date), oldest first. To poll, keep the same since and pass resumeCursor back as cursor.',
});
export const FromParam = z.withMeta(timestampParam('from'), {
  description: 'Earliest publishedAt, inclusive (ISO 8601 date-time or date)',
});
export const ToParam = z.withMeta(timestampParam('to', true), {
  description: 'Latest publishedAt, inclusive (ISO 8601 date-time or date; a date includes the whole day)',
});

const HOSTNAME =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The site as stored: lowercase host without a leading "www." (see Article.site.domain). */
export const SiteParam = z.withMeta(
  z
    .pipe(
      z.string().check(z.minLength(1, 'site must not be empty'), z.maxLength(253, 'site is too long')),
      z.transform((value) => value.toLowerCase().replace(/^www\./, '')),
    )
    .check(
      z.refine((value) => HOSTNAME.test(value), {
        message: 'site must be a hostname such as example.com',
      }),
    ),
  { description: 'A site host name, e.g. example.com (a leading www. is ignored)' },
);

export const UrlParam = z.withMeta(
  z
    .string()
    .check(z.minLength(1, 'url must not be empty'), z.maxLength(MAX_QUERY_STRING_BYTES, 'url is too long')),
  {
    description: 'An article URL; canonicalized the same way as at ingest (tracking parameters removed)',
  },
);

export const CursorParam = z.withMeta(
  z
    .string()
    .check(
      z.minLength(1, 'cursor must not be empty'),
      z.maxLength(MAX_CURSOR_LENGTH, 'cursor is too long'),
      z.regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'cursor is not one this API issued'),
    ),
  { description: 'The nextCursor of the previous page, unchanged, with the same query' },
);

export const CollapseParam = z.withMeta(z.enum(['cluster']), {
  description:
    'since lists only. cluster: one item per near-duplicate cluster, its representative (copies of a story seen earlier are left out; pages may then hold fewer than limit items)',
});

/** GET /articles/{id} and GET /articles?url=… (which returns the same representation). */
export const ArticleQuery = z.strictObject({
  format: z.optional(FormatParam),
  version: z.optional(VersionParam),
});

export const ListQuery = z
  .strictObject({
    url: z.optional(UrlParam),
    site: z.optional(SiteParam),
    since: z.optional(SinceParam),
    from: z.optional(FromParam),
    to: z.optional(ToParam),
    limit: z.optional(LimitParam),
    cursor: z.optional(CursorParam),
    format: z.optional(FormatParam),
    collapse: z.optional(CollapseParam),
  })
  .check(
    z.superRefine((query, ctx) => {
      const modes = (['url', 'site', 'since'] as const).filter((key) => query[key] !== undefined);
      if (modes.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message:
            modes.length === 0
              ? 'give exactly one of url, site or since'
              : `give exactly one of url, site or since, not ${modes.join(' and ')}`,
        });
        return;
      }
      const disallowed: string[] = [];
      if (query.since === undefined && query.collapse !== undefined) disallowed.push('collapse');
      if (query.site === undefined) {
        if (query.from !== undefined) disallowed.push('from');
        if (query.to !== undefined) disallowed.push('to');
      }
      if (query.url !== undefined) {
        if (query.limit !== undefined) disallowed.push('limit');
        if (query.cursor !== undefined) disallowed.push('cursor');
      } else if (query.format !== undefined) {
        disallowed.push('format');
      }
      if (disallowed.length > 0) {
        ctx.addIssue({ code: 'custom', message: `${disallowed.join(', ')} cannot be used with ${modes[0]}` });
      }
      if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
        ctx.addIssue({ code: 'custom', message: 'from must not be later than to' });
      }
    }),
  );
export type ListQuery = z.output<typeof ListQuery>;

/** Routes that take no query parameters (so any parameter is an unknown one). */
export const NoParameters = z.strictObject({});

const utcTimestamp = z.iso.datetime({ offset: false, precision: 3 });

/** A list item: the ArticleSummary plus when this version was committed, so a poller knows where it is. */
export const ArticleListItem = z.extend(ArticleSummary, {
  ingestedAt: z.withMeta(utcTimestamp, { description: 'When this version was committed (UTC)' }),
});
export type ArticleListItem = z.infer<typeof ArticleListItem>;

export const ArticleList = z.object({
  items: z.array(ArticleListItem),
  nextCursor: z.withMeta(z.optional(z.string()), {
    description: 'Present only while more items remain; pass it back as ?cursor= with the same query',
  }),
  resumeCursor: z.withMeta(z.optional(z.string()), {
    description:
      'since lists only: the position after the last item returned, present even when nothing more remains yet. Poll again later with ?cursor=<resumeCursor> and the same since to get only what arrived since, with nothing missed or repeated.',
  }),
});
export type ArticleList = z.infer<typeof ArticleList>;

export const ArticleVersion = z.object({
  version: z.number().check(z.int(), z.positive()),
  contentHash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  ingestedAt: utcTimestamp,
  reason: z.optional(VersionReasonSchema),
});

export const ArticleVersionList = z.object({
  id: ArticleId,
  items: z.withMeta(z.array(ArticleVersion), { description: 'Every stored version, oldest first' }),
});
export type ArticleVersionList = z.infer<typeof ArticleVersionList>;

/** One other copy of an article's story (GET /articles/{id}/duplicates). */
export const DuplicateItem = z.object({
  id: ArticleId,
  site: z.string(),
  url: z.string(),
  role: ArticleCluster.shape.role,
  similarity: ArticleCluster.shape.similarity,
  firstSeenAt: z.withMeta(utcTimestamp, { description: 'When this copy was first ingested (UTC)' }),
});

export const DuplicateList = z.object({
  id: ArticleId,
  cluster: z.withMeta(z.optional(ArticleCluster), {
    description: "The article's cluster; absent when it is not clustered (then items is empty)",
  }),
  items: z.withMeta(z.array(DuplicateItem), {
    description:
      'The other members of the cluster, first seen first: the representative, then duplicates and related copies',
  }),
});
export type DuplicateList = z.infer<typeof DuplicateList>;

export const ApiErrorCode = z.enum(ERROR_CODES);

export const ApiError = z.object({
  error: z.object({
    code: ApiErrorCode,
    message: z.string(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;
