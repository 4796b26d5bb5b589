import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUCKET_PREFIXES, FAILURE_ALARMS, METRICS_NAMESPACE } from '../../lib/cdk/article-pipeline.ts';
import { FUNCTION_NAMES, type FunctionName } from '../../lib/cdk/bundling.ts';
import { DEFAULT_PROPS } from '../../lib/cdk/props.ts';
import { ENV } from '../../lib/config.ts';
import { isPipelineError } from '../../lib/core/errors.ts';
import { DIMENSIONS, METRICS } from '../../lib/handlers/metrics.ts';
import { articleObjectKey, rawObjectKey } from '../../lib/store/layout.ts';
import { ARTICLES_TABLE } from '../../lib/store/table.ts';
import { envKeysReadBy } from './handler-env.ts';
import { only, type Resource, resourcesOfType, type Synthesized, synthesize } from './support.ts';

let s: Synthesized;
// The first synthesis loads aws-cdk-lib and both cdk-nag packs: over a minute on a loaded 2-core machine.
beforeAll(() => {
  s = synthesize({ sources: [{ url: 'https://news.example/feed.xml' }] });
}, 180_000);

/** Renders a CloudFormation value with logical ids replaced by readable names, e.g. `table.Arn/index/bySite`. */
function render(value: unknown, names: Record<string, string>): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((part) => render(part, names)).join(',');
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return names[object.Ref as string] ?? `{${object.Ref}}`;
  if ('Fn::GetAtt' in object) {
    const [id, attribute] = object['Fn::GetAtt'] as [string, string];
    return `${names[id] ?? id}.${attribute}`;
  }
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => render(part, names)).join(separator);
  }
  return JSON.stringify(object);
}

function readableNames(synthesized: Synthesized): Record<string, string> {
  const p = synthesized.stack.pipeline;
  const s = synthesized;
  return {
    [s.logicalId(p.bucket)]: 'bucket',
    [s.logicalId(p.table)]: 'table',
    [s.logicalId(p.queue)]: 'queue',
    [s.logicalId(p.deadLetterQueue)]: 'dlq',
    [s.logicalId(p.crawlQueue)]: 'crawlQueue',
    [s.logicalId(p.crawlDeadLetterQueue)]: 'crawlDlq',
    [s.logicalId(p.crawlScheduleFailureQueue)]: 'crawlScheduleFailures',
    [s.logicalId(p.eventBus as never)]: 'bus',
    [s.logicalId(p.cursorSecret)]: 'cursorSecret',
    ...Object.fromEntries(
      FUNCTION_NAMES.map((name) => [s.logicalId(p.functions[name].logGroup as never), `${name}Logs`]),
    ),
  };
}

