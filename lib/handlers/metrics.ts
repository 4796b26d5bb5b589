// CloudWatch metrics from the Lambdas as Embedded Metric Format log lines (one JSON object per line on stdout;
// CloudWatch Logs turns them into metrics, no API call and no extra permission). Written by hand against the
// published spec (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html)
// instead of with @aws-lambda-powertools/metrics: that library adds 12.3 KB to a minified bundle already over
// the 500 KB budget, and one Metrics instance publishes one dimension set per flush, where an outcome needs
// three (by function, by outcome, by error code) in the same line.
import type { IngestOutcome } from './ingest.ts';

/** The namespace unless configured (ENV.metricsNamespace); the CDK alarms read the same constant. */
export const DEFAULT_METRICS_NAMESPACE = 'ArticlePipeline';

/**
 * The metric names and the dimensions the stack's alarms and dashboards use. Every name here is stable: an
 * alarm in lib/cdk refers to it.
 */
export const METRICS = {
  /** Ingest: a URL fetched and judged (stored, unchanged, skipped or failed; not deferred or stale). */
  ingestAttempts: 'IngestAttempts',
  ingestFailures: 'IngestFailures',
  /** Failures a retry cannot fix (4xx, bot walls, NO_ARTICLE, SCHEMA_VIOLATION): retried after days. */
  permanentFailures: 'IngestPermanentFailures',
  articlesStored: 'ArticlesStored',
  /**
   * Ingest: a message not attempted, by Outcome: `deferred` (its host was busy, put back with a delay) or
   * `stale` (its URL was fetched after it was queued, dropped). A rising deferred count is a politeness backlog.
   */
  ingestNotAttempted: 'IngestNotAttempted',
  /** Crawl: one source read, and whether it failed. */
  sourceCrawls: 'SourceCrawls',
  sourceFailures: 'SourceFailures',
  /** A crawled source's consecutive failures (0 after a success): its Maximum finds sources that keep failing. */
  sourceConsecutiveFailures: 'SourceConsecutiveFailures',
} as const;

export const DIMENSIONS = { function: 'Function', outcome: 'Outcome', errorCode: 'ErrorCode', site: 'Site' };

export interface EmfOptions {
  namespace?: string;
  /** Adds a [Function, Site] dimension set: one custom metric per site and name, so billed per site. */
  siteDimension?: boolean;
  /** Where a line goes; stdout (what the Lambda runtime ships to CloudWatch Logs) unless given. */
  write?: (line: string) => void;
  now?: () => Date;
}

interface MetricGroup {
  dimensions: Record<string, string>;
  /** Searchable in Logs Insights, never dimensions (unbounded values). */
  properties: Record<string, string | number>;
  values: Record<string, number>;
}

/** The dimension sets beyond [Function] that each metric is published under (see BREAKDOWN_OF). */
type Breakdown = 'outcome' | 'errorCode';

/**
 * Which metric is broken down by what. Every (name, dimension values) pair is a custom metric billed at
 * $0.30 a month while it receives data, so a count goes only where it answers a question: attempts and
 * crawls by outcome, failures by error code. Everything is also published under [Function] alone (what the
 * alarms read).
 */
const BREAKDOWN_OF: Record<string, Breakdown[]> = {
  [METRICS.ingestAttempts]: ['outcome'],
  [METRICS.ingestNotAttempted]: ['outcome'],
  [METRICS.ingestFailures]: ['errorCode'],
  [METRICS.permanentFailures]: ['errorCode'],
  [METRICS.articlesStored]: [],
  [METRICS.sourceCrawls]: ['outcome'],
  [METRICS.sourceFailures]: ['errorCode'],
  [METRICS.sourceConsecutiveFailures]: [],
};

/**
 * One EMF line: every value a top-level member, one directive per distinct list of dimension sets naming
 * which values are metrics under which dimensions.
 */
export function emfLine(
  namespace: string,
  dimensionSetsOf: (metricName: string) => string[][],
  group: MetricGroup,
  timestamp: number,
): string {
  const directives = new Map<string, { Namespace: string; Dimensions: string[][]; Metrics: object[] }>();
  for (const name of Object.keys(group.values)) {
    const dimensions = dimensionSetsOf(name);
    const key = JSON.stringify(dimensions);
    let directive = directives.get(key);
    if (directive === undefined) {
      directive = { Namespace: namespace, Dimensions: dimensions, Metrics: [] };
      directives.set(key, directive);
    }
    directive.Metrics.push({ Name: name, Unit: 'Count' });
  }
  return JSON.stringify({
    _aws: { Timestamp: timestamp, CloudWatchMetrics: [...directives.values()] },
    ...group.properties,
    ...group.dimensions,
    ...group.values,
  });
}

