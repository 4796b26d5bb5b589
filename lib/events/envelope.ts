import { ARTICLE_EVENT_SOURCE, ARTICLE_INGESTED_DETAIL_TYPE, ArticleIngestedDetail } from '../core/events.ts';
import * as z from '../core/zod.ts';

// The webhook's wire format, apart from the sender (webhook.ts), so the OpenAPI document can describe it
// without pulling the HTTP client into the query function's bundle.

export const WEBHOOK_HEADERS = {
  signature: 'x-article-pipeline-signature',
  timestamp: 'x-article-pipeline-timestamp',
  event: 'x-article-pipeline-event',
  delivery: 'x-article-pipeline-delivery',
} as const;

/** The body of every delivery; the OpenAPI document's `webhooks.ArticleIngested` is generated from it. */
export const WebhookEnvelope = z.object({
  version: z.literal('0'),
  id: z.uuid(),
  'detail-type': z.literal(ARTICLE_INGESTED_DETAIL_TYPE),
  source: z.literal(ARTICLE_EVENT_SOURCE),
  time: z.iso.datetime({ offset: false }),
  detail: ArticleIngestedDetail,
});
export type WebhookEnvelope = z.infer<typeof WebhookEnvelope>;
