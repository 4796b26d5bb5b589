import { describe, expect, it } from 'vitest';
import type { IngestOutcome } from '../../lib/handlers/ingest.ts';
import { createMetrics, DIMENSIONS, METRICS } from '../../lib/handlers/metrics.ts';

type EmfDocument = {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
} & Record<string, unknown>;

/** The structural rules of the EMF specification that CloudWatch enforces (else the line is only a log). */
function expectValidEmf(line: string): EmfDocument {
  const document = JSON.parse(line) as EmfDocument;
  expect(Number.isInteger(document._aws.Timestamp)).toBe(true);
  for (const directive of document._aws.CloudWatchMetrics) {
    expect(directive.Namespace.length).toBeGreaterThan(0);
    expect(directive.Metrics.length).toBeLessThanOrEqual(100);
    for (const set of directive.Dimensions) {
      expect(set.length).toBeLessThanOrEqual(30);
      for (const dimension of set) expect(typeof document[dimension], dimension).toBe('string');
    }
    for (const metric of directive.Metrics) {
      expect(typeof document[metric.Name], metric.Name).toBe('number');
      expect(metric.Unit).toBe('Count');
    }
  }
  return document;
}

const outcome = (url: string, rest: Partial<IngestOutcome>): IngestOutcome => ({
  url,
  status: 'created',
  ...rest,
});

