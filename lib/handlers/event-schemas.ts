// The AWS event shapes the handlers accept, validated with zod. The same shapes as Powertools' parser schemas
// (EventBridgeSchema, SqsSchema, JSONStringified), written here with zod as a namespace import: Powertools'
// `import { z }` makes esbuild keep all of zod (~280 KB more in every Lambda bundle).
import * as z from '../core/zod.ts';

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
  'replay-name': z.optional(z.string()),
});

const SqsMessageAttribute = z.object({
  stringValue: z.nullable(z.optional(z.string())),
  binaryValue: z.nullable(z.optional(z.string())),
  stringListValues: z.optional(z.array(z.string())),
  binaryListValues: z.optional(z.array(z.string())),
  dataType: z.string(),
});

export const SqsRecord = z.object({
  messageId: z.string(),
  receiptHandle: z.string(),
  body: z.string(),
  attributes: z.object({
    ApproximateReceiveCount: z.string(),
    ApproximateFirstReceiveTimestamp: z.string(),
    MessageDeduplicationId: z.optional(z.string()),
    MessageGroupId: z.optional(z.string()),
    SenderId: z.string(),
    SentTimestamp: z.string(),
    SequenceNumber: z.optional(z.string()),
    AWSTraceHeader: z.optional(z.string()),
    DeadLetterQueueSourceArn: z.optional(z.string()),
  }),
  messageAttributes: z.record(z.string(), SqsMessageAttribute),
  md5OfBody: z.string(),
  md5OfMessageAttributes: z.nullable(z.optional(z.string())),
  eventSource: z.literal('aws:sqs'),
  eventSourceARN: z.string(),
  awsRegion: z.string(),
});

export const SqsEvent = z.object({ Records: z.array(SqsRecord).check(z.minLength(1)) });

/** A string holding JSON, parsed and then validated with `schema` (an SQS message body, say). */
export function jsonStringified<T extends z.ZodMiniType>(schema: T) {
  return z.pipe(
    z.pipe(
      z.string(),
      z.transform((text, ctx): unknown => {
        try {
          return JSON.parse(text);
        } catch (error) {
          ctx.issues.push({
            code: 'custom',
            message: `invalid JSON: ${(error as Error).message}`,
            input: text,
            continue: false,
          });
          return z.NEVER;
        }
      }),
    ),
    schema,
  );
}
