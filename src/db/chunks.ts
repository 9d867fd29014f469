import type { Tx } from './connection.js';

import { isPostgres } from './connection.js';

/** Rows per INSERT so that rows × columns stays under every driver's bound-parameter limit. */
const MAX_PARAMETERS = 30000;
/** knex writes a multi-row insert for SQLite as a compound SELECT, which SQLite caps at 500 terms. */
const SQLITE_MAX_ROWS = 500;

export function chunkSize(db: Tx, columns: number): number {
  const byParameters = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, columns)));
  return isPostgres(db) ? byParameters : Math.min(SQLITE_MAX_ROWS, byParameters);
}

/** Inserts many rows in chunks; `upsert` names the key to merge on. Calls `progress` after each chunk. */
export async function insertMany<T extends object>(
  db: Tx, table: string, rows: T[],
  opts: { upsert?: { key: string[]; merge: string[] }; ignore?: string[]; progress?: (done: number) => void } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const size = chunkSize(db, Object.keys(rows[0]).length);
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    const q = db(table).insert(chunk);
    if (opts.upsert) await q.onConflict(opts.upsert.key).merge(opts.upsert.merge);
    else if (opts.ignore) await q.onConflict(opts.ignore).ignore();
    else await q;
    opts.progress?.(Math.min(rows.length, i + size));
  }
}