/** Error code with the HTTP status where there is one (HTTP_ERROR alone says little: 403 bot wall, 404, 410...). */
function errorCodeOf(outcome: IngestOutcome): string {
  const code = outcome.error?.code ?? 'NONE';
  return code === 'HTTP_ERROR' && outcome.httpStatus !== undefined ? `HTTP_${outcome.httpStatus}` : code;
}

function siteOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return 'unknown';
  }
}

/**
 * Collects one invocation's outcomes and writes them, grouped by (site, outcome, error code), as EMF lines on
 * flush. Dimension sets: [Function] for every metric, [Function, Outcome] or [Function, ErrorCode] (bounded: a
 * few dozen codes) as BREAKDOWN_OF says, and [Function, Site] only when asked (see EmfOptions.siteDimension);
 * the site is always a property.
 */
export function createMetrics(functionName: 'ingest' | 'crawl', options: EmfOptions = {}) {
  const namespace = options.namespace ?? DEFAULT_METRICS_NAMESPACE;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const dimensionSetsOf = (errorCode: string) => (metricName: string) => [
    [DIMENSIONS.function],
    ...(BREAKDOWN_OF[metricName] ?? [])
      // Error code NONE says nothing a failure count needs: not published, so not billed.
      .filter((breakdown) => breakdown !== 'errorCode' || errorCode !== 'NONE')
      .map((breakdown) => [DIMENSIONS.function, DIMENSIONS[breakdown]]),
    ...(options.siteDimension ? [[DIMENSIONS.function, DIMENSIONS.site]] : []),
  ];
  const groups = new Map<string, MetricGroup>();

  function add(
    site: string | undefined,
    outcome: string,
    errorCode: string,
    values: Record<string, number>,
  ): void {
    const key = JSON.stringify([site ?? null, outcome, errorCode]);
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        dimensions: {
          [DIMENSIONS.function]: functionName,
          [DIMENSIONS.outcome]: outcome,
          [DIMENSIONS.errorCode]: errorCode,
          ...(options.siteDimension && site !== undefined ? { [DIMENSIONS.site]: site } : {}),
        },
        properties: options.siteDimension || site === undefined ? {} : { site },
        values: Object.fromEntries(Object.keys(values).map((name) => [name, 0])),
      };
      groups.set(key, group);
    }
    for (const [name, value] of Object.entries(values)) {
      const previous = group.values[name] ?? 0;
      // A count adds up; a source's consecutive failures is a level, its alarm reads the Maximum.
      group.values[name] =
        name === METRICS.sourceConsecutiveFailures ? Math.max(previous, value) : previous + value;
    }
  }

  return {
    /** One ingest outcome. Deferred and stale messages were not attempted: they count apart, not as attempts. */
    ingestOutcome(outcome: IngestOutcome): void {
      if (outcome.status === 'deferred' || outcome.status === 'stale') {
        add(siteOf(outcome.url), outcome.status, 'NONE', { [METRICS.ingestNotAttempted]: 1 });
        return;
      }
      const failed = outcome.status === 'failed';
      // A success is counted by outcome alone (a batch mixes sites: one line per site cost ~450 log bytes per
      // article); a failure keeps its site, for Logs Insights. With the Site dimension every outcome has it.
      const site = failed || options.siteDimension ? siteOf(outcome.url) : undefined;
      add(site, outcome.status, errorCodeOf(outcome), {
        [METRICS.ingestAttempts]: 1,
        [METRICS.ingestFailures]: failed ? 1 : 0,
        [METRICS.permanentFailures]: failed && outcome.retryable !== true ? 1 : 0,
        [METRICS.articlesStored]: outcome.status === 'created' || outcome.status === 'updated' ? 1 : 0,
      });
    },
    /** One crawled source (skipped ones, removed or paused meanwhile, were not crawled). */
    sourceCrawled(summary: {
      url?: string;
      outcome: string;
      error?: { code: string };
      consecutiveFailures?: number;
    }): void {
      if (summary.outcome === 'skipped') return;
      const failed = summary.outcome === 'failed';
      add(siteOf(summary.url ?? ''), summary.outcome, summary.error?.code ?? 'NONE', {
        [METRICS.sourceCrawls]: 1,
        [METRICS.sourceFailures]: failed ? 1 : 0,
        [METRICS.sourceConsecutiveFailures]: summary.consecutiveFailures ?? (failed ? 1 : 0),
      });
    },
    /** Writes what was collected (one line per group) and starts again; call at the end of every invocation. */
    flush(): void {
      const timestamp = now().getTime();
      for (const group of groups.values()) {
        const errorCode = group.dimensions[DIMENSIONS.errorCode] ?? 'NONE';
        write(emfLine(namespace, dimensionSetsOf(errorCode), group, timestamp));
      }
      groups.clear();
    },
  };
}

export type PipelineMetrics = ReturnType<typeof createMetrics>;