/** Every (action, resource) pair a function's role allows, as sorted `action on resource` lines. */
function permissionsOf(name: FunctionName, synthesized: Synthesized = s): string[] {
  const roleId = synthesized.logicalId(synthesized.stack.pipeline.functions[name].role as never);
  const names = readableNames(synthesized);
  const lines: string[] = [];
  for (const policy of Object.values(resourcesOfType(synthesized.template, 'AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles as Array<{ Ref: string }>).map((role) => role.Ref);
    if (!roles.includes(roleId)) continue;
    const document = policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> };
    for (const statement of document.Statement) {
      expect(statement.Effect).toBe('Allow');
      const actions = [statement.Action].flat() as string[];
      const resources = [statement.Resource].flat();
      for (const action of actions)
        for (const resource of resources) lines.push(`${action} on ${render(resource, names)}`);
    }
  }
  return lines.sort();
}

describe('article bucket', () => {
  const bucket = (): Resource => s.template.toJSON().Resources[s.logicalId(s.stack.pipeline.bucket)];

  it('blocks public access, encrypts, logs access and is retained', () => {
    const resource = bucket();
    expect(resource.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(resource.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(resource.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: s.logicalId(s.stack.pipeline.accessLogBucket) },
      LogFilePrefix: 'article-bucket/',
    });
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    // Versions live under their own keys (see props.bucketVersioning), so S3 versioning is off by default.
    expect(resource.Properties.VersioningConfiguration).toBeUndefined();
  });

  it('denies every request that is not over TLS', () => {
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: s.logicalId(s.stack.pipeline.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('ages raw HTML to a cheaper class, then expires it; articles are never expired', () => {
    const rules = (bucket().Properties.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> })
      .Rules;
    const raw = rules.find((rule) => rule.Prefix === BUCKET_PREFIXES.raw);
    expect(raw).toMatchObject({
      Status: 'Enabled',
      Transitions: [
        { StorageClass: 'GLACIER_IR', TransitionInDays: DEFAULT_PROPS.rawHtml.transitionAfterDays },
      ],
      ExpirationInDays: DEFAULT_PROPS.rawHtml.expireAfterDays,
    });
    expect(
      (bucket().Properties.LifecycleConfiguration as Record<string, unknown>)
        .TransitionDefaultMinimumObjectSize,
    ).toBe('all_storage_classes_128K');
    const expiring = rules.filter((rule) => rule.ExpirationInDays !== undefined);
    expect(expiring.map((rule) => rule.Prefix)).toEqual([BUCKET_PREFIXES.raw]);
  });

  it('takes the lifecycle from props and rejects one S3 would refuse', () => {
    const custom = synthesize({
      rawHtml: { transitionAfterDays: 45, storageClass: 'STANDARD_IA', expireAfterDays: 90 },
    });
    custom.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'raw/',
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 45 }],
            ExpirationInDays: 90,
          }),
        ]),
      },
    });
    const tooEarly = () => synthesize({ rawHtml: { transitionAfterDays: 10, storageClass: 'STANDARD_IA' } });
    expect(tooEarly).toThrow(/transitionAfterDays must be an integer from 30/);
    try {
      synthesize({ rawHtml: { transitionAfterDays: 60, expireAfterDays: 40 } });
      expect.unreachable();
    } catch (error) {
      expect(isPipelineError(error) && error.code).toBe('BAD_REQUEST');
    }
  });

  it('uses a rotated customer-managed KMS key when asked', () => {
    const kms = synthesize({ bucketEncryption: 'kms' });
    const [keyId] = only(bucketKeys(kms.template));
    kms.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    kms.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
  });

  it('keeps the prefixes the store writes under', () => {
    const parts = {
      site: 'news.example',
      firstIngestedAt: '2026-01-02T03:04:05Z',
      id: 'a'.repeat(64),
      version: 1,
      tag: 't',
    };
    expect(rawObjectKey(parts).startsWith(BUCKET_PREFIXES.raw)).toBe(true);
    expect(articleObjectKey(parts).startsWith(BUCKET_PREFIXES.articles)).toBe(true);
  });
});

describe('article table', () => {
  it('has the keys and indexes of lib/store/table.ts, on demand, with PITR and deletion protection', () => {
    const [, table] = only(resourcesOfType(s.template, 'AWS::DynamoDB::Table'));
    const p = table.Properties;
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(p.KeySchema).toEqual([
      { AttributeName: ARTICLES_TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: ARTICLES_TABLE.sortKey.name, KeyType: 'RANGE' },
    ]);
    const indexes = (p.GlobalSecondaryIndexes as Array<Record<string, unknown>>).map((index) => ({
      name: index.IndexName,
      keys: index.KeySchema,
      projection: (index.Projection as { ProjectionType: string }).ProjectionType,
    }));
    expect(indexes).toEqual(
      ARTICLES_TABLE.globalSecondaryIndexes.map((index) => ({
        name: index.indexName,
        keys: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        projection: index.projection,
      })),
    );
  });

  it('lets deletion protection be turned off', () => {
    const dev = synthesize({ tableDeletionProtection: false, removalPolicy: 'destroy' });
    const [, table] = only(resourcesOfType(dev.template, 'AWS::DynamoDB::Table'));
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    expect(table.DeletionPolicy).toBe('Delete');
  });
});

