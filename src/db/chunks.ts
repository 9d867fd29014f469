import type { Tx } from './connection.js';

/** Rows per INSERT so that rows × columns stays under every driver's bound-parameter limit. */
const MAX_PARAMETERS = 30000;

export function chunkSize(columns: number): number {
  return Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, columns)));
}

/** Inserts many rows in chunks; `upsert` names the key to merge on. Calls `progress` after each chunk. */
export async function insertMany<T extends object>(
  db: Tx, table: string, rows: T[],
  opts: { upsert?: { key: string[]; merge: string[] }; ignore?: string[]; progress?: (done: number) => void } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const size = chunkSize(Object.keys(rows[0]).length);
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    const q = db(table).insert(chunk);
    if (opts.upsert) await q.onConflict(opts.upsert.key).merge(opts.upsert.merge);
    else if (opts.ignore) await q.onConflict(opts.ignore).ignore();
    else await q;
    opts.progress?.(Math.min(rows.length, i + size));
  }
}
