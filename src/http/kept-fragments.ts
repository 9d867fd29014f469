import type { Fragment } from './views.js';

/**
 * Fragments kept to be sent again, within a budget of bytes as well as of entries: a table
 * of a county's run is megabytes, and a reader can ask for it sorted and filtered in as many
 * ways as a query can say. The least recently used go first; a fragment larger than a
 * quarter of the budget is not kept at all (it is drawn again when asked for).
 */
export class KeptFragments {
  private readonly kept = new Map<string, Fragment>();
  private total = 0;

  constructor(readonly maxEntries: number, readonly maxBytes: number) {}

  get(key: string): Fragment | undefined {
    const hit = this.kept.get(key);
    if (hit !== undefined) {
      this.kept.delete(key);
      this.kept.set(key, hit);
    }
    return hit;
  }

  set(key: string, fragment: Fragment): void {
    this.drop(key);
    if (fragment.bytes.length > this.maxBytes / 4) return;
    this.kept.set(key, fragment);
    this.total += fragment.bytes.length;
    while (this.kept.size > this.maxEntries || this.total > this.maxBytes) this.drop(this.kept.keys().next().value!);
  }

  /** How many fragments are kept, and their bytes. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.kept.size, bytes: this.total };
  }

  private drop(key: string): void {
    const old = this.kept.get(key);
    if (old === undefined) return;
    this.kept.delete(key);
    this.total -= old.bytes.length;
  }
}