describe('ingest queue', () => {
  it('has a DLQ after 3 receives, kept 14 days, and a visibility timeout of six times the ingest timeout', () => {
    const resources = s.template.toJSON().Resources;
    const queue = resources[s.logicalId(s.stack.pipeline.queue)];
    const dlqId = s.logicalId(s.stack.pipeline.deadLetterQueue);
    const ingestTimeout = resources[s.functionId('ingest')].Properties.Timeout as number;
    expect(queue.Properties.VisibilityTimeout).toBe(6 * ingestTimeout);
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 3,
    });
    expect(resources[dlqId].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    for (const id of [s.logicalId(s.stack.pipeline.queue), dlqId]) {
      expect(resources[id].Properties.SqsManagedSseEnabled).toBe(true);
      s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: [
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ],
        },
      });
    }
  });

  it('follows the ingest timeout', () => {
    const quick = synthesize({ ingestTimeoutSeconds: 45 });
    quick.template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 270 });
  });

  it('feeds ingest with bounded concurrency and partial batch failures', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: s.functionId('ingest') },
      EventSourceArn: { 'Fn::GetAtt': [s.logicalId(s.stack.pipeline.queue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: DEFAULT_PROPS.ingestMaxConcurrency },
      BatchSize: DEFAULT_PROPS.ingestBatchSize,
      MaximumBatchingWindowInSeconds: DEFAULT_PROPS.ingestBatchWindowSeconds,
    });
    // Lambda takes batches above 10 only with a batching window.
    expect(() => synthesize({ ingestBatchSize: 20, ingestBatchWindowSeconds: 0 })).toThrow(
      /ingestBatchWindowSeconds/,
    );
    const small = synthesize({ ingestBatchSize: 10, ingestBatchWindowSeconds: 0 });
    small.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
    const capped = synthesize({ ingestMaxConcurrency: 2 });
    capped.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(() => synthesize({ ingestMaxConcurrency: 1 })).toThrow(/ingestMaxConcurrency/);
  });
});

