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
   * Anchor keys a new article looks up (one key read each). Every article stores one anchor (one write), under
   * a key made from its lead (see anchorUnit); a copy finds the original when that key is among its probes.
   */
  probeCount: 3,
  /** Shingle anchors: how many of the first shingles (in reading order) form the lead of the stored anchor. */
  anchorLeadShingles: 64,
  /** The lead the probes are taken from: longer, so a copy whose lead was edited still reaches the original's. */
  probeLeadShingles: 128,
  /**
   * Paragraphs of at least this many tokens make the lead (shorter: captions, promotions, credit lines). A
   * rewrite shortens the lead paragraph: at 20, leads of 20-30 tokens fell under it in the copy and the copy's
   * anchors came from its next paragraph (bench:dedup related recall 0.891 at 20, 0.902 at 15, 0.901 at 10).
   */
  leadParagraphTokens: 15,
  /** Of the probes, how many are the lead part's smallest (the rest are the whole text's smallest). */
  leadProbes: 3,
  /** Entries read per anchor key at most: a key shared by many articles (a stock phrase) stays bounded. */
  entriesPerKey: 4,
  /**
   * What anchor keys are made of. 'word-pairs': the two smallest-hash content words of the lead, so a copy
   * whose sentences were reworded (words dropped, clauses swapped) still carries its original's key, which a
   * 4-word shingle survives only about half the time (bench:dedup, rewritten copies linked: 61 -> 95 of 134).
   * 'shingles': the lead's smallest shingle (texts without enough spaced content words, such as Chinese or
   * Japanese, always use it).
   */
  anchorUnit: 'word-pairs' as 'word-pairs' | 'shingles',
  /** Content words are at least this many characters long (short words are common to every text). */
  anchorWordLength: 5,
  /**
   * The lead's content words are those of its first whole paragraphs, taken until there are at least this many
   * (a paragraph's words survive a rewrite that reorders them; a fixed count of words shifted in and out at its
   * end). 8: most leads give one paragraph; 15 and 25 reached into the next paragraph more often (lower recall).
   */
  anchorLeadWords: 8,
  /** Probe pairs are formed from this many of the copy's smallest-hash content words. */
  wordPairProbeWords: 3,
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
    : K extends 'anchorUnit'
      ? (typeof DEDUP_SETTINGS)['anchorUnit']
      : number;
};
