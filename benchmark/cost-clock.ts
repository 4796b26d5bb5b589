// Simulated time for bench:cost: the deployed ingest queue gathers a batch for up to 30 s (ingestBatchWindowSeconds)
// and the crawl spaces one host's messages by about 48 s (hostQueueSpacingMs and the reserved slots' margin), so a
// phase of a few messages per host takes minutes of queue time. The embedded queue jumps over its own waits
// (InProcessIngestQueue.simulateTime) and this clock is what makes the handlers see the time it jumped: Date.now()
// and `new Date()` read real time plus an offset that only grows. Real time still passes for real work (fetching,
// extraction, the store's requests), so nothing is faster than it is, only the waits are skipped.
import type { S3Client } from '@aws-sdk/client-s3';
import type { QueueClock } from '../lib/queue/in-process.ts';

export interface VirtualClock extends QueueClock {
  /** How far ahead of real time the clock reads (ms). */
  offsetMs(): number;
  /**
   * S3 clients whose request signatures must carry real time: s3rver (in the servers' thread, on real time)
   * refuses a signature more than 15 minutes off, which a run's skipped waits add up to.
   */
  signInRealTime(client: S3Client): void;
  /** Puts the real Date back. */
  uninstall(): void;
}

/** Replaces the global Date with one that reads real time plus the skipped waits. One at a time per process. */
export function installVirtualClock(): VirtualClock {
  const RealDate = globalThis.Date;
  const realNow = RealDate.now.bind(RealDate);
  let offset = 0;
  const s3Clients = new Set<S3Client>();
  class SimulatedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(realNow() + offset);
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return realNow() + offset;
    }
  }
  globalThis.Date = SimulatedDate as DateConstructor;
  const realSigning = (client: S3Client) => {
    (client.config as { systemClockOffset?: number }).systemClockOffset = -offset;
  };
  return {
    advanceTo(epochMs) {
      const ahead = epochMs - realNow();
      if (ahead <= offset) return;
      offset = ahead;
      for (const client of s3Clients) realSigning(client);
    },
    offsetMs: () => offset,
    signInRealTime(client) {
      s3Clients.add(client);
      realSigning(client);
    },
    uninstall() {
      globalThis.Date = RealDate;
    },
  };
}
