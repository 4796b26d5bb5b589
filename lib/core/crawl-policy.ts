/**
 * The crawl policy: when a URL or a source is due, how stored articles are re-checked, how failures are retried
 * and which failures are transient. Pure (no I/O, clock and randomness injected) and the one place these numbers
 * and rules live: the ingest handler, the crawl, the fetcher, robots.txt and the webhook all ask this module.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface CrawlPolicy {
  readonly recheckScheduleMs: readonly number[];
  readonly urlRetry: { readonly baseMs: number; readonly maxMs: number };
  readonly permanentRetryAfterMs: number;
  readonly sourceIntervalMs: number;
  readonly minSourceIntervalMs: number;
  readonly sourceDueToleranceMs: number;
  readonly maxSourceBackoffMs: number;
  readonly fetchRetry: { readonly retries: number; readonly baseMs: number; readonly maxMs: number };
  readonly hostMinIntervalMs: number;
  readonly maxCrawlDelayMs: number;
  readonly robotsTtlMs: number;
  readonly ingestRobotsGraceMs: number;
  readonly robotsUnavailableTtlMs: number;
  readonly maxPutBackMs: number;
  readonly hostBackoffMs: number;
  readonly maxHostBackoffMs: number;
  readonly crawlMaxHostWaitMs: number;
  readonly slotCutMarginMs: number;
  readonly crawlRereadWithinMs: number;
  readonly queueRetentionMs: number;
  readonly handlerBudgetMs: number;
}

export const CRAWL_POLICY: CrawlPolicy = Object.freeze({
  /**
   * Re-checks of an already stored article, counted from its last new or changed version: 1 h, then 6 h after an
   * unchanged fetch, then 24 h; after that no time-based re-check: only a newer sitemap lastmod or feed date
   * (or an expired permanent failure) queues the URL again.
   */
  recheckScheduleMs: [1 * HOUR, 6 * HOUR, 24 * HOUR],
  /** A URL that failed transiently: base delay doubled per consecutive failure, capped, with jitter. */
  urlRetry: { baseMs: 5 * MINUTE, maxMs: 24 * HOUR },
  /** A permanent failure (404, not HTML, no article ...) is tried again after this long, in case it was fixed. */
  permanentRetryAfterMs: 30 * DAY,
  /** Default crawl interval of a source, and the floor any source's interval is raised to. */
  sourceIntervalMs: 15 * MINUTE,
  minSourceIntervalMs: 1 * MINUTE,
  /**
   * The schedule takes a source due within this much of its run: the schedule's ticks come a few seconds early or
   * late, and a source due a second after a tick would wait a whole schedule period (a 15-minute source crawled every
   * 30 minutes). Taken early by at most this, never later than due.
   */
  sourceDueToleranceMs: 1 * MINUTE,
  /** A failing source backs off: its interval doubled per consecutive failure, up to this. */
  maxSourceBackoffMs: 24 * HOUR,
  /** Retries inside one fetch (before the error reaches the handler): attempts after the first, backoff, cap. */
  fetchRetry: { retries: 2, baseMs: 500, maxMs: 30_000 },
  /** Per host: the minimum interval between request starts unless robots.txt asks for more, and the cap on that. */
  hostMinIntervalMs: 1_000,
  maxCrawlDelayMs: 30_000,
  /** robots.txt: how long fetched rules are kept, and how long an unavailable one (5xx, 429) blocks the site. */
  robotsTtlMs: 1 * HOUR,
  /**
   * Ingest keeps fetched robots.txt rules this much longer than robotsTtlMs (RFC 9309 allows a day). Each crawl of a
   * source reads the host's rules first and refreshes the shared copy once its hour is up; the messages it queues
   * arrive within maxPutBackMs and a batching window, in slots reserved on the host's token. With the same hour, the
   * copy ran out inside those slots for one crawl in ~10 (all of them in bench:cost's third re-check phase): ingest
   * fetched robots.txt itself, took the host's token inside the block and put the block's other messages back (1.7
   * put-backs per re-check there). With the grace, the crawl stays the one that refreshes the rules.
   */
  ingestRobotsGraceMs: 30 * MINUTE,
  robotsUnavailableTtlMs: 1 * MINUTE,
  /** Longest delay a message can be put back with (SQS DelaySeconds is at most 900 s). */
  maxPutBackMs: 15 * MINUTE,
  /**
   * A host answering 429 or 503 is left alone by every worker (its shared token pushed forward) for its
   * Retry-After, or this long when it gives none; a Retry-After above the cap is clamped.
   */
  hostBackoffMs: 1 * MINUTE,
  maxHostBackoffMs: 1 * HOUR,
  /**
   * A crawl task (feed, sitemaps, robots.txt: a few requests per host) waits for the host's token up to this long,
   * instead of putting the whole source back; beyond it the source's crawl fails and is retried with backoff.
   */
  crawlMaxHostWaitMs: 1 * MINUTE,
  /**
   * Ingest that gets a reserved slot's message a whole window or more after the window closed is behind the block's
   * pace, and so will be for the block's later slots: it cuts the block (host-slots.ts cutBlock) to the windows
   * that open within this margin, which a request may be using already (a slot is used after an eventually
   * consistent read of the token, which DynamoDB makes consistent within about a second). The host's later slots then
   * go to whoever takes the token, instead of standing empty while their late messages are put back until the block
   * would have ended (up to maxPutBackMs).
   */
  slotCutMarginMs: 2_000,
  /**
   * A crawl task whose read was cut short by a transient failure (the host busy past that wait, a timeout or a 5xx
   * after the fetch's own retries; on the source document or a child sitemap) reads the source again once, when
   * the first read took less than this; otherwise the source's next crawl does. What the first read queued is
   * leased, so the second queues only what it missed.
   */
  crawlRereadWithinMs: 2 * MINUTE,
  /** The ingest queue keeps a message this long (the CDK stack sets it); the in-flight marker outlives it. */
  queueRetentionMs: 4 * DAY,
  /** The longest one ingest invocation can run (Lambda's cap): a message must be fetched within its marker. */
  handlerBudgetMs: 15 * MINUTE,
});

