import { PipelineError } from '../core/errors.ts';
import type {
  ArticleEventGroup,
  ArticleEventGroupMember,
  ArticleIngestedDetail,
  ArticlesIngestedDetail,
} from '../core/events.ts';
import { createGathering } from '../core/gather.ts';
import { checkedDetail } from './detail.ts';

/** EventBridge bills a published event per started 64 KB of its entry. */
export const EVENT_CHUNK_BYTES = 64 * 1024;

/** The ArticlesIngested detail (schemaVersion 2) of some ArticleIngested details. */
function articlesIngestedDetail(details: readonly ArticleIngestedDetail[]): ArticlesIngestedDetail {
  return { schemaVersion: 2, articles: [...details] };
}

/**
 * The details split into ArticlesIngested details of at most `maxBytes` serialized each (one 64 KB billing chunk by
 * default), in order; a detail too large on its own travels alone.
 */
export function packDetails(
  details: readonly ArticleIngestedDetail[],
  maxBytes: number = EVENT_CHUNK_BYTES,
): ArticlesIngestedDetail[] {
  const envelopeBytes = Buffer.byteLength(JSON.stringify(articlesIngestedDetail([])));
  const packs: ArticleIngestedDetail[][] = [];
  let current: ArticleIngestedDetail[] = [];
  let bytes = envelopeBytes;
  for (const detail of details) {
    // Each element adds its JSON and a comma.
    const size = Buffer.byteLength(JSON.stringify(detail)) + 1;
    if (current.length > 0 && bytes + size > maxBytes) {
      packs.push(current);
      current = [];
      bytes = envelopeBytes;
    }
    current.push(detail);
    bytes += size;
  }
  if (current.length > 0) packs.push(current);
  return packs.map(articlesIngestedDetail);
}

/** Events EventBridge bills for publishing these details as ArticlesIngested (each pack per started 64 KB). */
export function billedBatchEvents(details: readonly ArticleIngestedDetail[]): number {
  return packDetails(details).reduce(
    (sum, pack) => sum + Math.ceil(Buffer.byteLength(JSON.stringify(pack)) / EVENT_CHUNK_BYTES),
    0,
  );
}

/**
 * An event group of `size` members (the records of one ingest batch): each publishes at most once or leaves, and
 * once every member has, `publish` sends the gathered details together. Every publisher's promise settles with
 * that one publish, so a failed publish fails each record whose article it carried (the queue delivers them again
 * and they announce again: at least once). An invalid detail is refused at once, for its member only.
 */
export function gatherEvents(
  size: number,
  publish: (details: ArticleIngestedDetail[]) => Promise<void>,
): ArticleEventGroup {
  const gathering = createGathering<ArticleIngestedDetail, void>(size, 'an event group', async (details) => {
    await publish(details);
    return details.map(() => undefined);
  });
  return {
    member(): ArticleEventGroupMember {
      const member = gathering.member();
      return {
        publishArticleIngested(detail) {
          if (!member.active) {
            return Promise.reject(new PipelineError('INTERNAL', 'an event group member publishes once'));
          }
          let checked: ArticleIngestedDetail;
          try {
            checked = checkedDetail(detail);
          } catch (error) {
            member.leave();
            return Promise.reject(error);
          }
          return member.submit(checked);
        },
        leave: () => member.leave(),
      };
    },
  };
}
