// `npm run bench:crawl [-- --sources 100 --urls 1000 --interval-ms 100 --concurrency 8]`: registered sources
// on loopback hosts (127.0.0.2, 127.0.0.3, ...: one host per source, half RSS feeds, half sitemap indexes with
// two child sitemaps; benchmark/crawl-hosts.ts, in their own process), crawled through the embedded stack (schedule →
// one crawl task per source → ingest).
// Measured at the test servers: every request per host (the highest rate any host saw against the configured
// per-host interval, and duplicate article fetches), the time to drain, peak RSS; then every source is made
// due again and crawled a second time, which must fetch no article (the feeds and sitemaps answer 304).
// The S3/DynamoDB stand-ins run in a child process by default (`--servers process`): peak RSS is then the
// pipeline's, and the servers' is reported beside it (`--servers thread` puts them back in this process).
// The npm script caps the main thread's old generation at 320 MB (the helper threads have their own caps): V8 otherwise
// sizes it from the machine's memory and lets garbage pile up between collections, which the peak RSS counts.

import '../lib/runtime/sdk-warning.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { type Connector, nodeConnector } from '../lib/core/fetch/index.ts';
import { processMemory } from '../lib/embedded/servers-process.ts';
import { startEmbeddedStack } from '../lib/embedded/stack.ts';
import { instrumentStoreClients } from '../lib/store/aws/clients.ts';
import { HOST_TOKEN_SK } from '../lib/store/layout.ts';
import { ATTR } from '../lib/store/table.ts';
import { gapCauses, type HostRequests, rates } from './crawl-gaps.ts';
import { monotonicMs, startLoopbackHosts } from './crawl-hosts.ts';
import { writeResultSection } from './report.ts';

const { values } = parseArgs({
  options: {
    sources: { type: 'string', default: '100' },
    urls: { type: 'string', default: '1000' },
    'interval-ms': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '8' },
    'no-report': { type: 'boolean', default: false },
    /** Stop the first run after this many seconds and report what it reached (0: run to the end). */
    'time-limit-s': { type: 'string', default: '0' },
    /**
     * Where the S3/DynamoDB stand-ins run: `process` (a child process, as the services are not in the pipeline's
     * memory in AWS: the pipeline's RSS and the servers' are reported apart) or `thread` (a worker thread of this
     * process, counted in its RSS).
     */
    servers: { type: 'string', default: 'process' },
  },
});
const SERVERS_IN = values.servers === 'thread' ? 'thread' : 'process';
const SOURCES = Number(values.sources);
const URLS = Number(values.urls);
const INTERVAL_MS = Number(values['interval-ms']);
const CONCURRENCY = Number(values.concurrency);
const TIME_LIMIT_MS = Number(values['time-limit-s']) * 1000;

/** Put-back delay buckets: [label, below ms]. */
const PUT_BACK_BUCKETS: Array<[string, number]> = [
  ['<150ms', 150],
  ['<1s', 1000],
  ['<10s', 10_000],
  ['<60s', 60_000],
];

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

interface GrowthSample {
  seconds: number;
  ingested: number;
  /** Messages waiting in the ingest queue (due or delayed). */
  backlog: number;
  rssMb: number;
  heapMb: number;
  /** The heap V8 holds from the system (used, garbage not yet collected, and free pages kept): what RSS counts. */
  heapTotalMb: number;
  /** The main thread's memory outside the JS heap: Buffers and ArrayBuffers, and other external memory. */
  arrayBuffersMb: number;
  externalMb: number;
  /** The storage servers' process (with --servers process). */
  serversRssMb?: number;
  /** Their bodies, kept in the queue's spill files rather than the heap. */
  spilledMb: number;
}

/** At most `count` evenly spread samples, the last one always kept. */
function thin<T>(samples: T[], count: number): T[] {
  if (samples.length <= count) return samples;
  const step = (samples.length - 1) / (count - 1);
  return Array.from({ length: count }, (_, index) => samples[Math.round(index * step)] as T);
}

