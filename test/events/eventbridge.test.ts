import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../lib/api/openapi.ts';
import { PipelineError } from '../../lib/core/errors.ts';
import {
  ARTICLE_EVENT_SOURCE,
  ARTICLE_INGESTED_DETAIL_TYPE,
  ARTICLES_INGESTED_DETAIL_TYPE,
} from '../../lib/core/events.ts';
import { EVENT_CHUNK_BYTES } from '../../lib/events/batch.ts';
import { EventBridgePublisher } from '../../lib/events/eventbridge.ts';
import { createComponentValidator } from '../api/openapi-validator.ts';
import { sampleDetail, startRecordingServer } from './fixtures.ts';

// The real SDK client talks to a loopback server that speaks EventBridge's JSON protocol (no SDK mocks):
// this checks the request the publisher really sends and how it treats a partial failure.

type Server = Awaited<ReturnType<typeof startRecordingServer>>;

describe('EventBridgePublisher', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await server?.close();
  });

  function clientFor(url: string): EventBridgeClient {
    return new EventBridgeClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  }

  function answerJson(body: unknown) {
    return (_request: unknown, response: import('node:http').ServerResponse) => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    };
  }

  it('per-article: sends one ArticleIngested entry with the source, detail type, bus and the validated detail', async () => {
    server = await startRecordingServer(answerJson({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }));
    const publisher = new EventBridgePublisher({
      client: clientFor(server.url),
      eventBusName: 'articles-bus',
      format: 'per-article',
    });
    const detail = sampleDetail();
    await publisher.publishArticleIngested(detail);
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0];
    expect(request?.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
    const entries = JSON.parse(request?.body ?? '{}').Entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      EventBusName: 'articles-bus',
      Source: ARTICLE_EVENT_SOURCE,
      DetailType: ARTICLE_INGESTED_DETAIL_TYPE,
    });
    expect(JSON.parse(entries[0].Detail)).toEqual(detail);
    // The detail EventBridge carries is the OpenAPI document's ArticleIngestedDetail.
    const validateComponent = createComponentValidator(buildOpenApiDocument());
    expect(validateComponent('ArticleIngestedDetail', JSON.parse(entries[0].Detail))).toEqual([]);
  });

  it('makes a client given as a factory on the first publish, once; a failed factory fails that publish as retryable', async () => {
    server = await startRecordingServer(answerJson({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }));
    const url = server.url;
    let made = 0;
    const publisher = new EventBridgePublisher({
      client: async () => {
        made++;
        if (made === 1) throw new Error('chunk missing');
        return clientFor(url);
      },
      eventBusName: 'articles-bus',
      format: 'per-article',
    });
    expect(made).toBe(0);
    const failed = await publisher.publishArticleIngested(sampleDetail()).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(PipelineError);
    expect(failed).toMatchObject({
      details: { retryable: true },
      message: expect.stringContaining('chunk missing'),
    });
    await publisher.publishArticleIngested(sampleDetail());
    await publisher.publishArticleIngested(sampleDetail());
    expect(made).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it('batch (the default): a group sends one ArticlesIngested entry listing the details of the members that published', async () => {
    server = await startRecordingServer(answerJson({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }));
    const publisher = new EventBridgePublisher({
      client: clientFor(server.url),
      eventBusName: 'articles-bus',
    });
    const group = publisher.group(3);
    const [first, second, third] = [group.member(), group.member(), group.member()];
    const one = sampleDetail();
    const two = sampleDetail({
      article: { ...one.article, id: 'c'.repeat(64) },
      ingestedAt: '2024-05-01T10:00:01.000Z',
    });
    const published = Promise.all([first.publishArticleIngested(one), third.publishArticleIngested(two)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The group waits for its last member: nothing is sent while one may still publish.
    expect(server.requests).toHaveLength(0);
    second.leave();
    await published;
    expect(server.requests).toHaveLength(1);
    const entries = JSON.parse(server.requests[0]?.body ?? '{}').Entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      EventBusName: 'articles-bus',
      Source: ARTICLE_EVENT_SOURCE,
      DetailType: ARTICLES_INGESTED_DETAIL_TYPE,
      // Both articles sit in one batch object: named once.
      Resources: [`arn:aws:s3:::articles/${one.location.articleKey}`],
    });
    expect(JSON.parse(entries[0].Detail)).toEqual({ schemaVersion: 2, articles: [one, two] });
    const validateComponent = createComponentValidator(buildOpenApiDocument());
    expect(validateComponent('ArticlesIngestedDetail', JSON.parse(entries[0].Detail))).toEqual([]);
  });

  it('batch: details that would pass 64 KB together go in separate entries, each within one billed event', async () => {
    server = await startRecordingServer(answerJson({ FailedEntryCount: 0, Entries: [] }));
    const publisher = new EventBridgePublisher({
      client: clientFor(server.url),
      eventBusName: 'articles-bus',
    });
    const group = publisher.group(5);
    // ~20 KB each: three fit in 64 KB, five do not.
    const details = Array.from({ length: 5 }, (_, index) =>
      sampleDetail({
        article: { ...sampleDetail().article, id: String(index).repeat(64), title: 'T'.repeat(20_000) },
      }),
    );
    await Promise.all(details.map((detail) => group.member().publishArticleIngested(detail)));
    expect(server.requests).toHaveLength(1);
    const entries = JSON.parse(server.requests[0]?.body ?? '{}').Entries as Array<{ Detail: string }>;
    expect(entries.map((entry) => JSON.parse(entry.Detail).articles.length)).toEqual([3, 2]);
    for (const entry of entries)
      expect(Buffer.byteLength(entry.Detail)).toBeLessThanOrEqual(EVENT_CHUNK_BYTES);
  });

  it('batch: a failed publish fails every member whose detail it carried', async () => {
    server = await startRecordingServer(
      answerJson({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
      }),
    );
    const publisher = new EventBridgePublisher({
      client: clientFor(server.url),
      eventBusName: 'articles-bus',
    });
    const group = publisher.group(2);
    const results = await Promise.allSettled([
      group.member().publishArticleIngested(sampleDetail()),
      group.member().publishArticleIngested(sampleDetail({ kind: 'updated' })),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    const reason = (results[0] as PromiseRejectedResult).reason as PipelineError;
    expect(reason.message).toMatch(/ArticlesIngested for 2 articles.*InternalFailure/);
    expect(reason.details.retryable).toBe(true);
  });

  it('turns a failed entry in a 200 response into a retryable error', async () => {
    server = await startRecordingServer(
      answerJson({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
      }),
    );
    const publisher = new EventBridgePublisher({
      client: clientFor(server.url),
      eventBusName: 'articles-bus',
    });
    const failure = await publisher.publishArticleIngested(sampleDetail()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PipelineError);
    expect((failure as PipelineError).message).toMatch(/InternalFailure/);
    expect((failure as PipelineError).details.retryable).toBe(true);
  });

  it('turns a service error into a retryable error', async () => {
    server = await startRecordingServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: 'InternalException', message: 'boom' }));
    });
    const publisher = new EventBridgePublisher({
      client: clientFor(server.url),
      eventBusName: 'articles-bus',
    });
    const failure = await publisher.publishArticleIngested(sampleDetail()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PipelineError);
    expect((failure as PipelineError).details.retryable).toBe(true);
  });

  it('never sends an invalid detail', async () => {
    server = await startRecordingServer(answerJson({ FailedEntryCount: 0, Entries: [] }));
    const publisher = new EventBridgePublisher({
      client: clientFor(server.url),
      eventBusName: 'articles-bus',
    });
    await expect(
      publisher.publishArticleIngested(sampleDetail({ kind: 'deleted' as 'created' })),
    ).rejects.toThrow(/invalid ArticleIngested detail/);
    expect(server.requests).toHaveLength(0);
  });
});
