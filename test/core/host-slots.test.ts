import { describe, expect, it } from 'vitest';
import {
  firstFreeSlotMs,
  reservedSlotWindowMs,
  type SlotBlock,
  slotBlockEndMs,
  slotPhase,
  slotsOf,
} from '../../lib/core/fetch/host-slots.ts';

// A block of 3 slots 4 s apart from t=10,000, each open 1.95 s, keeping a 1 s interval (the bench's shape).
const block: SlotBlock = { startMs: 10_000, spacingMs: 4_000, count: 3, windowMs: 1_950, intervalMs: 1_000 };
const SLACK = 25;

describe('reserved host slots', () => {
  it('leaves each slot the spacing minus an interval and a slack on both sides; too tight a spacing reserves nothing', () => {
    expect(reservedSlotWindowMs(4_000, 1_000, SLACK)).toBe(1_950);
    expect(reservedSlotWindowMs(32_000, 1_000, SLACK)).toBe(29_950);
    expect(reservedSlotWindowMs(2_000, 1_000, SLACK)).toBeLessThanOrEqual(0);
  });

  it('slots are spacing apart and the block ends an interval after its last window', () => {
    expect(slotsOf(block, 'a.test').map((slot) => slot.atMs)).toEqual([10_000, 14_000, 18_000]);
    expect(slotBlockEndMs(block)).toBe(18_000 + 1_950 + 1_000);
  });

  it('a request that is not reserved goes in a gap, an interval clear of every window, whatever its own slack', () => {
    // Before the block: free while the request (and its slack) ends an interval before the first slot.
    expect(firstFreeSlotMs(block, 8_975, 1_000, SLACK)).toBe(8_975);
    expect(firstFreeSlotMs(block, 8_976, 1_000, SLACK)).toBe(10_000 + 1_950 + 1_000);
    // Inside a window, or within an interval after it: the gap after it.
    expect(firstFreeSlotMs(block, 14_500, 1_000, SLACK)).toBe(14_000 + 1_950 + 1_000);
    // The gap between two windows is exactly one request wide.
    expect(firstFreeSlotMs(block, 12_950, 1_000, SLACK)).toBe(12_950);
    // After the block: anything.
    expect(firstFreeSlotMs(block, 25_000, 1_000, SLACK)).toBe(25_000);
    // A longer interval (a Crawl-delay) needs a wider gap: none inside this block.
    expect(firstFreeSlotMs(block, 11_000, 2_000, SLACK)).toBe(18_000 + 1_950 + 2_000);
  });

  it('no free slot it returns is within an interval of any time a reserved request may leave', () => {
    const wrong: number[] = [];
    for (let proposed = 5_000; proposed < 25_000; proposed += 37) {
      const free = firstFreeSlotMs(block, proposed, 1_000, SLACK);
      const clear = slotsOf(block, 'a.test').every(
        (slot) => free + SLACK + 1_000 <= slot.atMs || free >= slot.atMs + slot.windowMs + 1_000,
      );
      if (free < proposed || !clear) wrong.push(proposed);
    }
    expect(wrong).toEqual([]);
  });
});

describe('slotPhase', () => {
  it('is ahead before the slot, open through the last ms of its window, closed after', () => {
    const [first] = slotsOf(block, 'a.test');
    expect(first).toBeDefined();
    if (first === undefined) return;
    expect(slotPhase(first, 9_999)).toBe('ahead');
    expect(slotPhase(first, 10_000)).toBe('open');
    expect(slotPhase(first, 11_950)).toBe('open');
    expect(slotPhase(first, 11_951)).toBe('closed');
  });
});