describe('functions', () => {
  it('are arm64 ESM bundles on Node.js 24 with their own log group and retention', () => {
    const resources = s.template.toJSON().Resources;
    for (const name of FUNCTION_NAMES) {
      const fn = resources[s.functionId(name)];
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
      });
      const logGroupId = s.logicalId(s.stack.pipeline.functions[name].logGroup as never);
      expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
      expect(resources[logGroupId].Properties.RetentionInDays).toBe(DEFAULT_PROPS.logRetentionDays);
    }
  });

  it('set every environment variable their code reads, named only through ENV', async () => {
    const resources = s.template.toJSON().Resources;
    const envNames = new Set<string>(Object.values(ENV));
    for (const name of FUNCTION_NAMES) {
      const variables = resources[s.functionId(name)].Properties.Environment.Variables as Record<
        string,
        unknown
      >;
      const read = await envKeysReadBy(name);
      expect(read.size, `${name} reads no ENV key: the derivation found nothing`).toBeGreaterThan(0);
      // Query reads the cursor secret either by ARN (set here) or by value (the embedded stack's way, never
      // set in AWS: the value would be readable in the function's configuration).
      if (name === 'query') {
        expect(read).toContain('cursorSecret');
        read.delete('cursorSecret');
      }
      for (const key of read) expect(variables, `${name} reads ${key}`).toHaveProperty(ENV[key]);
      for (const variable of Object.keys(variables)) {
        if (variable !== 'NODE_OPTIONS') expect(envNames, `${name} sets ${variable}`).toContain(variable);
      }
      // Nothing more than it reads: the log level is read by the Powertools logger (an npm package, so
      // outside the derivation), everything else by the handler's own code.
      const expected = new Set([...read, 'logLevel'].map((key) => ENV[key as keyof typeof ENV]));
      const set = Object.keys(variables).filter((variable) => variable !== 'NODE_OPTIONS');
      expect(set.sort(), `${name} sets only what it reads`).toEqual([...expected].sort());
    }
    const crawlVariables = resources[s.functionId('crawl')].Properties.Environment.Variables;
    // Crawl builds only the registry and crawl-state stores: no bucket, no bus, no cursor secret, and no
    // sources (they live in the registry) in its environment.
    expect(Object.keys(crawlVariables).sort()).toEqual(
      [
        ENV.tableName,
        ENV.ingestQueueUrl,
        ENV.crawlQueueUrl,
        ENV.crawlClaimLeaseSeconds,
        ENV.crawlQueueLeaseSeconds,
        ENV.ingestBatchWindowSeconds,
        ENV.userAgent,
        ENV.allowPrivateNetwork,
        ENV.allowedOrigins,
        ENV.logLevel,
        ENV.serviceName,
        ENV.metricsNamespace,
        ENV.siteMetrics,
        ...(DEFAULT_PROPS.bundling.sourceMap ? ['NODE_OPTIONS'] : []),
      ].sort(),
    );
    expect(crawlVariables[ENV.allowPrivateNetwork]).toBe('false');
    // The crawl's in-flight marker on a queued URL outlives any message in the queue (its retention, plus one
    // invocation and a minute), so a backlog however long is never queued twice; ingest reads the same value.
    const retention = resources[s.logicalId(s.stack.pipeline.queue)].Properties
      .MessageRetentionPeriod as number;
    expect(retention).toBe(4 * 24 * 3600);
    expect(Number(crawlVariables[ENV.crawlQueueLeaseSeconds])).toBe(retention + 15 * 60 + 60);
    const ingestVariables = resources[s.functionId('ingest')].Properties.Environment.Variables;
    expect(ingestVariables[ENV.crawlQueueLeaseSeconds]).toBe(crawlVariables[ENV.crawlQueueLeaseSeconds]);
    // A claimed source returns to the due index only after its task's whole life in the crawl queue.
    const crawlTimeout = resources[s.functionId('crawl')].Properties.Timeout as number;
    expect(Number(crawlVariables[ENV.crawlClaimLeaseSeconds])).toBe(crawlTimeout * 6 * 3 + 600);
  });

  it('tell ingest which page types to store: articles by default, the ingestPageTypes prop when given', () => {
    const ingestVariables = (stack: typeof s) =>
      stack.template.toJSON().Resources[stack.functionId('ingest')].Properties.Environment.Variables;
    expect(ingestVariables(s)[ENV.ingestPageTypes]).toBe('article');
    expect(ingestVariables(synthesize({ ingestPageTypes: ['article', 'forum'] }))[ENV.ingestPageTypes]).toBe(
      'article,forum',
    );
  });

  it('let chosen origins through the fetcher and reject anything that is not an origin', () => {
    const intranet = synthesize({
      fetchAllowedOrigins: ['http://wiki.internal:8080', 'https://news.internal'],
    });
    const variables =
      intranet.template.toJSON().Resources[intranet.functionId('ingest')].Properties.Environment.Variables;
    expect(variables[ENV.allowedOrigins]).toBe('http://wiki.internal:8080,https://news.internal');
    expect(() => synthesize({ fetchAllowedOrigins: ['http://wiki.internal/path'] })).toThrow(
      /must be an origin/,
    );
  });

  it("give query only the cursor secret's ARN, never its value or a reference resolved into the configuration", () => {
    const variables = s.template.toJSON().Resources[s.functionId('query')].Properties.Environment.Variables;
    expect(variables).not.toHaveProperty(ENV.cursorSecret);
    expect(variables[ENV.cursorSecretArn]).toEqual({ Ref: s.logicalId(s.stack.pipeline.cursorSecret) });
    expect(JSON.stringify(s.template.toJSON())).not.toContain('{{resolve:secretsmanager:');
  });

  it('fan crawl tasks out on their own queue with a DLQ, one source per invocation; due sources by index', () => {
    const resources = s.template.toJSON().Resources;
    const crawlQueue = resources[s.logicalId(s.stack.pipeline.crawlQueue)];
    const crawlDlqId = s.logicalId(s.stack.pipeline.crawlDeadLetterQueue);
    const crawlTimeout = resources[s.functionId('crawl')].Properties.Timeout as number;
    expect(crawlQueue.Properties.VisibilityTimeout).toBe(crawlTimeout * 6);
    expect(crawlQueue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [crawlDlqId, 'Arn'] },
      maxReceiveCount: 3,
    });
    expect(resources[crawlDlqId].Properties.SqsManagedSseEnabled).toBe(true);
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: s.functionId('crawl') },
      EventSourceArn: { 'Fn::GetAtt': [s.logicalId(s.stack.pipeline.crawlQueue), 'Arn'] },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: DEFAULT_PROPS.crawlMaxConcurrency },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const [, table] = only(resourcesOfType(s.template, 'AWS::DynamoDB::Table'));
    const due = (table.Properties.GlobalSecondaryIndexes as Array<Record<string, unknown>>).find(
      (index) => index.IndexName === 'dueSources',
    );
    expect(due).toEqual({
      IndexName: 'dueSources',
      KeySchema: [
        { AttributeName: 'gsi3pk', KeyType: 'HASH' },
        { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [crawlDlqId, 'QueueName'] } }],
    });
  });

  it('seed the sources registry from context with no size cap: 1,000 sources in custom resources of 500', () => {
    const many = Array.from({ length: 1_000 }, (_, index) => ({
      url: `https://news${index}.example/feed.xml`,
      ...(index % 2 ? { intervalSeconds: 3600 } : {}),
    }));
    const seeded = synthesize({}, { sources: many });
    const seeds = Object.values(resourcesOfType(seeded.template, 'Custom::SourcesSeed'));
    expect(seeds).toHaveLength(2);
    const listed = seeds.flatMap((seed) => JSON.parse(seed.Properties.Sources as string) as unknown[]);
    expect(listed).toEqual(many);
    for (const seed of seeds) {
      // Served by the crawl function (the registry's writer), after its grants exist.
      expect(seed.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [seeded.functionId('crawl'), 'Arn'] });
      expect(JSON.stringify(seed.DependsOn)).toContain('CrawlRole');
    }
    const variables =
      seeded.template.toJSON().Resources[seeded.functionId('crawl')].Properties.Environment.Variables;
    expect(JSON.stringify(variables)).not.toContain('news1.example');
    expect(() =>
      synthesize({ sources: [{ url: 'https://a.example/', intervalSeconds: 5 } as never] }),
    ).toThrow(/source https:\/\/a\.example\/:/);
  });

  it('do not retry a failed scheduled crawl (the next schedule is the retry)', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: s.functionId('crawl') },
      MaximumRetryAttempts: 0,
    });
  });
});

