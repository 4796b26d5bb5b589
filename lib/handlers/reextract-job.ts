import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PipelineError } from '../core/errors.ts';
import { addCounts, countOutcome, emptyCounts, type ReextractCounts } from '../core/reextract.ts';
import * as z from '../core/zod.ts';
import type { ArticleReader, StoreCursor } from '../store/types.ts';
import type { ReextractSelection, ReextractService } from './reextract.ts';

/**
 * The AWS re-extraction job's steps, each one Lambda invocation of lambdas/reextract.ts, run by the state
 * machine in lib/cdk/reextract-job.ts:
 * - list: walks the "ingested since" index (up to the run's start) and writes the selected articles as part
 *   objects of PART_SIZE under reextract/<run>/parts/, looping until the index is done (a time budget each call);
 * - part: one Distributed Map item: re-extracts the articles of one part object, returns its counts;
 * - summarize: adds up the Map Run's result files into the run's summary (also written to S3).
 */

/** Where the job keeps its part lists, Map Run results and summaries (expired by a lifecycle rule). */
export const JOB_PREFIX = 'reextract/';
/** Articles per part object (one Map item): at ~0.1 s each, well inside one invocation. */
export const PART_SIZE = 250;
const LIST_PAGE = 1_000;
const BATCH = 10;
const EPOCH = '1970-01-01T00:00:00.000Z';

const Selection = z.object({
  site: z.optional(z.string().check(z.minLength(1))),
  since: z.optional(z.iso.datetime()),
  extractorBelow: z.optional(z.string().check(z.regex(/^\d+(\.\d+){0,3}$/))),
  dryRun: z.optional(z.boolean()),
}) satisfies z.ZodMiniType<ReextractSelection>;

const RunId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,80}$/));
const PartItem = z.object({
  id: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  version: z.number().check(z.int(), z.positive()),
});

export const JobEvent = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('list'),
    runId: RunId,
    selection: z._default(Selection, {}),
    until: z.optional(z.iso.datetime()),
    cursor: z.optional(z.record(z.string(), z.union([z.string(), z.number()]))),
    parts: z._default(z.number().check(z.int(), z.nonnegative()), 0),
    listed: z._default(z.number().check(z.int(), z.nonnegative()), 0),
  }),
  z.object({
    action: z.literal('part'),
    key: z.string().check(z.startsWith(JOB_PREFIX)),
    selection: z._default(Selection, {}),
  }),
  z.object({
    action: z.literal('summarize'),
    runId: RunId,
    selection: z._default(Selection, {}),
    until: z.optional(z.string()),
    listed: z._default(z.number().check(z.int(), z.nonnegative()), 0),
    results: z.object({ Bucket: z.string(), Key: z.string() }),
  }),
]);
export type JobEvent = z.input<typeof JobEvent>;

export interface ListResult {
  runId: string;
  selection: ReextractSelection;
  until: string;
  cursor?: StoreCursor;
  parts: number;
  listed: number;
  partsPrefix: string;
  done: boolean;
}

export interface JobSummary extends ReextractCounts {
  runId: string;
  selection: ReextractSelection;
  until?: string;
  listed: number;
  /** Part objects whose invocation failed after its retries: sent to the job's dead-letter queue. */
  failedParts: number;
  summaryKey: string;
}

export interface JobDependencies {
  service: ReextractService;
  reader: Pick<ArticleReader, 'listIngestedSince'>;
  s3: S3Client;
  /** The job's bucket (part lists, Map Run results, summaries), apart from the article bucket. */
  jobBucketName: string;
  now?: () => Date;
  /** Milliseconds this invocation may still run (Lambda's context); list stops early enough to return. */
  remainingMs?: () => number;
}

/** A list call stops when fewer than this many milliseconds remain, to write its last part and return. */
const LIST_RESERVE_MS = 60_000;

