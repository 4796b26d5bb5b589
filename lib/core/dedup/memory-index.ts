import type { AnchorClaim, AnchorEntry, MemberEntry } from './cluster.ts';

/** Index writes by kind, as the table bills them (a refused conditional write is billed too). */
export interface IndexWriteCounts {
  /** A new representative's entry, claimed (conditional write). */
  claims: number;
  /** Claims refused: the place was taken (billed, nothing written). */
  refusedClaims: number;
  /** Entries written without a claim: a member's under a key its cluster lacks, a representative's after refusals. */
  entries: number;
  /** A member's entry under its cluster (GET /articles/{id}/duplicates). */
  members: number;
}

/**
 * The anchor index in memory, with the same key-read accounting as the table (one read per key looked up,
 * at most `entriesPerKey` entries per key, newest place first) and the same claims: the benchmark's index at
 * sizes the embedded store is too slow for.
 */
export class MemoryClusterIndex {
  /** Per key, its entries by item: a claim holds `<slot>`, an entry written without one `<slot>#<article id>`. */
  private readonly anchors = new Map<string, Map<string, AnchorEntry>>();
  private readonly clusters = new Map<string, MemberEntry[]>();
  keyReads = 0;
  entriesRead = 0;
  readonly writeCounts: IndexWriteCounts = { claims: 0, refusedClaims: 0, entries: 0, members: 0 };

  constructor(private readonly entriesPerKey: number) {}

  /** Every index write, refused claims included. */
  get writes(): number {
    const { claims, refusedClaims, entries, members } = this.writeCounts;
    return claims + refusedClaims + entries + members;
  }

  candidates(keys: readonly string[]): AnchorEntry[] {
    const found: AnchorEntry[] = [];
    for (const key of new Set(keys)) {
      this.keyReads++;
      // Newest place first, as the table's sort key orders them: copies follow their original soon.
      const entries = [...(this.anchors.get(key)?.values() ?? [])]
        .sort((a, b) => b.slot - a.slot)
        .slice(0, this.entriesPerKey);
      this.entriesRead += entries.length;
      found.push(...entries);
    }
    return found;
  }

  claim(anchor: AnchorEntry): AnchorClaim {
    const entries = this.entriesOf(anchor.key);
    const item = String(anchor.slot);
    const holder = entries.get(item);
    if (holder && holder.articleId !== anchor.articleId) {
      this.writeCounts.refusedClaims++;
      return { claimed: false, holder };
    }
    entries.set(item, anchor);
    this.writeCounts.claims++;
    return { claimed: true };
  }

  record(writes: { anchor?: AnchorEntry; member?: MemberEntry }): void {
    if (writes.anchor) {
      this.entriesOf(writes.anchor.key).set(
        `${writes.anchor.slot}#${writes.anchor.articleId}`,
        writes.anchor,
      );
      this.writeCounts.entries++;
    }
    if (writes.member) {
      const list = this.clusters.get(writes.member.clusterId) ?? [];
      list.push(writes.member);
      this.clusters.set(writes.member.clusterId, list);
      this.writeCounts.members++;
    }
  }

  private entriesOf(key: string): Map<string, AnchorEntry> {
    let entries = this.anchors.get(key);
    if (!entries) {
      entries = new Map();
      this.anchors.set(key, entries);
    }
    return entries;
  }

  /** The most entries stored under one anchor key (a stock phrase many articles share grows it). */
  largestKey(): number {
    let largest = 0;
    for (const entries of this.anchors.values()) largest = Math.max(largest, entries.size);
    return largest;
  }

  members(clusterId: string): MemberEntry[] {
    return this.clusters.get(clusterId) ?? [];
  }
}
