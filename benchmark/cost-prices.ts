// The prices bench:cost applies: AWS list prices, US East (N. Virginia), on demand, no free tier, no taxes or data
// transfer. One table, so a price change is one edit here and a re-run.

export const PRICES_AS_OF = '2025 list prices (DynamoDB on-demand after the November 2024 reduction)';

export interface Price {
  usd: number;
  per: string;
  source: string;
}

export const PRICES = {
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 'GB-second, arm64 (first 7.5 billion GB-s a month)',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  lambdaRequest: { usd: 0.2 / 1e6, per: 'request', source: 'https://aws.amazon.com/lambda/pricing/' },
  dynamoWriteUnit: {
    usd: 0.625 / 1e6,
    per: 'write request unit, on-demand, Standard table class',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  dynamoReadUnit: {
    usd: 0.125 / 1e6,
    per: 'read request unit, on-demand, Standard table class',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  s3PutClass: {
    usd: 0.005 / 1000,
    per: 'PUT, COPY, POST or LIST request, S3 Standard',
    source: 'https://aws.amazon.com/s3/pricing/',
  },
  s3GetClass: {
    usd: 0.0004 / 1000,
    per: 'GET, HEAD and other request, S3 Standard',
    source: 'https://aws.amazon.com/s3/pricing/',
  },
  s3StorageGbMonth: {
    usd: 0.023,
    per: 'GB-month, S3 Standard (first 50 TB)',
    source: 'https://aws.amazon.com/s3/pricing/',
  },
  sqsRequest: {
    usd: 0.4 / 1e6,
    per: 'request (each 64 KB chunk), standard queue',
    source: 'https://aws.amazon.com/sqs/pricing/',
  },
  eventBridgeEvent: {
    usd: 1.0 / 1e6,
    per: 'custom event published (each 64 KB chunk)',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
  },
  logsIngestedGb: {
    usd: 0.5,
    per: 'GB of CloudWatch Logs ingested (Standard class)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
} as const satisfies Record<string, Price>;

/** S3 operations billed at the PUT/COPY/POST/LIST rate; everything else at the GET rate. */
export const S3_PUT_CLASS = new Set([
  'PutObject',
  'CopyObject',
  'PostObject',
  'ListObjects',
  'ListObjectsV2',
  'ListObjectVersions',
  'CreateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'CompleteMultipartUpload',
]);

/** SQS ReceiveMessage returns at most 10 messages, and DeleteMessageBatch deletes at most 10. */
export const SQS_MESSAGES_PER_REQUEST = 10;

/**
 * SQS requests behind one Lambda invocation of `records` records: the event source mapping gathers a batch larger
 * than 10 (ingestBatchSize 50) with one ReceiveMessage per 10 and deletes it with one DeleteMessageBatch per 10.
 */
export function eventSourceSqsRequests(records: number): number {
  return 2 * Math.max(1, Math.ceil(records / SQS_MESSAGES_PER_REQUEST));
}
