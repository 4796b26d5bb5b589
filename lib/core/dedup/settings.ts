/**
 * Near-duplicate detection settings: the one table. Chosen from `npm run bench:dedup` (benchmark/dedup.ts),
 * which reports precision and recall per edit kind for these values; change them only with a new measurement.
 */
export const DEDUP_SETTINGS = {
  /** Words per shingle; shingles never cross a paragraph break, so reordered paragraphs change nothing. */
  shingleWords: 4,
  /** MinHash values per signature (the estimate's standard error is about sqrt(J(1-J)/size)). */
  signatureSize: 64,
  /**
   * Anchor keys a new article looks up (one key read each). Every article stores one anchor (one write): the
   * shingle of smallest anchor hash in its lead part. A copy finds the original when that shingle survived the
   * copy's edits and ranks among the copy's probes.
   */
  probeCount: 3,
  /** How many of the first shingles (in reading order) form the lead the stored anchor is taken from. */
  anchorLeadShingles: 64,
  /** The lead the probes are taken from: longer, so a copy whose lead was edited still reaches the original's. */
  probeLeadShingles: 128,
  /** Paragraphs of at least this many tokens make the lead (shorter: captions, promotions, credit lines). */
  leadParagraphTokens: 20,
  /** Of the probes, how many are the lead part's smallest (the rest are the whole text's smallest). */
  leadProbes: 3,
  /** Entries read per anchor key at most: a key shared by many articles (a stock phrase) stays bounded. */
  entriesPerKey: 4,
  /** Texts with fewer shingles are too short to tell a copy from a coincidence: they get no cluster. */
  minShingles: 8,
  thresholds: {
    /** Estimated resemblance (Jaccard of shingle sets) from which a copy is a duplicate. */
    duplicate: 0.7,
    /** Estimated containment (shared shingles over the shorter text) from which a copy is related. */
    relatedContainment: 0.5,
    /** And the least resemblance a related copy must still have (guards very short texts' estimates). */
    relatedResemblance: 0.15,
  },
} as const;

export type DedupSettings = {
  [K in keyof typeof DEDUP_SETTINGS]: K extends 'thresholds'
    ? { [T in keyof (typeof DEDUP_SETTINGS)['thresholds']]: number }
    : number;
};
