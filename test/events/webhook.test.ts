import { afterEach, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../lib/api/openapi.ts';
import { PipelineError } from '../../lib/core/errors.ts';
import { InProcessEventBus } from '../../lib/events/in-process.ts';
import {
  forwardToWebhook,
  refusedAddressReason,
  verifyWebhookSignature,
  WEBHOOK_HEADERS,
  WebhookPublisher,
} from '../../lib/events/webhook.ts';
import { createComponentValidator } from '../api/openapi-validator.ts';
import { sampleDetail, startRecordingServer } from './fixtures.ts';

const SECRET = 'webhook-secret-0123456789';
// biome-ignore lint/suspicious/noExplicitAny: walking an untyped JSON document
const document = buildOpenApiDocument() as any;
const validateComponent = createComponentValidator(document);
type Server = Awaited<ReturnType<typeof startRecordingServer>>;

async function failureOf(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PipelineError);
  return error as PipelineError;
}

describe('WebhookPublisher', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('POSTs an EventBridge-shaped envelope with a verifiable signature', async () => {
    server = await startRecordingServer((_request, response) => response.writeHead(204).end());
    const publisher = new WebhookPublisher({
      url: `${server.url}/hooks/articles`,
      secret: SECRET,
      allowPrivateNetwork: true,
    });
    const detail = sampleDetail();
    await publisher.publishArticleIngested(detail);
    const request = server.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hooks/articles');
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request?.headers[WEBHOOK_HEADERS.event]).toBe('ArticleIngested');
    const envelope = JSON.parse(request?.body ?? '{}');
    expect(envelope).toMatchObject({ 'detail-type': 'ArticleIngested', source: 'article-pipeline', detail });
    const signed = {
      secret: SECRET,
      body: request?.body ?? '',
      timestamp: request?.headers[WEBHOOK_HEADERS.timestamp] as string,
      signature: request?.headers[WEBHOOK_HEADERS.signature] as string,
    };
    // The delivery is what the OpenAPI document's webhooks.ArticleIngested promises.
    expect(document.webhooks.ArticleIngested.post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ArticleIngestedEnvelope',
    });
    expect(validateComponent('ArticleIngestedEnvelope', envelope)).toEqual([]);
    expect(
      validateComponent('ArticleIngestedEnvelope', { ...envelope, detail: { schemaVersion: 2 } }),
    ).not.toEqual([]);
    expect(verifyWebhookSignature(signed)).toBe(true);
    expect(verifyWebhookSignature({ ...signed, secret: 'another-secret-entirely' })).toBe(false);
    expect(verifyWebhookSignature({ ...signed, body: signed.body.replace('One', 'Two') })).toBe(false);
    expect(verifyWebhookSignature({ ...signed, now: new Date(Date.now() + 3_600_000) })).toBe(false);
  });

  it('reports a non-2xx answer as HTTP_ERROR, retryable only for server errors', async () => {
    let status = 503;
    server = await startRecordingServer((_request, response) => response.writeHead(status).end('no'));
    const publisher = new WebhookPublisher({ url: server.url, secret: SECRET, allowPrivateNetwork: true });
    const unavailable = await failureOf(publisher.publishArticleIngested(sampleDetail()));
    expect(unavailable.code).toBe('HTTP_ERROR');
    expect(unavailable.details).toMatchObject({ status: 503, retryable: true });
    status = 400;
    const rejected = await failureOf(publisher.publishArticleIngested(sampleDetail()));
    expect(rejected.details).toMatchObject({ status: 400, retryable: false });
  });

  it('gives up with TIMEOUT when the receiver never answers', async () => {
    server = await startRecordingServer(() => {
      // never answers
    });
    const publisher = new WebhookPublisher({
      url: server.url,
      secret: SECRET,
      allowPrivateNetwork: true,
      timeoutMs: 200,
    });
    const failure = await failureOf(publisher.publishArticleIngested(sampleDetail()));
    expect(failure.code).toBe('TIMEOUT');
  });

  it('refuses loopback and private targets unless allowed, and metadata addresses always', async () => {
    server = await startRecordingServer((_request, response) => response.writeHead(204).end());
    expect(() => new WebhookPublisher({ url: server?.url ?? '', secret: SECRET })).toThrow(
      /loopback address.*allowPrivateNetwork is off/,
    );
    expect(
      () =>
        new WebhookPublisher({
          url: 'http://169.254.169.254/latest',
          secret: SECRET,
          allowPrivateNetwork: true,
        }),
    ).toThrow(/link-local/);
    // A name is judged after DNS resolution: localhost resolves to loopback.
    const byName = new WebhookPublisher({ url: `http://localhost:${server.port}/`, secret: SECRET });
    const failure = await failureOf(byName.publishArticleIngested(sampleDetail()));
    expect(failure.code).toBe('BLOCKED_ADDRESS');
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['http://2130706433/', /loopback/],
    ['http://0x7f000001/', /loopback/],
    ['http://0177.0.0.1/', /loopback/],
    ['http://127.1/', /loopback/],
    ['http://%31%32%37.0.0.1/', /loopback/],
    ['http://[::ffff:7f00:1]/', /loopback/],
    ['http://0/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['http://10.0.0.1/', /private/],
    ['http://[fd00::1]/', /private/],
    ['http://169.254.169.254./', /link-local/],
    ['http://[64:ff9b::a9fe:a9fe]/', /link-local/],
    ['http://[2002:a9fe:a9fe::]/', /link-local/],
  ])('refuses the internal address %s in any spelling', (url, reason) => {
    let refused: unknown;
    try {
      new WebhookPublisher({ url, secret: SECRET });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(PipelineError);
    expect((refused as PipelineError).code).toBe('BLOCKED_ADDRESS');
    expect((refused as PipelineError).message).toMatch(reason);
  });

  it('judges IPv4-mapped IPv6 addresses by the IPv4 address they carry', () => {
    expect(refusedAddressReason('::ffff:127.0.0.1', false)).toMatch(/loopback/);
    expect(refusedAddressReason('::ffff:127.0.0.1', true)).toBeUndefined();
    expect(refusedAddressReason('10.1.2.3', false)).toMatch(/private/);
    expect(refusedAddressReason('::ffff:169.254.169.254', true)).toMatch(/link-local/);
    expect(refusedAddressReason('93.184.215.14', false)).toBeUndefined();
  });

  it('refuses a short secret', () => {
    expect(() => new WebhookPublisher({ url: 'https://hooks.example.com/', secret: 'short' })).toThrow(
      /16 characters/,
    );
  });
});

describe('forwardToWebhook', () => {
  it('delivers what is published on the in-process bus, and a failing webhook does not fail the publisher', async () => {
    let status = 204;
    const server = await startRecordingServer((_request, response) => response.writeHead(status).end());
    try {
      const failures: unknown[] = [];
      const bus = new InProcessEventBus({ onListenerError: (error) => failures.push(error) });
      forwardToWebhook(
        bus,
        new WebhookPublisher({ url: server.url, secret: SECRET, allowPrivateNetwork: true }),
      );
      await bus.publishArticleIngested(sampleDetail());
      await bus.drain();
      expect(server.requests).toHaveLength(1);
      status = 500;
      await expect(bus.publishArticleIngested(sampleDetail())).resolves.toBeUndefined();
      await bus.drain();
      expect(failures).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
