import { Article } from '../core/article.ts';
import { PipelineError, toPipelineError } from '../core/errors.ts';
import type { ArticleEventPublisher } from '../core/events.ts';
import {
  articleChanged,
  compareExtractorVersions,
  countOutcome,
  emptyCounts,
  type ReextractCounts,
  type ReextractOutcome,
} from '../core/reextract.ts';
import * as z from '../core/zod.ts';
import type { ArticleReader, ArticleRecord, ArticleWriter, StoreCursor } from '../store/types.ts';
import type { ArticleExtractor } from './ingest.ts';
import type { HandlerLogger } from './logging.ts';
import { ingestedDetail } from './versions.ts';

/**
 * Re-extraction: the current extractor run again over the raw page stored with each selected article. An
 * Article that comes out different is committed as a new version (reason `reextracted`) through the same
 * ArticleWriter.commit as ingest, and announced with the same ArticleIngested detail; an unchanged one is
 * neither written nor announced. `run` walks the "ingested since" index up to the moment the run began (so
 * the versions it writes, stamped later, are not met again) and keeps a checkpoint after every batch.
 */

export interface ReextractSelection {
  /** Only this site's articles (the index record's site). */
  site?: string;
  /** Only articles whose current version was committed at or after this time (ISO 8601). */
  since?: string;
  /** Only articles extracted by an extractor version below this one. */
  extractorBelow?: string;
  /** Extract and compare, but write and announce nothing. */
  dryRun?: boolean;
}

export interface ReextractDependencies {
  reader: Pick<ArticleReader, 'getArticle' | 'getRawPage' | 'listIngestedSince'>;
  writer: ArticleWriter;
  extract: ArticleExtractor;
  events: ArticleEventPublisher;
  /** Named in events so consumers can read the stored objects. */
  bucketName: string;
  logger: HandlerLogger;
  now?: () => Date;
}

/** Where a run is: written after every batch, so a stopped run restarted carries on after the last batch done. */
export interface ReextractCheckpoint {
  selection: ReextractSelection;
  startedAt: string;
  /** The index is walked up to here (the run's start): later commits, this run's own included, are not selected. */
  until: string;
  /** The index position after the last batch done. */
  after?: StoreCursor;
  counts: ReextractCounts;
  done?: boolean;
}

export interface CheckpointStore {
  load(): Promise<ReextractCheckpoint | undefined>;
  save(checkpoint: ReextractCheckpoint): Promise<void>;
}

export interface ReextractRunOptions {
  selection: ReextractSelection;
  /** Without one the run cannot be resumed (dry runs keep none). */
  checkpoints?: CheckpointStore;
  /** Ignore an unfinished checkpoint and start again. */
  restart?: boolean;
  /** Articles re-extracted at once; their new versions share one pair of S3 objects (a commit group). */
  batchSize?: number;
  /** Index items read per query. */
  pageSize?: number;
  onProgress?: (counts: ReextractCounts) => void;
  onOutcome?: (outcome: ReextractOutcome) => void;
  /** Checked between batches: when it is aborted, the run stops after the batch in flight (checkpoint saved). */
  signal?: AbortSignal;
}

export interface ReextractSummary extends ReextractCounts {
  selection: ReextractSelection;
  startedAt: string;
  until: string;
  /** This run carried on from a checkpoint (its counts include the work done before). */
  resumed: boolean;
  /** false when stopped by the signal before the end. */
  complete: boolean;
  seconds: number;
}

const DEFAULT_BATCH_SIZE = 10;
const DEFAULT_PAGE_SIZE = 100;
const EPOCH = '1970-01-01T00:00:00.000Z';

