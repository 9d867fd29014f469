/**
 * Tables keyed by names that come from a rule file or a data file. A plain object already
 * has names of its own (`constructor`, `toString`, `__proto__` …): read from one, an input
 * named `constructor` is never missing; written to one, a criterion whose id is
 * `__proto__` vanishes from the output. So every such table is made without a prototype,
 * and every object a caller hands in is read by its own keys alone.
 */

/** An empty table with no names but those put in it. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * A fixed table of the product's own names (a track's title, a role's, a status's), with no
 * names but those written in it: a track posted as `constructor` is in no such table.
 */
export function table<K extends string, T>(entries: Record<K, T>): Readonly<Record<K, T>> {
  return Object.freeze(Object.assign(dict<T>(), entries)) as Readonly<Record<K, T>>;
}

/** `obj[key]` when obj itself has the key; undefined for a name it only inherits. */
export function own<T>(obj: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return obj != null && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * A maker of records with these keys (each key once), all of one shape, so that reading one by key
 * costs what reading an object's field does: a table made by dict() is a hash table of its own, and
 * a source of 10,000 units read through 10,000 of them spends most of its time there. The template
 * is one JSON.parse builds, so every key is the record's own, even `__proto__`. A key the record does
 * not have reads undefined, or what Object.prototype lends, which is never a figure, yes/no, text
 * or null: read a key that may not be there as `listed` does (links.ts).
 */
export function recordMaker<T>(keys: readonly string[]): (valueOf: (k: number) => T) => Record<string, T> {
  const template = JSON.parse(JSON.stringify(Object.fromEntries(keys.map((k) => [k, null])))) as Record<string, T>;
  return (valueOf) => {
    const out = { ...template };
    for (let k = 0; k < keys.length; k++) out[keys[k]] = valueOf(k);
    return out;
  };
}
