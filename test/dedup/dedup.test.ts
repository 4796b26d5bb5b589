import { describe, expect, it } from 'vitest';
import {
  type AnchorEntry,
  DEDUP_SETTINGS,
  decideCluster,
  decodeSignature,
  encodeSignature,
  estimateSimilarity,
  type Fingerprint,
  fingerprint,
  MemoryClusterIndex,
  normalizedParagraphs,
  placeArticle,
  similarityLevel,
} from '../../lib/core/dedup/index.ts';

// Our own writing: a short wire-style story of six paragraphs, and a distinct story on the same topic.
const STORY = [
  'The city council of Orrin voted on Monday to close the old river bridge to heavy lorries from next month, after inspectors found corrosion in two of its steel supports during a routine survey.',
  'Cars and buses will still be allowed to cross, but lorries heavier than twelve tonnes will have to take a detour of about nine kilometres through the industrial estate on the western bank.',
  'The council said a full repair would take at least eighteen months and cost around six million, and that it would ask the national roads agency to share the bill.',
  'Local hauliers said the detour would add half an hour to each delivery and asked for a temporary weight limit of fifteen tonnes instead, which engineers rejected as unsafe.',
  'The bridge, opened in nineteen sixty-one, carries about twenty thousand vehicles a day and is the only crossing within twenty kilometres of the town centre.',
  'A public meeting on the repair plan will be held at the town hall next Thursday evening, and residents can send written comments until the end of the month.',
];
const OTHER_STORY = [
  'Engineers in the town of Orrin began on Wednesday a survey of the three footbridges over the canal, a week after the council restricted traffic on the river bridge because of corrosion.',
  'The footbridges are made of timber and were last inspected six years ago; the council wants to know whether any of them needs replacing before the winter floods.',
  'Residents who use the footbridges to reach the railway station said they feared long closures, and a petition asking for a ferry service has gathered several hundred signatures.',
  'The results of the survey are expected before Christmas, when the council will also set its budget for road and bridge maintenance for the coming year.',
];

const text = (paragraphs: string[]) => paragraphs.join('\n\n');
const print = (paragraphs: string[]) => fingerprint(text(paragraphs)) as Fingerprint;
const article = (id: string) => ({
  id: id.repeat(64).slice(0, 64),
  site: `${id}.example`,
  url: `https://${id}.example/story`,
  firstSeenAt: '2026-01-01T00:00:00.000Z',
});

function entryFor(id: string, fp: Fingerprint, key = fp.anchors[0] as string, slot = 1): AnchorEntry {
  const a = article(id);
  return {
    key,
    articleId: a.id,
    clusterId: a.id,
    role: 'representative',
    similarity: 1,
    site: a.site,
    url: a.url,
    firstSeenAt: a.firstSeenAt,
    signature: fp.signature,
    shingleCount: fp.shingleCount,
    slot,
  };
}

describe('normalization', () => {
  it('removes the lead dateline, agency credits and label-sized paragraphs; keeps story text', () => {
    const copied = normalizedParagraphs(
      text([
        `ORRIN (Regional Wire) - ${STORY[0]}`,
        'Advertisement',
        STORY[1] as string,
        '(Reporting by a correspondent; Editing by the desk)',
        '© 2026 Regional Wire. All rights reserved.',
        `${STORY[2]} (AFP)`,
      ]),
    );
    expect(copied).toEqual(normalizedParagraphs(text(STORY.slice(0, 3))));
    expect(normalizedParagraphs('WASHINGTON — The vote was close.')[0]?.[0]).toBe('the');
    // A story sentence that merely starts with a capital word and has a dash later is left alone.
    expect(normalizedParagraphs('Officials said the bridge - built in 1961 - was safe.')[0]?.[0]).toBe(
      'officials',
    );
  });

  it('folds case and punctuation, and splits unspaced scripts into characters', () => {
    expect(normalizedParagraphs('Hello, WORLD! It’s “fine” today.')).toEqual([
      ['hello', 'world', 'it', 's', 'fine', 'today'],
    ]);
    expect(normalizedParagraphs('橋の修理は来月始まる予定です')[0]?.length).toBeGreaterThan(10);
  });
});

