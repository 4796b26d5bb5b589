import {
  type AnchorClaim,
  type AnchorEntry,
  type ClusterDecision,
  decideCluster,
  type NewArticle,
} from './cluster.ts';
import type { Fingerprint } from './fingerprint.ts';
import { DEDUP_SETTINGS, type DedupSettings } from './settings.ts';

/** What placing an article reads and claims (the table's index, or the benchmark's in memory). */
export interface AnchorLookup {
  candidates(keys: readonly string[]): Promise<AnchorEntry[]> | AnchorEntry[];
  claim?(anchor: AnchorEntry): Promise<AnchorClaim> | AnchorClaim;
}

/**
 * Claims tried before a representative's entry is written without one: a second try happens only when the look-up
 * missed an entry written just before (eventually consistent) and its holder is another story.
 */
const CLAIM_ATTEMPTS = 2;

/**
 * Where a new or changed article belongs: its anchors' entries are read and compared (decideCluster). A new
 * representative claims the next place under its key; when a copy of the same story took it first, the holder
 * is read and the article decides again with it (joining its cluster). The returned decision lists the entries
 * still to write (record): none for a representative whose claim holds.
 */
export async function placeArticle(
  lookup: AnchorLookup,
  article: NewArticle,
  print: Fingerprint,
  settings: DedupSettings = DEDUP_SETTINGS,
): Promise<ClusterDecision> {
  const candidates = [...(await lookup.candidates(print.anchors))];
  let decision = decideCluster(article, print, candidates, settings);
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS && lookup.claim; attempt++) {
    if (decision.assignment.role !== 'representative' || !decision.anchor) break;
    const claim = await lookup.claim(decision.anchor);
    if (claim.claimed) return { assignment: decision.assignment };
    if (!claim.holder) break;
    candidates.push(claim.holder);
    decision = decideCluster(article, print, candidates, settings);
  }
  return decision;
}
