import { PipelineError } from './errors.ts';

/** One member of a gathering: it hands in one value and waits for its result, or leaves without one. */
export interface GatheringMember<T, R> {
  /** Hands in this member's value; settles with its result once the whole gathering has flushed. */
  submit(value: T): Promise<R>;
  /** Takes no part (a record that fails or needs nothing); a no-op once the member has submitted or left. */
  leave(): void;
  /** Whether the member may still submit or leave. */
  readonly active: boolean;
}

/**
 * A barrier for the records of one batch: each of `size` members submits a value or leaves, and once every member
 * has, `flush` handles the submitted values together (one S3 write, one PutEvents) and each member's promise settles
 * with its own result, or with the flush's error. `name` says what the group is in its errors.
 */
export function createGathering<T, R>(
  size: number,
  name: string,
  flush: (values: T[]) => Promise<R[]>,
): { member(): GatheringMember<T, R> } {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new PipelineError('INTERNAL', `${name} needs at least one member, got ${size}`);
  }
  let created = 0;
  let active = 0;
  let waiting: Array<{ value: T; resolve: (result: R) => void; reject: (error: unknown) => void }> = [];
  const flushIfReady = () => {
    if (active > 0 || created < size || waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    flush(batch.map((entry) => entry.value)).then(
      (results) => {
        for (const [index, entry] of batch.entries()) entry.resolve(results[index] as R);
      },
      (error: unknown) => {
        for (const entry of batch) entry.reject(error);
      },
    );
  };
  return {
    member() {
      if (created >= size) throw new PipelineError('INTERNAL', `${name} of ${size} has no more members`);
      created++;
      active++;
      let isActive = true;
      const done = () => {
        isActive = false;
        active--;
      };
      return {
        get active() {
          return isActive;
        },
        submit(value) {
          if (!isActive) return Promise.reject(new PipelineError('INTERNAL', `${name} member submits once`));
          done();
          return new Promise<R>((resolve, reject) => {
            waiting.push({ value, resolve, reject });
            flushIfReady();
          });
        },
        leave() {
          if (!isActive) return;
          done();
          flushIfReady();
        },
      };
    },
  };
}
