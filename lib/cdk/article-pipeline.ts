import {
  type CfnElement,
  CfnOutput,
  CustomResource,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, type HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Architecture, Function as LambdaFunctionResource, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_USER_AGENT, ENV, type EnvKey } from '../config.ts';
import { CRAWL_POLICY, inFlightMarkerMs } from '../core/crawl-policy.ts';
import { DEFAULT_METRICS_NAMESPACE, DIMENSIONS, METRICS } from '../handlers/metrics.ts';
import { SEED_RESOURCE_TYPE, SOURCES_PER_SEED_RESOURCE } from '../handlers/seed-sources.ts';
import { BUCKET_PREFIXES } from '../store/layout.ts';
import { ARTICLES_TABLE, DUE_SOURCES_INDEX, type KeyAttribute } from '../store/table.ts';
import { type FunctionName, lambdaEntry } from './bundling.ts';
import { lambdaCode } from './lambda-code.ts';
import { type ArticlePipelineProps, type ResolvedArticlePipelineProps, resolveProps } from './props.ts';
import { REEXTRACT_ENTRY, ReextractJob } from './reextract-job.ts';

/** The ingest queue's visibility timeout, as a multiple of the ingest function's timeout (AWS advises 6). */
const VISIBILITY_TIMEOUT_FACTOR = 6;
/** Receives before a message goes to the dead-letter queue. */
const MAX_RECEIVE_COUNT = 3;

/** S3 key prefixes, defined with the rest of the store layout; re-exported for embedding apps. */
export { BUCKET_PREFIXES };

/** Each function's sizing. Ingest's timeout comes from props (the queue's visibility timeout follows it). */
export const FUNCTION_SIZING: Record<
  FunctionName,
  { memorySize: number; timeoutSeconds?: number; description: string }
> = {
  crawl: {
    memorySize: 512,
    timeoutSeconds: 300,
    description: 'Discovers article URLs in the sources and queues the new or changed',
  },
  ingest: { memorySize: 1024, description: 'Fetches, extracts, validates and stores one queued article URL' },
  query: { memorySize: 512, timeoutSeconds: 10, description: 'Serves the article query API' },
};

const KEY_TYPES: Record<KeyAttribute['type'], dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

function keyAttribute(attribute: KeyAttribute): dynamodb.Attribute {
  return { name: attribute.name, type: KEY_TYPES[attribute.type] };
}

function retentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter(
    (value): value is number => typeof value === 'number',
  );
  if (!allowed.includes(days)) {
    throw new Error(`ArticlePipeline: logRetentionDays must be one of ${allowed.join(', ')}, got ${days}`);
  }
  return days as logs.RetentionDays;
}

/** The environment of one function: only `ENV` names, so the embedded stack and this one cannot drift. */
export type FunctionEnvironment = Partial<Record<EnvKey, string>>;

/**
 * The article pipeline: bucket, table, ingest queue, the crawl/ingest/query functions, the schedule, the
 * query API, the event bus and the alarms. Embeddable in any stack; `ArticlePipelineStack` wraps it.
 */
/** The ingest queue's oldest message may wait this long before the queue-age alarm fires. */
const INGEST_QUEUE_AGE_ALARM_SECONDS = 30 * 60;

/**
 * The failure alarms' thresholds, in one place: the share of ingest attempts that failed over a window (with a
 * floor of attempts, so three failures of four pages at night do not page anyone), and the failures in a row
 * after which a source counts as failing (its crawls back off meanwhile: 2x the interval per failure).
 */
export const FAILURE_ALARMS = {
  ingestFailureRatioPercent: 25,
  ingestFailureRatioMinAttempts: 20,
  ingestFailureRatioWindowMinutes: 15,
  failingSourceConsecutiveFailures: 3,
} as const;

/** The CloudWatch namespace of the functions' EMF metrics (lib/handlers/metrics.ts). */
export const METRICS_NAMESPACE = DEFAULT_METRICS_NAMESPACE;

/**
 * The query API's access log line: JSON (one object per request, queryable field by field in Logs Insights),
 * from HTTP API $context variables.
 */
