import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../lib/core/errors.ts';
import type { ArticleIngestedDetail } from '../../lib/core/events.ts';
import { InProcessEventBus } from '../../lib/events/in-process.ts';
import { sampleDetail } from './fixtures.ts';

describe('InProcessEventBus', () => {
  it('delivers each event to every subscriber until it unsubscribes', async () => {
    const bus = new InProcessEventBus();
    const first: ArticleIngestedDetail[] = [];
    const second: ArticleIngestedDetail[] = [];
    const unsubscribe = bus.subscribe((detail) => {
      first.push(detail);
    });
    bus.subscribe(async (detail) => {
      second.push(detail);
    });
    await bus.publishArticleIngested(sampleDetail());
    await bus.drain();
    unsubscribe();
    await bus.publishArticleIngested(sampleDetail({ kind: 'updated' }));
    await bus.drain();
    expect(first.map((detail) => detail.kind)).toEqual(['created']);
    expect(second.map((detail) => detail.kind)).toEqual(['created', 'updated']);
    expect(bus.listenerCount).toBe(1);
  });

  it('a group delivers its details to each listener once every member is done, and tells batch listeners the batch', async () => {
    const bus = new InProcessEventBus();
    const single: string[] = [];
    const batches: string[][] = [];
    bus.subscribe((detail) => {
      single.push(detail.kind);
    });
    bus.subscribeBatches((details) => batches.push(details.map((detail) => detail.kind)));
    const group = bus.group(3);
    const [first, second, third] = [group.member(), group.member(), group.member()];
    const published = Promise.all([
      first.publishArticleIngested(sampleDetail()),
      second.publishArticleIngested(sampleDetail({ kind: 'updated' })),
    ]);
    await Promise.resolve();
    await bus.drain();
    expect(single).toEqual([]);
    // A member that fails or has nothing to announce leaves; an invalid detail is refused for its member only.
    await expect(
      third.publishArticleIngested(sampleDetail({ kind: 'deleted' as 'created' })),
    ).rejects.toThrow(PipelineError);
    await published;
    await bus.drain();
    expect(single).toEqual(['created', 'updated']);
    expect(batches).toEqual([['created', 'updated']]);
    await bus.publishArticleIngested(sampleDetail());
    expect(batches).toEqual([['created', 'updated'], ['created']]);
  });

  it('isolates failing listeners: the publisher does not fail and the others still receive', async () => {
    const failures: unknown[] = [];
    const bus = new InProcessEventBus({ onListenerError: (error) => failures.push(error) });
    const received: string[] = [];
    bus.subscribe(() => {
      throw new Error('sync failure');
    });
    bus.subscribe(async () => {
      throw new Error('async failure');
    });
    bus.subscribe((detail) => {
      received.push(detail.article.id);
    });
    await expect(bus.publishArticleIngested(sampleDetail())).resolves.toBeUndefined();
    await bus.drain();
    expect(received).toEqual(['a'.repeat(64)]);
    expect(failures.map((error) => (error as Error).message).sort()).toEqual([
      'async failure',
      'sync failure',
    ]);
  });

  it('does not wait for slow listeners when publishing', async () => {
    const bus = new InProcessEventBus();
    let release: () => void = () => {};
    let finished = false;
    bus.subscribe(async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      finished = true;
    });
    await bus.publishArticleIngested(sampleDetail());
    expect(finished).toBe(false);
    await Promise.resolve();
    release();
    await bus.drain();
    expect(finished).toBe(true);
  });

  it('gives each listener its own copy, so one cannot change what another sees', async () => {
    const bus = new InProcessEventBus();
    const titles: string[] = [];
    bus.subscribe((detail) => {
      detail.article.title = 'changed';
    });
    bus.subscribe((detail) => {
      titles.push(detail.article.title);
    });
    await bus.publishArticleIngested(sampleDetail());
    await bus.drain();
    expect(titles).toEqual(['One']);
  });

  it('refuses a detail that breaks the schema with SCHEMA_VIOLATION', async () => {
    const bus = new InProcessEventBus();
    const bad = sampleDetail({ contentHash: 'not-a-hash' });
    await expect(bus.publishArticleIngested(bad)).rejects.toSatisfy(
      (error) => error instanceof PipelineError && error.code === 'SCHEMA_VIOLATION',
    );
  });
});
