import http from 'node:http';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { monotonicMs, startLoopbackHosts } from '../../benchmark/crawl-hosts.ts';
import { processMemory } from '../../lib/embedded/servers-process.ts';

const get = (url: string) =>
  new Promise<number>((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      })
      .on('error', reject);
  });

describe("bench:crawl's loopback hosts", () => {
  it('run in their own process and stamp arrivals on the clock this process stamps sends with', async () => {
    const hosts = await startLoopbackHosts(2, 3);
    try {
      expect(hosts.pid).not.toBe(process.pid);
      expect(hosts.nice).toBeLessThanOrEqual(getPriority());
      expect(hosts.hosts.map(({ source }) => new URL(source).pathname)).toEqual([
        '/feed.xml',
        '/sitemap_index.xml',
      ]);
      const origin = hosts.hosts[1]?.origin as string;
      const sentAt = monotonicMs();
      expect(await get(`${origin}/news/story-2`)).toBe(200);
      const receivedAt = monotonicMs();
      expect(await get(`${origin}/news/story-2`)).toBe(200);
      const [feedHost, sitemapHost] = await hosts.stats();
      expect(feedHost?.requests).toBe(0);
      expect(sitemapHost?.articleFetches).toEqual([['/news/story-2', 2]]);
      const [accepted, arrived] = [sitemapHost?.accepted[0] as number, sitemapHost?.starts[0] as number];
      expect(accepted).toBeGreaterThanOrEqual(sentAt);
      expect(arrived).toBeGreaterThanOrEqual(accepted);
      expect(arrived).toBeLessThanOrEqual(receivedAt);
      expect(await processMemory(hosts.pid)).toBeDefined();
    } finally {
      await hosts.close();
    }
    expect(await processMemory(hosts.pid)).toBeUndefined();
  });
});
