// The AWS event shapes the handlers accept, validated with zod. The same shapes as Powertools' parser schemas
// (EventBridgeSchema, SqsSchema, JSONStringified), written here with zod as a namespace import: Powertools'
// `import { z }` makes esbuild keep all of zod (~280 KB more in every Lambda bundle).
import * as z from 'zod';

export const EventBridgeEvent = z.object({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.string().optional(),
});

const SqsMessageAttribute = z.object({
  stringValue: z.string().optional().nullable(),
  binaryValue: z.string().optional().nullable(),
  stringListValues: z.array(z.string()).optional(),
  binaryListValues: z.array(z.string()).optional(),
  dataType: z.string(),
});

export const SqsRecord = z.object({
  messageId: z.string(),
  receiptHandle: z.string(),
  body: z.string(),
  attributes: z.object({
    ApproximateReceiveCount: z.string(),
    ApproximateFirstReceiveTimestamp: z.string(),
    MessageDeduplicationId: z.string().optional(),
    MessageGroupId: z.string().optional(),
    SenderId: z.string(),
    SentTimestamp: z.string(),
    SequenceNumber: z.string().optional(),
    AWSTraceHeader: z.string().optional(),
    DeadLetterQueueSourceArn: z.string().optional(),
  }),
  messageAttributes: z.record(z.string(), SqsMessageAttribute),
  md5OfBody: z.string(),
  md5OfMessageAttributes: z.string().optional().nullable(),
  eventSource: z.literal('aws:sqs'),
  eventSourceARN: z.string(),
  awsRegion: z.string(),
});

export const SqsEvent = z.object({ Records: z.array(SqsRecord).nonempty() });

/** A string holding JSON, parsed and then validated with `schema` (an SQS message body, say). */
export function jsonStringified<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `invalid JSON: ${(error as Error).message}`, fatal: true });
        return z.NEVER;
      }
    })
    .pipe(schema);
}
