import { fileURLToPath } from 'node:url';
import { type CfnElement, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  type Code,
  Function as LambdaFunctionResource,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ENV, type EnvKey } from '../config.ts';
import { JOB_PREFIX } from '../handlers/reextract-job.ts';
import { BUCKET_PREFIXES } from '../store/layout.ts';
import { BY_INGESTED_INDEX } from '../store/table.ts';

/** The re-extraction Lambda's entry point. */
export const REEXTRACT_ENTRY = fileURLToPath(new URL('../../lambdas/reextract.ts', import.meta.url));

/** Parts (of 250 articles) re-extracted at once: bounds the load on the table, the bucket and the bus. */
export const REEXTRACT_MAX_CONCURRENCY = 10;
/** A full vCPU: extraction is CPU-bound, so more memory is shorter runs at about the same cost. */
const REEXTRACT_MEMORY_MB = 1769;
const REEXTRACT_TIMEOUT_SECONDS = 900;
/** Part lists, Map Run results and summaries are kept this long. */
const JOB_FILES_EXPIRE_DAYS = 30;

export interface ReextractJobProps {
  bucket: s3.Bucket;
  /** Where the job bucket's access logs go (the article bucket's access-log bucket). */
  accessLogBucket: s3.IBucket;
  table: dynamodb.Table;
  eventBus: events.IEventBus;
  code: Code;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  /** Variables every function gets (log level, service name). */
  environment: Partial<Record<EnvKey, string>>;
  maxConcurrency?: number;
}

/**
 * The AWS re-extraction job: a Step Functions state machine, started by `articles reextract --stack NAME` (or
 * StartExecution with {"selection": {...}}). A Lambda lists the selected articles from the "ingested since" index
 * into part objects (looping while the index lasts), a Distributed Map re-extracts the parts with bounded
 * concurrency (a part that fails after retries goes to the dead-letter queue), and a last step adds up the Map
 * Run's results into a summary (the execution's output, and reextract/<run>/summary.json). A stopped or failed
 * execution is resumed with a Step Functions redrive: parts already done are not run again.
 */
