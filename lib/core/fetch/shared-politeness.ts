import {
  CRAWL_POLICY,
  hostBackoffUntilMs,
  hostIntervalMs,
  hostQueueSpacingMs,
  putBackDelayMs,
} from '../crawl-policy.ts';
import { PipelineError } from '../errors.ts';
import {
  cutBlock,
  firstFreeSlotMs,
  type HostSlot,
  type SlotBlock,
  slotBlockEndMs,
  slotFallenBehind,
  slotInBlock,
  slotPhase,
} from './host-slots.ts';
import { defaultSleep } from './retry.ts';
import type { RobotsCache } from './robots.ts';
import type { HostTurn, Politeness } from './types.ts';

/**
 * Politeness shared by every worker: one token per host in a store all instances see (the DynamoDB table in AWS
 * and in the embedded stack). Taking the token is one conditional write of the host's next allowed time; a
 * host that is not free yet is never waited for: acquire throws HOST_BUSY with the delay to put the message
 * back with, and the caller hands the message back to the queue.
 */

export type TokenTake = { taken: true } | { taken: false; nextAllowedAtMs?: number; block?: SlotBlock };

/** What the host's token item says: its next free time and its block of reserved slots (host-slots.ts). */
export interface HostTokenState {
  nextAllowedAtMs?: number;
  block?: SlotBlock;
}

/** The per-host token: a host item's nextAllowedAt, set only when it has passed (a conditional write). */
export interface HostTokenStore {
  /**
   * Takes the slot at `nowMs` when the host is free then and its reserved block (if any) has ended by then, or is
   * the block `knownBlockStartMs` names (the taker placed its slot clear of that block's windows).
   */
  take(host: string, nowMs: number, intervalMs: number, knownBlockStartMs?: number): Promise<TokenTake>;
  /** Reserves a block of slots (one write); refused while another block runs or a request's interval overlaps. */
  reserve?(
    host: string,
    block: SlotBlock,
    nowMs: number,
  ): Promise<{ reserved: boolean; state?: HostTokenState }>;
  /** Reads the token without writing (how a reserved slot checks its block still stands). */
  peek?(host: string): Promise<HostTokenState>;
  /** Pushes the host's next allowed time out to `untilMs` (never back): a 429 or 503 slows every worker. */
  holdUntil(host: string, untilMs: number): Promise<void>;
  /**
   * Moves a token this taker holds (next allowed time still `heldUntilMs`, so nobody took it since) out to
   * `untilMs`; false when it is no longer so. Lets a taker whose write overran its slot book a later one, at
   * `slotMs`: refused too when a block reserved since (or one other than `knownBlockStartMs`) runs at that slot.
   */
  extend?(
    host: string,
    heldUntilMs: number,
    untilMs: number,
    slotMs: number,
    knownBlockStartMs?: number,
  ): Promise<boolean>;
  /**
   * Cuts the host's block to `count` slots (one conditional write) while it still stands as `block` (same start and
   * count); false when it is no longer so. Ingest's way out of a block whose messages it gets too late to use.
   */
  cutBlock?(host: string, block: SlotBlock, count: number): Promise<boolean>;
}

export interface SharedPolitenessOptions {
  tokens: HostTokenStore;
  /** robots.txt rules (and Crawl-delay); undefined = robots.txt is not consulted. */
  robots?: RobotsCache;
  /** The minimum interval between request starts to one host; CRAWL_POLICY.hostMinIntervalMs by default. */
  minIntervalMs?: number;
  maxCrawlDelayMs?: number;
  now?: () => number;
  random?: () => number;
  /**
   * Wait for a busy host's turn, up to this long in all, instead of throwing HOST_BUSY: for the crawl worker, whose
   * task (a feed, a few sitemaps) cannot be put back by the URL. Undefined (ingest): never wait.
   */
  maxWaitMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * The ingest queue's batching window (0 unless given): with the interval, the host's queue spacing
   * (hostQueueSpacingMs) a busy host's put-back messages are spread by.
   */
  batchWindowMs?: number;
}

