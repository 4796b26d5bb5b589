import { PipelineError } from '../core/errors.ts';
import type {
  ArticleEventGroup,
  ArticleEventGroupMember,
  ArticleIngestedDetail,
  ArticlesIngestedDetail,
} from '../core/events.ts';
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

interface Waiting {
  detail: ArticleIngestedDetail;
  resolve: () => void;
  reject: (error: unknown) => void;
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
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new PipelineError('INTERNAL', `an event group needs at least one member, got ${size}`);
  }
  let created = 0;
  let active = 0;
  let waiting: Waiting[] = [];
  const flushIfReady = () => {
    if (active > 0 || created < size || waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    publish(batch.map((entry) => entry.detail)).then(
      () => {
        for (const entry of batch) entry.resolve();
      },
      (error: unknown) => {
        for (const entry of batch) entry.reject(error);
      },
    );
  };
  return {
    member(): ArticleEventGroupMember {
      if (created >= size) {
        throw new PipelineError('INTERNAL', `an event group of ${size} has no more members`);
      }
      created++;
      active++;
      let state: 'active' | 'waiting' | 'done' = 'active';
      const leave = () => {
        if (state !== 'active') return;
        state = 'done';
        active--;
        flushIfReady();
      };
      return {
        publishArticleIngested(detail) {
          if (state !== 'active') {
            return Promise.reject(new PipelineError('INTERNAL', 'an event group member publishes once'));
          }
          let checked: ArticleIngestedDetail;
          try {
            checked = checkedDetail(detail);
          } catch (error) {
            leave();
            return Promise.reject(error);
          }
          state = 'waiting';
          active--;
          return new Promise<void>((resolve, reject) => {
            waiting.push({ detail: checked, resolve, reject });
            flushIfReady();
          });
        },
        leave,
      };
    },
  };
}
