import type { Fingerprint } from './fingerprint.ts';
import { DEDUP_SETTINGS, type DedupSettings } from './settings.ts';

export type ClusterRole = 'representative' | 'duplicate' | 'related';

/** Where an article stands among the copies of its story. */
export interface ClusterAssignment {
  /** The cluster's id: the id of its representative (its first-seen member). */
  id: string;
  role: ClusterRole;
  /** Estimated resemblance to the closest earlier member (1 for a representative). */
  similarity: number;
}

/** An article as the anchor index stores it: enough to compare a newcomer with it without another read. */
export interface AnchorEntry {
  key: string;
  articleId: string;
  clusterId: string;
  role: ClusterRole;
  similarity: number;
  site: string;
  url: string;
  firstSeenAt: string;
  signature: Uint32Array;
  shingleCount: number;
  /**
   * Its place among its key's entries, in the order they were written (1, 2, ...; 0 for entries written before
   * places existed): read newest first. A new representative's place is its claim of the key (see AnchorClaim).
   */
  slot: number;
}

/**
 * A new representative's claim of the next place under its key: one conditional write of its entry, refused when
 * another article took that place first. `holder`: that article's entry, to decide again with (two copies of
 * one story ingested at the same moment, neither seeing the other, so found one cluster, not two).
 */
export type AnchorClaim = { claimed: true } | { claimed: false; holder?: AnchorEntry };

/** A non-representative member of a cluster, listed under the cluster (GET /articles/{id}/duplicates). */
export interface MemberEntry {
  clusterId: string;
  articleId: string;
  role: Exclude<ClusterRole, 'representative'>;
  similarity: number;
  site: string;
  url: string;
  firstSeenAt: string;
}

export interface Similarity {
  /** Estimated Jaccard similarity of the two shingle sets. */
  resemblance: number;
  /** Estimated shared shingles over the shorter text's shingles. */
  containment: number;
}

export function estimateSimilarity(
  a: Pick<Fingerprint, 'signature' | 'shingleCount'>,
  b: Pick<Fingerprint, 'signature' | 'shingleCount'>,
): Similarity {
  const size = Math.min(a.signature.length, b.signature.length);
  let equal = 0;
  for (let index = 0; index < size; index++) if (a.signature[index] === b.signature[index]) equal++;
  const resemblance = size === 0 ? 0 : equal / size;
  // |A∩B| = J(|A|+|B|)/(1+J)
  const shared = (resemblance * (a.shingleCount + b.shingleCount)) / (1 + resemblance);
  const shorter = Math.max(1, Math.min(a.shingleCount, b.shingleCount));
  return { resemblance, containment: Math.min(1, shared / shorter) };
}

/** duplicate: the same text with small edits; related: the same story substantially cut or rewritten. */
export function similarityLevel(
  similarity: Similarity,
  settings: DedupSettings = DEDUP_SETTINGS,
): 'duplicate' | 'related' | undefined {
  const { thresholds } = settings;
  if (similarity.resemblance >= thresholds.duplicate) return 'duplicate';
  if (
    similarity.containment >= thresholds.relatedContainment &&
    similarity.resemblance >= thresholds.relatedResemblance
  ) {
    return 'related';
  }
  return undefined;
}

/** What the ingest of one article decided, and which index entries it must write (at most two). */
export interface ClusterDecision {
  assignment: ClusterAssignment;
  /** The entry this article stores under its own anchor; absent when one is stored there already. */
  anchor?: AnchorEntry;
  /** Its entry under the cluster, for members; absent for representatives and articles listed already. */
  member?: MemberEntry;
}

export interface NewArticle {
  id: string;
  site: string;
  url: string;
  firstSeenAt: string;
}

/**
 * Places an article among the candidates its anchors found: the closest candidate at the best level wins;
 * none close enough makes it the representative of a new cluster. An article found among the candidates (a new
 * version of itself) keeps the place it had.
 */
export function decideCluster(
  article: NewArticle,
  print: Fingerprint,
  candidates: readonly AnchorEntry[],
  settings: DedupSettings = DEDUP_SETTINGS,
): ClusterDecision {
  const ownKey = print.anchors[0] as string;
  const self = candidates.find((candidate) => candidate.articleId === article.id);
  let assignment: ClusterAssignment;
  let best: { entry: AnchorEntry; level: 'duplicate' | 'related'; similarity: Similarity } | undefined;
  if (self) {
    assignment = { id: self.clusterId, role: self.role, similarity: self.similarity };
  } else {
    for (const entry of candidates) {
      const similarity = estimateSimilarity(print, entry);
      const level = similarityLevel(similarity, settings);
      if (level === undefined) continue;
      if (
        !best ||
        (level === 'duplicate' && best.level === 'related') ||
        (level === best.level && similarity.resemblance > best.similarity.resemblance) ||
        (level === best.level &&
          similarity.resemblance === best.similarity.resemblance &&
          entry.firstSeenAt < best.entry.firstSeenAt)
      ) {
        best = { entry, level, similarity };
      }
    }
    assignment = best
      ? { id: best.entry.clusterId, role: best.level, similarity: round(best.similarity.resemblance) }
      : { id: article.id, role: 'representative', similarity: 1 };
  }
  const decision: ClusterDecision = { assignment };
  // One entry per key and cluster is enough to lead later copies to the cluster. A new member stores its entry
  // under the first of its probe keys that holds none of the cluster yet: the cluster's first members thus
  // cover the pairs among its lead's three smallest words, and a copy that lost one of them still finds it.
  const anchored = (key: string) =>
    candidates.some((candidate) => candidate.key === key && candidate.clusterId === assignment.id);
  const storable = self || assignment.role === 'representative' ? [ownKey] : print.anchors;
  const key = storable.find((candidateKey) => !anchored(candidateKey));
  if (key !== undefined) {
    const taken = candidates.filter((candidate) => candidate.key === key).map((candidate) => candidate.slot);
    decision.anchor = {
      key,
      articleId: article.id,
      clusterId: assignment.id,
      role: assignment.role,
      similarity: assignment.similarity,
      site: article.site,
      url: article.url,
      firstSeenAt: article.firstSeenAt,
      signature: print.signature,
      shingleCount: print.shingleCount,
      // The place after the newest one read (entries are read newest first, so the first is the highest).
      slot: Math.max(0, ...taken) + 1,
    };
  }
  if (!self && assignment.role !== 'representative') {
    decision.member = {
      clusterId: assignment.id,
      articleId: article.id,
      role: assignment.role,
      similarity: assignment.similarity,
      site: article.site,
      url: article.url,
      firstSeenAt: article.firstSeenAt,
    };
  }
  return decision;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