export interface HostBusyDetails {
  host: string;
  /** Put the message back for this long. */
  retryAfterMs: number;
}

export function hostBusy(url: URL, retryAfterMs: number): PipelineError {
  return new PipelineError('HOST_BUSY', `${url.host} is not due for another request yet`, {
    url: url.href,
    host: url.host,
    retryAfterMs,
  });
}

/**
 * A request that did not leave in its turn (HostTurn.inTime said no, at the connection or at the write): nothing was
 * sent. fetchPage takes the host's turn again (ingest's take then puts the message back, the crawl waits); a
 * HOST_BUSY, so a caller that still sees it puts the message back.
 */
export function slotMissed(url: URL): PipelineError {
  return new PipelineError('HOST_BUSY', `${url.host}: the request missed its turn and was not sent`, {
    url: url.href,
    host: url.host,
    retryAfterMs: CRAWL_POLICY.hostMinIntervalMs,
    slotMissed: true,
  });
}

export function isSlotMissed(error: unknown): boolean {
  return isHostBusy(error) && error.details.slotMissed === true;
}

export function isHostBusy(error: unknown): error is PipelineError & { details: HostBusyDetails } {
  return (
    error instanceof PipelineError &&
    error.code === 'HOST_BUSY' &&
    typeof error.details.retryAfterMs === 'number'
  );
}

/** The token write's latency assumed before any is seen: a DynamoDB write from Lambda, with room. */
const INITIAL_WRITE_LATENCY_MS = 20;

/** The longest lead a slot is booked with (a store that slow is failing; its writes overrun and are retried). */
const MAX_LEAD_MS = 2_000;

/**
 * The longest lead of a taker that waits (the crawl; at most half its wait): its token writes slower than
 * MAX_LEAD_MS overran every slot it booked, so under a loaded store a crawl task re-booked for its whole minute
 * and failed with HOST_BUSY. It waits for the host anyway, so a slot booked further ahead costs it nothing.
 */
const MAX_WAITING_LEAD_MS = 15_000;

/** How late after its slot a request may still leave (a tenth of the interval, at most this). */
const MAX_SLOT_SLACK_MS = 25;

/**
 * The most slack a taker whose timers fire late books: a process whose timers are seconds late is failing, and its
 * requests are put back or wait rather than book longer slots. At 1 s, a crawl task on a machine at load 43 (its
 * loop 1-2 s late) overran or missed every slot it booked until its wait ran out (bench:crawl: a feed failed
 * HOST_BUSY after 312 s, its two reads' waits).
 */
const MAX_LATE_SLACK_MS = 5_000;

/** How late after its booked slot a request taking the token may leave, for a host interval. */
export function slotSlackMs(intervalMs: number): number {
  return Math.min(MAX_SLOT_SLACK_MS, Math.floor(intervalMs / 10));
}

/**
 * The slack a taker books, given how late its timers have been firing: the interval's own slack, or twice the
 * recent lateness when that is more (capped by MAX_LATE_SLACK_MS). A slot booked with it is that much longer, so the
 * host still sees the interval between any two requests; the taker's request leaves a little later instead of
 * overrunning its slot again and again (each overrun a wasted token write, then a put-back or, for the crawl,
 * another wait: at load 25 a crawl task spent its whole minute's wait that way and failed). It may exceed a short
 * interval: a request is sent only within its slack (HostTurn.inTime), so a loop late by more than the interval
 * books slots that long rather than missing every one.
 */
export function lateSlackMs(intervalMs: number, timerLatenessMs: number): number {
  const base = slotSlackMs(intervalMs);
  return Math.max(base, Math.min(MAX_LATE_SLACK_MS, Math.ceil(2 * timerLatenessMs)));
}

/** Hosts remembered per instance before the passed ones are forgotten. */
const MAX_KNOWN_HOSTS = 10_000;