const API_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  errorMessage: '$context.error.message',
  integrationError: '$context.integrationErrorMessage',
});

export class ArticlePipeline extends Construct {
  readonly props: ResolvedArticlePipelineProps;
  readonly bucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;
  readonly table: dynamodb.Table;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** One message per due source, from the schedule to the crawl workers. */
  readonly crawlQueue: sqs.Queue;
  readonly crawlDeadLetterQueue: sqs.Queue;
  /**
   * Scheduled crawls that did not run: the schedule's target failed to invoke the crawl function, or the
   * asynchronous invocation failed. Nothing to redrive (the next schedule is the retry); its depth is alarmed.
   */
  readonly crawlScheduleFailureQueue: sqs.Queue;
  /** The resources that seed the sources registry from the `sources` prop (one per 500 sources). */
  readonly sourceSeeds: CustomResource[] = [];
  readonly functions: Record<FunctionName, LambdaFunctionResource>;
  readonly environments: Record<FunctionName, FunctionEnvironment>;
  readonly eventBus: events.IEventBus;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  readonly schedule: events.Rule;
  /** Every alarm notifies it: created (e-mail subscribed with alarmEmail) unless alarmTopicArn names one. */
  readonly alarmTopic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly cursorSecret: secretsmanager.Secret;
  /** Re-extraction of stored raw pages: a state machine started by `articles reextract --stack NAME`. */
  readonly reextractJob: ReextractJob;

