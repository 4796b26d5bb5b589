import http from 'node:http';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { monotonicMs, startLoopbackHosts } from '../../benchmark/crawl-hosts.ts';
import { processMemory } from '../../lib/embedded/servers-process.ts';

const request = (url: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: string; etag?: string }>((resolve, reject) => {
    http
      .get(url, { agent: false, headers }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body,
            ...(typeof response.headers.etag === 'string' ? { etag: response.headers.etag } : {}),
          }),
        );
      })
      .on('error', reject);
  });
const get = async (url: string) => (await request(url)).status;

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
      // The feed and the sitemaps are built once and answer 304 to their ETag.
      const feed = await request(hosts.hosts[0]?.source as string);
      expect(feed.body.match(/<item>/g)).toHaveLength(3);
      expect(
        (await request(hosts.hosts[0]?.source as string, { 'if-none-match': feed.etag ?? '' })).status,
      ).toBe(304);
      const children = await Promise.all(
        [0, 1].map(async (part) => (await request(`${origin}/sitemap-${part}.xml`)).body),
      );
      expect(children.map((body) => body.match(/<loc>[^<]*<\/loc>/g)?.length)).toEqual([2, 1]);
    } finally {
      await hosts.close();
    }
    expect(await processMemory(hosts.pid)).toBeUndefined();
  });
});
