import { describe, expect, it } from 'vitest';
import type { AnchorEntry } from '../../lib/core/dedup/index.ts';
import { useLocalServers } from '../helpers/local-servers.ts';

const local = useLocalServers();

function anchor(n: number, key = 'aaaaaaaabbbbbbbb'): AnchorEntry {
  const articleId = String(9 - n).repeat(64); // ids descending as time ascends: order must come from the time
  return {
    key,
    articleId,
    clusterId: articleId,
    role: 'representative',
    similarity: 1,
    site: `site-${n}.example`,
    url: `https://site-${n}.example/story`,
    firstSeenAt: new Date(Date.UTC(2026, 0, 1, n)).toISOString(),
    signature: new Uint32Array([n, 2, 3, 4]),
    shingleCount: 40 + n,
  };
}

describe('near-duplicate index in the table', () => {
  it('reads the newest entries of an anchor key first, at most entriesPerKey of them, signatures intact', async () => {
    const { clusters } = await local.freshStore();
    for (const n of [0, 1, 2, 3, 4, 5]) await clusters.record({ anchor: anchor(n) });
    await clusters.record({ anchor: anchor(6, 'ccccccccdddddddd') });
    const found = await clusters.candidates(['aaaaaaaabbbbbbbb', 'aaaaaaaabbbbbbbb', 'eeeeeeeeffffffff']);
    expect(found.map((entry) => entry.site)).toEqual([
      'site-5.example',
      'site-4.example',
      'site-3.example',
      'site-2.example',
    ]);
    expect(found[0]).toEqual(anchor(5));
  });

  it('records an entry again in place (an article re-ingested writes the same item)', async () => {
    const { clusters } = await local.freshStore();
    await clusters.record({ anchor: anchor(1) });
    await clusters.record({ anchor: { ...anchor(1), role: 'duplicate', similarity: 0.9 } });
    const found = await clusters.candidates(['aaaaaaaabbbbbbbb']);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ role: 'duplicate', similarity: 0.9 });
  });

  it('lets one of two representatives claiming a key at the same moment hold it; the other is told the holder', async () => {
    const { clusters } = await local.freshStore();
    const claim = clusters.claim?.bind(clusters);
    if (!claim) throw new Error('the table index claims keys');
    const now = new Date('2026-01-01T12:00:00.000Z');
    const results = await Promise.all([claim(anchor(1), now), claim(anchor(2), now)]);
    expect(results.filter((result) => result.claimed)).toHaveLength(1);
    const winner = results[0]?.claimed ? anchor(1) : anchor(2);
    expect(results.find((result) => !result.claimed)).toEqual({ claimed: false, holder: winner });
    // The claim is the key's entry, read first; its own article claims it again in place.
    expect(await clusters.candidates([winner.key])).toEqual([winner]);
    expect(await claim(winner, now)).toEqual({ claimed: true });
    // An old claim is taken over by the next story under the key; the entry it held goes back under its time.
    expect(await claim(anchor(0), new Date(now.getTime() + 10 * 60_000))).toEqual({ claimed: true });
    const found = await clusters.candidates([winner.key]);
    expect(found.map((entry) => entry.site)).toEqual(['site-0.example', winner.site]);
  });
});