async function main() {
  const loadAverage = round(loadavg()[0] ?? 0);
  const loopback = await startLoopbackHosts(SOURCES, URLS);
  const hosts = loopback.hosts;
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-crawl-'));
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 200);
  // When each request leaves the pipeline (the connector is called once the host's token is held), per host: the
  // gaps the token produced, beside the gaps the hosts saw (which add the trip: this event loop's delay before the
  // connection and the request are written, and the hosts' process's before it reads them).
  // On the monotonic clock the hosts' process stamps arrivals with, with each request's path to pair them.
  // Stamped as the request is written (the connector's last ask of the host's turn, HostTurn.inTime), or as the
  // connector is called when the request has no turn to keep. Turns missed (the request not sent, taken again) counted.
  const sentAt = new Map<string, HostRequests>();
  const missedTurns = { atConnect: 0, atWrite: 0 };
  const stampSend = (url: URL) => {
    const sent = sentAt.get(url.host) ?? { starts: [], paths: [] };
    sent.starts.push(monotonicMs());
    sent.paths.push(url.pathname);
    sentAt.set(url.host, sent);
  };
  const timedConnector: Connector = (request) => {
    const inTime = request.inTime;
    if (inTime === undefined) {
      stampSend(request.url);
      return nodeConnector(request);
    }
    let asks = 0;
    return nodeConnector({
      ...request,
      inTime: () => {
        asks++;
        const ok = inTime();
        if (!ok) missedTurns[asks === 1 ? 'atConnect' : 'atWrite']++;
        else if (asks === 2) stampSend(request.url);
        return ok;
      },
    });
  };
  let sourcesDone = 0;
  // Sources whose read left child sitemaps unread (a failed or refused fetch): their URLs were not queued this run.
  let sourcesReadInPart = 0;
  let sitemapsUnread = 0;
  const sourceOutcomes: Record<string, number> = {};
  // Why sources failed, by error code and message: a failed source's URLs after the failure are never queued.
  const sourceErrors: Record<string, number> = {};
  const failures: Record<string, number> = {};
  // Every handled record by outcome (put-backs of busy hosts and stale drops included): the work behind each article.
  const outcomes: Record<string, number> = {};
  // Put-backs by the delay they went back with, and whether the message carried a reserved slot: why they happen.
  const putBacks: Record<string, number> = {};
  // Requests the pipeline makes of the S3/DynamoDB stand-ins, by operation (SDK middleware on the store clients).
  const storeRequests: Record<string, number> = {};
  const tokenWrites = { count: 0 };
  const stopCounting = instrumentStoreClients((client) => {
    // The two clients' stacks differ only in their input and output types; the counter reads neither.
    (client as S3Client).middlewareStack.add(
      (next, context) => (args) => {
        const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        storeRequests[name] = (storeRequests[name] ?? 0) + 1;
        // The host token's own writes (take, extend, reserve, grow, hold: each a conditional UpdateItem of the
        // host's TOKEN item), apart from the other updates.
        // The document client's commands reach this step with their keys plain or marshalled.
        const sk = (args.input as { Key?: Record<string, unknown> }).Key?.[ATTR.sk];
        const skText = typeof sk === 'string' ? sk : (sk as { S?: string } | undefined)?.S;
        if (name === 'UpdateItem' && skText === HOST_TOKEN_SK) tokenWrites.count++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCrawlRequestCount' },
    );
  });
  const stack = await startEmbeddedStack({
    dataDir,
    sources: hosts.map((host) => ({ url: host.source })),
    port: false,
    allowPrivateNetwork: true,
    concurrency: CONCURRENCY,
    crawlConcurrency: 4,
    ...(SERVERS_IN === 'process' ? { serversProcess: true } : { serversThread: true }),
    logLevel: 'SILENT',
    fetcher: { minIntervalMs: INTERVAL_MS, maxConcurrentPerHost: 1, retries: 0, connector: timedConnector },
    onProgress: (event) => {
      if (event.kind !== 'source') return;
      sourcesDone++;
      sourceOutcomes[event.summary.outcome] = (sourceOutcomes[event.summary.outcome] ?? 0) + 1;
      if (event.summary.sitemapsUnread > 0) {
        sourcesReadInPart++;
        sitemapsUnread += event.summary.sitemapsUnread;
        process.stderr.write(
          `bench:crawl: source ${event.summary.url} left ${event.summary.sitemapsUnread} child sitemaps unread\n`,
        );
      }
      if (event.summary.error) {
        const reason = `${event.summary.error.code}: ${event.summary.error.message.slice(0, 160)}`;
        sourceErrors[reason] = (sourceErrors[reason] ?? 0) + 1;
        process.stderr.write(
          `bench:crawl: source ${event.summary.url} ${event.summary.outcome} after ${event.summary.durationMs} ms: ${reason}\n`,
        );
      }
    },
    onOutcome: (outcome, message) => {
      outcomes[outcome.status] = (outcomes[outcome.status] ?? 0) + 1;
      if (outcome.status === 'deferred') {
        const delay = outcome.retryAfterMs ?? 0;
        const bucket = PUT_BACK_BUCKETS.find(([, below]) => delay < below)?.[0] ?? 'longer';
        const key = `${message?.hostSlot === undefined ? 'free' : 'slot'} ${bucket}`;
        putBacks[key] = (putBacks[key] ?? 0) + 1;
      }
      if (outcome.status !== 'failed') return;
      const code = outcome.error?.code ?? 'UNKNOWN';
      failures[code] = (failures[code] ?? 0) + 1;
    },
  });
  try {
    const started = performance.now();
    const serversMemory = async () =>
      stack.serversPid === undefined ? undefined : await processMemory(stack.serversPid);
    const progress = setInterval(async () => {
      const totals = stack.totals();
      const servers = await serversMemory();
      process.stderr.write(
        `bench:crawl: ${round((performance.now() - started) / 1000, 0)} s, sources ${sourcesDone}/${SOURCES}, ingested ${totals.ingested}, failed ${totals.failed}, ` +
          `queued ${stack.queue.stats().pending}, RSS ${round(process.memoryUsage.rss() / 2 ** 20, 0)} MB, ` +
          `heap ${round(process.memoryUsage().heapUsed / 2 ** 20, 0)} MB` +
          `${servers ? `, servers RSS ${round(servers.rss / 2 ** 20, 0)} MB` : ''}\n`,
      );
    }, 5000);
    // RSS against articles stored, every 30 s: how memory grows with the size of the crawl.
    const growth: GrowthSample[] = [];
    const sampleGrowth = async () => {
      const memory = process.memoryUsage();
      const servers = await serversMemory();
      growth.push({
        seconds: round((performance.now() - started) / 1000, 0),
        ingested: stack.totals().ingested,
        backlog: stack.queue.stats().pending,
        rssMb: round(memory.rss / 2 ** 20, 0),
        heapMb: round(memory.heapUsed / 2 ** 20, 0),
        heapTotalMb: round(memory.heapTotal / 2 ** 20, 0),
        arrayBuffersMb: round(memory.arrayBuffers / 2 ** 20, 0),
        externalMb: round(memory.external / 2 ** 20, 0),
        ...(servers ? { serversRssMb: round(servers.rss / 2 ** 20, 0) } : {}),
        spilledMb: round(stack.queue.stats().spilledBytes / 2 ** 20, 1),
      });
    };
    const growthTimer = setInterval(() => void sampleGrowth(), 30_000);
    let timeLimit: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      stack.runOnce().then(() => false),
      ...(TIME_LIMIT_MS > 0
        ? [new Promise<boolean>((resolve) => (timeLimit = setTimeout(() => resolve(true), TIME_LIMIT_MS)))]
        : []),
    ]);
    clearTimeout(timeLimit);
    clearInterval(progress);
    await sampleGrowth();
    clearInterval(growthTimer);
    const first = stack.totals();
    const drainSeconds = (performance.now() - started) / 1000;
    const firstStats = await loopback.stats();
    const articleFetches = firstStats.reduce(
      (sum, host) => sum + host.articleFetches.reduce((a, [, count]) => a + count, 0),
      0,
    );
    const duplicates = firstStats.reduce(
      (sum, host) => sum + host.articleFetches.filter(([, count]) => count > 1).length,
      0,
    );
    const firstRates = rates(firstStats, INTERVAL_MS);
    const acceptedRates = rates(
      firstStats.map(({ accepted }) => ({ starts: accepted })),
      INTERVAL_MS,
    );
    const sentRates = rates([...sentAt.values()], INTERVAL_MS);
    const shortGaps = gapCauses(
      firstStats.map((report, i) => ({
        host: new URL(hosts[i]?.origin ?? 'http://x').host,
        arrivals: report,
      })),
      sentAt,
      INTERVAL_MS,
    );

    const crawlAgain = async () => {
      await loopback.resetArticleFetches();
      let after: string | undefined;
      do {
        const page = await stack.registry.list({ limit: 100, ...(after ? { after } : {}) });
        for (const source of page.items) {
          await stack.registry.update(source.id, { paused: true }, new Date());
          await stack.registry.update(source.id, { paused: false }, new Date());
        }
        after = page.next;
      } while (after !== undefined);
      const secondStarted = performance.now();
      const before = stack.totals();
      await stack.runOnce();
      const seconds = (performance.now() - secondStarted) / 1000;
      const articleFetches = (await loopback.stats()).reduce(
        (sum, host) => sum + host.articleFetches.length,
        0,
      );
      return { seconds: round(seconds), articleFetches, queued: stack.totals().queued - before.queued };
    };
    const firstOutcomes = { ...outcomes };
    const firstStoreRequests = { ...storeRequests };
    const firstTokenWrites = tokenWrites.count;
    // Second run (only after a complete first one): every source due again; unchanged feeds and sitemaps answer 304.
    const secondRun = stopped ? undefined : await crawlAgain();
    const serversAtEnd = await serversMemory();
    const hostsAtEnd = await processMemory(loopback.pid);
    const result = {
      sources: SOURCES,
      urlsPerSource: URLS,
      pages: SOURCES * URLS,
      hostIntervalMs: INTERVAL_MS,
      ingestConcurrency: CONCURRENCY,
      /** The first run hit --time-limit-s before the queue drained: the figures are for what it reached. */
      stoppedAtTimeLimit: stopped,
      /** URLs the crawl queued (each page once when every source was read whole). */
      queuedByCrawl: first.queued,
      sourcesReadInPart,
      sitemapsUnread,
      ingested: first.ingested,
      failed: first.failed,
      failuresByCode: { ...failures },
      deadLettered: first.deadLettered,
      sourceOutcomes: { ...sourceOutcomes },
      sourceErrors: { ...sourceErrors },
      drainSeconds: round(drainSeconds),
      articlesPerSecond: round(first.ingested / drainSeconds),
      articleFetches,
      duplicateFetches: duplicates,
      outcomes: firstOutcomes,
      /** Records put back (host busy) per article created: the work the queue's delivery order causes. */
      putBacksPerArticle: round((firstOutcomes.deferred ?? 0) / Math.max(1, first.ingested), 2),
      putBacksByDelay: { ...putBacks },
      /** Conditional writes of the hosts' tokens (takes, moves, slot reservations, back-offs) per article ingested. */
      tokenWritesPerArticle: round(firstTokenWrites / Math.max(1, first.ingested), 2),
      /** Requests not sent because their turn on the host had passed when the loop got to them (taken again). */
      missedTurns: { ...missedTurns },
      storeRequestsPerArticle: Object.fromEntries(
        Object.entries(firstStoreRequests)
          .sort(([, a], [, b]) => b - a)
          .map(([name, count]) => [name, round(count / Math.max(1, first.ingested), 2)]),
      ),
      growth,
      maxRequestsPerSecondOneHost: firstRates.maxPerSecond,
      minGapMsOneHost: firstRates.minGapMs,
      gapsUnderInterval: firstRates.gapsUnderInterval,
      /** The same at the hosts by the time each request's connection was accepted. */
      accepted: {
        maxRequestsPerSecondOneHost: acceptedRates.maxPerSecond,
        minGapMsOneHost: acceptedRates.minGapMs,
        gapsUnderInterval: acceptedRates.gapsUnderInterval,
      },
      sent: {
        maxRequestsPerSecondOneHost: sentRates.maxPerSecond,
        minGapMsOneHost: sentRates.minGapMs,
        gapsUnderInterval: sentRates.gapsUnderInterval,
      },
      /** The gaps under the interval at the hosts, by whether they were sent that close (gapCauses). */
      shortGapCauses: shortGaps,
      /** Not run when the first run hit the time limit. */
      secondRun: secondRun ?? null,
      /** This process: the pipeline and (with --servers thread) the storage servers. */
      peakRssMb: round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20, 0),
      serversIn: SERVERS_IN,
      /** The storage servers' own process (--servers process): its peak RSS, apart from the pipeline's. */
      serversPeakRssMb: serversAtEnd === undefined ? null : round(serversAtEnd.peakRss / 2 ** 20, 0),
      /** The loopback hosts' process's nice value (crawl-hosts.ts HOSTS_NICE where allowed). */
      hostsNice: loopback.nice,
      /** The loopback hosts' own process. */
      hostsPeakRssMb: hostsAtEnd === undefined ? null : round(hostsAtEnd.peakRss / 2 ** 20, 0),
      loadAverage,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (!values['no-report']) {
      const lines = [
        `${SOURCES} sources x ${URLS} URLs (${SOURCES * URLS} generated article pages) on ${SOURCES} loopback hosts`,
        '(127.0.0.2 onwards; half RSS feeds, half sitemap indexes of two child sitemaps), registered in the sources',
        'registry and crawled through the embedded stack: the schedule sends one crawl task per due source (4 crawl',
        `workers), ingest runs ${CONCURRENCY} batches at once, the per-host interval is ${INTERVAL_MS} ms (set for the`,
        'benchmark; the default is 1 s). Request rates and duplicate fetches are counted at the test servers. The second',
        'run makes every source due again: feeds and sitemaps answer 304, so no article is fetched.',
        '',
        ...(stopped
          ? [
              `**Stopped at the time limit (--time-limit-s ${TIME_LIMIT_MS / 1000}) before the queue drained: the figures are`,
              `for the ${result.ingested} of ${result.pages} pages ingested by then, and no second run was made.**`,
              '',
            ]
          : []),
        `| pages | queued by the crawl | ingested | failed tries | ${stopped ? 'run' : 'drain'} s | articles/s | duplicate fetches | max req/s one host | min gap ms at hosts (sent) | gaps under interval at hosts, requests / connections (sent) | 2nd run article fetches | 2nd run s | peak RSS MB${SERVERS_IN === 'process' ? ' (servers apart)' : ''} | load avg |`,
        '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        `| ${result.pages} | ${result.queuedByCrawl} | ${result.ingested} | ${result.failed} | ${result.drainSeconds} | ${result.articlesPerSecond} | ${result.duplicateFetches} | ${result.maxRequestsPerSecondOneHost} | ${result.minGapMsOneHost} (${result.sent.minGapMsOneHost}) | ${result.gapsUnderInterval} / ${result.accepted.gapsUnderInterval} (${result.sent.gapsUnderInterval}) | ${secondRun?.articleFetches ?? 'not run'} | ${secondRun?.seconds ?? '-'} | ${result.peakRssMb}${result.serversPeakRssMb === null ? '' : ` (${result.serversPeakRssMb})`} | ${result.loadAverage} |`,
        '',
        `Per article ingested: ${result.putBacksPerArticle} put-backs (host busy), ${result.tokenWritesPerArticle} host-token writes; records handled by outcome`,
        `${JSON.stringify(result.outcomes)} (deferred: put back); store requests ${JSON.stringify(result.storeRequestsPerArticle)}.`,
        `Requests not sent because the event loop got to them after their turn on the host (taken again): ${missedTurns.atConnect}`,
        `before connecting, ${missedTurns.atWrite} once connected (the connection closed with nothing written).`,
        '',
        'Memory as the crawl grows (every 30 s: articles stored, messages waiting in the ingest queue and their bodies in',
        "the queue's spill files, process RSS, main-thread heap and its memory outside the heap, the servers' process RSS):",
        '',
        '| s | ingested | queued | spilled MB | RSS MB | heap used / total MB | array buffers MB | external MB | servers RSS MB |',
        '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...thin(growth, 12).map(
          (sample) =>
            `| ${sample.seconds} | ${sample.ingested} | ${sample.backlog} | ${sample.spilledMb} | ${sample.rssMb} | ${sample.heapMb} / ${sample.heapTotalMb} | ${sample.arrayBuffersMb} | ${sample.externalMb} | ${sample.serversRssMb ?? '-'} |`,
        ),
        '',
        'Gaps are measured at the test servers between any two requests to one host (robots.txt, feed, sitemaps,',
        "articles): every fetch, the crawl worker's included, takes the same per-host token in the table. In brackets,",
        `the same gaps where requests leave the pipeline (its connector). The hosts run in their own process (nice ${result.hostsNice}) and stamp`,
        'each request on the monotonic clock the pipeline stamps its sends with, when its headers have arrived (the first',
        `figure) and when its connection was accepted (the second). Paired by host and path, the short gaps at the hosts`,
        `were sent at least an interval apart ${shortGaps.sentApart} times (the earlier request's trip that much longer: ${shortGaps.lateByMs.median} ms at the median,`,
        `${shortGaps.lateByMs.max} ms at most) and closer ${shortGaps.sentClose} times (unpaired ${shortGaps.unpaired}; shortest send gap among them ${shortGaps.minSentGapMs ?? '-'} ms); a`,
        `request's trip from the connector to the host's handler took ${shortGaps.tripMs.median} ms at the median, ${shortGaps.tripMs.p99} ms at the 99th percentile,`,
        `${shortGaps.tripMs.max} ms at most. A failed`,
        `try is retried by the queue (failures by code: ${JSON.stringify(result.failuresByCode)}); source outcomes:`,
        `${JSON.stringify(result.sourceOutcomes)}; sources read in part (child sitemaps left unread) ${sourcesReadInPart}, sitemaps unread ${sitemapsUnread}.`,
        '',
        SERVERS_IN === 'process'
          ? `Peak RSS is the pipeline's process (the handlers and the queue); the S3/DynamoDB stand-ins (s3rver, dynalite's LevelDB) run in a child process, as the services are not in the pipeline's memory in AWS, and their peak RSS is the figure in brackets. The loopback hosts' process peaked at ${result.hostsPeakRssMb ?? '-'} MB.`
          : `Peak RSS is the pipeline's process with the S3/DynamoDB servers on a worker thread; the loopback hosts' own process peaked at ${result.hostsPeakRssMb ?? '-'} MB.`,
      ];
      const defaultSize = values.sources === '100' && values.urls === '1000';
      writeResultSection({
        // The issue's size keeps its own section; smaller runs (to compare growth) get one per size.
        name: defaultSize ? '45-crawl' : `45-crawl-${SOURCES}x${URLS}`,
        title: 'Crawl at scale: sources registry, one crawl task per source',
        command: `npm run bench:crawl -- --sources ${SOURCES} --urls ${URLS} --interval-ms ${INTERVAL_MS} --concurrency ${CONCURRENCY}`,
        markdown: lines.join('\n'),
        data: result,
      });
    }
  } finally {
    clearInterval(sampler);
    stopCounting();
    await stack.stop();
    await loopback.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
