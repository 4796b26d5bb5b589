// Near-duplicate and syndicated stories (issue 12): pure logic, no I/O. The store keeps the anchor and member
// entries (lib/store/aws/clusters.ts); ingest asks decideCluster where a new article belongs.
export {
  type AnchorClaim,
  type AnchorEntry,
  type ClusterAssignment,
  type ClusterDecision,
  type ClusterRole,
  decideCluster,
  estimateSimilarity,
  type MemberEntry,
  type NewArticle,
  type Similarity,
  similarityLevel,
} from './cluster.ts';
export {
  decodeSignature,
  encodeSignature,
  type Fingerprint,
  fingerprint,
  shingleHashes,
} from './fingerprint.ts';
export { type IndexWriteCounts, MemoryClusterIndex } from './memory-index.ts';
export { normalizedParagraphs, tokenize } from './normalize.ts';
export { type AnchorLookup, placeArticle } from './place.ts';
export { DEDUP_SETTINGS, type DedupSettings } from './settings.ts';
