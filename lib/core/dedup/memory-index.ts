import type { AnchorEntry, MemberEntry } from './cluster.ts';

/**
 * The anchor index in memory, with the same key-read accounting as the table (one read per key looked up,
 * at most `entriesPerKey` entries per key): the benchmark's index at sizes the embedded store is too slow for.
 */
export class MemoryClusterIndex {
  private readonly anchors = new Map<string, AnchorEntry[]>();
  private readonly clusters = new Map<string, MemberEntry[]>();
  keyReads = 0;
  entriesRead = 0;
  writes = 0;

  constructor(private readonly entriesPerKey: number) {}

  candidates(keys: readonly string[]): AnchorEntry[] {
    const found: AnchorEntry[] = [];
    for (const key of new Set(keys)) {
      this.keyReads++;
      // Newest first, as the table's sort key (first-seen time) orders them: copies follow their original soon.
      const entries = (this.anchors.get(key) ?? []).slice(-this.entriesPerKey).reverse();
      this.entriesRead += entries.length;
      found.push(...entries);
    }
    return found;
  }

  record(writes: { anchor?: AnchorEntry; member?: MemberEntry }): void {
    if (writes.anchor) {
      const list = this.anchors.get(writes.anchor.key) ?? [];
      const kept = list.filter((entry) => entry.articleId !== writes.anchor?.articleId);
      kept.push(writes.anchor);
      this.anchors.set(writes.anchor.key, kept);
      this.writes++;
    }
    if (writes.member) {
      const list = this.clusters.get(writes.member.clusterId) ?? [];
      list.push(writes.member);
      this.clusters.set(writes.member.clusterId, list);
      this.writes++;
    }
  }

  /** The most entries stored under one anchor key (a stock phrase many articles share grows it). */
  largestKey(): number {
    let largest = 0;
    for (const entries of this.anchors.values()) largest = Math.max(largest, entries.length);
    return largest;
  }

  members(clusterId: string): MemberEntry[] {
    return this.clusters.get(clusterId) ?? [];
  }
}