/** The policy with a configured wait before a permanent failure is retried (ENV.permanentRetryDays). */
export function withPermanentRetryDays(
  days: number | undefined,
  policy: CrawlPolicy = CRAWL_POLICY,
): CrawlPolicy {
  return days === undefined ? policy : Object.freeze({ ...policy, permanentRetryAfterMs: days * DAY });
}

// ---- transient or permanent ----

/** HTTP statuses worth another try: request timeout, too many requests, any server error. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Socket error codes worth another attempt within the same fetch: the network or server had a bad moment. */
export const TRANSIENT_SOCKET_ERRORS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/** Error codes a later try cannot fix: the URL is recorded as a permanent failure, not sent back to the queue. */
const PERMANENT_CODES: ReadonlySet<string> = new Set([
  'BLOCKED_ADDRESS',
  'NOT_HTML',
  'NO_ARTICLE',
  'INVALID_URL',
  'ROBOTS_DISALLOWED',
  'TOO_LARGE',
  'INPUT_TOO_LARGE',
  'DECODE_FAILED',
  'SCHEMA_VIOLATION',
  'TOO_MANY_REDIRECTS',
  'REDIRECT_LOOP',
  'BAD_REQUEST',
]);
/** Error codes a later try may fix, whatever the thrower said about retrying at once. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'TIMEOUT',
  'CONNECTION_FAILED',
  'CONFLICT',
  'INTERNAL',
]);

/** The parts of a PipelineError the policy reads (kept structural so the module imports nothing). */
export interface FailureLike {
  code: string;
  details: { status?: number; retryable?: boolean; [key: string]: unknown };
}

/**
 * Whether a later try of the URL may succeed. An HTTP error is judged by its status; a code in the permanent
 * table is permanent unless its thrower marked this case retryable (robots.txt unavailable: a 5xx on
 * robots.txt blocks the site for now only); a code in the transient table is transient; any other code
 * follows its thrower's `retryable`, and is transient when unsaid.
 */
export function isTransientFailure(error: FailureLike): boolean {
  if (error.code === 'HTTP_ERROR') {
    const status = error.details.status;
    if (typeof status === 'number') return isTransientStatus(status);
    return error.details.retryable ?? true;
  }
  if (PERMANENT_CODES.has(error.code)) return error.details.retryable === true;
  if (TRANSIENT_CODES.has(error.code)) return true;
  return error.details.retryable ?? true;
}

