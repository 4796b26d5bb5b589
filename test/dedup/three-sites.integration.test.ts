// The same story carried by three loopback sites (127.0.0.2/3/4), each in its own template with the edits
// syndication makes, ingested through `articles ingest` into the embedded store (s3rver + dynalite, no mocks):
// one cluster of three with one representative, listed by `articles duplicates` and GET /articles/{id}/duplicates,
// and shown once by the since-feed with collapse=cluster.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as duplicates } from '../../lib/cli/duplicates.ts';
import { run as ingest } from '../../lib/cli/ingest.ts';
import { startEmbeddedStack } from '../../lib/embedded/stack.ts';
import { DEFAULT_SINCE_FEED_SETTLE_MS } from '../../lib/store/aws/index.ts';
import { QUICK_HOST_PACING } from '../helpers/fetcher.ts';

// A story of our own writing, in eight paragraphs.
const STORY = [
  'The harbour authority of the coastal town of Velmora approved on Tuesday a plan to rebuild the old northern breakwater, which storms damaged twice in the last three winters and which fishermen say no longer protects the inner basin.',
  'Under the plan the breakwater will be lengthened by about one hundred and twenty metres and raised by nearly two metres, using granite blocks quarried inland rather than the concrete units that cracked during the storm of last February.',
  'Work is expected to begin in the spring and to last about two years, during which the fishing fleet will moor in a temporary basin dredged on the southern side of the harbour, the authority said in a statement after the vote.',
  'The cost was put at forty-one million euros, most of it covered by a regional fund for coastal protection, with the rest coming from harbour fees that will rise gradually over the next decade for commercial vessels.',
  'Fishermen welcomed the decision but asked for guarantees that the temporary basin would be ready before the first stones are moved, recalling that earlier repairs had left boats exposed to swell for several weeks.',
  'An engineer who advised the authority said the new design had been tested in a wave tank with the strongest storms recorded on this coast in the past fifty years, and that it should withstand rising sea levels expected by the end of the century.',
  'Environmental groups said they would study the plan closely, pointing to a colony of seabirds that nests on the rocks at the end of the existing breakwater and asking that the work avoid the nesting season between April and July.',
  'The mayor of Velmora said the town had waited too long for the project and that the harbour, which employs several hundred people, was the heart of the local economy and could not be left at the mercy of the next winter.',
];

interface Variant {
  host: string;
  headline: string;
  paragraphs: string[];
}

const VARIANTS: Variant[] = [
  {
    host: '127.0.0.2',
    headline: 'Velmora approves rebuilding of storm-damaged breakwater',
    paragraphs: STORY,
  },
  {
    host: '127.0.0.3',
    headline: 'Town to spend 41 million euros on new harbour wall',
    paragraphs: [
      `VELMORA (Coastal Press Agency) - ${STORY[0]}`,
      ...STORY.slice(1, 4),
      'Advertisement',
      ...STORY.slice(4),
      '(Reporting by a staff correspondent; Editing by the regional desk)',
    ],
  },
  {
    host: '127.0.0.4',
    headline: 'Fishermen welcome harbour plan, ask for guarantees',
    paragraphs: [
      ...STORY.slice(0, 5),
      ...STORY.slice(6),
      '© 2026 Coastal Press Agency. All rights reserved.',
    ],
  },
];

function page(variant: Variant, url: string): string {
  const body = variant.paragraphs.map((paragraph) => `<p>${paragraph}</p>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${variant.headline}</title>
<link rel="canonical" href="${url}"></head><body><header><nav><a href="/">Home</a></nav></header>
<main><article><h1>${variant.headline}</h1>${body}</article></main><footer>Contact us</footer></body></html>`;
}

const servers: Server[] = [];
const urls: string[] = [];
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dedup-three-sites-'));
  for (const variant of VARIANTS) {
    let url = '';
    const server = createServer((request, response) => {
      if (request.url === '/news/harbour-plan') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(page(variant, url));
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, variant.host, resolve));
    servers.push(server);
    url = `http://${variant.host}:${(server.address() as AddressInfo).port}/news/harbour-plan`;
    urls.push(url);
  }
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await rm(dataDir, { recursive: true, force: true });
});

async function cli(command: typeof ingest, args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await command(
    args,
    {
      stdout: (line) => stdout.push(line),
      stderr: (line) => stderr.push(line),
      stdin: new PassThrough(),
    },
    QUICK_HOST_PACING,
  );
  return { code, lines: stdout.map((line) => JSON.parse(line) as Record<string, unknown>), stderr };
}

describe('one story from three sites', () => {
  it('makes one cluster of three with one representative, shown once by the collapsed since-feed', async () => {
    const ingested = await cli(ingest, [...urls, '--data-dir', dataDir, '--allow-private-network']);
    expect(ingested.stderr).toEqual([]);
    expect(ingested.lines.map((line) => line.status)).toEqual(['created', 'created', 'created']);
    const ids = ingested.lines.map((line) => line.id as string);
    const [first, second, third] = ids as [string, string, string];

    const listed = await cli(duplicates, [second, '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    const cluster = listed.lines[0] as {
      cluster: { id: string; role: string; similarity: number };
      items: Array<{ id: string; role: string; site: string; similarity: number }>;
    };
    // The first seen is the representative; the copies are duplicates (small edits).
    expect(cluster.cluster).toMatchObject({ id: first, role: 'duplicate' });
    expect(cluster.cluster.similarity).toBeGreaterThan(0.7);
    expect(cluster.items.map((item) => [item.id, item.role])).toEqual([
      [first, 'representative'],
      [third, 'duplicate'],
    ]);

    const stack = await startEmbeddedStack({ dataDir, sources: [], port: 0, logLevel: 'SILENT' });
    try {
      const get = async (path: string) => {
        const response = await fetch(`${stack.queryUrl}${path}`);
        expect(response.status).toBe(200);
        return (await response.json()) as Record<string, unknown>;
      };
      const members = (await get(`/articles/${first}/duplicates`)) as {
        cluster: { id: string; role: string };
        items: Array<{ id: string; role: string }>;
      };
      expect(members.cluster).toEqual({ id: first, role: 'representative', similarity: 1 });
      expect(members.items.map((item) => item.id).sort()).toEqual([second, third].sort());

      // The since-feed shows a commit once it is older than the settle window (DEFAULT_SINCE_FEED_SETTLE_MS):
      // the clock (Date only; timers and I/O stay real) is moved past it instead of waiting it out.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + DEFAULT_SINCE_FEED_SETTLE_MS + 1_000);
      type Feed = { items: Array<{ id: string; cluster?: { id: string; role: string } }> };
      let all = (await get('/articles?since=2000-01-01T00:00:00Z&limit=10')) as Feed;
      for (let attempt = 0; all.items.length < 3 && attempt < 60; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        all = (await get('/articles?since=2000-01-01T00:00:00Z&limit=10')) as Feed;
      }
      expect(all.items).toHaveLength(3);
      expect(new Set(all.items.map((item) => item.cluster?.id))).toEqual(new Set([first]));
      const collapsed = (await get('/articles?since=2000-01-01T00:00:00Z&limit=10&collapse=cluster')) as {
        items: Array<{ id: string }>;
      };
      expect(collapsed.items.map((item) => item.id)).toEqual([first]);

      const article = await get(`/articles/${third}`);
      expect(article.cluster).toMatchObject({ id: first, role: 'duplicate' });
    } finally {
      vi.useRealTimers();
      await stack.stop();
    }
  });
});