  constructor(scope: Construct, id: string, props: ArticlePipelineProps = {}) {
    super(scope, id);
    // Access logs delivered under a bucket policy, not ACLs (new buckets disable ACLs), also when embedded in
    // an app whose cdk.json predates this flag.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const config = resolveProps(props);
    this.props = config;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = retentionDays(config.logRetentionDays);

    // --- storage -----------------------------------------------------------------------------------------
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Server access log delivery supports only SSE-S3 on the target bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log target of the article bucket; logging it into itself would loop.',
    });

    const bucketKey =
      config.bucketEncryption === 'kms'
        ? new kms.Key(this, 'BucketKey', {
            enableKeyRotation: true,
            description: 'Encrypts the article pipeline bucket',
            removalPolicy,
          })
        : undefined;
    this.bucket = new s3.Bucket(this, 'ArticleBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: bucketKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      ...(bucketKey ? { encryptionKey: bucketKey, bucketKeyEnabled: true } : {}),
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: config.bucketVersioning,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'article-bucket/',
      lifecycleRules: this.lifecycleRules(config),
      // Stated, not left to the account default: objects under 128 KB (most gzip'd pages) are never
      // transitioned, since the per-object transition fee and the 128 KB minimum billable size of IA/Glacier IR
      // would cost more than the cheaper storage saves. They stay in Standard until they expire.
      transitionDefaultMinimumObjectSize: s3.TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
      removalPolicy,
    });

    this.table = new dynamodb.Table(this, 'ArticleTable', {
      partitionKey: keyAttribute(ARTICLES_TABLE.partitionKey),
      sortKey: keyAttribute(ARTICLES_TABLE.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // Short-lived items (ingest's per-batch counts) carry their expiry: TTL deletes them at no write cost.
      timeToLiveAttribute: ARTICLES_TABLE.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.tableDeletionProtection,
      removalPolicy,
    });
    for (const index of ARTICLES_TABLE.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: keyAttribute(index.partitionKey),
        sortKey: keyAttribute(index.sortKey),
        projectionType:
          index.projection === 'ALL' ? dynamodb.ProjectionType.ALL : dynamodb.ProjectionType.KEYS_ONLY,
      });
    }

    // --- ingest queue ------------------------------------------------------------------------------------
    this.deadLetterQueue = new sqs.Queue(this, 'IngestDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the ingest queue; its depth is alarmed instead.',
    });
    this.queue = new sqs.Queue(this, 'IngestQueue', {
      // Lambda's guidance: at least six times the function timeout, so retries of a throttled batch fit.
      visibilityTimeout: Duration.seconds(config.ingestTimeoutSeconds * VISIBILITY_TIMEOUT_FACTOR),
      // The crawl's in-flight marker on a queued URL is derived from this (lib/core/crawl-policy.ts).
      retentionPeriod: Duration.millis(CRAWL_POLICY.queueRetentionMs),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    // --- crawl queue: one task per due source, so a slow source holds up only its own worker ---------------
    const crawlTimeoutSeconds = FUNCTION_SIZING.crawl.timeoutSeconds ?? 300;
    this.crawlDeadLetterQueue = new sqs.Queue(this, 'CrawlDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.crawlDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the crawl queue; its depth is alarmed instead.',
    });
    this.crawlQueue = new sqs.Queue(this, 'CrawlQueue', {
      visibilityTimeout: Duration.seconds(crawlTimeoutSeconds * VISIBILITY_TIMEOUT_FACTOR),
      // A task older than a day is stale: the schedule hands the source out again anyway.
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.crawlDeadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    this.crawlScheduleFailureQueue = new sqs.Queue(this, 'CrawlScheduleFailureQueue', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.crawlScheduleFailureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the crawl schedule (target and async invocation failures); its depth is alarmed.',
    });
    for (const deadLetterQueue of [
      this.deadLetterQueue,
      this.crawlDeadLetterQueue,
      this.crawlScheduleFailureQueue,
    ]) {
      Validations.of(deadLetterQueue).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'A dead-letter queue is the end of the line: its depth is alarmed and an operator redrives it (StartMessageMoveTask) after a fix.',
      });
    }

    // --- events ------------------------------------------------------------------------------------------
    this.eventBus =
      config.eventBus === 'default'
        ? events.EventBus.fromEventBusName(this, 'DefaultEventBus', 'default')
        : new events.EventBus(this, 'ArticleEventBus', { description: 'ArticleIngested events' });

    this.cursorSecret = new secretsmanager.Secret(this, 'CursorSigningSecret', {
      description: 'HMAC key that signs the query API pagination cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key only signs pagination cursors (tamper-evidence, no access grant); rotating it would invalidate every cursor in flight for no security gain.',
    });

    // --- functions ---------------------------------------------------------------------------------------
    const common: FunctionEnvironment = {
      logLevel: config.logLevel,
      serviceName: 'article-pipeline',
    };
    // Fetch settings stated explicitly, secure defaults included: the SSRF guard stays on in AWS.
    const fetcher: FunctionEnvironment = {
      userAgent: config.userAgent ?? DEFAULT_USER_AGENT,
      allowPrivateNetwork: 'false',
      allowedOrigins: config.fetchAllowedOrigins.join(','),
    };
    const inFlightMarkerSeconds = String(Math.ceil(inFlightMarkerMs() / 1000));
    // Outcome metrics (EMF lines; lib/handlers/metrics.ts): the alarms below read them under this namespace.
    const metrics: FunctionEnvironment = {
      metricsNamespace: METRICS_NAMESPACE,
      siteMetrics: String(config.siteMetrics),
    };
    this.environments = {
      crawl: {
        ...common,
        ...fetcher,
        ...metrics,
        tableName: this.table.tableName,
        // The in-flight marker outlives any message in the queue (its retention, plus one invocation), so a
        // backlog however long is never queued twice; ingest clears it by recording the fetch.
        crawlQueueLeaseSeconds: inFlightMarkerSeconds,
        ingestQueueUrl: this.queue.queueUrl,
        crawlQueueUrl: this.crawlQueue.queueUrl,
        // One host's URLs are queued a batching window apart, so an ingest batch rarely holds two of them.
        ingestBatchWindowSeconds: String(config.ingestBatchWindowSeconds),
        // A claimed source comes back to the due index after its task's whole life in the crawl queue.
        crawlClaimLeaseSeconds: String(
          crawlTimeoutSeconds * VISIBILITY_TIMEOUT_FACTOR * MAX_RECEIVE_COUNT + 600,
        ),
      },
      ingest: {
        ...common,
        ...fetcher,
        ...metrics,
        permanentRetryDays: String(config.permanentFailureRetryDays),
        bucketName: this.bucket.bucketName,
        tableName: this.table.tableName,
        eventBusName: this.eventBus.eventBusName,
        articleEventFormat: config.articleEvents,
        // Busy hosts' messages are put back on the queue with a delay; messages older than the marker dropped.
        ingestQueueUrl: this.queue.queueUrl,
        // Put back spread by the host's queue spacing, which counts this batching window (as the crawl spaces them).
        ingestBatchWindowSeconds: String(config.ingestBatchWindowSeconds),
        crawlQueueLeaseSeconds: inFlightMarkerSeconds,
        ingestPageTypes: config.ingestPageTypes.join(','),
      },
      query: {
        ...common,
        bucketName: this.bucket.bucketName,
        tableName: this.table.tableName,
        // Only the secret's ARN: the function reads the value from Secrets Manager at cold start, so it is in
        // neither the template nor the function's configuration.
        cursorSecretArn: this.cursorSecret.secretArn,
      },
    };
    this.functions = {
      crawl: this.createFunction('crawl', 'Crawl', config, logRetention),
      ingest: this.createFunction('ingest', 'Ingest', config, logRetention),
      query: this.createFunction('query', 'Query', config, logRetention),
    };
    const { crawl, ingest, query } = this.functions;

    this.schedule = new events.Rule(this, 'CrawlSchedule', {
      description: 'Finds the due sources of the registry and sends one crawl task each',
      schedule: events.Schedule.rate(Duration.minutes(config.crawlRateMinutes)),
      enabled: config.crawlEnabled,
      // The next scheduled run is the retry; a retried crawl would only overlap it. A delivery that fails is
      // kept (and alarmed) rather than dropped silently.
      targets: [
        new LambdaFunction(crawl, { retryAttempts: 0, deadLetterQueue: this.crawlScheduleFailureQueue }),
      ],
    });

    crawl.addEventSource(
      new SqsEventSource(this.crawlQueue, {
        // One source per invocation: its crawl time is its own.
        batchSize: 1,
        maxConcurrency: config.crawlMaxConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    ingest.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: config.ingestBatchSize,
        ...(config.ingestBatchWindowSeconds > 0
          ? { maxBatchingWindow: Duration.seconds(config.ingestBatchWindowSeconds) }
          : {}),
        maxConcurrency: config.ingestMaxConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    // --- least privilege: exactly the actions each function's code calls, on exactly its resources ---------
    const tableOnly = [this.table.tableArn];
    // The article listings' indexes (the due-sources index is the schedule's alone).
    const indexes = ARTICLES_TABLE.globalSecondaryIndexes
      .filter((index) => index.indexName !== DUE_SOURCES_INDEX)
      .map((index) => `${this.table.tableArn}/index/${index.indexName}`);
    const rawObjects = this.bucket.arnForObjects(`${BUCKET_PREFIXES.raw}*`);
    const articleObjects = this.bucket.arnForObjects(`${BUCKET_PREFIXES.articles}*`);

    // crawl: reads sources and crawl state (single and batched reads), records health, claims and queue leases
    // (conditional UpdateItem), seeds the registry at deploy (BatchWriteItem), queries the due-sources index,
    // sends crawl tasks and ingest messages. Its feed, sitemap and robots.txt fetches take the per-host token
    // (UpdateItem) and share robots.txt (GetItem/PutItem) like ingest's.
    iam.Grant.addToPrincipal({
      grantee: crawl,
      actions: [
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ],
      resourceArns: tableOnly,
    });
    // The schedule also reads ingest's per-batch article counts (a Query per day) to fold them into the sources.
    iam.Grant.addToPrincipal({
      grantee: crawl,
      actions: ['dynamodb:Query'],
      resourceArns: [...tableOnly, `${this.table.tableArn}/index/${DUE_SOURCES_INDEX}`],
    });
    this.queue.grant(crawl, 'sqs:SendMessage');
    this.crawlQueue.grant(crawl, 'sqs:SendMessage');

    // ingest: crawl state (a batch's states in one BatchGetItem) and article index (conditional writes), raw +
    // article objects, events.
    iam.Grant.addToPrincipal({
      grantee: ingest,
      actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resourceArns: tableOnly,
    });
    // ingest: near-duplicate candidates are a Query per anchor key on the table (lib/store/aws/clusters.ts).
    iam.Grant.addToPrincipal({ grantee: ingest, actions: ['dynamodb:Query'], resourceArns: tableOnly });
    iam.Grant.addToPrincipal({
      grantee: ingest,
      actions: ['s3:PutObject'],
      resourceArns: [rawObjects, articleObjects],
    });
    this.eventBus.grantPutEventsTo(ingest);
    // ingest: puts a busy host's messages back with a delay (SendMessageBatch is authorized as SendMessage). The
    // per-host token (a conditional UpdateItem) and the shared robots.txt (GetItem/PutItem) are table items, so
    // they need no action beyond the three above.
    this.queue.grant(ingest, 'sqs:SendMessage');

    // query: item reads on the table (GetItem cannot address an index; BatchGetItem reads the articles a "since"
    // feed item lists), queries on the table (an article's versions, feed items) and its indexes (site and since
    // listings), and article objects.
    iam.Grant.addToPrincipal({
      grantee: query,
      actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
      resourceArns: tableOnly,
    });
    // query: the /sources routes register (conditional PutItem), pause, resume or change (UpdateItem) and remove
    // (DeleteItem) sources; listing them is a Query on the table.
    iam.Grant.addToPrincipal({
      grantee: query,
      actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resourceArns: tableOnly,
    });
    iam.Grant.addToPrincipal({
      grantee: query,
      actions: ['dynamodb:Query'],
      resourceArns: [...tableOnly, ...indexes],
    });
    iam.Grant.addToPrincipal({ grantee: query, actions: ['s3:GetObject'], resourceArns: [articleObjects] });
    // query: the cursor signing secret, read once per cold start (only GetSecretValue: grantRead would add
    // DescribeSecret, which the code never calls; the secret uses the AWS managed key, so no kms grant).
    iam.Grant.addToPrincipal({
      grantee: query,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.cursorSecret.secretArn],
    });

    if (bucketKey) {
      // An SSE-KMS PutObject needs only a data key (the store makes no multipart uploads, so no Decrypt).
      bucketKey.grant(ingest, 'kms:GenerateDataKey');
      bucketKey.grant(query, 'kms:Decrypt');
    }
    for (const fn of [ingest, query]) {
      Validations.of(fn.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.bucket)}.Arn>/${BUCKET_PREFIXES.articles}*]`,
        reason:
          'Article objects are keyed by article id and version, created at run time; the grant is limited to the articles/ prefix.',
      });
    }
    Validations.of(ingest.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.bucket)}.Arn>/${BUCKET_PREFIXES.raw}*]`,
      reason:
        'Raw pages are keyed by article id and fetch time, created at run time; the grant is limited to the raw/ prefix.',
    });

    this.reextractJob = new ReextractJob(this, 'Reextract', {
      bucket: this.bucket,
      accessLogBucket: this.accessLogBucket,
      table: this.table,
      eventBus: this.eventBus,
      code: lambdaCode(REEXTRACT_ENTRY, config.bundling),
      logRetention,
      removalPolicy,
      environment: { ...common, articleEventFormat: config.articleEvents },
    });

    // --- the sources registry, seeded from the `sources` prop (any number: no environment variable holds them)
    for (let start = 0; start < config.sources.length; start += SOURCES_PER_SEED_RESOURCE) {
      const seed = new CustomResource(this, `SourcesSeed${start / SOURCES_PER_SEED_RESOURCE}`, {
        serviceToken: crawl.functionArn,
        resourceType: SEED_RESOURCE_TYPE,
        properties: {
          Sources: JSON.stringify(config.sources.slice(start, start + SOURCES_PER_SEED_RESOURCE)),
        },
      });
      // The crawl role's grants must exist before the function writes to the table.
      seed.node.addDependency(crawl.role!);
      this.sourceSeeds.push(seed);
    }

    // --- query API -----------------------------------------------------------------------------------------
    const apiLogGroup = new logs.LogGroup(this, 'QueryApiAccessLogs', {
      retention: logRetention,
      removalPolicy,
    });
    this.api = new HttpApi(this, 'QueryApi', {
      description: 'Article query API',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('QueryIntegration', query),
      ...(config.apiAuthorization === 'iam' ? { defaultAuthorizer: new HttpIamAuthorizer() } : {}),
    });
    this.apiStage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: config.apiThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(apiLogGroup),
        format: AccessLogFormat.custom(API_ACCESS_LOG_FORMAT),
      },
    });
    if (config.apiAuthorization === 'none') {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'The operator deployed with apiAuthorization=none: the query API serves public article metadata.',
      });
    }

    // --- alarms --------------------------------------------------------------------------------------------
    this.alarmTopic = this.createAlarmTopic(config);
    const alarm = (id: string, description: string, metric: cloudwatch.IMetric, threshold = 0): void => {
      const created = new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new SnsAction(this.alarmTopic));
      this.alarms.push(created);
    };
    alarm(
      'DeadLetterQueueAlarm',
      'Ingest messages failed three times and wait in the dead-letter queue',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
    );
    alarm(
      'CrawlDeadLetterQueueAlarm',
      'Crawl tasks failed three times (the registry could not be read or written) and wait in the crawl DLQ',
      this.crawlDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
    );
    alarm(
      'IngestErrorsAlarm',
      'The ingest function failed (errors outside per-message handling)',
      ingest.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
    );
    alarm(
      'CrawlErrorsAlarm',
      'A scheduled crawl failed',
      crawl.metricErrors({
        period: Duration.minutes(Math.max(5, config.crawlRateMinutes)),
        statistic: 'Sum',
      }),
    );
    alarm(
      'QueryErrorsAlarm',
      'The query function failed',
      query.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
    );
    alarm(
      'IngestQueueAgeAlarm',
      `The oldest ingest message has waited over ${INGEST_QUEUE_AGE_ALARM_SECONDS / 60} minutes (ingest is stuck or far behind)`,
      this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      INGEST_QUEUE_AGE_ALARM_SECONDS,
    );
    for (const [name, fn] of [
      ['Ingest', ingest],
      ['Crawl', crawl],
      ['Query', query],
    ] as const) {
      alarm(
        `${name}ThrottlesAlarm`,
        `The ${name.toLowerCase()} function was throttled (concurrency limit reached)`,
        fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      );
    }
    alarm(
      'ApiServerErrorsAlarm',
      'The query API answered 5xx',
      this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
    );
    alarm(
      'CrawlScheduleFailuresAlarm',
      'A scheduled crawl did not run (the schedule could not invoke the crawl function, or the invocation failed)',
      this.crawlScheduleFailureQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
    );
    this.addFailureAlarms(alarm);
    this.acknowledgeServerlessFindings();
  }

  /** A metric of the functions' EMF lines (lib/handlers/metrics.ts), by function. */
  outcomeMetric(
    name: (typeof METRICS)[keyof typeof METRICS],
    fn: 'ingest' | 'crawl',
    options: { statistic: string; period: Duration },
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { [DIMENSIONS.function]: fn },
      ...options,
    });
  }

  /** Alarms on what the functions report: the share of ingest attempts that fail, and sources that keep failing. */
  private addFailureAlarms(
    alarm: (id: string, description: string, metric: cloudwatch.IMetric, threshold?: number) => void,
  ): void {
    const window = Duration.minutes(FAILURE_ALARMS.ingestFailureRatioWindowMinutes);
    const { ingestFailureRatioPercent: percent, ingestFailureRatioMinAttempts: minAttempts } = FAILURE_ALARMS;
    alarm(
      'IngestFailureRatioAlarm',
      `Over ${percent}% of ingest attempts failed in ${window.toMinutes()} minutes (at least ${minAttempts} attempts): a site changed, blocks the bot, or the extractor broke`,
      new cloudwatch.MathExpression({
        // No attempts, or too few to judge: 0, so a quiet night does not alarm.
        expression: `IF(attempts >= ${minAttempts}, 100 * failures / attempts, 0)`,
        usingMetrics: {
          attempts: this.outcomeMetric(METRICS.ingestAttempts, 'ingest', {
            statistic: 'Sum',
            period: window,
          }),
          failures: this.outcomeMetric(METRICS.ingestFailures, 'ingest', {
            statistic: 'Sum',
            period: window,
          }),
        },
        label: 'ingest failure ratio (%)',
        period: window,
      }),
      percent,
    );
    const failures = FAILURE_ALARMS.failingSourceConsecutiveFailures;
    alarm(
      'FailingSourcesAlarm',
      `A source failed ${failures} crawls in a row (its health in GET /sources says why)`,
      this.outcomeMetric(METRICS.sourceConsecutiveFailures, 'crawl', {
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      failures - 1,
    );
  }

  /**
   * cdk-nag's ServerlessChecks findings this design answers differently, each with its reason (the pack runs in
   * every synth beside AwsSolutions; lib/cdk/app.ts).
   */
  private acknowledgeServerlessFindings(): void {
    const { crawl, ingest, query } = this.functions;
    Validations.of(crawl).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Its asynchronous invocations (the schedule) have an on-failure destination, the crawl schedule failure queue, which supersedes a function DLQ; crawl tasks come from SQS, whose DLQ holds their failures.',
    });
    Validations.of(ingest).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked only by its SQS event source mapping (synchronously): a function DLQ applies to asynchronous invocations; failed messages go to the ingest queue’s DLQ.',
    });
    Validations.of(query).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked only synchronously by API Gateway: the caller receives the error; a function DLQ applies to asynchronous invocations only.',
    });
    for (const [fn, queue] of [
      [crawl, 'crawl'],
      [ingest, 'ingest'],
    ] as const) {
      for (const child of fn.node.findAll()) {
        if (!child.node.path.includes('SqsEventSource')) continue;
        Validations.of(child).acknowledge({
          id: 'Serverless-LambdaEventSourceMappingDestination',
          reason: `An SQS event source mapping takes no on-failure destination (that is for streams and Kafka): the ${queue} queue's redrive policy sends a message that failed three times to its dead-letter queue, which is alarmed.`,
        });
      }
    }
    for (const fn of [crawl, ingest, query]) {
      Validations.of(fn.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing (Tracing.ACTIVE): xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so they take Resource *.',
      });
    }
  }

  /** The HTTPS endpoint of the query API. */
  get apiUrl(): string {
    return this.apiStage.url;
  }

  /** Adds CloudFormation outputs for what other services need: API URL, bucket, table, bus, queues. */
  addOutputs(scope: Construct = this): void {
    new CfnOutput(scope, 'ApiUrl', { value: this.apiUrl, description: 'Query API base URL' });
    new CfnOutput(scope, 'BucketName', {
      value: this.bucket.bucketName,
      description: 'Raw and normalized articles',
    });
    new CfnOutput(scope, 'TableName', {
      value: this.table.tableName,
      description: 'Article index and crawl state',
    });
    new CfnOutput(scope, 'EventBusName', {
      value: this.eventBus.eventBusName,
      description: 'Bus that receives ArticleIngested events',
    });
    new CfnOutput(scope, 'IngestQueueUrl', { value: this.queue.queueUrl });
    new CfnOutput(scope, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(scope, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Every alarm notifies this SNS topic; subscribe to it (or deploy with -c alarmEmail=...)',
    });
    new CfnOutput(scope, 'CrawlQueueUrl', { value: this.crawlQueue.queueUrl });
    new CfnOutput(scope, 'CrawlDeadLetterQueueUrl', { value: this.crawlDeadLetterQueue.queueUrl });
    new CfnOutput(scope, 'ReextractStateMachineArn', {
      value: this.reextractJob.stateMachine.stateMachineArn,
      description: 'Re-extraction job: articles reextract --stack NAME starts it',
    });
  }

  private lifecycleRules(config: ResolvedArticlePipelineProps): s3.LifecycleRule[] {
    const { transitionAfterDays, storageClass, expireAfterDays } = config.rawHtml;
    const classes: Record<typeof storageClass, s3.StorageClass> = {
      STANDARD_IA: s3.StorageClass.INFREQUENT_ACCESS,
      GLACIER_IR: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
      INTELLIGENT_TIERING: s3.StorageClass.INTELLIGENT_TIERING,
    };
    return [
      {
        id: 'raw-html-ageing',
        prefix: BUCKET_PREFIXES.raw,
        transitions: [
          { storageClass: classes[storageClass], transitionAfter: Duration.days(transitionAfterDays) },
        ],
        ...(expireAfterDays > 0 ? { expiration: Duration.days(expireAfterDays) } : {}),
        ...(config.bucketVersioning ? { noncurrentVersionExpiration: Duration.days(30) } : {}),
      },
      { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ];
  }

  private createFunction(
    name: FunctionName,
    id: string,
    config: ResolvedArticlePipelineProps,
    retention: logs.RetentionDays,
  ): LambdaFunctionResource {
    const sizing = FUNCTION_SIZING[name];
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention,
      removalPolicy: config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    // An own role instead of AWSLambdaBasicExecutionRole: logs only to its own group, nothing account-wide.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${name} function`,
    });
    logGroup.grantWrite(role);
    const environment: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.environments[name]) as Array<[EnvKey, string]>) {
      environment[ENV[key]] = value;
    }
    if (config.bundling.sourceMap) environment.NODE_OPTIONS = '--enable-source-maps';
    const timeoutSeconds = name === 'ingest' ? config.ingestTimeoutSeconds : (sizing.timeoutSeconds ?? 30);
    return new LambdaFunctionResource(this, `${id}Function`, {
      code: lambdaCode(config.entries[name] ?? lambdaEntry(name), config.bundling),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: sizing.memorySize,
      timeout: Duration.seconds(timeoutSeconds),
      description: sizing.description,
      role,
      logGroup,
      environment,
      // X-Ray: each invocation traced, with its SDK calls as subsegments when the runtime instruments them.
      tracing: Tracing.ACTIVE,
      ...(name === 'crawl'
        ? { retryAttempts: 0, onFailure: this.sendOnlyDestination(this.crawlScheduleFailureQueue) }
        : {}),
    });
  }

  /**
   * An on-failure destination granted sqs:SendMessage only (aws-lambda-destinations' SqsDestination also grants
   * GetQueueAttributes and GetQueueUrl, which the Lambda service does not need to deliver a record).
   */
  private sendOnlyDestination(queue: sqs.IQueue): lambda.IDestination {
    return {
      bind: (_scope, fn) => {
        queue.grant(fn, 'sqs:SendMessage');
        return { destination: queue.queueArn };
      },
    };
  }

  private createAlarmTopic(config: ResolvedArticlePipelineProps): sns.ITopic {
    if (config.alarmTopicArn) return sns.Topic.fromTopicArn(this, 'AlarmTopic', config.alarmTopicArn);
    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, so the topic gets its own.
    const key = new kms.Key(this, 'AlarmTopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts alarm notifications',
    });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new sns.Topic(this, 'AlarmTopic', {
      masterKey: key,
      enforceSSL: true,
      displayName: 'Article pipeline alarms',
    });
    // Without an address the topic still exists: its ARN is an output to subscribe to, so no alarm is silent.
    if (config.alarmEmail) {
      topic.addSubscription(new EmailSubscription(config.alarmEmail));
      Validations.of(topic).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'The only subscription is an e-mail address: an undeliverable notification leaves the alarm in ALARM state in CloudWatch, and a subscription DLQ could only alarm through this same topic.',
      });
    }
    return topic;
  }

  private logicalIdOf(construct: Construct): string {
    const child = construct.node.defaultChild;
    if (!child) throw new Error(`no CloudFormation resource under ${construct.node.path}`);
    return Stack.of(this).getLogicalId(child as CfnElement);
  }
}
