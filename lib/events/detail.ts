import { PipelineError } from '../core/errors.ts';
import { type ArticleIngestedDetail, ArticleIngestedDetail as DetailSchema } from '../core/events.ts';
import * as z from '../core/zod.ts';

/** Every publisher sends only details that pass the versioned schema; anything else is a SCHEMA_VIOLATION. */
export function checkedDetail(detail: ArticleIngestedDetail): ArticleIngestedDetail {
  const parsed = DetailSchema.safeParse(detail);
  if (!parsed.success) {
    throw new PipelineError(
      'SCHEMA_VIOLATION',
      `invalid ArticleIngested detail: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
