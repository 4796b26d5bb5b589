/**
 * Work counted instead of timed: how many times code reads a property of one node (`children`, `next`), so a
 * test can show that a walk does not grow with the page (timings decide no test; a shared machine swings them).
 */
export interface ReadCounter {
  reads: number;
}

/** Counts every read of `property` on `target` into `counter` from now on; writes still land. */
export function countReads(target: object, property: string, counter: ReadCounter): void {
  let value = (target as Record<string, unknown>)[property];
  Object.defineProperty(target, property, {
    configurable: true,
    enumerable: true,
    get() {
      counter.reads++;
      return value;
    },
    set(next: unknown) {
      value = next;
    },
  });
}

/** An array that counts reads of its items (by index) into `counter`; its length and methods are not counted. */
export function countingArray<T>(items: T[], counter: ReadCounter): T[] {
  return new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) counter.reads++;
      return Reflect.get(target, key, receiver);
    },
  });
}
