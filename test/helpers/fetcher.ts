import type { FetcherConfig } from '../../lib/core/fetch/index.ts';

/**
 * Per-host pacing for tests that fetch one loopback site several times in a row (`articles ingest` runs, the
 * embedded stack): 50 ms between requests to a host instead of the production second. The code path is the same:
 * robots.txt and the page still share the host's token, a busy host is still deferred and waited for, only sooner.
 * (Each `articles ingest` run starts with robots.txt and the token persists in the data directory, so at 1 s
 * every run of a test waited one to three seconds.)
 */
export const QUICK_HOST_PACING: { fetcher: FetcherConfig } = { fetcher: { minIntervalMs: 50 } };
