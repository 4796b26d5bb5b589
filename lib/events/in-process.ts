import type { ArticleEventGroup, ArticleEventPublisher, ArticleIngestedDetail } from '../core/events.ts';
import { gatherEvents } from './batch.ts';
import { checkedDetail } from './detail.ts';

/** An ArticleIngested listener; may be async. */
export type ArticleIngestedListener = (detail: ArticleIngestedDetail) => void | Promise<void>;
/** Told the details an ingest batch (an event group) published together: what one ArticlesIngested would carry. */
export type BatchListener = (details: readonly ArticleIngestedDetail[]) => void;

export interface InProcessEventBusOptions {
  /** Called when a listener throws or rejects; the default logs to stderr. */
  onListenerError?: (error: unknown, detail: ArticleIngestedDetail) => void;
}

/**
 * The embedded stack's stand-in for EventBridge. Publishing validates the detail and returns at once;
 * listeners run afterwards, each isolated, so a slow or failing listener never delays or breaks an ingest.
 * `drain()` waits for deliveries in flight (tests, shutdown).
 */
export class InProcessEventBus implements ArticleEventPublisher {
  readonly #listeners = new Set<ArticleIngestedListener>();
  readonly #batchListeners = new Set<BatchListener>();
  readonly #pending = new Set<Promise<void>>();
  readonly #onListenerError: (error: unknown, detail: ArticleIngestedDetail) => void;

  constructor(options: InProcessEventBusOptions = {}) {
    this.#onListenerError =
      options.onListenerError ??
      ((error, detail) => {
        console.error(`ArticleIngested listener failed for article ${detail.article.id}:`, error);
      });
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: ArticleIngestedListener): () => void {
    this.#listeners.add(listener);
    return () => this.unsubscribe(listener);
  }

  /** Adds a listener to each group's details (counting events as EventBridge would bill them); returns its remover. */
  subscribeBatches(listener: BatchListener): () => void {
    this.#batchListeners.add(listener);
    return () => this.#batchListeners.delete(listener);
  }

  /** An ingest batch's events: each detail reaches the listeners as published alone, once the group is complete. */
  group(size: number): ArticleEventGroup {
    return gatherEvents(size, async (details) => {
      for (const detail of details) this.#deliver(detail);
      for (const listener of [...this.#batchListeners]) listener(details);
    });
  }

  unsubscribe(listener: ArticleIngestedListener): void {
    this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  async publishArticleIngested(detail: ArticleIngestedDetail): Promise<void> {
    // Same contract as the EventBridge publisher: an invalid detail is the publisher's bug, surfaced here.
    const checked = checkedDetail(detail);
    this.#deliver(checked);
    for (const listener of [...this.#batchListeners]) listener([checked]);
  }

  #deliver(checked: ArticleIngestedDetail): void {
    for (const listener of [...this.#listeners]) {
      const delivery = Promise.resolve()
        .then(() => listener(structuredClone(checked)))
        .catch((error: unknown) => {
          try {
            this.#onListenerError(error, checked);
          } catch {
            // An error reporter that throws must not become an unhandled rejection.
          }
        })
        .finally(() => this.#pending.delete(delivery));
      this.#pending.add(delivery);
    }
  }

  /** Resolves when every delivery started so far has finished (including ones those listeners caused). */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