export function createReextractJob(deps: JobDependencies) {
  const now = deps.now ?? (() => new Date());

  async function putJson(key: string, value: unknown): Promise<void> {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.jobBucketName,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    );
  }

  async function getJson(bucket: string, key: string): Promise<unknown> {
    const object = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await object.Body?.transformToString('utf-8')) ?? 'null');
  }

  async function list(event: Extract<z.output<typeof JobEvent>, { action: 'list' }>): Promise<ListResult> {
    const until = event.until ?? now().toISOString();
    const partsPrefix = `${JOB_PREFIX}${event.runId}/parts/`;
    let { parts, listed } = event;
    let cursor: StoreCursor | undefined = event.cursor;
    let pending: Array<z.infer<typeof PartItem>> = [];
    const flush = async () => {
      if (pending.length === 0) return;
      await putJson(`${partsPrefix}${String(parts).padStart(8, '0')}.json`, { items: pending });
      parts++;
      pending = [];
    };
    let done = false;
    while ((deps.remainingMs?.() ?? Number.POSITIVE_INFINITY) > LIST_RESERVE_MS) {
      const page = await deps.reader.listIngestedSince({
        since: event.selection.since ?? EPOCH,
        limit: LIST_PAGE,
        ...(cursor ? { after: cursor } : {}),
      });
      const inRun = page.items.filter((item) => item.ingestedAt < until);
      for (const item of inRun) {
        if (event.selection.site !== undefined && item.site !== event.selection.site) continue;
        pending.push({ id: item.id, version: item.version });
        listed++;
        if (pending.length === PART_SIZE) await flush();
      }
      if (inRun.length < page.items.length || page.cursor === undefined) {
        done = true;
        break;
      }
      cursor = page.cursor;
    }
    // Parts end at call boundaries too, so the next call starts exactly at `cursor`.
    await flush();
    return {
      runId: event.runId,
      selection: event.selection,
      until,
      ...(cursor && !done ? { cursor } : {}),
      parts,
      listed,
      partsPrefix,
      done,
    };
  }

  async function part(
    event: Extract<z.output<typeof JobEvent>, { action: 'part' }>,
  ): Promise<ReextractCounts> {
    const parsed = z
      .object({ items: z.array(PartItem) })
      .safeParse(await getJson(deps.jobBucketName, event.key));
    if (!parsed.success) throw new PipelineError('INTERNAL', `${event.key} is not a reextract part`);
    const counts = emptyCounts();
    const { items } = parsed.data;
    for (let start = 0; start < items.length; start += BATCH) {
      const outcomes = await deps.service.reextractBatch(items.slice(start, start + BATCH), event.selection);
      for (const outcome of outcomes) countOutcome(counts, outcome);
    }
    return counts;
  }

  async function summarize(
    event: Extract<z.output<typeof JobEvent>, { action: 'summarize' }>,
  ): Promise<JobSummary> {
    const manifest = z
      .object({
        ResultFiles: z._default(z.optional(z.record(z.string(), z.array(z.object({ Key: z.string() })))), {}),
      })
      .parse(await getJson(event.results.Bucket, event.results.Key));
    const total = emptyCounts();
    let failedParts = 0;
    for (const [status, files] of Object.entries(manifest.ResultFiles)) {
      for (const file of files) {
        const entries = z
          .array(z.object({ Output: z.optional(z.string()) }))
          .parse(await getJson(event.results.Bucket, file.Key));
        for (const entry of entries) {
          const output = entry.Output === undefined ? undefined : JSON.parse(entry.Output);
          const counts = z
            .object({
              scanned: z.number(),
              changed: z.number(),
              unchanged: z.number(),
              skipped: z.number(),
              failed: z.number(),
              failedByCode: z.record(z.string(), z.number()),
            })
            .safeParse(output);
          if (status === 'SUCCEEDED' && counts.success) addCounts(total, counts.data);
          else failedParts++;
        }
      }
    }
    const summaryKey = `${JOB_PREFIX}${event.runId}/summary.json`;
    const summary: JobSummary = {
      runId: event.runId,
      selection: event.selection,
      ...(event.until === undefined ? {} : { until: event.until }),
      listed: event.listed,
      ...total,
      failedParts,
      summaryKey,
    };
    await putJson(summaryKey, summary);
    return summary;
  }

  async function handle(event: unknown): Promise<ListResult | ReextractCounts | JobSummary> {
    const parsed = JobEvent.safeParse(event);
    if (!parsed.success) {
      throw new PipelineError(
        'BAD_REQUEST',
        `reextract job event is invalid: ${z.prettifyError(parsed.error)}`,
      );
    }
    const input = parsed.data;
    if (input.action === 'list') return list(input);
    if (input.action === 'part') return part(input);
    return summarize(input);
  }

  return { handle, list, part, summarize };
}
