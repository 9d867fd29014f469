import { databaseOf, type Tx } from '../db/connection.js';

/**
 * Memory that belongs to one database: what a page keeps of a record that never
 * changes (a run's results, a rule version) is kept per database, so that run 1 of one
 * database is never taken for run 1 of another. A transaction shares its database's
 * memory; it goes when the database's connection settings are dropped. Inside a
 * transaction what is read may yet be rolled back: callers do not keep it (isTransaction).
 */
export function perDatabase<T>(make: () => T): (db: Tx) => T {
  const memories = new WeakMap<object, T>();
  return (db) => {
    const key = databaseOf(db);
    let memory = memories.get(key);
    if (memory === undefined) memories.set(key, (memory = make()));
    return memory;
  };
}
