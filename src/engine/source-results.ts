import { compareIds, IdIndex } from './id-index.js';
import { dict } from './own.js';

/**
 * The results of one assessment as a source reads them (RULES.md §7.8), kept field by field: one
 * column of every unit's total, one of every unit's rank, one for each listed score and metric …,
 * and the units' ids to find a unit's place in them. A result kept as an object of its own (with
 * its scores and metrics objects, and every figure a boxed number) was some 1.3 KB a unit of
 * memory far apart, and reading a 综合考核's source went to memory for nearly every field of
 * every unit; a column is the units' values side by side. Depends on nothing but its input.
 */

/** A unit's result in another assessment, as a source reads it. */
export interface SourceResult {
  total: number;
  rank: number;
  grade: string | null;
  vetoed: boolean;
  bonus: number;
  penalty: number;
  /** Absent for a version-1 result: then `<s>.applicablePoints` is undefined. */
  applicablePoints?: number;
  scores?: Record<string, number | null>;
  metrics?: Record<string, number | boolean | string | null>;
}

/** What a column holds at a unit's place: the value's kind (the generated readers test these numbers). */
export const enum Kind { Number = 0, Null = 1, True = 2, False = 3, Text = 4, Missing = 5, Other = 6 }

/** One field of every unit's result: each value's kind, and the figure or text where it has one. */
export class Column {
  constructor(
    readonly kinds: Uint8Array,
    /** The figure where the kind is Number; NaN elsewhere. */
    readonly numbers: Float64Array,
    /** The text where the kind is Text (none when no value is text). */
    readonly texts: Array<string | undefined> | undefined,
    /** Any other value (an object, an array …), as given, where the kind is Other. */
    readonly others: ReadonlyMap<number, unknown> | undefined,
  ) {}

  /** The value at place i, as it was given (undefined where the result had none). */
  value(i: number): unknown {
    switch (this.kinds[i] as Kind) {
      case Kind.Number: return this.numbers[i];
      case Kind.Null: return null;
      case Kind.True: return true;
      case Kind.False: return false;
      case Kind.Text: return this.texts![i];
      case Kind.Missing: return undefined;
      default: return this.others!.get(i);
    }
  }
}

/** The fields every result has, in the order a result object lists them. */
const FIXED = ['total', 'rank', 'grade', 'vetoed', 'bonus', 'penalty', 'applicablePoints'] as const;
export type FixedField = (typeof FIXED)[number];

/** A column being filled, value by value, for `n` units. */
class ColumnMaker {
  readonly kinds: Uint8Array;
  readonly numbers: Float64Array;
  texts: Array<string | undefined> | undefined;
  others: Map<number, unknown> | undefined;
  constructor(n: number) {
    this.kinds = new Uint8Array(n).fill(Kind.Missing);
    this.numbers = new Float64Array(n).fill(NaN);
  }
  /** Each place once (from() keeps one result an id). */
  put(i: number, v: unknown): void {
    if (typeof v === 'number') { this.kinds[i] = Kind.Number; this.numbers[i] = v; }
    else if (v === null) this.kinds[i] = Kind.Null;
    else if (v === true || v === false) this.kinds[i] = v ? Kind.True : Kind.False;
    else if (typeof v === 'string') { this.kinds[i] = Kind.Text; (this.texts ??= [])[i] = v; }
    else if (v === undefined) this.kinds[i] = Kind.Missing;
    else { this.kinds[i] = Kind.Other; (this.others ??= new Map()).set(i, v); }
  }
  made(): Column { return new Column(this.kinds, this.numbers, this.texts, this.others); }
}

/** A listed table's own keys (scores, metrics): a key it only inherits is not its own. */
function ownKeys(table: unknown): string[] {
  return table !== null && typeof table === 'object' && !Array.isArray(table) ? Object.keys(table) : [];
}

/** The results of one assessment, by unit id, column by column. */
export class SourceResults {
  readonly #index: IdIndex;
  readonly #ids: string[];
  readonly #fixed: Record<FixedField, Column>;
  /** Whether each unit's result had a scores (metrics) table at all. */
  readonly #hasScores: Uint8Array;
  readonly #hasMetrics: Uint8Array;
  readonly #scores: Map<string, Column>;
  readonly #metrics: Map<string, Column>;
  /** The column of a listed key no result has: every place Missing. */
  #missing: Column | undefined;
  /** The places in the order of their ids (as code units), made the first time keys in order are matched (placesOf). */
  #byId: Int32Array | undefined;

  /** Results by unit id; of an id given twice, the last result counts (as a Map's set does). */
  static from(entries: Iterable<readonly [string, SourceResult]>): SourceResults {
    const index = new Map<string, number>();
    const ids: string[] = [];
    const results: SourceResult[] = [];
    for (const [id, result] of entries) {
      const at = index.get(id);
      if (at !== undefined) { results[at] = result; continue; }
      index.set(id, ids.length);
      ids.push(id);
      results.push(result);
    }
    return new SourceResults(ids, results);
  }

