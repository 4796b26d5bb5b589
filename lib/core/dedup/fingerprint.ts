import { normalizedStory } from './normalize.ts';
import { DEDUP_SETTINGS, type DedupSettings } from './settings.ts';

/**
 * A story's fingerprint, from its extracted text: a MinHash signature of its word shingles (for the similarity
 * estimate), its shingle count (for containment) and its anchors (for finding candidates by key).
 */
export interface Fingerprint {
  signature: Uint32Array;
  shingleCount: number;
  /** Hex keys to look up; anchors[0], made from the lead (settings.anchorUnit), is the one stored. */
  anchors: string[];
}

const ANCHOR_SEED = 0x9e3779b9;

/** Per-position seeds of the MinHash functions (fixed: stored signatures must stay comparable). */
const SEEDS: Uint32Array = (() => {
  const seeds = new Uint32Array(256);
  let state = 0x2545f491;
  for (let index = 0; index < seeds.length; index++) {
    state = fmix32(state + 0x6d2b79f5);
    seeds[index] = state;
  }
  return seeds;
})();

/** The fingerprint of a text, or undefined when it has too few shingles to compare meaningfully. */
export function fingerprint(text: string, settings: DedupSettings = DEDUP_SETTINGS): Fingerprint | undefined {
  const { hashes: shingles, lead: leadShingles, probeLead, leadWords } = shingleSets(text, settings);
  if (shingles.size < settings.minShingles) return undefined;
  const size = settings.signatureSize;
  if (size > SEEDS.length) throw new RangeError(`signatureSize is at most ${SEEDS.length}`);
  const signature = new Uint32Array(size).fill(0xffffffff);
  for (const shingle of shingles) {
    for (let index = 0; index < size; index++) {
      const value = fmix32(shingle ^ (SEEDS[index] as number));
      if (value < (signature[index] as number)) signature[index] = value;
    }
  }
  const anchors =
    settings.anchorUnit === 'word-pairs' && leadWords.size >= MIN_ANCHOR_WORDS
      ? wordPairAnchors(leadWords, settings)
      : shingleAnchors(shingles, leadShingles, probeLead, settings);
  return { signature, shingleCount: shingles.size, anchors };
}

/** Fewer content words than this in the lead: too few to pair, the shingle anchors are used instead. */
const MIN_ANCHOR_WORDS = 8;

const anchorHash = (value: number) => fmix32(value ^ ANCHOR_SEED);

function smallestAnchorHashes(values: Iterable<number>, count: number): number[] {
  return [...values]
    .map(anchorHash)
    .sort((a, b) => a - b)
    .slice(0, count);
}

/**
 * Stored: the pair of the lead's two smallest-hash content words (a pair, because one word is shared by too
 * many texts for its key to stay small). Probes: the pairs among the lead's three smallest, so the original's
 * pair is found when one of them was dropped from the copy or a new word came before them; a cluster's first
 * members store their entries under the other pairs (decideCluster), so a copy that lost one of the three
 * still finds one of the cluster's keys among its probes.
 */