/**
 * Whether a crawl's read that stopped on this failure may get further when read again within minutes: the host busy
 * past the crawl's wait, a timeout, a failed connection, a 429 or 5xx. A malformed document or a 404 would fail the
 * same way again.
 */
export function isRereadableFailure(error: FailureLike): boolean {
  if (error.code === 'HOST_BUSY' || error.code === 'TIMEOUT' || error.code === 'CONNECTION_FAILED')
    return true;
  const status = error.details.status;
  return error.code === 'HTTP_ERROR' && typeof status === 'number' && isTransientStatus(status);
}

/** How a robots.txt answer is read (RFC 9309): 2xx rules; transient errors block the site for now; other 4xx allow all. */
export function robotsStateForStatus(status: number): 'fetched' | 'unavailable' | 'missing' {
  if (status >= 200 && status <= 299) return 'fetched';
  return isTransientStatus(status) ? 'unavailable' : 'missing';
}

// ---- backoff ----

/** Exponential backoff with jitter: between half and all of base * 2^attempt, capped at maxMs. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

// ---- what is due: one URL ----

/** The parts of a URL's crawl state the policy reads. */
export interface UrlCrawlState {
  lastFetchedAt?: string | undefined;
  lastOutcome?: string | undefined;
  nextDueAt?: string | undefined;
  failureCount?: number | undefined;
  permanentFailure?: boolean | undefined;
  /** When a crawl queued the URL (its message is in flight until ingest records a fetch or the marker expires). */
  queuedAt?: string | undefined;
  leaseUntil?: string | undefined;
  /** The re-check schedule step nextDueAt belongs to (0: the first); read back from the interval when absent. */
  recheckStep?: number | undefined;
  /** When a crawl queued the URL presuming its re-check unchanged (presumedRecheck): the schedule moved already. */
  presumedAt?: string | undefined;
}

/** What a source said about a URL when it listed it. */
export interface ListedUrl {
  /** Sitemap lastmod, feed item updated date. */
  modifiedAt?: string | undefined;
  /** Feed item date (used as the change date when the source gives no modification date). */
  publishedAt?: string | undefined;
}

/**
 * permanent-failure: failed permanently and not yet due for its late retry. queued: an earlier message for the
 * URL is still in flight. fresh: fetched since the source last dated a change. not-due: its next re-check or
 * retry is in the future, or its re-check schedule is over and the source dates no change.
 * changed-meanwhile: the state moved on after the crawl read it (the crawl reports it; the policy never returns it).
 */
export type SkipReason = 'permanent-failure' | 'not-due' | 'fresh' | 'queued' | 'changed-meanwhile';

const time = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
};

/** Why a listed URL need not be queued now, or undefined when it should be. */
export function urlSkipReason(
  state: UrlCrawlState | undefined,
  listed: ListedUrl,
  at: Date,
  policy: CrawlPolicy = CRAWL_POLICY,
): SkipReason | undefined {
  if (state === undefined) return undefined;
  const now = at.getTime();
  // In flight: queued and not fetched since (ingest's state write clears the marker; it expires on its own
  // only when the message cannot be in the queue any more).
  const inFlightUntil = time(state.leaseUntil);
  if (inFlightUntil !== undefined && inFlightUntil > now) return 'queued';
  const fetchedAt = time(state.lastFetchedAt);
  if (state.permanentFailure) {
    const due = time(state.nextDueAt) ?? (fetchedAt ?? 0) + policy.permanentRetryAfterMs;
    return due > now ? 'permanent-failure' : undefined;
  }
  const succeeded = state.lastOutcome !== undefined && state.lastOutcome !== 'failed';
  // A change the source dates decides for a stored article: fetched since then is fresh, otherwise fetch now.
  const changedAt = time(listed.modifiedAt) ?? time(listed.publishedAt);
  if (succeeded && changedAt !== undefined && fetchedAt !== undefined) {
    if (fetchedAt < changedAt) return undefined;
    if (time(listed.modifiedAt) !== undefined) return 'fresh';
  }
  const due = time(state.nextDueAt);
  if (due !== undefined) return due > now ? 'not-due' : undefined;
  // A stored article whose re-check schedule is over waits for the source to date a change.
  if (succeeded && fetchedAt !== undefined) return 'not-due';
  return undefined;
}