/** Tracing.ACTIVE: X-Ray's write actions take no resource-level permissions. */
const XRAY = ['xray:PutTelemetryRecords on *', 'xray:PutTraceSegments on *'];

describe('least privilege', () => {
  it('crawl reads the registry and crawl state, records health and leases, takes host tokens, shares robots.txt, queries due sources, sends tasks', () => {
    expect(permissionsOf('crawl')).toEqual([
      'dynamodb:BatchGetItem on table.Arn',
      'dynamodb:BatchWriteItem on table.Arn',
      'dynamodb:GetItem on table.Arn',
      'dynamodb:PutItem on table.Arn',
      // Ingest's per-batch article counts, folded into the sources by the schedule.
      'dynamodb:Query on table.Arn',
      'dynamodb:Query on table.Arn/index/dueSources',
      'dynamodb:UpdateItem on table.Arn',
      'logs:CreateLogStream on crawlLogs.Arn',
      'logs:PutLogEvents on crawlLogs.Arn',
      'sqs:ChangeMessageVisibility on crawlQueue.Arn',
      'sqs:DeleteMessage on crawlQueue.Arn',
      'sqs:GetQueueAttributes on crawlQueue.Arn',
      'sqs:GetQueueUrl on crawlQueue.Arn',
      'sqs:ReceiveMessage on crawlQueue.Arn',
      'sqs:SendMessage on crawlQueue.Arn',
      // A scheduled invocation that failed is recorded there (its on-failure destination).
      'sqs:SendMessage on crawlScheduleFailures.Arn',
      'sqs:SendMessage on queue.Arn',
      ...XRAY,
    ]);
  });

  it('ingest writes items and objects under its prefixes, consumes the queue and puts events', () => {
    expect(permissionsOf('ingest')).toEqual([
      // A batch's crawl states in one batched read.
      'dynamodb:BatchGetItem on table.Arn',
      'dynamodb:GetItem on table.Arn',
      'dynamodb:PutItem on table.Arn',
      // Near-duplicate candidates: a Query per anchor key.
      'dynamodb:Query on table.Arn',
      'dynamodb:UpdateItem on table.Arn',
      'events:PutEvents on bus.Arn',
      'logs:CreateLogStream on ingestLogs.Arn',
      'logs:PutLogEvents on ingestLogs.Arn',
      's3:PutObject on bucket.Arn/articles/*',
      's3:PutObject on bucket.Arn/raw/*',
      'sqs:ChangeMessageVisibility on queue.Arn',
      'sqs:DeleteMessage on queue.Arn',
      'sqs:GetQueueAttributes on queue.Arn',
      'sqs:GetQueueUrl on queue.Arn',
      'sqs:ReceiveMessage on queue.Arn',
      // Puts a busy host's messages back with a delay.
      'sqs:SendMessage on queue.Arn',
      ...XRAY,
    ]);
  });

  it('query reads the table, its named indexes, article objects and the cursor secret; writes only sources', () => {
    const indexes = ARTICLES_TABLE.globalSecondaryIndexes
      .map((index) => index.indexName)
      .filter((index) => index !== 'dueSources');
    // GetItem reads the table only (it cannot address an index); Query reads the table (versions) and indexes.
    expect(permissionsOf('query')).toEqual(
      [
        'dynamodb:BatchGetItem on table.Arn',
        'dynamodb:DeleteItem on table.Arn',
        'dynamodb:GetItem on table.Arn',
        'dynamodb:PutItem on table.Arn',
        'dynamodb:Query on table.Arn',
        'dynamodb:UpdateItem on table.Arn',
        ...indexes.map((index) => `dynamodb:Query on table.Arn/index/${index}`),
        'logs:CreateLogStream on queryLogs.Arn',
        'logs:PutLogEvents on queryLogs.Arn',
        's3:GetObject on bucket.Arn/articles/*',
        'secretsmanager:GetSecretValue on cursorSecret',
        ...XRAY,
      ].sort(),
    );
  });

  it('with a KMS bucket key: ingest may only generate data keys, query only decrypt, crawl nothing', () => {
    const kms = synthesize({ bucketEncryption: 'kms' });
    const [keyId] = only(bucketKeys(kms.template));
    const kmsLines = (name: FunctionName) =>
      permissionsOf(name, kms).filter((line) => line.startsWith('kms:'));
    expect(kmsLines('ingest')).toEqual([`kms:GenerateDataKey on ${keyId}.Arn`]);
    expect(kmsLines('query')).toEqual([`kms:Decrypt on ${keyId}.Arn`]);
    expect(kmsLines('crawl')).toEqual([]);
  });

  it('has no managed policies and no "*" resource except for X-Ray (which has no resource-level permissions)', () => {
    for (const role of Object.values(resourcesOfType(s.template, 'AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    for (const policy of Object.values(resourcesOfType(s.template, 'AWS::IAM::Policy'))) {
      const statements = (
        policy.Properties.PolicyDocument as { Statement: Array<{ Resource: unknown; Action: unknown }> }
      ).Statement;
      for (const statement of statements) {
        if (![statement.Resource].flat().includes('*')) continue;
        expect([statement.Action].flat().sort()).toEqual([
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ]);
      }
    }
  });
});

describe('schedule, API, events, alarms and outputs', () => {
  it('schedules the crawl at the configured rate', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `rate(${DEFAULT_PROPS.crawlRateMinutes} minutes)`,
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [s.functionId('crawl'), 'Arn'] } })],
    });
    const hourly = synthesize({}, { crawlRateMinutes: '60' });
    hourly.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
  });

  it('serves the query function over an IAM-authorized, throttled, logged HTTP API', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      AuthorizationType: 'AWS_IAM',
    });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: {
        ThrottlingRateLimit: DEFAULT_PROPS.apiThrottle.rateLimit,
        ThrottlingBurstLimit: DEFAULT_PROPS.apiThrottle.burstLimit,
      },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [s.functionId('query'), 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
    const open = synthesize({ apiAuthorization: 'none' });
    open.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'NONE' });
  });

  it('creates a bus for ArticleIngested, or uses the default bus', () => {
    only(resourcesOfType(s.template, 'AWS::Events::EventBus'));
    const onDefault = synthesize({ eventBus: 'default' });
    expect(resourcesOfType(onDefault.template, 'AWS::Events::EventBus')).toEqual({});
    const variables =
      onDefault.template.toJSON().Resources[onDefault.functionId('ingest')].Properties.Environment.Variables;
    expect(variables[ENV.eventBusName]).toBe('default');
  });

  it('alarms on DLQ depth, ingest errors and crawl errors, notifying the topic when one is set', () => {
    const dlqName = { 'Fn::GetAtt': [s.logicalId(s.stack.pipeline.deadLetterQueue), 'QueueName'] };
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: dlqName }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    for (const name of ['ingest', 'crawl', 'query'] as const) {
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: s.functionId(name) } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
    // The topic exists without an address (an output to subscribe to), with no subscription.
    const [plainTopicId] = only(resourcesOfType(s.template, 'AWS::SNS::Topic'));
    expect(resourcesOfType(s.template, 'AWS::SNS::Subscription')).toEqual({});
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AlarmTopicArn?.Value).toEqual({ Ref: plainTopicId });

    const notified = synthesize({ alarmEmail: 'ops@news.example' });
    const [topicId] = only(resourcesOfType(notified.template, 'AWS::SNS::Topic'));
    notified.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@news.example',
    });
    const alarms = Object.values(resourcesOfType(notified.template, 'AWS::CloudWatch::Alarm'));
    expect(alarms.map((alarm) => alarm.Properties.MetricName ?? 'metric math').sort()).toEqual([
      '5xx',
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Errors',
      'Errors',
      'SourceConsecutiveFailures',
      'Throttles',
      'Throttles',
      'Throttles',
      'metric math',
    ]);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('alarms on ingest queue age, throttles of every function and query API 5xx', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Namespace: 'AWS/SQS',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [s.logicalId(s.stack.pipeline.queue), 'QueueName'] } },
      ],
      Threshold: 1800,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    for (const name of ['ingest', 'crawl', 'query'] as const) {
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Throttles',
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: s.functionId(name) } }],
        Threshold: 0,
      });
    }
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5xx',
      Namespace: 'AWS/ApiGateway',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms on the ingest failure ratio (failures / attempts from the EMF metrics, with a floor of attempts)', () => {
    const alarm = Object.values(resourcesOfType(s.template, 'AWS::CloudWatch::Alarm')).find(
      (candidate) => candidate.Properties.Metrics !== undefined,
    );
    expect(alarm?.Properties).toMatchObject({
      Threshold: FAILURE_ALARMS.ingestFailureRatioPercent,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    const queries = alarm?.Properties.Metrics as Array<{
      Id: string;
      Expression?: string;
      MetricStat?: unknown;
    }>;
    const expression = queries.find((query) => query.Expression !== undefined);
    expect(expression?.Expression).toBe(
      `IF(attempts >= ${FAILURE_ALARMS.ingestFailureRatioMinAttempts}, 100 * failures / attempts, 0)`,
    );
    const stat = (id: string) => queries.find((query) => query.Id === id)?.MetricStat;
    for (const [id, name] of [
      ['attempts', METRICS.ingestAttempts],
      ['failures', METRICS.ingestFailures],
    ] as const) {
      expect(stat(id)).toEqual({
        Metric: {
          Namespace: METRICS_NAMESPACE,
          MetricName: name,
          Dimensions: [{ Name: DIMENSIONS.function, Value: 'ingest' }],
        },
        Period: FAILURE_ALARMS.ingestFailureRatioWindowMinutes * 60,
        Stat: 'Sum',
      });
    }
  });

  it('alarms on a source failing its crawls N times in a row, and on scheduled crawls that did not run', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRICS_NAMESPACE,
      MetricName: METRICS.sourceConsecutiveFailures,
      Dimensions: [{ Name: DIMENSIONS.function, Value: 'crawl' }],
      Statistic: 'Maximum',
      Threshold: FAILURE_ALARMS.failingSourceConsecutiveFailures - 1,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const failureQueue = s.logicalId(s.stack.pipeline.crawlScheduleFailureQueue);
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [failureQueue, 'QueueName'] } }],
      Threshold: 0,
    });
    // Both ways a scheduled crawl can fail to run land there: the rule's target and the async invocation.
    s.template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [s.functionId('crawl'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [failureQueue, 'Arn'] } },
        }),
      ],
    });
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: s.functionId('crawl') },
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failureQueue, 'Arn'] } } },
    });
  });

  it('traces every function with X-Ray and writes the API access log as JSON', () => {
    const resources = s.template.toJSON().Resources;
    for (const name of FUNCTION_NAMES) {
      expect(resources[s.functionId(name)].Properties.TracingConfig, name).toEqual({ Mode: 'Active' });
    }
    const [, stage] = only(resourcesOfType(s.template, 'AWS::ApiGatewayV2::Stage'));
    const format = JSON.parse((stage.Properties.AccessLogSettings as { Format: string }).Format) as Record<
      string,
      string
    >;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });

  it('sets the metrics namespace, the per-site dimension and the permanent-failure retry from props or context', () => {
    const variables = (synthesized: Synthesized, name: FunctionName) =>
      synthesized.template.toJSON().Resources[synthesized.functionId(name)].Properties.Environment.Variables;
    expect(variables(s, 'ingest')).toMatchObject({
      [ENV.metricsNamespace]: METRICS_NAMESPACE,
      [ENV.siteMetrics]: 'false',
      [ENV.permanentRetryDays]: '30',
    });
    const tuned = synthesize({}, { permanentFailureRetryDays: '7', siteMetrics: 'true' });
    expect(variables(tuned, 'ingest')).toMatchObject({
      [ENV.siteMetrics]: 'true',
      [ENV.permanentRetryDays]: '7',
    });
    expect(variables(tuned, 'crawl')).toMatchObject({ [ENV.siteMetrics]: 'true' });
    expect(() => synthesize({ permanentFailureRetryDays: 0 })).toThrow(/permanentFailureRetryDays/);
  });

  it('outputs the API URL, bucket, table and bus', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const p = s.stack.pipeline;
    const value = (name: string) => outputs[name]?.Value;
    expect(value('BucketName')).toEqual({ Ref: s.logicalId(p.bucket) });
    expect(value('TableName')).toEqual({ Ref: s.logicalId(p.table) });
    expect(value('EventBusName')).toEqual({ Ref: s.logicalId(p.eventBus as never) });
    expect(value('IngestQueueUrl')).toEqual({ Ref: s.logicalId(p.queue) });
    expect(value('DeadLetterQueueUrl')).toEqual({ Ref: s.logicalId(p.deadLetterQueue) });
    // https://<api id>.execute-api.<region>.<url suffix>/ for the $default stage.
    expect(JSON.stringify(value('ApiUrl'))).toContain(`{"Ref":"${s.logicalId(p.api)}"}`);
    expect(JSON.stringify(value('ApiUrl'))).toContain('.execute-api.');
  });
});

/** The KMS keys other than the alarm topic's (which always exists). */
function bucketKeys(template: Template) {
  return Object.fromEntries(
    Object.entries(resourcesOfType(template, 'AWS::KMS::Key')).filter(
      ([, key]) => key.Properties.Description !== 'Encrypts alarm notifications',
    ),
  );
}
