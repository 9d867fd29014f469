/**
 * Unit ids found by their text. A 综合考核 looks up every row's id in each of its sources' results.
 * Up to SMALL ids, a Map: V8 hashes a string once, natively, from a seed of its own drawn each process,
 * and keeps the hash with the string, so a lookup is a few reads in memory that stays in the cache (at
 * 10,000 ids it took 0.15 ms where the table below took 0.36). Beyond that, a Map's buckets, its entries
 * and the ids' strings are each far apart in memory, and each is a wait of its own once the rest of a run
 * has been through the cache: a lookup here then reads one slot of a table of places and the code units
 * of the id at that place, kept side by side in one array (at 100,000 ids 4–5 ms, a Map 6). Depends on
 * nothing but its input.
 */
/**
 * The hash of an id's UTF-16 code units (FNV-1a), from a seed drawn once a process: the seed decides
 * only where ids are kept, never a result, and no file can choose ids that all fall in one slot.
 */
export function hashId(id: string): number {
  let h = SEED;
  for (let c = 0; c < id.length; c++) h = Math.imul(h ^ id.charCodeAt(c), 0x01000193);
  return h;
}
const SEED = (0x811c9dc5 ^ Math.floor(Math.random() * 0x100000000)) | 0;

/** Compares ids as code units, the same on every platform (no locale). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Up to how many ids an IdIndex is a Map (measured: the two cross between 30,000 and 50,000 ids). */
const SMALL = 32_768;

/** The places of a list of distinct ids: `indexOf` finds an id's place, -1 when it is not there. */
export class IdIndex {
  /** Up to SMALL ids: their places by id. */
  readonly #map: Map<string, number> | undefined;
  /** More ids (or a hash given): the table of places. */
  readonly #table: HashedIds | undefined;

  /**
   * `ids` distinct (of an id given twice, the first place is found). `hash` given: the table, whatever the
   * number of ids, hashed by it (tests: ids that collide, or the table of a few ids).
   */
  constructor(ids: readonly string[], hash?: (id: string) => number) {
    if (hash === undefined && ids.length <= SMALL) {
      const map = new Map<string, number>();
      for (let p = 0; p < ids.length; p++) if (!map.has(ids[p])) map.set(ids[p], p);
      this.#map = map;
    } else this.#table = new HashedIds(ids, hash ?? hashId);
  }

  /** The place of `id`; -1 when it is not one of the ids. */
  indexOf(id: string): number {
    return this.#map !== undefined ? this.#map.get(id) ?? -1 : this.#table!.indexOf(id);
  }
}

/** The table of places: open addressing by `hash`, every id's code units side by side. */
class HashedIds {
  /** Two numbers a slot, by hash: the id's hash and its place + 1 (0: empty). Twice as many slots as ids at least. */
  readonly #slots: Int32Array;
  readonly #mask: number;
  /** Every id's code units, place after place; place p's from `#starts[p]` to `#starts[p + 1]`. */
  readonly #chars: Uint16Array;
  readonly #starts: Int32Array;
  readonly #hash: (id: string) => number;

  constructor(ids: readonly string[], hash: (id: string) => number) {
    this.#hash = hash;
    const n = ids.length;
    let length = 0;
    for (const id of ids) length += id.length;
    this.#chars = new Uint16Array(length);
    this.#starts = new Int32Array(n + 1);
    let at = 0;
    for (let p = 0; p < n; p++) {
      this.#starts[p] = at;
      const id = ids[p];
      for (let c = 0; c < id.length; c++) this.#chars[at++] = id.charCodeAt(c);
    }
    this.#starts[n] = at;
    let size = 16;
    while (size < n * 2) size *= 2;
    this.#slots = new Int32Array(size * 2);
    this.#mask = size - 1;
    for (let p = 0; p < n; p++) {
      const h = hash(ids[p]);
      for (let s = h & this.#mask; ; s = (s + 1) & this.#mask) {
        if (this.#slots[2 * s + 1] === 0) { this.#slots[2 * s] = h; this.#slots[2 * s + 1] = p + 1; break; }
        if (this.#slots[2 * s] === h && this.#holds(this.#slots[2 * s + 1] - 1, ids[p])) break; // given twice: the first place stays
      }
    }
  }

  indexOf(id: string): number {
    const h = this.#hash(id), slots = this.#slots, mask = this.#mask;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const held = slots[2 * s + 1];
      if (held === 0) return -1;
      if (slots[2 * s] === h && this.#holds(held - 1, id)) return held - 1;
    }
  }

  /** Whether place p's id is `id`, code unit by code unit. */
  #holds(p: number, id: string): boolean {
    const from = this.#starts[p];
    if (this.#starts[p + 1] - from !== id.length) return false;
    const chars = this.#chars;
    for (let c = 0; c < id.length; c++) if (chars[from + c] !== id.charCodeAt(c)) return false;
    return true;
  }
}