/**
 * When a successfully fetched URL is next re-checked, or undefined when its schedule is over. A new or changed
 * version starts the schedule again; an unchanged fetch moves to the next step. The step is the stored
 * recheckStep, or (states written before it) read back from the interval the previous fetch set
 * (nextDueAt - lastFetchedAt).
 */
export function nextRecheckAt(
  previous: UrlCrawlState | undefined,
  changed: boolean,
  at: Date,
  policy: CrawlPolicy = CRAWL_POLICY,
): string | undefined {
  return nextRecheck(previous, changed, at, policy).nextDueAt;
}

/** nextRecheckAt with the step it belongs to (stored as recheckStep beside nextDueAt). */
export function nextRecheck(
  previous: UrlCrawlState | undefined,
  changed: boolean,
  at: Date,
  policy: CrawlPolicy = CRAWL_POLICY,
): { nextDueAt?: string; recheckStep?: number } {
  const schedule = policy.recheckScheduleMs;
  const first = schedule[0];
  if (first === undefined) return {};
  const after = (step: number) => {
    const ms = schedule[step];
    return ms === undefined
      ? {}
      : { nextDueAt: new Date(at.getTime() + ms).toISOString(), recheckStep: step };
  };
  if (changed || previous === undefined) return after(0);
  const previousSucceeded =
    previous.lastOutcome !== undefined && previous.lastOutcome !== 'failed' && !previous.permanentFailure;
  const due = time(previous.nextDueAt);
  const fetched = time(previous.lastFetchedAt);
  if (due === undefined || fetched === undefined) {
    // Schedule over (a stored article with no next re-check) stays over; anything else starts it.
    return previousSucceeded && fetched !== undefined ? {} : after(0);
  }
  if (!previousSucceeded) return after(0);
  return after(currentStep(previous, due, fetched, schedule) + 1);
}

function currentStep(
  state: UrlCrawlState,
  due: number,
  fetched: number,
  schedule: readonly number[],
): number {
  if (state.recheckStep !== undefined && Number.isInteger(state.recheckStep)) return state.recheckStep;
  const interval = due - fetched;
  // The step whose interval the previous fetch set (a minute's tolerance for clock skew between writers).
  let step = -1;
  for (let index = 0; index < schedule.length; index++) {
    if ((schedule[index] as number) <= interval + MINUTE) step = index;
  }
  return step;
}

/**
 * A re-check presumed unchanged, as the crawl's lease write records it: the step the schedule moves to and its due
 * time, or, for the schedule's last step, no due time (the schedule ends) and the time the lease ends instead.
 */
export interface PresumedRecheck {
  recheckStep: number;
  /** The next step's due time, where the lease also ends; absent after the last step. */
  nextDueAt?: string;
  /** When the lease ends, for the last step (which has no next due time). */
  leaseUntil?: string;
}

/**
 * A re-check the crawl queues because the time schedule says so (not because the source dated a change) is
 * usually answered 304. The crawl then moves the schedule on when it queues the URL (its one crawl-state write:
 * the lease), and ingest writes nothing for a 304 to that message: one write per re-check instead of two. Returns
 * the presumed next step, or undefined when the re-check is not on the time schedule (ingest then records the fetch
 * as usual). The lease of a presumed re-check ends when its next step is due; the last step has none, so its
 * lease runs as long as the last step's own interval (a dated change waits no longer than it would behind the
 * step before), and the schedule ends with it. A fetch that finds anything else (200, failure, new validators)
 * while the presumption is pending writes its state from withoutPresumption(state), as if nothing had been
 * presumed.
 */