export function createReextractService(deps: ReextractDependencies) {
  const now = deps.now ?? (() => new Date());
  const { logger } = deps;

  /**
   * One article: its stored version `version` re-extracted from that version's raw page. Never throws.
   * `writer` is a commit-group member when the caller batches writes.
   */
  async function reextractArticle(
    record: Pick<ArticleRecord, 'id' | 'version'>,
    selection: ReextractSelection,
    writer: Pick<ArticleWriter, 'commit'> = deps.writer,
    events: Pick<ArticleEventPublisher, 'publishArticleIngested'> = deps.events,
  ): Promise<ReextractOutcome> {
    const { id, version } = record;
    try {
      const stored = await deps.reader.getArticle(id, version);
      if (stored === undefined) {
        throw new PipelineError('ARTICLE_UNAVAILABLE', `article ${id} v${version} is not stored`);
      }
      if (
        selection.extractorBelow !== undefined &&
        compareExtractorVersions(stored.extractor.version, selection.extractorBelow) >= 0
      ) {
        return { id, version, status: 'skipped' };
      }
      const raw = await deps.reader.getRawPage(id, version);
      if (raw === undefined) {
        throw new PipelineError(
          'ARTICLE_UNAVAILABLE',
          `the raw page of article ${id} v${version} is not stored`,
        );
      }
      const fetchedAt = new Date(raw.fetchedAt);
      const extracted = await deps.extract({
        html: raw.body,
        url: raw.finalUrl,
        ...(raw.contentType === undefined ? {} : { contentType: raw.contentType }),
        // Relative dates ("2 hours ago") are read against the fetch, as at ingest.
        ...(Number.isNaN(fetchedAt.getTime()) ? {} : { now: fetchedAt }),
      });
      if (!extracted.ok) throw extracted.error;
      const validated = Article.safeParse({ ...extracted.value, extractedAt: now().toISOString() });
      if (!validated.success) {
        throw new PipelineError(
          'SCHEMA_VIOLATION',
          `re-extracted article fails the schema: ${z.prettifyError(validated.error)}`,
        );
      }
      const fresh = validated.data;
      if (fresh.id !== id) {
        // The page now names another canonical URL: that would be another article; this one is left as it is.
        return {
          id,
          version,
          status: 'failed',
          error: {
            code: 'CANONICAL_URL_CHANGED',
            message: `re-extraction gives canonical URL ${fresh.url}, not ${stored.url}`,
          },
        };
      }
      if (!articleChanged(stored, fresh)) return { id, version, status: 'unchanged' };
      if (selection.dryRun) return { id, version, status: 'changed' };
      const commit = await writer.commit(fresh, raw, {
        replaces: { version, reason: 'reextracted' },
      });
      // A newer version came in meanwhile (a crawl): it is kept, and this extraction is dropped.
      if (commit.status === 'unchanged') return { id, version: commit.record.version, status: 'unchanged' };
      await events.publishArticleIngested(
        ingestedDetail(commit, fresh.pageType ?? 'article', deps.bucketName),
      );
      logger.info('reextracted', { id, version: commit.record.version });
      return { id, version: commit.record.version, status: 'changed' };
    } catch (thrown) {
      const error = toPipelineError(thrown);
      logger.warn(`reextract failed: ${error.code}`, { id, version, error: error.toJSON() });
      return { id, version, status: 'failed', error: { code: error.code, message: error.message } };
    }
  }

  /** Articles in one batch, their writes grouped; the outcomes in order. */
  async function reextractBatch(
    records: ReadonlyArray<Pick<ArticleRecord, 'id' | 'version'>>,
    selection: ReextractSelection,
  ): Promise<ReextractOutcome[]> {
    const group = selection.dryRun || records.length < 2 ? undefined : deps.writer.group?.(records.length);
    // Their events likewise: one event for the batch where the publisher groups them.
    const eventGroup =
      selection.dryRun || records.length < 2 ? undefined : deps.events.group?.(records.length);
    return Promise.all(
      records.map(async (record) => {
        const member = group?.member();
        const eventMember = eventGroup?.member();
        try {
          return await reextractArticle(record, selection, member ?? deps.writer, eventMember ?? deps.events);
        } finally {
          member?.leave();
          eventMember?.leave();
        }
      }),
    );
  }

  async function run(options: ReextractRunOptions): Promise<ReextractSummary> {
    const { selection } = options;
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    const clock = performance.now();
    const checkpoints = selection.dryRun ? undefined : options.checkpoints;
    const saved = options.restart ? undefined : await checkpoints?.load();
    const resumed = saved !== undefined && saved.done !== true && sameSelection(saved.selection, selection);
    const startedAt = now().toISOString();
    const checkpoint: ReextractCheckpoint = resumed
      ? { ...saved, counts: { ...saved.counts, failedByCode: { ...saved.counts.failedByCode } } }
      : { selection, startedAt, until: startedAt, counts: emptyCounts() };
    const { counts } = checkpoint;
    const since = selection.since ?? EPOCH;
    let complete = true;

    walk: for (;;) {
      const page = await deps.reader.listIngestedSince({
        since,
        limit: pageSize,
        ...(checkpoint.after ? { after: checkpoint.after } : {}),
      });
      const inRun = page.items.filter((item) => item.ingestedAt < checkpoint.until);
      for (let start = 0; start < inRun.length; start += batchSize) {
        if (options.signal?.aborted) {
          complete = false;
          break walk;
        }
        const batch = inRun.slice(start, start + batchSize);
        const selected = batch.filter((item) => selection.site === undefined || item.site === selection.site);
        for (const outcome of await reextractBatch(selected, selection)) {
          countOutcome(counts, outcome);
          options.onOutcome?.(outcome);
        }
        const last = batch.at(-1) as ArticleRecord;
        checkpoint.after = { ingestedAt: last.ingestedAt, id: last.id };
        await checkpoints?.save(checkpoint);
        options.onProgress?.(counts);
      }
      // Past the run's start, or the end of the index: done.
      if (inRun.length < page.items.length || page.cursor === undefined) break;
      checkpoint.after = page.cursor;
    }
    if (complete) {
      checkpoint.done = true;
      await checkpoints?.save(checkpoint);
    }
    options.onProgress?.(counts);
    return {
      selection,
      startedAt: checkpoint.startedAt,
      until: checkpoint.until,
      resumed,
      complete,
      ...counts,
      seconds: (performance.now() - clock) / 1000,
    };
  }

  return { reextractArticle, reextractBatch, run };
}

export type ReextractService = ReturnType<typeof createReextractService>;

function sameSelection(a: ReextractSelection, b: ReextractSelection): boolean {
  return (
    a.site === b.site &&
    a.since === b.since &&
    a.extractorBelow === b.extractorBelow &&
    (a.dryRun ?? false) === (b.dryRun ?? false)
  );
}
