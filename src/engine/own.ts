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
