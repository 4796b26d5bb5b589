// The deployable artefacts, end to end: `cdk synth` bundles the three handlers; this test runs those bundles
// (cdk.out asset folders, not the TypeScript sources), each in a fresh Node process with exactly the
// environment the synthesized template gives it, local endpoints substituted for AWS resources. An article
// from a loopback site then goes crawl → queue → ingest → S3/DynamoDB + event → query API.
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../lib/cdk/app.ts';
import { BUCKET_PREFIXES, METRICS_NAMESPACE } from '../../lib/cdk/article-pipeline.ts';
import {
  resolveTemplateValue,
  type SynthesizedFunction,
  synthesizedFunctions,
} from '../../lib/cdk/assembly.ts';
import { type FunctionName, PROJECT_ROOT } from '../../lib/cdk/bundling.ts';
import { ENV } from '../../lib/config.ts';
import { ARTICLES_INGESTED_DETAIL_TYPE, ArticlesIngestedDetail } from '../../lib/core/events.ts';
import { newSourceRecord } from '../../lib/core/sources.ts';
import { EXAMPLE_ARTICLES } from '../../lib/embedded/example-site/articles.ts';
import { type SiteServer, startSiteServer } from '../../lib/embedded/example-site/server.ts';
import { type LocalServers, startLocalServers } from '../../lib/embedded/servers.ts';
import { scheduledEvent } from '../../lib/handlers/crawl.ts';
import { createDynamoDbClient } from '../../lib/store/aws/clients.ts';
import { createS3Client } from '../../lib/store/aws/s3-client.ts';
import { AwsSourceRegistry } from '../../lib/store/aws/sources.ts';
import { type FakeAwsServices, startFakeAwsServices } from './fake-aws-services.ts';

const run = promisify(execFile);
const EVENT_BUS_NAME = 'article-events';
const CURSOR_SECRET = randomBytes(32).toString('hex');
/** The cursor secret's stand-in ARN: the template gives query only this; it reads the value from the fake. */
const CURSOR_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:cursor-signing-AbCdEf';

/** Imports a bundle in a fresh process, calls its `handler` with an event, returns what it resolved to. */
const RUNNER = `import { readFileSync, writeFileSync } from 'node:fs';
const [bundle, eventFile, resultFile] = process.argv.slice(2);
const { handler } = await import(bundle);
const result = await handler(JSON.parse(readFileSync(eventFile, 'utf8')));
writeFileSync(resultFile, JSON.stringify(result ?? null));
`;

let servers: LocalServers;
let site: SiteServer;
let aws: FakeAwsServices;
let outdir: string;
let functions: Record<FunctionName, SynthesizedFunction>;
let bucketId: string;
let tableId: string;
let queueId: string;
let crawlQueueId: string;
let busId: string;
let secretId: string;
const article = EXAMPLE_ARTICLES[0]!;