export function presumedRecheck(
  state: UrlCrawlState | undefined,
  listed: ListedUrl,
  at: Date,
  policy: CrawlPolicy = CRAWL_POLICY,
): PresumedRecheck | undefined {
  if (state === undefined || state.permanentFailure) return undefined;
  if (state.lastOutcome === undefined || state.lastOutcome === 'failed') return undefined;
  const due = time(state.nextDueAt);
  const fetched = time(state.lastFetchedAt);
  if (due === undefined || fetched === undefined || due > at.getTime()) return undefined;
  const changedAt = time(listed.modifiedAt) ?? time(listed.publishedAt);
  if (changedAt !== undefined && fetched < changedAt) return undefined;
  // Due again, so an earlier presumption's lease is over: it stands (its 304 wrote nothing), the step is current.
  const next = nextRecheck(state, false, at, policy);
  if (next.nextDueAt !== undefined && next.recheckStep !== undefined)
    return { nextDueAt: next.nextDueAt, recheckStep: next.recheckStep };
  const schedule = policy.recheckScheduleMs;
  const lastIntervalMs = schedule[schedule.length - 1];
  if (lastIntervalMs === undefined) return undefined;
  return {
    recheckStep: currentStep(state, due, fetched, schedule) + 1,
    leaseUntil: new Date(at.getTime() + lastIntervalMs).toISOString(),
  };
}

/**
 * A re-check on the time schedule, as derived without a per-URL write: the schedule's step, its nominal due time and
 * when that step's window ends (the next step's nominal time; after the last step, its own interval later).
 */
export interface TimeRecheckStep {
  step: number;
  dueAt: string;
  endsAt: string;
}

/**
 * The nominal re-check steps of a stored article, from the step its state is at (recheckStep, read back from the
 * interval when absent) and that step's due time (nextDueAt): each later step is due its interval after the step
 * before's nominal time, not after that step's fetch (1 h, 7 h, 31 h after a new version with 1 h, 6 h, 24 h).
 */
export function nominalRechecks(
  state: UrlCrawlState | undefined,
  policy: CrawlPolicy = CRAWL_POLICY,
): TimeRecheckStep[] {
  if (!hasAnsweredFetch(state)) return [];
  const due = time(state.nextDueAt);
  const fetched = time(state.lastFetchedAt);
  if (due === undefined || fetched === undefined) return [];
  const schedule = policy.recheckScheduleMs;
  const first = currentStep(state, due, fetched, schedule);
  const steps: TimeRecheckStep[] = [];
  let at = due;
  for (let step = Math.max(0, first); step < schedule.length; step++) {
    const next = schedule[step + 1];
    const ends = at + (next ?? (schedule[step] as number));
    steps.push({ step, dueAt: new Date(at).toISOString(), endsAt: new Date(ends).toISOString() });
    at = ends;
  }
  return steps;
}

/** The nominal step a time re-check of `step` due at `dueAt` leads to, as an unchanged fetch records it. */
export function nominalNextRecheck(
  step: number,
  dueAt: string,
  policy: CrawlPolicy = CRAWL_POLICY,
): { nextDueAt?: string; recheckStep?: number } {
  const next = policy.recheckScheduleMs[step + 1];
  const due = time(dueAt);
  if (next === undefined || due === undefined) return {};
  return { nextDueAt: new Date(due + next).toISOString(), recheckStep: step + 1 };
}

/**
 * When the window of a time re-check of `step` due at `dueAt` ends: the next step's nominal time, or after the last
 * step its own interval later. A message for the step that has not been fetched by then is dropped by ingest, so it is
 * never fetched beside the next step's message (a backlog longer than a step) or a dated change's.
 */
export function timeRecheckEndsAt(step: number, dueAt: string, policy: CrawlPolicy = CRAWL_POLICY): number {
  const schedule = policy.recheckScheduleMs;
  const due = time(dueAt) ?? Number.NaN;
  return due + (schedule[step + 1] ?? schedule[step] ?? schedule[schedule.length - 1] ?? 0);
}

/**
 * The time re-check a URL's owner source derives at `at` (lib/handlers/crawl.ts), with no per-URL write: the latest
 * nominal step due by `at` whose window is still open and that no fetch has answered (the URL's last fetch is older
 * than the step's nominal time). `due` when the step's nominal time is after `recheckedThrough` (the start of the
 * owner's last complete read: no complete read has seen it yet), `in-flight` when it is not (that read queued it,
 * and its message stays in flight until a fetch records it or the window ends, when ingest drops it unfetched).
 * Undefined when no step is open.
 */
