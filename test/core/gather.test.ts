import { describe, expect, it } from 'vitest';
import { createGathering } from '../../lib/core/gather.ts';

describe('createGathering', () => {
  it('flushes once, when every member has submitted or left, and gives each member its own result', async () => {
    const flushed: number[][] = [];
    const gathering = createGathering(3, 'a test group', async (values: number[]) => {
      flushed.push(values);
      return values.map((value) => value * 10);
    });
    const [a, b, c] = [gathering.member(), gathering.member(), gathering.member()];
    const first = a.submit(1);
    const third = c.submit(3);
    expect(flushed).toEqual([]);
    b.leave();
    expect(await Promise.all([first, third])).toEqual([10, 30]);
    expect(flushed).toEqual([[1, 3]]);
    // A member acts once: a second submit is refused, a late leave changes nothing.
    await expect(a.submit(4)).rejects.toThrow('a test group member submits once');
    b.leave();
    expect(flushed).toHaveLength(1);
    expect(() => gathering.member()).toThrow('a test group of 3 has no more members');
  });

  it("fails every submitted member with the flush's error, and never flushes when all left", async () => {
    let flushes = 0;
    const failing = createGathering(2, 'a test group', async () => {
      flushes++;
      throw new Error('store down');
    });
    const [a, b] = [failing.member(), failing.member()];
    const results = Promise.allSettled([a.submit('x'), b.submit('y')]);
    expect((await results).map((result) => result.status)).toEqual(['rejected', 'rejected']);
    const idle = createGathering(1, 'a test group', async () => {
      flushes++;
      return [];
    });
    idle.member().leave();
    expect(flushes).toBe(1);
    expect(() => createGathering(0, 'a test group', async () => [])).toThrow(
      'a test group needs at least one member, got 0',
    );
  });
});