beforeAll(async () => {
  [servers, site, aws] = await Promise.all([
    startLocalServers(),
    startSiteServer({ articles: [article] }),
    startFakeAwsServices({ [CURSOR_SECRET_ARN]: CURSOR_SECRET }),
  ]);
  // Inside the repository, as `cdk synth` does: the bundles are what `cdk deploy` would upload.
  mkdirSync(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
  outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', 'test-bundles-'));
  const { app, stack } = createApp({
    app: { outdir },
    pipeline: { sources: [{ url: site.feedUrl }], fetchAllowedOrigins: [site.origin] },
  });
  app.synth();
  functions = synthesizedFunctions(stack, outdir);
  const { pipeline } = stack;
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  [bucketId, tableId, queueId, crawlQueueId, busId, secretId] = [
    id(pipeline.bucket),
    id(pipeline.table),
    id(pipeline.queue),
    id(pipeline.crawlQueue),
    id(pipeline.eventBus as never),
    id(pipeline.cursorSecret),
  ];
  writeFileSync(join(outdir, 'runner.mjs'), RUNNER);
}, 180_000);

afterAll(async () => {
  await Promise.all([servers?.stop(), site?.close(), aws?.close()]);
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** The template's variables for a function, AWS resources replaced by their local stand-ins. */
function environmentOf(fn: SynthesizedFunction): Record<string, string> {
  const local: Record<string, string> = {
    [bucketId]: servers.bucketName,
    [tableId]: servers.tableName,
    [queueId]: aws.queueUrl,
    // The fake has one queue: crawl tasks and ingest messages land in the same list, in order.
    [crawlQueueId]: aws.queueUrl,
    [busId]: EVENT_BUS_NAME,
    [secretId]: CURSOR_SECRET_ARN,
  };
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    resolved[name] = resolveTemplateValue(value, (logicalId) => {
      const replacement = local[logicalId];
      if (replacement === undefined) throw new Error(`${fn.name}: ${name} refers to unmapped ${logicalId}`);
      return replacement;
    });
  }
  return resolved;
}

/** What the last invocation wrote on stdout (the Lambda runtime ships it to CloudWatch Logs: EMF metrics). */
let lastStdout = '';

/** The EMF metric lines among stdout's lines. */
function emfLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function invoke(name: FunctionName, event: unknown): Promise<unknown> {
  const fn = functions[name];
  const eventFile = join(outdir, `${name}-event.json`);
  const resultFile = join(outdir, `${name}-result.json`);
  writeFileSync(eventFile, JSON.stringify(event));
  // Only the AWS_* endpoint/credential variables come from outside the template; no ENV name does.
  const awsOnly = Object.fromEntries(Object.entries(servers.env).filter(([key]) => key.startsWith('AWS_')));
  const { stdout } = await run(
    process.execPath,
    [join(outdir, 'runner.mjs'), pathToFileURL(fn.bundleFile).href, eventFile, resultFile],
    {
      env: {
        PATH: process.env.PATH ?? '',
        ...awsOnly,
        AWS_ENDPOINT_URL_SQS: aws.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: aws.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
        ...environmentOf(fn),
      },
      timeout: 60_000,
    },
  );
  lastStdout = String(stdout);
  return JSON.parse(readFileSync(resultFile, 'utf8'));
}

function sqsEvent(bodies: string[]) {
  return {
    Records: bodies.map((body) => ({
      messageId: randomUUID(),
      receiptHandle: randomUUID(),
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'AROAEXAMPLE',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:article-ingest',
      awsRegion: 'us-east-1',
    })),
  };
}

function apiEvent(path: string) {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'api.example', accept: 'application/json' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}

describe('the bundled handlers from cdk.out', () => {
  it('were synthesized as bundles with the template environment naming only ENV variables', () => {
    for (const fn of Object.values(functions)) {
      expect(fn.bundleFile).toMatch(/cdk\.out\/test-bundles-[^/]+\/asset\.[0-9a-f]+\/index\.mjs$/);
      expect(fn.environment).toHaveProperty(ENV.tableName);
    }
  });

  it('take an article from feed to query: crawl → ingest → query', async () => {
    // The registry as the deploy-time seed leaves it (the seed's own handler has its test).
    const dynamodb = createDynamoDbClient(
      {
        region: servers.env.AWS_REGION,
        credentials: {
          accessKeyId: servers.env.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: servers.env.AWS_SECRET_ACCESS_KEY ?? '',
        },
      },
      servers.env,
    );
    const source = newSourceRecord({ url: site.feedUrl }, new Date());
    await new AwsSourceRegistry({ dynamodb, tableName: servers.tableName }).add(source);
    dynamodb.destroy();
    // crawl, the schedule: the source is due, so one crawl task goes to the crawl queue.
    const scheduled = await invoke('crawl', scheduledEvent(new Date()));
    expect(scheduled).toEqual({ queued: 1, lostClaims: 0 });
    const tasks = aws.messages.splice(0);
    expect(tasks.map((task) => JSON.parse(task).sourceId)).toEqual([source.id]);
    // crawl, the worker: reads the feed on loopback (the only origin the SSRF guard lets through), queues its article.
    const crawled = (await invoke('crawl', sqsEvent(tasks))) as { batchItemFailures: unknown[] };
    expect(crawled.batchItemFailures).toEqual([]);
    expect(aws.messages).toHaveLength(1);
    expect(aws.messages[0]).toContain(site.articleUrl(article.slug));
    // The source's outcome as an EMF metric line, under the namespace the template's alarms read.
    expect(emfLines(lastStdout)).toEqual([
      expect.objectContaining({
        Function: 'crawl',
        Outcome: 'ok',
        SourceCrawls: 1,
        SourceConsecutiveFailures: 0,
      }),
    ]);

    // ingest: fetches, extracts and stores it; nothing goes back to the queue; ArticleIngested is published.
    // The crawl has just fetched the feed from this host, so ingest may find the host's politeness slot taken and
    // put the message back with a delay (DelaySeconds); SQS would redeliver it then, and so does this test.
    let batch: { batchItemFailures: unknown[] };
    for (let delivery = 1; ; delivery++) {
      batch = (await invoke('ingest', sqsEvent(aws.messages.splice(0)))) as { batchItemFailures: unknown[] };
      if (aws.messages.length === 0 || delivery === 5) break;
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
    expect(aws.messages).toEqual([]);
    expect(batch.batchItemFailures).toEqual([]);
    expect(emfLines(lastStdout)).toEqual([
      expect.objectContaining({
        _aws: expect.objectContaining({
          CloudWatchMetrics: expect.arrayContaining([
            expect.objectContaining({ Namespace: METRICS_NAMESPACE }),
          ]),
        }),
        Function: 'ingest',
        Outcome: 'created',
        IngestAttempts: 1,
        IngestFailures: 0,
        ArticlesStored: 1,
      }),
    ]);
    expect(aws.events).toHaveLength(1);
    const [event] = aws.events;
    // articleEvents batch (the default): one ArticlesIngested for the batch, here of one article.
    expect(event).toMatchObject({ EventBusName: EVENT_BUS_NAME, DetailType: ARTICLES_INGESTED_DETAIL_TYPE });
    const published = ArticlesIngestedDetail.parse(JSON.parse(event?.Detail ?? '{}'));
    expect(published.articles).toHaveLength(1);
    const detail = published.articles[0] as (typeof published.articles)[number];
    expect(detail.kind).toBe('created');
    expect(detail.article.title).toBe(article.title);
    expect(detail.location.bucket).toBe(servers.bucketName);

    // Both objects landed under the prefixes the bucket's lifecycle rules and IAM grants name.
    expect(detail.location.rawKey.startsWith(BUCKET_PREFIXES.raw)).toBe(true);
    expect(detail.location.articleKey.startsWith(BUCKET_PREFIXES.articles)).toBe(true);
    const s3 = createS3Client(
      {
        region: servers.env.AWS_REGION,
        credentials: {
          accessKeyId: servers.env.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: servers.env.AWS_SECRET_ACCESS_KEY ?? '',
        },
      },
      servers.env,
    );
    try {
      for (const key of [detail.location.rawKey, detail.location.articleKey]) {
        const object = await s3.send(new HeadObjectCommand({ Bucket: servers.bucketName, Key: key }));
        expect(object.ContentLength, key).toBeGreaterThan(0);
      }
    } finally {
      s3.destroy();
    }

    // query: reads its cursor secret from Secrets Manager by ARN (its environment holds no value), then serves
    // the stored article through the API Gateway v2 contract.
    expect(functions.query.environment).not.toHaveProperty(ENV.cursorSecret);
    expect(aws.secretReads).toEqual([]);
    const response = (await invoke('query', apiEvent(`/articles/${detail.article.id}`))) as {
      statusCode: number;
      body: string;
    };
    expect(response.statusCode).toBe(200);
    expect(aws.secretReads).toEqual([CURSOR_SECRET_ARN]);
    const served = JSON.parse(response.body) as { id: string; title: string; url: string };
    expect(served).toMatchObject({
      id: detail.article.id,
      title: article.title,
      url: site.articleUrl(article.slug),
    });

    // A second schedule run finds nothing due: the source was crawled a moment ago.
    const again = (await invoke('crawl', scheduledEvent(new Date()))) as { queued: number };
    expect(again.queued).toBe(0);
  }, 180_000);
});