export function timeRecheck(
  state: UrlCrawlState | undefined,
  at: Date,
  recheckedThrough: string | undefined,
  policy: CrawlPolicy = CRAWL_POLICY,
): { status: 'due' | 'in-flight'; recheck: TimeRecheckStep } | undefined {
  const now = at.getTime();
  let open: TimeRecheckStep | undefined;
  for (const step of nominalRechecks(state, policy)) {
    if (Date.parse(step.dueAt) <= now && now < Date.parse(step.endsAt)) open = step;
  }
  if (open === undefined) return undefined;
  const fetched = time(state?.lastFetchedAt);
  if (fetched !== undefined && fetched >= Date.parse(open.dueAt)) return undefined;
  const through = time(recheckedThrough);
  const status = through !== undefined && Date.parse(open.dueAt) <= through ? 'in-flight' : 'due';
  return { status, recheck: open };
}

/**
 * Whether the URL's last fetch was answered (stored, unchanged or not modified) and it is not given up on: what a
 * time re-check or a dated change is counted from.
 */
export function hasAnsweredFetch(state: UrlCrawlState | undefined): state is UrlCrawlState {
  return (
    state !== undefined &&
    !state.permanentFailure &&
    state.lastOutcome !== undefined &&
    state.lastOutcome !== 'failed'
  );
}

/** Whether the source dates a change the URL's last successful fetch has not seen (the changed-date path). */
export function hasDatedChange(state: UrlCrawlState | undefined, listed: ListedUrl): boolean {
  if (!hasAnsweredFetch(state)) return false;
  const changedAt = time(listed.modifiedAt) ?? time(listed.publishedAt);
  const fetchedAt = time(state.lastFetchedAt);
  return changedAt !== undefined && fetchedAt !== undefined && fetchedAt < changedAt;
}

/** Whether a crawl's presumption is still waiting for its message's fetch (its lease is live at `at`). */
export function isPresumptionPending(state: UrlCrawlState | undefined, at: Date): boolean {
  if (state?.presumedAt === undefined || state.presumedAt !== state.queuedAt) return false;
  const until = time(state.leaseUntil);
  return until !== undefined && until > at.getTime();
}

/** The state as before a crawl presumed its re-check unchanged (the step it is at, not the step presumed). */
export function withoutPresumption<T extends UrlCrawlState>(state: T): T {
  if (state.presumedAt === undefined) return state;
  const { presumedAt: _presumedAt, ...rest } = state;
  const step = state.recheckStep;
  return { ...rest, recheckStep: step === undefined ? undefined : step - 1 } as T;
}

/** When a failed URL is next tried: transient, by backoff on its consecutive failures; permanent, after the long wait. */
export function nextRetryAt(
  failureCount: number,
  transient: boolean,
  at: Date,
  random: () => number = Math.random,
  policy: CrawlPolicy = CRAWL_POLICY,
): string {
  const delay = transient
    ? backoffDelay(Math.max(0, failureCount - 1), policy.urlRetry.baseMs, policy.urlRetry.maxMs, random)
    : policy.permanentRetryAfterMs;
  return new Date(at.getTime() + delay).toISOString();
}

/**
 * An ingest message is stale when the URL was fetched successfully after the message was queued (another
 * message, a re-check or a direct ingest got there first): dropping it saves a fetch of a page just fetched.
 * A failed fetch does not make it stale: the message coming back is that failure's retry.
 */
export function isStaleMessage(queuedAt: string | undefined, state: UrlCrawlState | undefined): boolean {
  const queued = time(queuedAt);
  const fetched = time(state?.lastFetchedAt);
  if (queued === undefined || fetched === undefined || state?.lastOutcome === 'failed') return false;
  return fetched > queued;
}

/**
 * Whether a message has outlived its in-flight marker (or would, before its fetch ends): a crawl may have queued
 * the URL again since, so the message is dropped rather than fetched twice.
 */
export function hasOutlivedMarker(
  queuedAt: string | undefined,
  markerMs: number,
  handlerBudgetMs: number,
  at: Date,
): boolean {
  const queued = time(queuedAt);
  return queued !== undefined && at.getTime() + handlerBudgetMs > queued + markerMs;
}

/**
 * How long a crawl's in-flight marker protects a queued URL: as long as its message can be in the queue (the
 * queue's retention), plus a margin for the last receive. Ingest drops a message older than the retention, so
 * no message outlives its marker, and a marker never expires while its message can still arrive.
 */
