import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../lib/api/openapi.ts';
import { PipelineError } from '../../lib/core/errors.ts';
import { ARTICLE_EVENT_SOURCE, ARTICLE_INGESTED_DETAIL_TYPE } from '../../lib/core/events.ts';
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

  it('sends one PutEvents entry with the source, detail type, bus and the validated detail', async () => {
    server = await startRecordingServer(answerJson({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }));
    const publisher = new EventBridgePublisher({
      client: clientFor(server.url),
      eventBusName: 'articles-bus',
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