export function createSharedPoliteness(options: SharedPolitenessOptions): Politeness {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const minIntervalMs = options.minIntervalMs ?? CRAWL_POLICY.hostMinIntervalMs;
  const policy = {
    ...CRAWL_POLICY,
    ...(options.maxCrawlDelayMs === undefined ? {} : { maxCrawlDelayMs: options.maxCrawlDelayMs }),
  };
  // What this instance already knows a host is busy until (its own takes and refusals), and until when the messages
  // it has put back for the host come back (the last one's return): saves a conditional write that would fail, and
  // spreads them. The horizon outlives takes: reset at each take, every message refused after it was told to come
  // back within an interval or two of the others, so a host with many waiting messages had them all back at once,
  // one fetched and the rest put back again (26 put-backs per article in bench:crawl -- --sources 20 --urls 200).
  const knownBusy = new Map<string, { untilMs: number; returnsUntilMs: number }>();
  // Each host's interval when last taken (its Crawl-delay included), for refusals made without asking robots.txt.
  const knownInterval = new Map<string, number>();
  // Reserved blocks this instance has seen per host, so its own takes go in their gaps without a refused write.
  const knownBlocks = new Map<string, SlotBlock>();
  // Reserved slots already used here: a message delivered again inside its window takes the token instead.
  const usedSlots = new Set<string>();
  // The slot a waiting taker's robots.txt take booked for the request that asked for robots.txt (the next one to the
  // host from here): that request goes in it with no write of its own.
  const bookedNext = new Map<string, { slotMs: number; slackMs: number; intervalMs: number }>();
  // Tokens this instance took whose request missed its turn (HostTurn.inTime said no: nothing was sent), per host:
  // what the token still says (held until), so the retake moves it to a later slot (tokens.extend, one conditional
  // write) instead of finding the host busy with its own booking and putting the message back.
  const missedHeld = new Map<string, { heldUntilMs: number }>();

  const refuse = (url: URL, host: string, untilMs: number, intervalMs: number): PipelineError => {
    const at = now();
    let known = knownBusy.get(host);
    if (known === undefined || known.untilMs < untilMs) {
      known = { untilMs, returnsUntilMs: known?.returnsUntilMs ?? 0 };
      knownBusy.set(host, known);
    }
    // After the messages already put back for the host: one spacing past the last of them to come back. The
    // spacing is the host's queue spacing (as the crawl sends them: two back closer than the batching window meet in
    // one batch) or what a take now books (interval + the slack this instance's late timers call for), whichever
    // is longer; spread by one interval, they came back faster than the host's turns and met its token busy again.
    const spacingMs = Math.max(
      hostQueueSpacingMs(intervalMs, options.batchWindowMs ?? 0),
      intervalMs + lateSlackMs(intervalMs, timerLatenessMs),
    );
    const aheadOfIt = Math.max(0, Math.ceil((known.returnsUntilMs + spacingMs - known.untilMs) / spacingMs));
    const delay = putBackDelayMs(
      { nextAllowedInMs: known.untilMs - at, intervalMs, aheadOfIt, spacingMs },
      random,
      policy,
    );
    known.returnsUntilMs = Math.max(known.returnsUntilMs, at + delay);
    return hostBusy(url, delay);
  };

  const sleep = options.sleep ?? defaultSleep;

  // The token's write takes time (a few ms on DynamoDB, far more on a loaded machine), and a request goes out
  // only after it: a slot counted from before the write would let two requests arrive closer than the interval
  // when one write was slow and the next fast. So a taker books a slot a little ahead (its lead: twice the
  // recent write latency, capped), waits for it, and (when it may wait) books again if the write overran it. The lead may
  // exceed the interval: slots still follow each other an interval apart, only booked further ahead.
  // The estimate jumps to a slow write at once and decays slowly, so one overrun is not followed by more.
  let writeLatencyMs = INITIAL_WRITE_LATENCY_MS;
  const maxLeadMs =
    options.maxWaitMs === undefined ? MAX_LEAD_MS : Math.min(MAX_WAITING_LEAD_MS, options.maxWaitMs / 2);
  // How late this instance's sleeps to a slot wake up: a loaded machine, or an ingest batch whose other records
  // are being extracted on the same event loop, fires them well past the interval's slack. Estimated like the
  // write latency (up at once, down slowly); the slack a take books follows it (lateSlackMs).
  let timerLatenessMs = 0;
  const sleepUntil = async (slotMs: number, fromMs: number, signal?: AbortSignal) => {
    if (slotMs <= fromMs) return;
    await sleep(slotMs - fromMs, signal);
    timerLatenessMs = Math.max(Math.max(0, now() - slotMs), 0.9 * timerLatenessMs);
  };

  /**
   * When a request that is not reserved may go, from `fromMs`, given the host's block: in the next gap for a taker
   * that waits (the crawl: it sleeps to the ms); for one that puts its message back (ingest), a gap is as wide as
   * the free taker's slack, far narrower than a queue's delay is precise, so it comes back once the block has ended.
   */
  const freeFrom = (block: SlotBlock, fromMs: number, intervalMs: number, slack: number): number => {
    const free = firstFreeSlotMs(block, fromMs, intervalMs, slack);
    if (free === fromMs || options.maxWaitMs !== undefined) return free;
    return Math.max(free, slotBlockEndMs(block) + Math.max(0, intervalMs - block.intervalMs));
  };

  /**
   * A turn to send in: the request may leave until `sendByMs` (its slot plus the slack booked with it, or a reserved
   * slot's window). The connector asks just before it opens the connection and again just before it writes the
   * request, so an event loop held up past that (an ingest batch extracting other pages) sends nothing: the next
   * taker's slot may have begun, in this instance or any other. A miss raises the lateness estimate, so the next
   * slots are booked with the slack it calls for (lateSlackMs).
   */
  const turn = (slotMs: number, sendByMs: number, held?: { host: string; heldUntilMs: number }): HostTurn => {
    const release: HostTurn = () => {};
    release.inTime = () => {
      const at = now();
      if (at <= sendByMs) return true;
      timerLatenessMs = Math.max(timerLatenessMs, at - slotMs);
      if (held !== undefined) missedHeld.set(held.host, { heldUntilMs: held.heldUntilMs });
      return false;
    };
    return release;
  };

  /**
   * Moves the token this instance holds (still `heldUntilMs`: nobody took it since) to a slot a lead from now, booked
   * with the slack the instance's lateness calls for, and waits for it: one conditional write. Ingest's way out of
   * a slot it could not use (a write that overran it, a request that missed its turn), instead of a put-back. A
   * number (busy until) when the token moved on or a reserved window runs at the new slot.
   */
  const moveHeld = async (
    host: string,
    heldUntilMs: number,
    intervalMs: number,
    block: SlotBlock | undefined,
    signal?: AbortSignal,
  ): Promise<number | { slotMs: number; sendByMs: number; heldUntilMs: number }> => {
    const extend = options.tokens.extend;
    if (extend === undefined) return heldUntilMs;
    const again = now();
    const slot2 = again + Math.min(MAX_LEAD_MS, Math.ceil(2 * writeLatencyMs));
    const slack2 = lateSlackMs(intervalMs, timerLatenessMs);
    const bookedMs2 = intervalMs + slack2;
    if (block !== undefined && firstFreeSlotMs(block, slot2, intervalMs, slack2) > slot2) return heldUntilMs;
    if (!(await extend.call(options.tokens, host, heldUntilMs, slot2 + bookedMs2, slot2, block?.startMs)))
      return heldUntilMs;
    const written2 = now();
    writeLatencyMs = Math.max(written2 - again, 0.9 * writeLatencyMs);
    knownBusy.set(host, {
      untilMs: slot2 + bookedMs2,
      returnsUntilMs: knownBusy.get(host)?.returnsUntilMs ?? 0,
    });
    await sleepUntil(slot2, written2, signal);
    return now() > slot2 + slack2
      ? slot2 + bookedMs2
      : { slotMs: slot2, sendByMs: slot2 + slack2, heldUntilMs: slot2 + bookedMs2 };
  };

  /**
   * One try at the host's token: the latest send time when taken (and its slot reached), else when the host is busy
   * until.
   * `bookNext` (robots.txt, fetched for the request about to follow): a waiting taker books that request's slot with
   * the same write.
   */
  const tryTake = async (
    host: string,
    intervalMs: number,
    signal?: AbortSignal,
    bookNext = false,
  ): Promise<number | { slotMs: number; sendByMs: number; heldUntilMs?: number }> => {
    // This instance's last request to the host missed its turn (nothing sent) and the token still holds that slot:
    // ingest moves it to a new slot (one write) rather than put the message back behind its own booking.
    const missed = missedHeld.get(host);
    if (missed !== undefined) {
      missedHeld.delete(host);
      if (options.maxWaitMs === undefined && options.tokens.extend !== undefined) {
        // The new slot goes clear of the host's reserved block as this instance knows it (the store refuses the
        // move if another block runs there).
        const known = knownBlocks.get(host);
        const block = known !== undefined && slotBlockEndMs(known) > now() ? known : undefined;
        return moveHeld(host, missed.heldUntilMs, intervalMs, block, signal);
      }
    }
    const at = now();
    const next = bookedNext.get(host);
    if (next !== undefined) {
      bookedNext.delete(host);
      // Still reachable in time (its slack not passed): the slot is this request's, held on the token already.
      if (intervalMs <= next.intervalMs && at <= next.slotMs + next.slackMs) {
        await sleepUntil(next.slotMs, at, signal);
        if (now() <= next.slotMs + next.slackMs)
          return { slotMs: next.slotMs, sendByMs: next.slotMs + next.slackMs };
        return next.slotMs + next.intervalMs + next.slackMs;
      }
    }
    const slot = at + Math.min(maxLeadMs, Math.ceil(2 * writeLatencyMs));
    // A request may leave up to `slack` after its slot (timers fire late); the next slot is that much later.
    const slack = lateSlackMs(intervalMs, timerLatenessMs);
    const bookedMs = intervalMs + slack;
    const known = knownBusy.get(host);
    if (known !== undefined && known.untilMs > slot) return known.untilMs;
    if (knownBusy.size > MAX_KNOWN_HOSTS) {
      for (const [name, entry] of knownBusy) {
        if (entry.untilMs > at) continue;
        knownBusy.delete(name);
        knownInterval.delete(name);
      }
      for (const [name, block] of knownBlocks) if (slotBlockEndMs(block) <= at) knownBlocks.delete(name);
      for (const [name, booked] of bookedNext)
        if (booked.slotMs + booked.slackMs < at) bookedNext.delete(name);
    }
    // Not inside a reserved window of the host (or within an interval of one): the next gap, without a write.
    let block = knownBlocks.get(host);
    if (block !== undefined && slotBlockEndMs(block) <= slot) block = undefined;
    if (block !== undefined) {
      const free = freeFrom(block, slot, intervalMs, slack);
      if (free > slot) return free;
    }
    knownInterval.set(host, intervalMs);
    // Two slots in one write only for a taker that waits for the second (ingest would put its message back) and
    // with no reserved block of the host known (the second slot is not placed clear of one).
    const slots = bookNext && options.maxWaitMs !== undefined && block === undefined ? 2 : 1;
    const heldMs = slots * bookedMs;
    // Claimed locally before the write, so this instance's other records for the host do not write too.
    knownBusy.set(host, { untilMs: slot + heldMs, returnsUntilMs: known?.returnsUntilMs ?? 0 });
    let heldUntilMs = slot + heldMs;
    let taken = await options.tokens.take(host, slot, heldMs, block?.startMs);
    if (!taken.taken && taken.block !== undefined && slotBlockEndMs(taken.block) > slot) {
      // Refused for a block this instance did not know: remember it; take again at once when the slot is clear of it.
      const seen = taken.block;
      knownBlocks.set(host, seen);
      const free = freeFrom(seen, Math.max(slot, taken.nextAllowedAtMs ?? slot), intervalMs, slack);
      if (free > slot || seen.startMs === block?.startMs) return free;
      taken = await options.tokens.take(host, slot, bookedMs, seen.startMs);
      heldUntilMs = slot + bookedMs;
      block = seen;
    }
    const written = now();
    writeLatencyMs = Math.max(written - at, 0.9 * writeLatencyMs);
    if (!taken.taken) {
      const next = taken.nextAllowedAtMs ?? slot + bookedMs;
      return block === undefined ? next : freeFrom(block, next, intervalMs, slack);
    }
    await sleepUntil(slot, written, signal);
    // Overran (a slow write, a late timer): sent now, the request could come within an interval of the next
    // taker's, which may already be on its way. A waiting taker (the crawl) books again. Ingest moves its token
    // to a new slot while nobody has taken it since (one more write, only on an overrun: the latency estimate has
    // jumped to the slow write, so the new slot is booked further ahead), and puts the message back if it cannot.
    if (now() <= slot + slack) {
      if (slots === 2) bookedNext.set(host, { slotMs: slot + bookedMs, slackMs: slack, intervalMs });
      return { slotMs: slot, sendByMs: slot + slack, heldUntilMs };
    }
    if (options.maxWaitMs !== undefined) return slot + heldMs;
    // The overrun raised the lateness estimate: the new slot is booked with the slack it now calls for.
    return moveHeld(host, heldUntilMs, intervalMs, block, signal);
  };

  /**
   * Whether a request may go out now on its reserved slot, with no token write: inside the slot's window, for the
   * host and interval the block was reserved with, used once here, and the host's token (one read) still holds
   * that block and no back-off. Anything else takes the token as usual.
   */
  const mayUseSlot = async (host: string, intervalMs: number, slot: HostSlot): Promise<boolean> => {
    const key = `${host} ${slot.atMs}`;
    const inWindow = () => slotPhase(slot, now()) === 'open';
    if (slot.host !== host || intervalMs > slot.intervalMs || usedSlots.has(key) || !inWindow()) return false;
    if (options.tokens.peek === undefined) return false;
    const state = await options.tokens.peek(host);
    if (state.block !== undefined) knownBlocks.set(host, state.block);
    if (
      state.block === undefined ||
      !slotInBlock(slot, state.block) ||
      (state.nextAllowedAtMs ?? 0) > now() ||
      !inWindow()
    ) {
      return false;
    }
    if (usedSlots.size > MAX_KNOWN_HOSTS) usedSlots.clear();
    usedSlots.add(key);
    return true;
  };

  /**
   * Whether this message's late slot should cut its block: ingest (which does not wait), the message fallen behind
   * the block's pace, and this instance not knowing the block cut already.
   */
  const shouldCut = (host: string, reserved: HostSlot | undefined): reserved is HostSlot => {
    if (reserved === undefined || options.maxWaitMs !== undefined || options.tokens.cutBlock === undefined)
      return false;
    if (reserved.host !== host || !slotFallenBehind(reserved, now())) return false;
    const known = knownBlocks.get(host);
    return known === undefined || known.startMs !== reserved.blockStartMs || slotInBlock(reserved, known);
  };

  /**
   * Ingest got a reserved slot's message a window or more after its window closed: it is behind the block's pace, and
   * the block's later messages would miss their windows too while free takers are kept out until the block ends (their
   * messages put back for up to maxPutBackMs, again and again). Cut the block to the windows that open within
   * slotCutMarginMs (one read, one conditional write), so the host's later turns go to whoever takes the token.
   */
  const cutFallenBehind = async (host: string, reserved: HostSlot): Promise<void> => {
    const cut = options.tokens.cutBlock;
    const peek = options.tokens.peek;
    if (cut === undefined || peek === undefined) return;
    const state = await peek.call(options.tokens, host);
    let block = state.block;
    if (block === undefined || block.startMs !== reserved.blockStartMs) return;
    const shorter = cutBlock(block, now() + policy.slotCutMarginMs);
    if (shorter.count < block.count && (await cut.call(options.tokens, host, block, shorter.count)))
      block = shorter;
    knownBlocks.set(host, block);
    // What this instance knew the host busy until came from the block as it was: the token's own time now stands.
    const known = knownBusy.get(host);
    if (known !== undefined && slotInBlock(reserved, block) === false)
      knownBusy.set(host, { untilMs: state.nextAllowedAtMs ?? 0, returnsUntilMs: 0 });
  };

  return {
    knownBusy(url, reserved) {
      const host = url.host.toLowerCase();
      // A message fallen behind its block goes on to cut it (acquire), not back behind the block.
      if (shouldCut(host, reserved)) return undefined;
      const known = knownBusy.get(host);
      // The same test as tryTake's before its write: busy past the slot a take now would book.
      const slot = now() + Math.min(MAX_LEAD_MS, Math.ceil(2 * writeLatencyMs));
      if (known === undefined || known.untilMs <= slot) return undefined;
      return refuse(url, host, known.untilMs, knownInterval.get(host) ?? minIntervalMs);
    },
    busyUntilMs(host) {
      return knownBusy.get(host.toLowerCase())?.untilMs;
    },
    async acquire(url, signal, reserved) {
      let crawlDelayMs: number | undefined;
      // robots.txt is always allowed (RFC 9309) but paced like any request: the host sees it as one.
      if (options.robots && url.pathname !== '/robots.txt') {
        crawlDelayMs = (await options.robots.check(url)).crawlDelayMs;
      }
      const intervalMs = hostIntervalMs(minIntervalMs, crawlDelayMs, policy);
      if (intervalMs <= 0) return () => {};
      const host = url.host.toLowerCase();
      if (url.pathname !== '/robots.txt' && shouldCut(host, reserved)) await cutFallenBehind(host, reserved);
      if (
        reserved !== undefined &&
        url.pathname !== '/robots.txt' &&
        (await mayUseSlot(host, intervalMs, reserved))
      ) {
        // Its window is wide (most of the spacing): a miss says the loop was late by what it overran, not by the window.
        const closesMs = reserved.atMs + reserved.windowMs;
        return turn(closesMs - slotSlackMs(intervalMs), closesMs);
      }
      const waitUntil = options.maxWaitMs === undefined ? undefined : now() + options.maxWaitMs;
      for (;;) {
        const busyUntil = await tryTake(host, intervalMs, signal, url.pathname === '/robots.txt');
        if (typeof busyUntil !== 'number') {
          const { slotMs, sendByMs, heldUntilMs } = busyUntil;
          return turn(slotMs, sendByMs, heldUntilMs === undefined ? undefined : { host, heldUntilMs });
        }
        if (waitUntil === undefined || busyUntil > waitUntil) {
          throw refuse(url, host, busyUntil, intervalMs);
        }
        // A few ms of jitter, so waiters on one host do not all write at the same instant.
        await sleep(Math.max(0, busyUntil - now()) + Math.floor(random() * 10), signal);
      }
    },
    async backOff(url, status, retryAfterMs) {
      const host = url.host.toLowerCase();
      const untilMs = hostBackoffUntilMs(status, retryAfterMs, now(), policy);
      if (untilMs === undefined) return;
      const known = knownBusy.get(host);
      if (known === undefined || known.untilMs < untilMs)
        knownBusy.set(host, { untilMs, returnsUntilMs: known?.returnsUntilMs ?? 0 });
      await options.tokens.holdUntil(host, untilMs);
    },
  };
}