export function inFlightMarkerMs(
  queueRetentionMs: number = CRAWL_POLICY.queueRetentionMs,
  handlerBudgetMs: number = CRAWL_POLICY.handlerBudgetMs,
): number {
  return queueRetentionMs + handlerBudgetMs + MINUTE;
}

/**
 * Whether a 200 answer to a conditional GET is the very representation crawl state holds, so the re-check found
 * nothing new, as a 304 would have said: the page came from the URL asked for (no redirect) with the strong ETag
 * that was sent in If-None-Match. A strong ETag changes whenever the bytes do (RFC 9110, 8.8.1), so the page need
 * not be extracted again; an origin that ignores If-None-Match but keeps its ETags answers so. A weak ETag (`W/`)
 * promises only an equivalent page, and Last-Modified only a time to the second: neither is taken for the bytes.
 */
export function isStoredRepresentation(
  sentEtag: string | undefined,
  answer: { status: number; etag?: string | undefined; redirected: boolean },
): boolean {
  if (sentEtag === undefined || answer.etag === undefined || answer.redirected) return false;
  if (answer.status < 200 || answer.status > 299 || sentEtag.startsWith('W/')) return false;
  return answer.etag === sentEtag;
}

// ---- what is due: one source ----

/** The parts of a source's health the policy reads. */
export interface SourceSchedule {
  intervalMs?: number | undefined;
  paused?: boolean | undefined;
  lastCrawledAt?: string | undefined;
  consecutiveFailures?: number | undefined;
}

/** A source's crawl interval, defaulted and raised to the floor. */
export function sourceIntervalMs(source: SourceSchedule, policy: CrawlPolicy = CRAWL_POLICY): number {
  const interval = source.intervalMs ?? policy.sourceIntervalMs;
  return Math.max(policy.minSourceIntervalMs, Number.isFinite(interval) ? interval : policy.sourceIntervalMs);
}

/**
 * When a source is next due, or undefined while it is paused. Never crawled: now. After failures its interval
 * doubles per consecutive failure (with jitter, so failing sources do not all come back at once), capped.
 */
export function sourceNextDueAt(
  source: SourceSchedule,
  at: Date,
  random: () => number = Math.random,
  policy: CrawlPolicy = CRAWL_POLICY,
): string | undefined {
  if (source.paused) return undefined;
  const last = time(source.lastCrawledAt);
  if (last === undefined) return at.toISOString();
  const interval = sourceIntervalMs(source, policy);
  const failures = source.consecutiveFailures ?? 0;
  const wait =
    failures > 0
      ? Math.max(interval, backoffDelay(failures, interval, policy.maxSourceBackoffMs, random))
      : interval;
  return new Date(last + wait).toISOString();
}

/**
 * A crawled source's next due time. It keeps the source's beat: an interval (or back-off) after the schedule run
 * that found it due (`scheduledAt`; the crawl's start when it was not scheduled), not after the crawl's end (counted
 * from the end, a 15-minute source finishing after the next tick waited for the one after); never sooner than the
 * shortest source interval after the crawl ended (a task that waited long in the queue, or ran long, is not
 * crawled again at once).
 */
export function sourceDueAfterCrawl(
  source: Omit<SourceSchedule, 'lastCrawledAt'>,
  crawl: { scheduledAt?: Date | undefined; started: Date; finished: Date },
  random: () => number = Math.random,
  policy: CrawlPolicy = CRAWL_POLICY,
): string {
  const { scheduledAt, started, finished } = crawl;
  const beat =
    scheduledAt !== undefined && scheduledAt.getTime() <= started.getTime() ? scheduledAt : started;
  const onBeat = sourceNextDueAt({ ...source, lastCrawledAt: beat.toISOString() }, finished, random, policy);
  const earliest = finished.getTime() + policy.minSourceIntervalMs;
  const due = onBeat === undefined ? Number.NaN : Date.parse(onBeat);
  return new Date(Number.isFinite(due) ? Math.max(due, earliest) : earliest).toISOString();
}

export function isSourceDue(source: SourceSchedule, at: Date, policy: CrawlPolicy = CRAWL_POLICY): boolean {
  // The earliest the jitter allows: a due-source query should not skip a source the backoff has released.
  const due = sourceNextDueAt(source, at, () => 0, policy);
  return due !== undefined && Date.parse(due) <= at.getTime();
}

