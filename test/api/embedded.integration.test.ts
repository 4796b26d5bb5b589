import { gunzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../lib/api/openapi.ts';
import { ArticleIngestedDetail } from '../../lib/core/events.ts';
import { EXAMPLE_ARTICLES } from '../../lib/embedded/example-site/articles.ts';
import { type EmbeddedStack, type ProgressTotals, startEmbeddedStack } from '../../lib/embedded/stack.ts';
import {
  forwardToWebhook,
  verifyWebhookSignature,
  WEBHOOK_HEADERS,
  WebhookPublisher,
} from '../../lib/events/webhook.ts';
import { createS3Client } from '../../lib/store/aws/s3-client.ts';
import { type ByteRange, rangeHeader } from '../../lib/store/layout.ts';
import { startRecordingServer } from '../events/fixtures.ts';
import type { Reply } from './fixtures.ts';
import { createResponseValidator } from './openapi-validator.ts';

// The whole embedded stack: crawl the bundled example site, then check what consumers see: one valid
// ArticleIngested event per article (in process and through a signed webhook), the article at the event's
// S3 location, and the same article from the query API over HTTP, conforming to the OpenAPI document.

const validateResponse = createResponseValidator(buildOpenApiDocument());
const WEBHOOK_SECRET = 'embedded-webhook-secret-0123';

let stack: EmbeddedStack;
let receiver: Awaited<ReturnType<typeof startRecordingServer>>;
const events: ArticleIngestedDetail[] = [];
let firstRun: ProgressTotals;

async function get(target: string): Promise<Reply> {
  const response = await fetch(`${stack.queryUrl}${target}`);
  const body = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body, json: body ? JSON.parse(body) : undefined };
}

beforeAll(async () => {
  stack = await startEmbeddedStack({ port: 0, logLevel: 'SILENT' });
  receiver = await startRecordingServer((_request, response) => response.writeHead(204).end());
  stack.bus.subscribe((detail) => {
    events.push(detail);
  });
  forwardToWebhook(
    stack.bus,
    new WebhookPublisher({
      url: `${receiver.url}/events`,
      secret: WEBHOOK_SECRET,
      allowPrivateNetwork: true,
    }),
  );
  firstRun = await stack.runOnce();
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

describe('events and the query API on the embedded stack', () => {
  it('publishes one valid "created" event per ingested article', () => {
    // Every article of the example site, once.
    expect(events.map((event) => event.article.title).sort()).toEqual(
      EXAMPLE_ARTICLES.map((article) => article.title).sort(),
    );
    expect(firstRun).toMatchObject({ ingested: EXAMPLE_ARTICLES.length, failed: 0 });
    for (const event of events) {
      expect(ArticleIngestedDetail.safeParse(event).success).toBe(true);
      expect(event).toMatchObject({ schemaVersion: 1, kind: 'created', article: { version: 1 } });
    }
    const ids = events.map((event) => event.article.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('delivers each event to the webhook, signed', () => {
    expect(receiver.requests).toHaveLength(events.length);
    for (const request of receiver.requests) {
      expect(
        verifyWebhookSignature({
          secret: WEBHOOK_SECRET,
          body: request.body,
          timestamp: request.headers[WEBHOOK_HEADERS.timestamp] as string,
          signature: request.headers[WEBHOOK_HEADERS.signature] as string,
        }),
      ).toBe(true);
    }
    const delivered = receiver.requests.map((request) => JSON.parse(request.body).detail.article.id).sort();
    expect(delivered).toEqual(events.map((event) => event.article.id).sort());
  });

  it("serves each event's article over HTTP, equal to the object at the event's S3 location", async () => {
    const s3 = createS3Client(
      {
        region: stack.env.AWS_REGION,
        credentials: {
          accessKeyId: stack.env.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY ?? '',
        },
      },
      stack.env,
    );
    try {
      for (const event of events) {
        const reply = await get(`/articles/${event.article.id}`);
        expect(reply.status).toBe(200);
        expect(validateResponse('/articles/{id}', reply)).toEqual([]);
        expect(reply.json.contentHash).toBe(event.contentHash);
        // The article is one gzip member of a batch object: the event names its byte range.
        const range = event.location.articleRange;
        expect(range).toBeDefined();
        const stored = await s3.send(
          new GetObjectCommand({
            Bucket: event.location.bucket,
            Key: event.location.articleKey,
            Range: rangeHeader(range as ByteRange),
          }),
        );
        const member = (await stored.Body?.transformToByteArray()) ?? new Uint8Array();
        expect(JSON.parse(gunzipSync(member).toString('utf-8'))).toEqual(reply.json);
      }
    } finally {
      s3.destroy();
    }
  });

  it("lists the example site's articles with their event summaries", async () => {
    const site = events[0]?.article.site ?? '';
    const reply = await get(`/articles?site=${site}&limit=100`);
    expect(validateResponse('/articles', reply)).toEqual([]);
    const summaries = reply.json.items.map(
      ({ ingestedAt: _ingestedAt, ...summary }: { ingestedAt: string }) => summary,
    );
    const sortById = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(summaries.sort(sortById)).toEqual(events.map((event) => event.article).sort(sortById));
  });

  it('publishes nothing when a second crawl finds everything unchanged', async () => {
    const before = events.length;
    await stack.runOnce();
    expect(events.length).toBe(before);
  });
});
