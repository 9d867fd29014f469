import { isTransaction, type Tx } from './connection.js';

/** Rows per INSERT so that rows × columns stays under every driver's bound-parameter limit (SQLite 32,766; PostgreSQL 65,535). */
const MAX_PARAMETERS = 30000;

/** Values per `IN (…)` list: under every driver's bound-parameter limit. */
export const IN_CHUNK = 5000;

export function chunkSize(columns: number): number {
  return Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, columns)));
}

export interface InsertOptions {
  /** The key to merge on, and the columns it updates. */
  upsert?: { key: string[]; merge: string[] };
  /** The key to skip a row on. */
  ignore?: string[];
  /** Called after each chunk with the rows of this write done so far. */
  progress?: (done: number) => void;
}

/**
 * Inserts many rows in chunks as plain multi-row `INSERT … VALUES (…), (…)` statements
 * (the same SQL on SQLite and PostgreSQL; far lighter than the query builder's form for
 * thousands of rows); `upsert` names the key to merge on, `ignore` the key to skip on.
 * Calls `progress` after each chunk.
 */
export async function insertMany<T extends object>(db: Tx, table: string, rows: T[], opts: InsertOptions = {}): Promise<void> {
  const writer = rowWriter<T>(db, table, opts);
  try {
    await writer.write(rows);
  } finally {
    await writer.close();
  }
}

/** Rows written to one table a part at a time; closed (always, in a `finally`) when the last part is written. */
export interface RowWriter<T> {
  write(rows: T[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A writer of many parts of rows into one table (a run's results, a slice at a time). In a
 * transaction on SQLite, a statement is prepared once and run again for every part of the
 * same number of rows: 800 slices of 125 results are then one statement, not 800 parsed
 * afresh. The columns are the first row's.
 */
export function rowWriter<T extends object>(db: Tx, table: string, opts: InsertOptions = {}): RowWriter<T> {
  const quote = (name: string) => `"${name}"`;
  let conflict = '';
  if (opts.upsert) {
    conflict = ` ON CONFLICT (${opts.upsert.key.map(quote).join(',')}) DO UPDATE SET ${opts.upsert.merge.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`;
  } else if (opts.ignore) {
    conflict = ` ON CONFLICT (${opts.ignore.map(quote).join(',')}) DO NOTHING`;
  }
  const driver = driverOf(db);
  let columns: string[] | undefined;
  // The SQL last made, for the next chunk of as many rows.
  let made: { count: number; sql: string } | undefined;
  return {
    async write(rows) {
      if (rows.length === 0) return;
      const cols = (columns ??= Object.keys(rows[0]));
      const size = chunkSize(cols.length);
      const tuple = `(${cols.map(() => '?').join(',')})`;
      const statement = (count: number) => (made?.count === count ? made : (made = {
        count, sql: `INSERT INTO ${quote(table)} (${cols.map(quote).join(',')}) VALUES ${Array(count).fill(tuple).join(',')}${conflict}`,
      })).sql;
      for (let i = 0; i < rows.length; i += size) {
        const chunk = rows.slice(i, i + size);
        const bindings: unknown[] = [];
        for (const row of chunk) for (const c of cols) bindings.push((row as Record<string, unknown>)[c] ?? null);
        if (driver) await driver.run(statement(chunk.length), bindings);
        else await db.raw(statement(chunk.length), bindings as never[]);
        opts.progress?.(Math.min(rows.length, i + size));
      }
    },
    close: async () => driver?.close(),
  };
}

interface Driver {
  run(sql: string, bindings: unknown[]): Promise<void>;
  /** Lets go of what the driver prepared. */
  close(): Promise<void>;
}

type SqliteStatement = { run(params: unknown[], cb: (err: Error | null) => void): void; finalize(cb: () => void): void };
type SqliteConnection = { prepare(sql: string, cb: (err: Error | null) => void): SqliteStatement };

/**
 * Inside a transaction, the statement goes straight to the driver's connection (sqlite3 or
 * pg): the query builder would first copy all 30,000 bindings of a statement into its own
 * text formatting, which costs more than the insert. Outside one, the builder runs it.
 */
function driverOf(db: Tx): Driver | undefined {
  if (!isTransaction(db)) return undefined;
  const trx = db as unknown as { client: { config: { client: string }; acquireConnection(): Promise<unknown> } };
  if (trx.client.config.client === 'sqlite3') {
    // The statement last prepared, kept for the next part of the same number of rows.
    let last: { sql: string; statement: Promise<SqliteStatement> } | undefined;
    const finalize = (statement: Promise<SqliteStatement>) => statement.then((st) => new Promise<void>((resolve) => st.finalize(() => resolve())), () => undefined);
    return {
      async run(sql, bindings) {
        if (last?.sql !== sql) {
          if (last) await finalize(last.statement);
          const conn = (await trx.client.acquireConnection()) as SqliteConnection;
          const statement = new Promise<SqliteStatement>((resolve, reject) => {
            const st = conn.prepare(sql, (err) => (err ? reject(err) : resolve(st)));
          });
          last = { sql, statement };
        }
        const st = await last.statement;
        await new Promise<void>((resolve, reject) => st.run(bindings, (err) => (err ? reject(err) : resolve())));
      },
      async close() {
        if (last) await finalize(last.statement);
        last = undefined;
      },
    };
  }
  if (trx.client.config.client === 'pg') {
    return {
      async run(sql, bindings) {
        const conn = (await trx.client.acquireConnection()) as { query(q: { text: string; values: unknown[] }): Promise<unknown> };
        let n = 0;
        await conn.query({ text: sql.replace(/\?/g, () => `$${++n}`), values: bindings });
      },
      close: async () => undefined,
    };
  }
  return undefined;
}
