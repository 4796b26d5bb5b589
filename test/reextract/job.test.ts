import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { ArticleIngestedDetail } from '../../lib/core/events.ts';
import { extractWithMarkdown } from '../../lib/core/markdown.ts';
import { createReextractService } from '../../lib/handlers/reextract.ts';
import { createReextractJob, JOB_PREFIX } from '../../lib/handlers/reextract-job.ts';
import { useLocalServers } from '../helpers/local-servers.ts';

const local = useLocalServers();
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A page whose <title> carries the site's name: the stored (older) Article keeps it, extraction drops it. */
function storedPage(index: number) {
  const url = `https://ledger.example/news/story-${index}`;
  const body = Array.from(
    { length: 5 },
    (_, n) =>
      `<p>Paragraph ${n} of story ${index}: a sentence long enough to be read as article text by anyone.</p>`,
  ).join('');
  const html = `<html lang="en"><head><title>Story ${index} | The Ledger</title></head><body><article><h1>Story ${index}</h1>${body}</article></body></html>`;
  const raw = {
    url,
    finalUrl: url,
    status: 200,
    contentType: 'text/html; charset=utf-8',
    body: new TextEncoder().encode(html),
    fetchedAt: '2026-11-30T08:00:00.000Z',
  };
  const result = extractWithMarkdown({ html, url, now: new Date(raw.fetchedAt) });
  if (!result.ok) throw result.error;
  const older = {
    ...result.value,
    title: `Story ${index} | The Ledger`,
    extractor: { name: 'x', version: '1.0.0' },
  };
  return { older, raw };
}

describe('the AWS job steps (list, part, summarize) on the local servers', () => {
  it('lists the selection into parts, re-extracts a part, and sums the Map Run results', async () => {
    const store = await local.freshStore({ sinceFeedSettleMs: 0 });
    const s3 = local.s3Client();
    const jobBucketName = `job-${Date.now()}`;
    await s3.send(new CreateBucketCommand({ Bucket: jobBucketName }));
    for (let index = 0; index < 3; index++) {
      const { older, raw } = storedPage(index);
      await store.articles.commit(older, raw);
    }
    const events: ArticleIngestedDetail[] = [];
    const service = createReextractService({
      reader: store.articles,
      writer: store.articles,
      extract: extractWithMarkdown,
      events: { publishArticleIngested: async (detail) => void events.push(detail) },
      bucketName: store.bucketName,
      logger: silent,
    });
    const job = createReextractJob({ service, reader: store.articles, s3, jobBucketName });

    const listed = await job.handle({ action: 'list', runId: 'run-1', selection: {} });
    expect(listed).toMatchObject({
      done: true,
      listed: 3,
      parts: 1,
      partsPrefix: `${JOB_PREFIX}run-1/parts/`,
    });
    const parts = await s3.send(
      new ListObjectsV2Command({ Bucket: jobBucketName, Prefix: `${JOB_PREFIX}run-1/parts/` }),
    );
    const key = parts.Contents?.[0]?.Key as string;

    const counts = await job.handle({ action: 'part', key, selection: {} });
    expect(counts).toMatchObject({ scanned: 3, changed: 3, failed: 0 });
    expect(events.map((event) => event.reason)).toEqual(['reextracted', 'reextracted', 'reextracted']);

    // The Map Run's result files, as Step Functions writes them: one entry per item, Output a JSON string.
    await s3.send(
      new PutObjectCommand({
        Bucket: jobBucketName,
        Key: `${JOB_PREFIX}results/m/SUCCEEDED_0.json`,
        Body: JSON.stringify([
          { Output: JSON.stringify(counts) },
          { Output: JSON.stringify({ failedPart: 'k' }) },
        ]),
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: jobBucketName,
        Key: `${JOB_PREFIX}results/m/manifest.json`,
        Body: JSON.stringify({
          ResultFiles: { SUCCEEDED: [{ Key: `${JOB_PREFIX}results/m/SUCCEEDED_0.json` }] },
        }),
      }),
    );
    const summary = await job.handle({
      action: 'summarize',
      runId: 'run-1',
      selection: {},
      listed: 3,
      results: { Bucket: jobBucketName, Key: `${JOB_PREFIX}results/m/manifest.json` },
    });
    expect(summary).toMatchObject({ scanned: 3, changed: 3, failedParts: 1, listed: 3 });
    await expect(job.handle({ action: 'part', key: 'elsewhere/x.json' })).rejects.toThrow(/invalid/);
  });
});
