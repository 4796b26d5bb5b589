/**
 * Reserved request slots of a host (pure logic; the token item in lib/store/aws/politeness.ts holds the block).
 *
 * The crawl sends one host's messages spaced (hostQueueSpacingMs). Instead of a conditional write per fetch,
 * it reserves the whole run with one write: a block of `count` slots `spacingMs` apart from `startMs`, each
 * open for `windowMs`. A message carries its slot; ingest fetching it inside the window takes no token (a read
 * checks the block is still the host's and no back-off holds it). Every other request to the host (robots.txt,
 * feeds, other sources' URLs, late messages) takes the token as before, in the gaps: an interval clear of each
 * reserved window on both sides. So two requests to a host are never closer than its interval, whoever sends
 * them; a message that misses its window simply takes the token.
 */

export interface SlotBlock {
  /** The first slot (epoch ms); also the block's identity. */
  startMs: number;
  spacingMs: number;
  count: number;
  /** How long after its slot a reserved request may leave. */
  windowMs: number;
  /** The host interval the block keeps around its windows. */
  intervalMs: number;
}

/** One reserved slot, as a message carries it to ingest. */
export interface HostSlot {
  host: string;
  atMs: number;
  windowMs: number;
  blockStartMs: number;
  intervalMs: number;
}

/** Where `atMs` falls against a reserved slot: before it, inside its window, or after the window has closed. */
export function slotPhase(slot: HostSlot, atMs: number): 'ahead' | 'open' | 'closed' {
  if (atMs < slot.atMs) return 'ahead';
  return atMs <= slot.atMs + slot.windowMs ? 'open' : 'closed';
}

/** When the block stops constraining anyone: an interval after its last window closes. */
export function slotBlockEndMs(block: SlotBlock): number {
  return block.startMs + (block.count - 1) * block.spacingMs + block.windowMs + block.intervalMs;
}

/**
 * The window each reserved slot gets: what the spacing leaves after room for one free request between two slots
 * (an interval plus the free taker's slack on each side of it). 0 or less: the spacing is too tight to reserve.
 */
export function reservedSlotWindowMs(spacingMs: number, intervalMs: number, slackMs: number): number {
  return spacingMs - 2 * (intervalMs + slackMs);
}

/**
 * The earliest start, from `proposedMs` on, of a request that is not reserved (it may leave up to `slackMs` late,
 * and keeps `intervalMs` from others): clear of every reserved window of the block by the larger interval.
 */
export function firstFreeSlotMs(
  block: SlotBlock,
  proposedMs: number,
  intervalMs: number,
  slackMs: number,
): number {
  const clear = Math.max(intervalMs, block.intervalMs);
  let at = proposedMs;
  for (let i = 0; i < block.count; i++) {
    const slot = block.startMs + i * block.spacingMs;
    if (at + slackMs + clear <= slot) return at;
    at = Math.max(at, slot + block.windowMs + clear);
  }
  return at;
}

/** The block's slots as messages carry them. */
export function slotsOf(block: SlotBlock, host: string): HostSlot[] {
  return Array.from({ length: block.count }, (_, i) => ({
    host,
    atMs: block.startMs + i * block.spacingMs,
    windowMs: block.windowMs,
    blockStartMs: block.startMs,
    intervalMs: block.intervalMs,
  }));
}

/** Whether a reserved slot is still one of its block's (a block cut short keeps its start but fewer slots). */
export function slotInBlock(slot: HostSlot, block: SlotBlock): boolean {
  return (
    slot.blockStartMs === block.startMs && slot.atMs <= block.startMs + (block.count - 1) * block.spacingMs
  );
}

/**
 * Whether a reserved slot's message came a whole window or more after the window closed: the queue is delivering
 * the block's messages later than its pace (ingest is behind), so its later slots would be missed as well.
 */
export function slotFallenBehind(slot: HostSlot, atMs: number): boolean {
  return atMs > slot.atMs + 2 * slot.windowMs;
}

/** The block cut to the slots whose windows open by `keepUntilMs` (its first at least). */
export function cutBlock(block: SlotBlock, keepUntilMs: number): SlotBlock {
  const opened = Math.floor((keepUntilMs - block.startMs) / block.spacingMs) + 1;
  return { ...block, count: Math.max(1, Math.min(block.count, opened)) };
}
