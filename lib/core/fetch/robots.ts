import robotsParserModule from 'robots-parser';
import { DEFAULT_USER_AGENT } from '../../config.ts';
import { CRAWL_POLICY, robotsStateForStatus } from '../crawl-policy.ts';
import { PipelineError } from '../errors.ts';
import { fetchPage } from './fetch-page.ts';
import type { FetchOptions, Politeness } from './types.ts';

/** What robots.txt says about one origin. */
export interface RobotsRules {
  isAllowed(url: string): boolean;
  /** Crawl-delay for our user agent (or *), in milliseconds. */
  crawlDelayMs?: number;
  sitemaps: string[];
  /** 'fetched': rules from a robots.txt; 'missing': 4xx, everything allowed; 'unavailable': 5xx, nothing allowed. */
  state: 'fetched' | 'missing' | 'unavailable';
}

/** robots.txt as fetched, kept where every instance can read it (the table), so each origin is fetched once per TTL. */
export interface StoredRobots {
  state: RobotsRules['state'];
  /** The body, for 'fetched'. */
  text?: string;
  fetchedAtMs: number;
}

export interface SharedRobotsStore {
  get(origin: string): Promise<StoredRobots | undefined>;
  put(origin: string, robots: StoredRobots): Promise<void>;
}

export interface RobotsCacheOptions {
  /** Shared by every instance: read before fetching, written after (failures to write are not fatal). */
  shared?: SharedRobotsStore;
  /** How robots.txt itself is fetched (address policy, user agent, resolver, connector ...). */
  fetchOptions?: FetchOptions;
  /** Paces the robots.txt request itself like any other to the host (the shared per-host token). */
  politeness?: Politeness;
  /** How long fetched rules are kept; default 1 hour. */
  ttlMs?: number;
  /** How long an unavailable (5xx) robots.txt blocks the site before it is asked again; default 60 s. */
  unavailableTtlMs?: number;
  now?: () => number;
}

interface ParsedRobots {
  isAllowed(url: string, ua?: string): boolean | undefined;
  getCrawlDelay(ua?: string): number | undefined;
  getSitemaps(): string[];
}
// robots-parser is CommonJS with an ESM-style declaration; normalise the default export for both readings.
const robotsParser = ((robotsParserModule as unknown as { default?: unknown }).default ??
  robotsParserModule) as unknown as (url: string, text: string) => ParsedRobots;

/** Google and RFC 9309 read at most 500 KiB of robots.txt. */
const ROBOTS_MAX_BYTES = 500 * 1024;

const ALLOW_ALL = (sitemaps: string[] = []): RobotsRules => ({
  isAllowed: () => true,
  sitemaps,
  state: 'missing',
});

/** robots.txt per origin, fetched through the safe fetcher, parsed by robots-parser, cached with a TTL. */
export class RobotsCache {
  private readonly entries = new Map<string, { expires: number; rules: Promise<RobotsRules> }>();
  private readonly ttlMs: number;
  private readonly unavailableTtlMs: number;
  private readonly now: () => number;
  private readonly userAgent: string;

  constructor(private readonly options: RobotsCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? CRAWL_POLICY.robotsTtlMs;
    this.unavailableTtlMs = options.unavailableTtlMs ?? CRAWL_POLICY.robotsUnavailableTtlMs;
    this.now = options.now ?? Date.now;
    this.userAgent = options.fetchOptions?.userAgent ?? DEFAULT_USER_AGENT;
  }

  /** Rules for the origin of `url`. Network failures are thrown (and not cached): the page would fail too. */
  async rulesFor(url: string | URL): Promise<RobotsRules> {
    const origin = new URL(url).origin;
    const cached = this.entries.get(origin);
    if (cached !== undefined && cached.expires > this.now()) return cached.rules;
    const rules = this.load(origin);
    const entry = { expires: Number.POSITIVE_INFINITY, rules };
    this.entries.set(origin, entry);
    try {
      const loaded = await rules;
      entry.expires = this.now() + this.ttlFor(loaded.state);
      return loaded;
    } catch (error) {
      this.entries.delete(origin);
      throw error;
    }
  }

  /** Throws ROBOTS_DISALLOWED when robots.txt forbids the URL; otherwise returns the rules (for Crawl-delay). */
  async check(url: string | URL): Promise<RobotsRules> {
    const rules = await this.rulesFor(url);
    const href = new URL(url).href;
    if (!rules.isAllowed(href)) {
      const reason =
        rules.state === 'unavailable'
          ? 'robots.txt is unavailable (server error), so the site is treated as disallowed (RFC 9309)'
          : 'disallowed by robots.txt';
      throw new PipelineError('ROBOTS_DISALLOWED', `${href}: ${reason}`, {
        url: href,
        retryable: rules.state === 'unavailable',
      });
    }
    return rules;
  }

  private async load(origin: string): Promise<RobotsRules> {
    const shared = this.options.shared;
    if (shared !== undefined) {
      const stored = await shared.get(origin).catch(() => undefined);
      if (stored !== undefined && stored.fetchedAtMs + this.ttlFor(stored.state) > this.now()) {
        return this.rulesFrom(origin, stored);
      }
    }
    const fetched = await this.fetchRobots(origin);
    // Best effort: another instance fetching it too costs one more robots.txt request, nothing else.
    await shared?.put(origin, fetched).catch(() => undefined);
    return this.rulesFrom(origin, fetched);
  }

  private ttlFor(state: RobotsRules['state']): number {
    return state === 'unavailable' ? this.unavailableTtlMs : this.ttlMs;
  }

  private rulesFrom(origin: string, stored: StoredRobots): RobotsRules {
    if (stored.state === 'unavailable') return { isAllowed: () => false, sitemaps: [], state: 'unavailable' };
    if (stored.state === 'missing' || stored.text === undefined) return ALLOW_ALL();
    const robotsUrl = `${origin}/robots.txt`;
    const parsed = robotsParser(robotsUrl, stored.text);
    const delay = parsed.getCrawlDelay(this.userAgent);
    return {
      isAllowed: (target) => parsed.isAllowed(target, this.userAgent) !== false,
      crawlDelayMs:
        typeof delay === 'number' && Number.isFinite(delay) && delay > 0 ? delay * 1000 : undefined,
      sitemaps: parsed.getSitemaps(),
      state: 'fetched',
    };
  }

  private async fetchRobots(origin: string): Promise<StoredRobots> {
    const robotsUrl = `${origin}/robots.txt`;
    const fetchedAtMs = this.now();
    try {
      const result = await fetchPage(robotsUrl, {
        ...this.options.fetchOptions,
        accept: 'any',
        maxBytes: ROBOTS_MAX_BYTES,
        validators: undefined,
        politeness: this.options.politeness,
      });
      return { state: 'fetched', text: Buffer.from(result.body).toString('utf8'), fetchedAtMs };
    } catch (error) {
      if (error instanceof PipelineError) {
        const status = error.details.status;
        if (error.code === 'HTTP_ERROR' && typeof status === 'number') {
          return {
            state: robotsStateForStatus(status) === 'unavailable' ? 'unavailable' : 'missing',
            fetchedAtMs,
          };
        }
        // An oversized robots.txt is treated as absent rather than blocking the site.
        if (error.code === 'TOO_LARGE' || error.code === 'DECODE_FAILED')
          return { state: 'missing', fetchedAtMs };
      }
      throw error;
    }
  }
}