function wordPairAnchors(lead: Set<number>, settings: DedupSettings): string[] {
  const smallest = smallestAnchorHashes(lead, Math.max(2, settings.wordPairProbeWords));
  const keys = [pairKey(smallest[0] as number, smallest[1] as number)];
  // Pairs of the smallest in order of rank sum: the likeliest places of the original's pair come first.
  const pairs: [number, number][] = [];
  for (let i = 0; i < smallest.length; i++) for (let j = i + 1; j < smallest.length; j++) pairs.push([i, j]);
  pairs.sort((a, b) => a[0] + a[1] - (b[0] + b[1]) || a[0] - b[0]);
  for (const [i, j] of pairs) {
    const key = pairKey(smallest[i] as number, smallest[j] as number);
    if (keys.length >= settings.probeCount) break;
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

function pairKey(a: number, b: number): string {
  return a < b ? anchorKey(a) + anchorKey(b) : anchorKey(b) + anchorKey(a);
}

function shingleAnchors(
  shingles: Set<number>,
  leadShingles: Set<number>,
  probeLead: Set<number>,
  settings: DedupSettings,
): string[] {
  const smallest = smallestAnchorHashes;
  // The stored anchor comes from the lead: copies are cut from the end (the inverted pyramid), so the lead
  // survives them, and a fixed count of shingles makes an original and its cut copy draw from the same ones.
  // The probes take the lead's and the whole text's smallest.
  const stored = smallest(leadShingles, 1);
  const anchors = [
    ...new Set([
      ...stored,
      ...smallest(probeLead, settings.leadProbes),
      ...smallest(shingles, settings.probeCount - settings.leadProbes),
    ]),
  ];
  // Fewer distinct keys than probes (the lead's smallest is also the text's): the text's next ones fill in.
  for (const extra of smallest(shingles, settings.probeCount)) {
    if (anchors.length >= settings.probeCount) break;
    if (!anchors.includes(extra)) anchors.push(extra);
  }
  return anchors.map(anchorKey);
}

/** The distinct shingle hashes of a text: `words` consecutive normalized tokens within one paragraph. */
export function shingleHashes(text: string, words: number): Set<number> {
  return shingleSets(text, { ...DEDUP_SETTINGS, shingleWords: words }).hashes;
}

/**
 * Every shingle, and the lead's: the first `anchorLeadShingles` shingles of body-length paragraphs in reading
 * order. Captions, promotions and credit lines are short, and they are what outlets move, add and drop, so
 * they stay out of the lead, and so do photo captions of any length (a text with no body-length paragraph
 * takes its lead from all of them). The content words of the lead's first paragraphs (hashed) make the
 * word-pair anchors.
 */
function shingleSets(
  text: string,
  settings: DedupSettings,
): {
  hashes: Set<number>;
  lead: Set<number>;
  probeLead: Set<number>;
  leadWords: Set<number>;
} {
  const words = settings.shingleWords;
  const hashes = new Set<number>();
  const lead = new Set<number>();
  const probeLead = new Set<number>();
  const leadWords = new Set<number>();
  const paragraphs = normalizedStory(text);
  const bodyLength = paragraphs.some(
    ({ tokens, caption }) => !caption && tokens.length >= settings.leadParagraphTokens,
  )
    ? settings.leadParagraphTokens
    : 0;
  for (const { tokens, caption } of paragraphs) {
    const inLead = tokens.length >= bodyLength && (!caption || bodyLength === 0);
    const own: number[] = [];
    if (tokens.length <= words) own.push(fnv1a(tokens.join(' ')));
    else {
      for (let start = 0; start + words <= tokens.length; start++) {
        own.push(fnv1a(tokens.slice(start, start + words).join(' ')));
      }
    }
    // Whole paragraphs: a rewrite reorders and drops words within a paragraph, so a fixed count of words would
    // take words in or out at its end; a paragraph's words stay its words.
    if (inLead && leadWords.size < settings.anchorLeadWords) {
      for (const token of tokens) {
        if (token.length >= settings.anchorWordLength) leadWords.add(fnv1a(token));
      }
    }
    for (const hash of own) {
      hashes.add(hash);
      if (!inLead) continue;
      if (lead.size < settings.anchorLeadShingles) lead.add(hash);
      if (probeLead.size < settings.probeLeadShingles) probeLead.add(hash);
    }
  }
  return { hashes, lead, probeLead, leadWords };
}

function anchorKey(hash: number): string {
  return hash.toString(16).padStart(8, '0');
}

/** 32-bit FNV-1a over UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** MurmurHash3's finalizer: a cheap, well-mixed 32-bit permutation. */
function fmix32(input: number): number {
  let hash = input >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Signatures travel as base64 of their little-endian bytes. */
export function encodeSignature(signature: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(signature.length * 4);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < signature.length; index++) {
    view.setUint32(index * 4, signature[index] as number, true);
  }
  return bytes;
}

export function decodeSignature(bytes: Uint8Array): Uint32Array {
  if (bytes.byteLength % 4 !== 0) throw new RangeError('a signature is a whole number of 32-bit values');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const signature = new Uint32Array(bytes.byteLength / 4);
  for (let index = 0; index < signature.length; index++) signature[index] = view.getUint32(index * 4, true);
  return signature;
}