export class ReextractJob extends Construct {
  readonly function: LambdaFunctionResource;
  readonly deadLetterQueue: sqs.Queue;
  readonly stateMachine: sfn.StateMachine;
  /**
   * The job's own files (part lists, Map Run results, summaries), apart from the articles: Step Functions writes
   * the Map Run results with a grant on the whole bucket, which the article bucket never gives.
   */
  readonly jobBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ReextractJobProps) {
    super(scope, id);
    // ResultWriterV2 is rendered only under this flag (the V1 writer is deprecated), also in apps that predate it.
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    const { bucket, table } = props;
    this.jobBucket = new s3.Bucket(this, 'JobBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'reextract-job-bucket/',
      lifecycleRules: [
        { id: 'expire-job-files', expiration: Duration.days(JOB_FILES_EXPIRE_DAYS) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: props.removalPolicy,
    });
    const jobBucket = this.jobBucket;

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Execution role of the reextract function',
    });
    logGroup.grantWrite(role);
    const variables: Partial<Record<EnvKey, string>> = {
      ...props.environment,
      bucketName: bucket.bucketName,
      tableName: table.tableName,
      eventBusName: props.eventBus.eventBusName,
      reextractJobBucket: jobBucket.bucketName,
    };
    const environment: Record<string, string> = {};
    for (const [key, value] of Object.entries(variables) as Array<[EnvKey, string]>) {
      environment[ENV[key]] = value;
    }
    this.function = new LambdaFunctionResource(this, 'Function', {
      code: props.code,
      handler: 'index.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: REEXTRACT_MEMORY_MB,
      timeout: Duration.seconds(REEXTRACT_TIMEOUT_SECONDS),
      description: 'Re-extracts stored raw pages: lists the selection, runs one part, sums the results',
      role,
      logGroup,
      environment,
      // Traced like the pipeline's other functions.
      tracing: Tracing.ACTIVE,
    });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked only synchronously by the state machine, which retries a failed part and then sends it to the job dead-letter queue; a function DLQ applies to asynchronous invocations only.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (Tracing.ACTIVE): xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so they take Resource *.',
    });

    // --- least privilege: the actions the job's code calls ---------------------------------------------------
    // Reads the article's version items and CURRENT (GetItem), commits new versions as ingest does (PutItem,
    // UpdateItem for the late restamp), walks the "since" feed (Query on the days and feed partitions and
    // byIngested, BatchGetItem of the articles a feed item lists).
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resourceArns: [table.tableArn],
    });
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['dynamodb:Query'],
      resourceArns: [table.tableArn, `${table.tableArn}/index/${BY_INGESTED_INDEX}`],
    });
    const objects = [BUCKET_PREFIXES.raw, BUCKET_PREFIXES.articles]
      .map((prefix) => bucket.arnForObjects(`${prefix}*`))
      .concat(jobBucket.arnForObjects(`${JOB_PREFIX}*`));
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['s3:GetObject', 's3:PutObject'],
      resourceArns: objects,
    });
    props.eventBus.grantPutEventsTo(role);
    if (bucket.encryptionKey) bucket.encryptionKey.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
    const bucketId = Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnElement);
    const jobBucketId = Stack.of(this).getLogicalId(jobBucket.node.defaultChild as CfnElement);
    for (const [owner, prefix] of [
      [bucketId, BUCKET_PREFIXES.raw],
      [bucketId, BUCKET_PREFIXES.articles],
      [jobBucketId, JOB_PREFIX],
    ]) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${owner}.Arn>/${prefix}*]`,
        reason: `Objects under ${prefix} are keyed at run time (batches, runs); the grant is limited to that prefix.`,
      });
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the reextract job (failed parts); nothing consumes it.',
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself the dead-letter queue of the reextract job; a DLQ of a DLQ would only move the parts again.',
    });

    // --- the state machine ------------------------------------------------------------------------------------
    const invoke = (stateId: string, payload: sfn.TaskInput, resultPath?: string) =>
      new tasks.LambdaInvoke(this, stateId, {
        lambdaFunction: this.function,
        payload,
        payloadResponseOnly: true,
        ...(resultPath ? { resultPath } : {}),
        retryOnServiceExceptions: true,
      });
    const start = new sfn.Pass(this, 'Start', {
      parameters: {
        action: 'list',
        runId: sfn.JsonPath.executionName,
        selection: sfn.JsonPath.objectAt('$.selection'),
      },
    });
    const list = invoke('ListArticles', sfn.TaskInput.fromJsonPathAt('$'));
    const listMore = new sfn.Pass(this, 'ListMore', {
      parameters: {
        action: 'list',
        runId: sfn.JsonPath.stringAt('$.runId'),
        selection: sfn.JsonPath.objectAt('$.selection'),
        until: sfn.JsonPath.stringAt('$.until'),
        cursor: sfn.JsonPath.objectAt('$.cursor'),
        parts: sfn.JsonPath.numberAt('$.parts'),
        listed: sfn.JsonPath.numberAt('$.listed'),
      },
    });

    const part = invoke(
      'ReextractPart',
      sfn.TaskInput.fromObject({
        action: 'part',
        key: sfn.JsonPath.stringAt('$.key'),
        selection: sfn.JsonPath.objectAt('$.selection'),
      }),
    );
    part.addRetry({
      errors: [sfn.Errors.ALL],
      interval: Duration.seconds(10),
      maxAttempts: 2,
      backoffRate: 3,
    });
    const toDeadLetters = new tasks.SqsSendMessage(this, 'PartToDeadLetterQueue', {
      queue: this.deadLetterQueue,
      messageBody: sfn.TaskInput.fromObject({
        runId: sfn.JsonPath.stringAt('$$.Execution.Name'),
        key: sfn.JsonPath.stringAt('$.key'),
        error: sfn.JsonPath.objectAt('$.error'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const partFailed = new sfn.Pass(this, 'PartFailed', {
      parameters: { failedPart: sfn.JsonPath.stringAt('$.key') },
    });
    part.addCatch(toDeadLetters.next(partFailed), { resultPath: '$.error' });

    const map = new sfn.DistributedMap(this, 'ReextractParts', {
      itemReader: new sfn.S3ObjectsItemReader({
        bucket: jobBucket,
        prefix: sfn.JsonPath.stringAt('$.partsPrefix'),
      }),
      itemSelector: {
        key: sfn.JsonPath.stringAt('$$.Map.Item.Value.Key'),
        selection: sfn.JsonPath.objectAt('$.selection'),
      },
      maxConcurrency: props.maxConcurrency ?? REEXTRACT_MAX_CONCURRENCY,
      resultWriterV2: new sfn.ResultWriterV2({ bucket: jobBucket, prefix: `${JOB_PREFIX}results` }),
      resultPath: '$.map',
      mapExecutionType: sfn.StateMachineType.STANDARD,
    });
    map.itemProcessor(part);

    const summarize = invoke(
      'Summarize',
      sfn.TaskInput.fromObject({
        action: 'summarize',
        runId: sfn.JsonPath.stringAt('$.runId'),
        selection: sfn.JsonPath.objectAt('$.selection'),
        until: sfn.JsonPath.stringAt('$.until'),
        listed: sfn.JsonPath.numberAt('$.listed'),
        results: sfn.JsonPath.objectAt('$.map.ResultWriterDetails'),
      }),
    );
    const definition = start
      .next(list)
      .next(
        new sfn.Choice(this, 'ListedAll')
          .when(sfn.Condition.booleanEquals('$.done', true), map.next(summarize))
          .otherwise(listMore.next(list)),
      );
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.hours(24),
      comment: 'Re-extracts stored raw pages with the current extractor (articles reextract --stack NAME)',
    });
    const functionId = Stack.of(this).getLogicalId(this.function.node.defaultChild as CfnElement);
    const machineId = Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as CfnElement);
    const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machineId}"}]}]}`;
    Validations.of(this.stateMachine).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
        reason: 'LambdaInvoke grants the function and its versions (ARN:*); it is this one function only.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<${jobBucketId}>/*]`,
        reason: 'The Map Run writes its results into the job bucket, which holds job files only.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${executions}:*]`,
        reason: 'The Distributed Map starts, describes and stops its own child executions only.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${executions}/*:*]`,
        reason: "The Distributed Map's Map Run executions of this state machine only.",
      },
      {
        id: 'AwsSolutions-SF1',
        reason:
          'Execution history, the Map Run and the function logs record every step; CloudWatch log delivery for a state machine needs logs:* actions on "*", which this stack grants nowhere.',
      },
      {
        id: 'Serverless-StepFunctionStateMachineXray',
        reason:
          'X-Ray tracing of the state machine needs xray:Put* on "*" for its role; the function it invokes is traced, and runs are batch jobs with a full execution history.',
      },
      {
        id: 'AwsSolutions-SF2',
        reason: 'X-Ray tracing needs xray:Put* on "*", which this stack grants nowhere; runs are batch jobs.',
      },
    );
  }
}
