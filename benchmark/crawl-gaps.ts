// bench:crawl's reading of request times per host (pure): how close together one host's requests came, at the
// test servers and where they left the pipeline, and why the short gaps at the servers happened.

/** One host's requests: their times (ms, one clock for all) and paths, in the same order. */
export interface HostRequests {
  starts: number[];
  paths: string[];
}

export interface GapRates {
  /** Most requests any one host saw within one second (sliding window). */
  maxPerSecond: number;
  /** The shortest gap between two requests to one host (ms, rounded). */
  minGapMs: number;
  /** Gaps between consecutive requests to one host under the interval. */
  gapsUnderInterval: number;
}

/** Request rates over every host's request times (robots.txt, feeds, sitemaps and articles alike). */
export function rates(hosts: Array<{ starts: number[] }>, intervalMs: number): GapRates {
  let maxPerSecond = 0;
  let minGapMs = Number.POSITIVE_INFINITY;
  let gapsUnderInterval = 0;
  for (const { starts } of hosts) {
    const sorted = [...starts].sort((a, b) => a - b);
    let from = 0;
    for (let to = 0; to < sorted.length; to++) {
      while ((sorted[to] as number) - (sorted[from] as number) >= 1000) from++;
      maxPerSecond = Math.max(maxPerSecond, to - from + 1);
      if (to === 0) continue;
      const gap = (sorted[to] as number) - (sorted[to - 1] as number);
      minGapMs = Math.min(minGapMs, gap);
      if (gap < intervalMs) gapsUnderInterval++;
    }
  }
  return { maxPerSecond, minGapMs: Number.isFinite(minGapMs) ? Math.round(minGapMs) : 0, gapsUnderInterval };
}

export interface GapCauses {
  /** Short gaps at the host whose two requests were sent at least an interval apart (delayed in transit). */
  sentApart: number;
  /** Short gaps already closer than the interval when sent. */
  sentClose: number;
  /** Short gaps with a request the sends do not account for. */
  unpaired: number;
  /** The shortest interval the sends of the short gaps kept (ms). */
  minSentGapMs: number | null;
  /** Each paired request's trip: its arrival at the host less its send (ms). */
  tripMs: { median: number; p99: number; max: number };
  /** How much later than its predecessor's trip the earlier request of each sent-apart short gap took (ms). */
  lateByMs: { median: number; max: number };
}

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * Each gap under the interval at the hosts, set against the same two requests where they left the pipeline (paired
 * by host and path, the k-th arrival of a path with its k-th send): `sentApart` gaps were sent at least an interval
 * apart and arrived closer (the earlier one's trip from the connector to the host took longer than the later one's),
 * `sentClose` gaps were already closer when sent. Also every paired request's trip (arrival less send).
 */
export function gapCauses(
  hosts: Array<{ host: string; arrivals: HostRequests }>,
  sent: Map<string, HostRequests>,
  intervalMs: number,
): GapCauses {
  let sentApart = 0;
  let sentClose = 0;
  let unpaired = 0;
  let minSentGapMs = Number.POSITIVE_INFINITY;
  const trips: number[] = [];
  const lateBy: number[] = [];
  for (const { host, arrivals: report } of hosts) {
    const sends = sent.get(host);
    // The k-th send of each path, to pair with the k-th arrival.
    const sendsByPath = new Map<string, number[]>();
    for (let i = 0; i < (sends?.paths.length ?? 0); i++) {
      const path = sends?.paths[i] as string;
      const list = sendsByPath.get(path) ?? [];
      list.push(sends?.starts[i] as number);
      sendsByPath.set(path, list);
    }
    const seen = new Map<string, number>();
    const arrivals = report.starts.map((at, i) => {
      const path = report.paths[i] as string;
      const k = seen.get(path) ?? 0;
      seen.set(path, k + 1);
      const sentAtMs = sendsByPath.get(path)?.[k];
      if (sentAtMs !== undefined) trips.push(at - sentAtMs);
      return { at, sentAtMs };
    });
    arrivals.sort((a, b) => a.at - b.at);
    for (let i = 1; i < arrivals.length; i++) {
      const earlier = arrivals[i - 1] as (typeof arrivals)[number];
      const later = arrivals[i] as (typeof arrivals)[number];
      if (later.at - earlier.at >= intervalMs) continue;
      if (earlier.sentAtMs === undefined || later.sentAtMs === undefined) {
        unpaired++;
        continue;
      }
      const sentGap = Math.abs(later.sentAtMs - earlier.sentAtMs);
      minSentGapMs = Math.min(minSentGapMs, sentGap);
      if (sentGap >= intervalMs) {
        sentApart++;
        lateBy.push(earlier.at - earlier.sentAtMs - (later.at - later.sentAtMs));
      } else sentClose++;
    }
  }
  trips.sort((a, b) => a - b);
  lateBy.sort((a, b) => a - b);
  const quantile = (values: number[], q: number) =>
    round(values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0);
  return {
    sentApart,
    sentClose,
    unpaired,
    minSentGapMs: Number.isFinite(minSentGapMs) ? round(minSentGapMs) : null,
    tripMs: { median: quantile(trips, 0.5), p99: quantile(trips, 0.99), max: round(trips.at(-1) ?? 0) },
    lateByMs: { median: quantile(lateBy, 0.5), max: round(lateBy.at(-1) ?? 0) },
  };
}