describe('fingerprints and similarity', () => {
  it('gives texts too short to compare no fingerprint', () => {
    expect(fingerprint('Breaking news.')).toBeUndefined();
    expect(fingerprint(text(STORY))).toBeDefined();
  });

  it('ignores headline-free edits: dateline, credit lines, reordered short captions', () => {
    const original = print([STORY[0] as string, 'A lorry on the bridge. Photo: Wire', ...STORY.slice(1)]);
    const copy = print([
      `ORRIN (AA) - ${STORY[0]}`,
      ...STORY.slice(1),
      'A lorry on the bridge. Photo: Wire',
      'Source: AA',
    ]);
    const similarity = estimateSimilarity(original, copy);
    expect(similarity.resemblance).toBeGreaterThan(0.9);
    expect(copy.anchors[0]).toBe(original.anchors[0]);
    expect(similarityLevel(similarity)).toBe('duplicate');
  });

  it('keys a reworded copy (words dropped, clauses swapped) like its original; a shingle key would not be', () => {
    // Every sentence of the lead reworded as a rewriting desk does: a clause moved, small words dropped.
    const reworded = [
      'After inspectors found corrosion in two steel supports during a routine survey, the Orrin city council voted Monday to close the old river bridge to heavy lorries from next month.',
      'Lorries heavier than twelve tonnes must take a nine kilometre detour through the industrial estate on the western bank, though cars and buses can still cross.',
      ...STORY.slice(2),
    ];
    expect(print(reworded).anchors[0]).toBe(print(STORY).anchors[0]);
    const shingles = { ...DEDUP_SETTINGS, anchorUnit: 'shingles' as const };
    const shingleKey = (paragraphs: string[]) => fingerprint(text(paragraphs), shingles)?.anchors[0];
    expect(shingleKey(reworded)).not.toBe(shingleKey(STORY));
  });

  it('keeps photo captions of any length out of the lead that makes the anchors', () => {
    const caption =
      'Council members leave the town hall of Orrin on Monday evening after the long debate on the river bridge and its steel supports (Photo: Wire Agency)';
    expect(print([caption, ...STORY]).anchors[0]).toBe(print(STORY).anchors[0]);
    expect(print([`${caption.replace(' (Photo: Wire Agency)', '.')}`, ...STORY]).anchors[0]).not.toBe(
      print(STORY).anchors[0],
    );
  });

  it('keys a text with too few spaced words (Chinese, Japanese) by its shingles', () => {
    const japanese = [
      '市議会は月曜日、定期点検で鋼製の支柱二本に腐食が見つかったため、来月から旧河川橋への大型トラックの通行を禁止することを決めた。',
      '乗用車とバスは引き続き通行できるが、十二トンを超えるトラックは西岸の工業団地を通る約九キロの迂回路を使う必要がある。',
    ];
    const fp = fingerprint(text(japanese)) as Fingerprint;
    expect(fp.anchors[0]).toMatch(/^[0-9a-f]{8}$/);
    expect(print(STORY).anchors[0]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('calls a cut copy related (containment) and a distinct same-topic story nothing', () => {
    const original = print(STORY);
    const cut = print(STORY.slice(0, 2));
    const cutSimilarity = estimateSimilarity(original, cut);
    expect(cutSimilarity.containment).toBeGreaterThan(0.8);
    expect(similarityLevel(cutSimilarity)).toBe('related');
    expect(similarityLevel(estimateSimilarity(original, print(OTHER_STORY)))).toBeUndefined();
  });

  it('round-trips signatures through their stored bytes', () => {
    const { signature } = print(STORY);
    expect(decodeSignature(encodeSignature(signature))).toEqual(signature);
    expect(signature).toHaveLength(DEDUP_SETTINGS.signatureSize);
  });
});

describe('decideCluster', () => {
  it('founds a cluster when nothing is close, storing one anchor and no member entry', () => {
    const fp = print(STORY);
    const decision = decideCluster(article('a'), fp, [entryFor('b', print(OTHER_STORY), fp.anchors[0])]);
    expect(decision.assignment).toEqual({ id: article('a').id, role: 'representative', similarity: 1 });
    expect(decision.anchor?.key).toBe(fp.anchors[0]);
    expect(decision.member).toBeUndefined();
  });

  it('joins the closest candidate at the best level; a member stores its entry under a probe key the cluster lacks', () => {
    const original = print(STORY);
    const copy = print([`ORRIN (AA) - ${STORY[0]}`, ...STORY.slice(1)]);
    const decision = decideCluster(article('c'), copy, [entryFor('a', original)]);
    expect(decision.assignment).toMatchObject({ id: article('a').id, role: 'duplicate' });
    expect(decision.anchor?.key).toBe(copy.anchors[1]);
    const covered = original.anchors.map((key) => entryFor('a', original, key));
    expect(decideCluster(article('c'), copy, covered).anchor).toBeUndefined();
    expect(decision.member).toMatchObject({
      clusterId: article('a').id,
      articleId: article('c').id,
      role: 'duplicate',
    });

    const cut = decideCluster(article('d'), print(STORY.slice(0, 2)), [entryFor('a', original)]);
    expect(cut.assignment).toMatchObject({ id: article('a').id, role: 'related' });
  });

  it("finds the cluster from a copy that lost any one of its lead's words once two members covered the other pairs", () => {
    const lead = STORY[0] as string;
    const words = [...new Set(lead.split(' '))].filter((word) => word.replace(/\W/g, '').length >= 5);
    const found = (members: number) => {
      const index = new MemoryClusterIndex(DEDUP_SETTINGS.entriesPerKey);
      const copies = [STORY, [`ORRIN (AA) - ${lead}`, ...STORY.slice(1)], [...STORY.slice(0, 5)]];
      for (const [n, paragraphs] of copies.slice(0, 1 + members).entries()) {
        const fp = print(paragraphs);
        index.record(decideCluster(article(String(n)), fp, index.candidates(fp.anchors)));
      }
      return words.filter((word) => {
        const fp = print([lead.replace(word, ''), ...STORY.slice(1)]);
        const decision = decideCluster(article('x'), fp, index.candidates(fp.anchors));
        return decision.assignment.id === article('0').id;
      }).length;
    };
    expect(found(2)).toBe(words.length);
    // The original's key alone: a copy that lost one of its two words does not find it.
    expect(found(0)).toBeLessThan(words.length);
  });

  it('keeps a known article where it was (a new version finds its own entry)', () => {
    const fp = print(STORY);
    const own = {
      ...entryFor('e', fp),
      clusterId: article('a').id,
      role: 'duplicate' as const,
      similarity: 0.93,
    };
    const decision = decideCluster(article('e'), fp, [own]);
    expect(decision.assignment).toEqual({ id: article('a').id, role: 'duplicate', similarity: 0.93 });
    expect(decision.anchor).toBeUndefined();
    expect(decision.member).toBeUndefined();
  });
});

describe('placeArticle: claims', () => {
  // A look-up that missed what was written just before it (the table's reads are eventually consistent).
  const stale = (index: MemoryClusterIndex) => ({
    candidates: () => [],
    claim: (anchor: AnchorEntry) => index.claim(anchor),
  });

  it('a representative claims the place after the newest entry under its key, in one write', async () => {
    const index = new MemoryClusterIndex(DEDUP_SETTINGS.entriesPerKey);
    const fp = print(STORY);
    const key = fp.anchors[0] as string;
    index.record({ anchor: entryFor('o', print(OTHER_STORY), key, 3) });
    const decision = await placeArticle(index, article('a'), fp);
    expect(decision).toEqual({ assignment: { id: article('a').id, role: 'representative', similarity: 1 } });
    expect(index.candidates([key]).map((entry) => [entry.articleId, entry.slot])).toEqual([
      [article('a').id, 4],
      [article('o').id, 3],
    ]);
    expect(index.writeCounts).toEqual({ claims: 1, refusedClaims: 0, entries: 1, members: 0 });
  });

  it('a copy whose claim is refused joins the holder: two copies at the same moment found one cluster', async () => {
    const index = new MemoryClusterIndex(DEDUP_SETTINGS.entriesPerKey);
    expect(await placeArticle(index, article('a'), print(STORY))).toMatchObject({
      assignment: { role: 'representative' },
    });
    const copy = print([`ORRIN (AA) - ${STORY[0]}`, ...STORY.slice(1)]);
    const decision = await placeArticle(stale(index), article('c'), copy);
    expect(decision.assignment).toMatchObject({ id: article('a').id, role: 'duplicate' });
    expect(decision.member).toMatchObject({ clusterId: article('a').id, articleId: article('c').id });
    expect(index.writeCounts.refusedClaims).toBe(1);
  });

  it('a representative refused by another story claims the next place (and its own, again, in place)', async () => {
    const index = new MemoryClusterIndex(DEDUP_SETTINGS.entriesPerKey);
    const fp = print(STORY);
    const key = fp.anchors[0] as string;
    expect(index.claim(entryFor('o', print(OTHER_STORY), key, 1))).toEqual({ claimed: true });
    const decision = await placeArticle(stale(index), article('a'), fp);
    expect(decision).toEqual({ assignment: { id: article('a').id, role: 'representative', similarity: 1 } });
    expect(index.candidates([key]).map((entry) => entry.slot)).toEqual([2, 1]);
    expect(index.writeCounts).toMatchObject({ claims: 2, refusedClaims: 1 });
    expect(index.claim({ ...entryFor('a', fp, key, 2) })).toEqual({ claimed: true });
  });
});

describe('MemoryClusterIndex', () => {
  it('counts one read per distinct key and bounds the entries read per key', () => {
    const index = new MemoryClusterIndex(2);
    const fp = print(STORY);
    for (const id of ['a', 'b', 'c']) index.record({ anchor: entryFor(id, fp) });
    const found = index.candidates([fp.anchors[0] as string, fp.anchors[0] as string, 'ffffffff']);
    expect(index.keyReads).toBe(2);
    expect(found).toHaveLength(2);
    expect(index.largestKey()).toBe(3);
  });

  it('reads the newest entries of a key first (copies follow their original soon)', () => {
    const index = new MemoryClusterIndex(2);
    const fp = print(STORY);
    for (const [n, id] of ['a', 'b', 'c'].entries()) {
      index.record({ anchor: entryFor(id, fp, fp.anchors[0], n + 1) });
    }
    expect(index.candidates([fp.anchors[0] as string]).map((entry) => entry.articleId)).toEqual([
      article('c').id,
      article('b').id,
    ]);
  });
});
