import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { type AnchorEntry, encodeSignature } from '../../lib/core/dedup/index.ts';
import { useLocalServers } from '../helpers/local-servers.ts';

const local = useLocalServers();

function anchor(n: number, key = 'aaaaaaaabbbbbbbb', slot = n + 1): AnchorEntry {
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
    slot,
  };
}

describe('near-duplicate index in the table', () => {
  it('reads the newest places of an anchor key first, at most entriesPerKey of them, signatures intact', async () => {
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

  it('lets one of two representatives claiming a place at the same moment hold it; the other is told the holder', async () => {
    const { clusters } = await local.freshStore();
    const claim = clusters.claim?.bind(clusters);
    if (!claim) throw new Error('the table index claims places');
    const results = await Promise.all([claim(anchor(1, undefined, 1)), claim(anchor(2, undefined, 1))]);
    expect(results.filter((result) => result.claimed)).toHaveLength(1);
    const winner = results[0]?.claimed ? anchor(1, undefined, 1) : anchor(2, undefined, 1);
    expect(results.find((result) => !result.claimed)).toEqual({ claimed: false, holder: winner });
    // The claim is the key's entry; its own article claims it again in place; the next story takes the next place.
    expect(await clusters.candidates([winner.key])).toEqual([winner]);
    expect(await claim(winner)).toEqual({ claimed: true });
    expect(await claim(anchor(0, undefined, 2))).toEqual({ claimed: true });
    const found = await clusters.candidates([winner.key]);
    expect(found.map((entry) => [entry.site, entry.slot])).toEqual([
      ['site-0.example', 2],
      [winner.site, 1],
    ]);
  });

  it("reads entries of earlier releases (no place: 0) after this release's", async () => {
    const { clusters, dynamodb, tableName } = await local.freshStore();
    const documents = DynamoDBDocumentClient.from(dynamodb);
    const { slot: _slot, ...old } = anchor(3);
    for (const sk of ['~claim', `${old.firstSeenAt}#${old.articleId}`]) {
      const Item = { pk: `DEDUP#${old.key}`, sk, ...old, signature: encodeSignature(old.signature) };
      await documents.send(new PutCommand({ TableName: tableName, Item }));
    }
    await clusters.record({ anchor: anchor(1) });
    const found = await clusters.candidates([old.key]);
    expect(found.map((entry) => [entry.site, entry.slot])).toEqual([
      ['site-1.example', 2],
      ['site-3.example', 0],
      ['site-3.example', 0],
    ]);
  });
});