  private constructor(ids: string[], results: SourceResult[]) {
    const n = ids.length;
    this.#index = new IdIndex(ids);
    this.#ids = ids;
    const fixed = dict<Column>() as Record<FixedField, Column>;
    for (const f of FIXED) {
      const c = new ColumnMaker(n);
      for (let i = 0; i < n; i++) c.put(i, Object.hasOwn(results[i], f) ? (results[i] as unknown as Record<string, unknown>)[f] : undefined);
      fixed[f] = c.made();
    }
    this.#fixed = fixed;
    this.#hasScores = new Uint8Array(n);
    this.#hasMetrics = new Uint8Array(n);
    this.#scores = listedColumns(results, 'scores', this.#hasScores);
    this.#metrics = listedColumns(results, 'metrics', this.#hasMetrics);
  }

  get size(): number { return this.#ids.length; }
  keys(): IterableIterator<string> { return this.#ids.values(); }

  /** The place of a unit's result in the columns; -1 when the assessment has none for it. */
  indexOf(id: string): number { return this.#index.indexOf(id); }

  /**
   * The place of each key's result (-1: none; a key undefined or null has none), as indexOf gives it.
   * Keys in increasing order (the rows of a snapshot, an export: withKeys' ids; a table's parents, each
   * together) are matched by walking the results in the order of their ids beside them, once: a key is
   * then compared with the one result it can be, and a 综合考核 of 10,000 units looks nothing up, where
   * a lookup each went to memory far apart (the index's buckets, its entries, the ids) once the rest of a
   * run had been through the cache. From the first key out of order on, the keys are looked up.
   */
  placesOf(keys: ReadonlyArray<string | undefined | null>): Int32Array {
    const n = keys.length, places = new Int32Array(n);
    const ids = this.#ids, m = ids.length;
    const byId = (this.#byId ??= idOrder(ids));
    let j = 0, last: string | undefined, lastPlace = -1, i = 0;
    for (; i < n; i++) {
      const key = keys[i];
      if (key === undefined || key === null) { places[i] = -1; continue; }
      if (j < m && ids[byId[j]] === key) {
        // The result next in id order: greater than the key before (which was found before it, or fell before it).
        lastPlace = places[i] = byId[j++];
        last = key;
        continue;
      }
      if (key === last) { places[i] = lastPlace; continue; } // a parent's next row
      if (last !== undefined && key < last) break; // out of order: looked up from here on
      while (j < m && ids[byId[j]] < key) j++;
      lastPlace = places[i] = j < m && ids[byId[j]] === key ? byId[j++] : -1;
      last = key;
    }
    for (; i < n; i++) {
      const key = keys[i];
      places[i] = key === undefined || key === null ? -1 : this.#index.indexOf(key);
    }
    return places;
  }

  /** A field every result has, for every unit. */
  fixed(field: FixedField): Column { return this.#fixed[field]; }

  /** A listed score (metric) of every unit: Missing where a result lacks it, or lacks the table. */
  listed(table: 'scores' | 'metrics', key: string): Column {
    const found = (table === 'scores' ? this.#scores : this.#metrics).get(key);
    if (found) return found;
    return (this.#missing ??= new Column(new Uint8Array(this.size).fill(Kind.Missing), new Float64Array(this.size).fill(NaN), undefined, undefined));
  }

  /** A unit's result as an object of its own, as it was given (made afresh on each call). */
  get(id: string): SourceResult | undefined {
    const i = this.#index.indexOf(id);
    return i < 0 ? undefined : this.at(i);
  }

  at(i: number): SourceResult {
    const out: Record<string, unknown> = {};
    for (const f of FIXED) {
      const v = this.#fixed[f].value(i);
      if (v !== undefined || f !== 'applicablePoints') out[f] = v;
    }
    const table = (has: Uint8Array, columns: Map<string, Column>) => {
      if (has[i] !== 1) return undefined;
      const t = dict<unknown>();
      for (const [key, c] of columns) if (c.kinds[i] !== Kind.Missing) t[key] = c.value(i);
      return t;
    };
    const scores = table(this.#hasScores, this.#scores), metrics = table(this.#hasMetrics, this.#metrics);
    if (scores) out.scores = scores;
    if (metrics) out.metrics = metrics;
    return out as unknown as SourceResult;
  }
}

/** The places of `ids` (distinct) in the order of their ids, as code units. */
function idOrder(ids: readonly string[]): Int32Array {
  const order = new Int32Array(ids.length);
  for (let p = 0; p < ids.length; p++) order[p] = p;
  return order.sort((a, b) => compareIds(ids[a], ids[b]));
}

/** The columns of every key any result lists in its `scores` (`metrics`) table, marking which results have the table. */
function listedColumns(results: SourceResult[], table: 'scores' | 'metrics', has: Uint8Array): Map<string, Column> {
  const makers = new Map<string, ColumnMaker>();
  for (let i = 0; i < results.length; i++) {
    const t = Object.hasOwn(results[i], table) ? results[i][table] : undefined;
    if (t === null || typeof t !== 'object' || Array.isArray(t)) continue;
    has[i] = 1;
    for (const key of ownKeys(t)) {
      let c = makers.get(key);
      if (!c) makers.set(key, (c = new ColumnMaker(results.length)));
      c.put(i, (t as Record<string, unknown>)[key]);
    }
  }
  return new Map([...makers].map(([k, c]) => [k, c.made()]));
}
