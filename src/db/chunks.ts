import { isTransaction, type Tx } from './connection.js';

/** Rows per INSERT so that rows × columns stays under every driver's bound-parameter limit (SQLite 32,766; PostgreSQL 65,535). */
const MAX_PARAMETERS = 30000;

export function chunkSize(columns: number): number {
  return Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, columns)));
}

/**
 * Inserts many rows in chunks as plain multi-row `INSERT … VALUES (…), (…)` statements
 * (the same SQL on SQLite and PostgreSQL; far lighter than the query builder's form for
 * thousands of rows); `upsert` names the key to merge on, `ignore` the key to skip on.
 * Calls `progress` after each chunk.
 */
export async function insertMany<T extends object>(
  db: Tx, table: string, rows: T[],
  opts: { upsert?: { key: string[]; merge: string[] }; ignore?: string[]; progress?: (done: number) => void } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const size = chunkSize(columns.length);
  const quote = (name: string) => `"${name}"`;
  const tuple = `(${columns.map(() => '?').join(',')})`;
  let conflict = '';
  if (opts.upsert) {
    conflict = ` ON CONFLICT (${opts.upsert.key.map(quote).join(',')}) DO UPDATE SET ${opts.upsert.merge.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`;
  } else if (opts.ignore) {
    conflict = ` ON CONFLICT (${opts.ignore.map(quote).join(',')}) DO NOTHING`;
  }
  const statement = (count: number) => `INSERT INTO ${quote(table)} (${columns.map(quote).join(',')}) VALUES ${Array(count).fill(tuple).join(',')}${conflict}`;
  const run = driverOf(db);
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    const bindings: unknown[] = [];
    for (const row of chunk) for (const c of columns) bindings.push((row as Record<string, unknown>)[c] ?? null);
    if (run) await run(statement(chunk.length), bindings);
    else await db.raw(statement(chunk.length), bindings as never[]);
    opts.progress?.(Math.min(rows.length, i + size));
  }
}

type Run = (sql: string, bindings: unknown[]) => Promise<void>;

/**
 * Inside a transaction, the statement goes straight to the driver's connection (sqlite3 or
 * pg): the query builder would first copy all 30,000 bindings of a statement into its own
 * text formatting, which costs more than the insert. Outside one, the builder runs it.
 */
function driverOf(db: Tx): Run | undefined {
  if (!isTransaction(db)) return undefined;
  const trx = db as unknown as { client: { config: { client: string }; acquireConnection(): Promise<unknown> } };
  if (trx.client.config.client === 'sqlite3') {
    return async (sql, bindings) => {
      const conn = (await trx.client.acquireConnection()) as { run(sql: string, params: unknown[], cb: (err: Error | null) => void): void };
      await new Promise<void>((resolve, reject) => conn.run(sql, bindings, (err) => (err ? reject(err) : resolve())));
    };
  }
  if (trx.client.config.client === 'pg') {
    return async (sql, bindings) => {
      const conn = (await trx.client.acquireConnection()) as { query(q: { text: string; values: unknown[] }): Promise<unknown> };
      let n = 0;
      await conn.query({ text: sql.replace(/\?/g, () => `$${++n}`), values: bindings });
    };
  }
  return undefined;
}
