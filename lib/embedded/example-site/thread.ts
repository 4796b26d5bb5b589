// Serves a site (lib/embedded/example-site/server.ts) from a worker thread, so serving pages does not share
// an event loop with the pipeline that crawls them (the benchmark: in reality the site is a remote server).
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { spawnModuleWorker } from '../thread.ts';
import type { SiteArticle } from './articles.ts';
import { startSiteServer } from './server.ts';

export interface SiteThread {
  origin: string;
  feedUrl: string;
  sitemapUrl: string;
  stop(): Promise<void>;
}

const WORKER_ROLE = 'example-site';

export async function startSiteServerThread(articles: SiteArticle[]): Promise<SiteThread> {
  const worker = spawnModuleWorker(import.meta.url, { role: WORKER_ROLE, articles });
  const origin = await new Promise<string>((resolve, reject) => {
    worker.once('message', (message: { origin: string }) => resolve(message.origin));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`site thread exited with code ${code}`)));
  });
  return {
    origin,
    feedUrl: `${origin}/feed.xml`,
    sitemapUrl: `${origin}/sitemap.xml`,
    stop: () => worker.terminate().then(() => undefined),
  };
}

const data = workerData as { role?: string; articles?: SiteArticle[] } | undefined;
if (!isMainThread && parentPort && data?.role === WORKER_ROLE) {
  const site = await startSiteServer({ articles: data.articles ?? [] });
  site.prerender();
  parentPort.postMessage({ origin: site.origin });
}