// ---- politeness ----

/** The interval a host's requests keep: the configured minimum, or robots.txt's Crawl-delay (capped) when longer. */
export function hostIntervalMs(
  minIntervalMs: number,
  crawlDelayMs: number | undefined,
  policy: CrawlPolicy = CRAWL_POLICY,
): number {
  return Math.max(minIntervalMs, Math.min(crawlDelayMs ?? 0, policy.maxCrawlDelayMs));
}

/**
 * Until when a host that answered `status` is left alone by every worker: 429 (too many requests) and 503
 * (unavailable) ask for it, for Retry-After when given (clamped), else the policy's default; other statuses: never.
 */
export function hostBackoffUntilMs(
  status: number,
  retryAfterMs: number | undefined,
  nowMs: number,
  policy: CrawlPolicy = CRAWL_POLICY,
): number | undefined {
  if (status !== 429 && status !== 503) return undefined;
  const delay = retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : policy.hostBackoffMs;
  return nowMs + Math.min(delay, policy.maxHostBackoffMs);
}

/**
 * The delay a message for a busy host is put back with: until the host's next slot, plus one spacing per message
 * already waiting ahead of it for that host (so a host's backlog spreads out instead of coming back all at once),
 * with up to an interval of jitter; capped by what the queue can delay. The spacing is the interval unless given
 * (ingest gives the host's queue spacing or what each take books, whichever is longer: messages back closer than
 * that find the host busy again).
 */
export function putBackDelayMs(
  input: { nextAllowedInMs: number; intervalMs: number; aheadOfIt: number; spacingMs?: number },
  random: () => number = Math.random,
  policy: CrawlPolicy = CRAWL_POLICY,
): number {
  const spacing = Math.max(input.intervalMs, input.spacingMs ?? 0);
  const base = Math.max(0, input.nextAllowedInMs) + input.aheadOfIt * spacing;
  const jitter = input.intervalMs * random();
  return Math.min(policy.maxPutBackMs, Math.max(1, Math.round(base + jitter)));
}

/**
 * How far apart the crawl sends one host's messages to ingest: twice the host's minimum interval plus the ingest
 * queue's batching window. A batch gathers what arrives within the window, so two messages of a host closer than
 * that can land in one batch, where the second finds the host busy and is put back (an SQS send and receive, and a
 * smaller batch); spaced by more, each comes in its own batch. Twice the interval leaves every other slot of the
 * host to the crawl's own requests (robots.txt, feeds, child sitemaps) and to other sources on the host, so they do
 * not contend with the spaced messages at every slot's edge. 0 when the host is not paced.
 */
export function hostQueueSpacingMs(hostIntervalMs: number, batchWindowMs: number): number {
  return hostIntervalMs <= 0 ? 0 : 2 * hostIntervalMs + Math.max(0, batchWindowMs);
}

/** The delay of the `ordinal`-th message (0 first) a crawl queues for one host: spaced, up to the longest delay. */
export function hostQueueDelayMs(
  ordinal: number,
  spacingMs: number,
  policy: CrawlPolicy = CRAWL_POLICY,
): number {
  return Math.min(policy.maxPutBackMs, Math.max(0, ordinal) * spacingMs);
}

/**
 * Orders URLs so that consecutive ones are on different hosts (round robin over hosts, each host's URLs in
 * their given order): ingest batches then mix hosts, and one busy host holds up a few messages, not a batch.
 */
export function interleaveByHost<T>(items: readonly T[], urlOf: (item: T) => string): T[] {
  const byHost = new Map<string, T[]>();
  for (const item of items) {
    let host: string;
    try {
      host = new URL(urlOf(item)).host.toLowerCase();
    } catch {
      host = '';
    }
    let list = byHost.get(host);
    if (list === undefined) {
      list = [];
      byHost.set(host, list);
    }
    list.push(item);
  }
  const queues = [...byHost.values()];
  const result: T[] = [];
  for (let round = 0; result.length < items.length; round++) {
    for (const queue of queues) if (round < queue.length) result.push(queue[round] as T);
  }
  return result;
}
