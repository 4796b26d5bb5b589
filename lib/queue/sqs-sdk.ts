// What ingest loads on its first put-back (`await import()` of this module, not of the package: esbuild keeps every
// export of a dynamically imported module, so the package itself would bring every SQS command).
export { SQSClient } from '@aws-sdk/client-sqs';
export { SqsIngestQueue } from './sqs.ts';
