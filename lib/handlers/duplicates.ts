import type { DuplicateList } from '../api/schemas.ts';
import type { ArticleReader, ClusterIndex } from '../store/types.ts';

/**
 * An article's near-duplicate cluster and its other members, first seen first (the representative, then
 * duplicates and related copies): what `GET /articles/{id}/duplicates` and `articles duplicates` answer.
 * Undefined when there is no such article; no cluster (and no items) when it is not clustered or no cluster
 * index is given.
 */
export async function listDuplicates(
  reader: Pick<ArticleReader, 'getRecord'>,
  clusters: Pick<ClusterIndex, 'members'> | undefined,
  id: string,
): Promise<DuplicateList | undefined> {
  const record = await reader.getRecord(id);
  if (!record) return undefined;
  const { cluster } = record;
  if (cluster === undefined || clusters === undefined) return { id, items: [] };
  const list: DuplicateList = { id, cluster, items: [] };
  const [representative, members] = await Promise.all([
    cluster.id === id ? record : reader.getRecord(cluster.id),
    clusters.members(cluster.id),
  ]);
  if (representative !== undefined && representative.id !== id) {
    list.items.push({
      id: representative.id,
      site: representative.site,
      url: representative.url,
      role: 'representative',
      similarity: 1,
      firstSeenAt: representative.firstIngestedAt,
    });
  }
  for (const member of members) {
    if (member.articleId === id) continue;
    list.items.push({
      id: member.articleId,
      site: member.site,
      url: member.url,
      role: member.role,
      similarity: member.similarity,
      firstSeenAt: member.firstSeenAt,
    });
  }
  return list;
}
