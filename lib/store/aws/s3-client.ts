// Everything of S3 the store uses: the client factory and the two commands it sends. The Lambda functions import
// this module with `await import()` on the first object read or write (s3ClientOnFirstUse in common.ts), so the S3
// client, its XML protocol, checksums and endpoint rules stay out of what a cold start compiles; an ingest batch
// that writes nothing (put-backs, dropped messages, re-checks answered 304) or a query answered from DynamoDB
// never loads them. Nothing the functions import statically may import this module.
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ENDPOINT_ENV, instrumented, REQUEST_TIMEOUTS } from './clients.ts';

export { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';

export function createS3Client(
  overrides: S3ClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): S3Client {
  const endpoint = env[ENDPOINT_ENV.s3];
  const local: S3ClientConfig = endpoint
    ? {
        endpoint,
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }
    : {};
  return instrumented(new S3Client({ requestHandler: REQUEST_TIMEOUTS, ...local, ...overrides }));
}