describe('EMF metrics', () => {
  it('counts ingest attempts, failures and permanent failures by outcome and error code, one line per group', () => {
    const lines: string[] = [];
    const metrics = createMetrics('ingest', {
      write: (line) => lines.push(line),
      now: () => new Date('2026-12-02T06:00:00Z'),
    });
    metrics.ingestOutcome(outcome('https://www.news.example/a', { status: 'created' }));
    metrics.ingestOutcome(outcome('https://news.example/b', { status: 'updated' }));
    metrics.ingestOutcome(
      outcome('https://news.example/c', {
        status: 'failed',
        retryable: false,
        error: { code: 'HTTP_ERROR', message: 'HTTP 403' },
        httpStatus: 403,
      }),
    );
    metrics.ingestOutcome(
      outcome('https://other.example/d', {
        status: 'failed',
        retryable: true,
        error: { code: 'TIMEOUT', message: 'timed out' },
      }),
    );
    // Not attempted: counted apart (a deferred message comes back; a stale one was fetched meanwhile).
    metrics.ingestOutcome(outcome('https://news.example/e', { status: 'deferred' }));
    metrics.ingestOutcome(outcome('https://news.example/e2', { status: 'deferred' }));
    metrics.ingestOutcome(outcome('https://news.example/f', { status: 'stale' }));
    expect(lines).toEqual([]);
    metrics.flush();

    const all = lines.map(expectValidEmf);
    const notAttempted = all.filter((document) => METRICS.ingestNotAttempted in document);
    expect(
      notAttempted.map((document) => [
        document[DIMENSIONS.outcome],
        document[METRICS.ingestNotAttempted],
        METRICS.ingestAttempts in document,
      ]),
    ).toEqual([
      ['deferred', 2, false],
      ['stale', 1, false],
    ]);
    const documents = all.filter((document) => !(METRICS.ingestNotAttempted in document));
    expect(documents).toHaveLength(4);
    expect(documents[0]?._aws).toEqual({
      Timestamp: Date.parse('2026-12-02T06:00:00Z'),
      CloudWatchMetrics: [
        {
          Namespace: 'ArticlePipeline',
          Dimensions: [['Function'], ['Function', 'Outcome']],
          Metrics: [{ Name: METRICS.ingestAttempts, Unit: 'Count' }],
        },
        // Error code NONE: failures are not broken down by it (an unbilled, empty breakdown).
        {
          Namespace: 'ArticlePipeline',
          Dimensions: [['Function']],
          Metrics: [
            { Name: METRICS.ingestFailures, Unit: 'Count' },
            { Name: METRICS.permanentFailures, Unit: 'Count' },
            { Name: METRICS.articlesStored, Unit: 'Count' },
          ],
        },
      ],
    });
    // A failure: attempts by outcome, failures by error code, nothing else broken down.
    expect(
      documents[2]?._aws.CloudWatchMetrics.map((directive) => [
        directive.Dimensions,
        directive.Metrics.map((metric) => metric.Name),
      ]),
    ).toEqual([
      [[['Function'], ['Function', 'Outcome']], [METRICS.ingestAttempts]],
      [
        [['Function'], ['Function', 'ErrorCode']],
        [METRICS.ingestFailures, METRICS.permanentFailures],
      ],
      [[['Function']], [METRICS.articlesStored]],
    ]);
    const summary = documents.map((document) => ({
      site: document.site,
      outcome: document[DIMENSIONS.outcome],
      code: document[DIMENSIONS.errorCode],
      attempts: document[METRICS.ingestAttempts],
      failures: document[METRICS.ingestFailures],
      permanent: document[METRICS.permanentFailures],
      stored: document[METRICS.articlesStored],
    }));
    expect(summary).toEqual([
      {
        site: undefined,
        outcome: 'created',
        code: 'NONE',
        attempts: 1,
        failures: 0,
        permanent: 0,
        stored: 1,
      },
      {
        site: undefined,
        outcome: 'updated',
        code: 'NONE',
        attempts: 1,
        failures: 0,
        permanent: 0,
        stored: 1,
      },
      // An HTTP error names its status: a 403 bot wall is told apart from a 404 or a 5xx.
      {
        site: 'news.example',
        outcome: 'failed',
        code: 'HTTP_403',
        attempts: 1,
        failures: 1,
        permanent: 1,
        stored: 0,
      },
      {
        site: 'other.example',
        outcome: 'failed',
        code: 'TIMEOUT',
        attempts: 1,
        failures: 1,
        permanent: 0,
        stored: 0,
      },
    ]);
    // Flushed groups are gone: the next invocation starts from zero.
    metrics.flush();
    expect(lines).toHaveLength(6);
  });

  it('counts successes of many sites in one line per outcome, and names the site of each failure', () => {
    const lines: string[] = [];
    const metrics = createMetrics('ingest', { write: (line) => lines.push(line) });
    for (const site of ['a.example', 'b.example', 'c.example'])
      metrics.ingestOutcome(outcome(`https://${site}/story`, { status: 'created' }));
    metrics.ingestOutcome(
      outcome('https://b.example/gone', {
        status: 'failed',
        error: { code: 'HTTP_ERROR', message: '' },
        httpStatus: 404,
      }),
    );
    metrics.flush();
    const documents = lines.map(expectValidEmf);
    expect(
      documents.map((document) => [
        document.site,
        document[DIMENSIONS.outcome],
        document[METRICS.ingestAttempts],
      ]),
    ).toEqual([
      [undefined, 'created', 3],
      ['b.example', 'failed', 1],
    ]);
  });

  it('adds up a group, and makes the site a dimension only when asked', () => {
    const lines: string[] = [];
    const metrics = createMetrics('ingest', {
      write: (line) => lines.push(line),
      siteDimension: true,
      namespace: 'Custom',
    });
    for (const path of ['a', 'b', 'c']) metrics.ingestOutcome(outcome(`https://news.example/${path}`, {}));
    metrics.flush();
    expect(lines).toHaveLength(1);
    const document = expectValidEmf(lines[0] ?? '');
    expect(document._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Custom',
      Dimensions: expect.arrayContaining([['Function', 'Site']]),
    });
    expect(document).toMatchObject({
      Site: 'news.example',
      [METRICS.ingestAttempts]: 3,
      [METRICS.articlesStored]: 3,
    });
    expect(document).not.toHaveProperty('site');
  });

  it('reports crawled sources with their failures in a row (a level, not a sum) and skips removed ones', () => {
    const lines: string[] = [];
    const metrics = createMetrics('crawl', { write: (line) => lines.push(line) });
    metrics.sourceCrawled({ url: 'https://news.example/feed.xml', outcome: 'ok', consecutiveFailures: 0 });
    const failing = {
      url: 'https://down.example/feed.xml',
      outcome: 'failed',
      error: { code: 'HTTP_ERROR' },
    };
    metrics.sourceCrawled({ ...failing, consecutiveFailures: 4 });
    metrics.sourceCrawled({ ...failing, consecutiveFailures: 2 });
    metrics.sourceCrawled({ url: 'https://gone.example/', outcome: 'skipped' });
    metrics.flush();
    const documents = lines.map(expectValidEmf);
    expect(
      documents.map((document) => [
        document.site,
        document[DIMENSIONS.function],
        document[METRICS.sourceCrawls],
        document[METRICS.sourceFailures],
        document[METRICS.sourceConsecutiveFailures],
      ]),
    ).toEqual([
      ['news.example', 'crawl', 1, 0, 0],
      ['down.example', 'crawl', 2, 2, 4],
    ]);
  });
});
