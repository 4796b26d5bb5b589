import { CRAWL_POLICY } from '../crawl-policy.ts';
import { defaultSleep } from './retry.ts';

export interface HostSchedulerOptions {
  /** Minimum time between the starts of two requests to one host; default 1000 ms. */
  minIntervalMs?: number;
  /** Requests in flight to one host at a time; default 2. */
  maxConcurrentPerHost?: number;
  /** Injectable clock and sleep so tests can check pacing without waiting. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface HostState {
  active: number;
  lastStart: number | undefined;
  /** Resolves when the previous caller has been let through: callers start in arrival order. */
  gate: Promise<void>;
  waiters: Array<() => void>;
}

/**
 * Paces requests per host: a minimum interval between request starts and a cap on requests in flight.
 * `acquire` resolves to a release function, to be called once the response has been read.
 */
export class HostScheduler {
  readonly minIntervalMs: number;
  readonly maxConcurrentPerHost: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly hosts = new Map<string, HostState>();

  constructor(options: HostSchedulerOptions = {}) {
    this.minIntervalMs = options.minIntervalMs ?? CRAWL_POLICY.hostMinIntervalMs;
    this.maxConcurrentPerHost = Math.max(1, options.maxConcurrentPerHost ?? 2);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  async acquire(
    host: string,
    options: { minIntervalMs?: number; signal?: AbortSignal } = {},
  ): Promise<() => void> {
    const state = this.stateOf(host);
    const interval = Math.max(this.minIntervalMs, options.minIntervalMs ?? 0);
    const previous = state.gate;
    let openGate = () => {};
    state.gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    try {
      await previous;
      while (state.active >= this.maxConcurrentPerHost) {
        await new Promise<void>((resolve) => state.waiters.push(resolve));
      }
      if (state.lastStart !== undefined) {
        const wait = state.lastStart + interval - this.now();
        if (wait > 0) await this.sleep(wait, options.signal);
      }
      state.active++;
      state.lastStart = this.now();
    } finally {
      openGate();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.active--;
      state.waiters.shift()?.();
    };
  }

  private stateOf(host: string): HostState {
    const key = host.toLowerCase();
    let state = this.hosts.get(key);
    if (state === undefined) {
      state = { active: 0, lastStart: undefined, gate: Promise.resolve(), waiters: [] };
      this.hosts.set(key, state);
    }
    return state;
  }

  /** Requests in flight to a host (for tests and metrics). */
  active(host: string): number {
    return this.hosts.get(host.toLowerCase())?.active ?? 0;
  }
}
