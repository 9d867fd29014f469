import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import * as initial from './migrations/0001-appraisal-record.js';
import * as accounts from './migrations/0002-accounts.js';

/**
 * Opening the record: SQLite in a file by default (WAL, foreign keys, a busy timeout,
 * synchronous=FULL, checked back after they are set, and an integrity check before
 * anything else), or PostgreSQL when a URL is given. Migrations run through knex's
 * migrator from the list below, so they work the same from sources and from dist/.
 */

export type Db = Knex;
export type Tx = Knex | Knex.Transaction;

export class DatabaseRefused extends Error {
  readonly code = 'DATABASE_REFUSED';
}

const MIGRATIONS: Array<[string, Knex.Migration]> = [['0001-appraisal-record', initial], ['0002-accounts', accounts]];

const migrationSource: Knex.MigrationSource<[string, Knex.Migration]> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: (m) => m[0],
  getMigration: async (m) => m[1],
};

const PRAGMAS: Array<[string, string, string]> = [
  // [statement, pragma to read back, expected value]
  ['PRAGMA journal_mode = WAL', 'journal_mode', 'wal'],
  ['PRAGMA foreign_keys = ON', 'foreign_keys', '1'],
  ['PRAGMA busy_timeout = 10000', 'busy_timeout', '10000'],
  ['PRAGMA synchronous = FULL', 'synchronous', '2'],
];

type RawConnection = { run(sql: string, cb: (err: Error | null) => void): void };

export interface OpenOptions {
  databaseFile: string;
  databaseUrl?: string;
}

export function isPostgres(db: Tx): boolean {
  return (db as Knex).client.config.client === 'pg';
}

/** Whether `db` is a transaction (what it reads may yet be rolled back, and it has one connection). */
export function isTransaction(db: Tx): db is Knex.Transaction {
  return (db as Knex.Transaction).isTransaction === true;
}

/** What a database and every transaction on it have in common: its connection settings, for memory kept per database. */
export function databaseOf(db: Tx): object {
  return (db as Knex).client.config as object;
}

export async function openDatabase(opts: OpenOptions): Promise<Db> {
  if (opts.databaseUrl) {
    const db = knexFactory({ client: 'pg', connection: opts.databaseUrl, pool: { min: 0, max: 8 } });
    try {
      await db.raw('select 1');
    } catch (e) {
      await db.destroy();
      throw new DatabaseRefused(`无法连接 PostgreSQL 数据库（DATABASE_URL）：${(e as Error).message}`);
    }
    await db.migrate.latest({ migrationSource });
    return db;
  }

  mkdirSync(path.dirname(opts.databaseFile), { recursive: true });
  const db = knexFactory({
    client: 'sqlite3',
    connection: { filename: opts.databaseFile },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: RawConnection, done: (err: Error | null, conn: RawConnection) => void) => {
        const next = (k: number): void => {
          if (k === PRAGMAS.length) return done(null, conn);
          conn.run(PRAGMAS[k][0], (err) => (err ? done(err, conn) : next(k + 1)));
        };
        next(0);
      },
    },
  });
  try {
    await checkSqlite(db, opts.databaseFile);
    await db.migrate.latest({ migrationSource });
  } catch (e) {
    await db.destroy();
    if (e instanceof DatabaseRefused) throw e;
    throw new DatabaseRefused(`无法打开数据库 ${opts.databaseFile}：${(e as Error).message}`);
  }
  withReaders(db, opts.databaseFile);
  return db;
}

/**
 * Read-only connections beside SQLite's one writing connection, for the reads every page
 * makes (readAll). In WAL mode readers and the writer never wait for each other, and
 * each read sees what was committed when it began; with one connection, fifty readers of
 * a page queue behind each other's queries. They are `query_only`, so a write through one
 * fails instead of competing with the writer; they close with the database.
 */
const readers = new WeakMap<Knex, Knex>();
const READERS = 2;

function withReaders(db: Db, file: string): void {
  const reader = knexFactory({
    client: 'sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      min: 0,
      max: READERS,
      afterCreate: (conn: RawConnection, done: (err: Error | null, conn: RawConnection) => void) => {
        conn.run('PRAGMA busy_timeout = 10000', (err) => (err ? done(err, conn) : conn.run('PRAGMA query_only = ON', (e2) => done(e2, conn))));
      },
    },
  });
  readers.set(db, reader);
  // db.destroy() is the client's (knex's own property is read-only): the readers close first.
  const client = db.client as { destroy(callback?: unknown): Promise<void> };
  const destroy = client.destroy.bind(client);
  client.destroy = async (callback?: unknown) => {
    await reader.destroy();
    return destroy(callback);
  };
}

type Statement = {
  all(params: unknown[], cb: (err: Error | null, rows: Array<Record<string, unknown>>) => void): void;
  reset(cb: () => void): void;
};
type ReadingConnection = { prepare(sql: string, cb: (err: Error | null) => void): Statement };
const prepared = new WeakMap<object, Map<string, Statement>>();

/**
 * The rows of a query that pages make on every request (the session, a scorecard's unit):
 * on SQLite's read-only connections, by a statement prepared once per connection and SQL
 * text, instead of prepared, run and finalized again for each page; elsewhere as usual.
 */
export async function readAll(db: Tx, query: Knex.QueryBuilder): Promise<Array<Record<string, unknown>>> {
  const reader = isTransaction(db) ? undefined : readers.get(db);
  if (!reader) return (await query) as Array<Record<string, unknown>>;
  const { sql, bindings } = query.toSQL().toNative();
  const conn = (await reader.client.acquireConnection()) as ReadingConnection;
  try {
    let statements = prepared.get(conn);
    if (!statements) prepared.set(conn, (statements = new Map()));
    let statement = statements.get(sql);
    if (!statement) {
      statement = await new Promise<Statement>((resolve, reject) => {
        const made = conn.prepare(sql, (err) => (err ? reject(err) : resolve(made)));
      });
      statements.set(sql, statement);
    }
    const ready = statement;
    try {
      return await new Promise((resolve, reject) => ready.all(bindings as unknown[], (err, rows) => (err ? reject(err) : resolve(rows))));
    } catch (e) {
      // A statement that stepped to its end has halted, and its read transaction with it (the
      // driver binds, and so resets, before each run); one that failed is reset here, so
      // that it never holds a snapshot the connection's next read would see the database as.
      await new Promise<void>((resolve) => ready.reset(resolve));
      throw e;
    }
  } finally {
    await reader.client.releaseConnection(conn);
  }
}

async function checkSqlite(db: Db, file: string): Promise<void> {
  for (const [, pragma, expected] of PRAGMAS) {
    const rows = (await db.raw(`PRAGMA ${pragma}`)) as Array<Record<string, unknown>>;
    const value = String(Object.values(rows[0] ?? {})[0]).toLowerCase();
    if (value !== expected) throw new DatabaseRefused(`数据库参数 ${pragma} 应为 ${expected}，实际为 ${value}`);
  }
  const check = (await db.raw('PRAGMA integrity_check')) as Array<{ integrity_check: string }>;
  const verdict = check.map((r) => r.integrity_check);
  if (verdict.length !== 1 || verdict[0] !== 'ok') {
    throw new DatabaseRefused(`数据库 ${file} 未通过完整性检查（integrity_check），拒绝运行：${verdict.slice(0, 5).join('；')}。请从备份恢复。`);
  }
}

/** The result of PRAGMA integrity_check ('ok' when sound); SQLite only. */
export async function integrityCheck(db: Db): Promise<string> {
  const rows = (await db.raw('PRAGMA integrity_check')) as Array<{ integrity_check: string }>;
  return rows.map((r) => r.integrity_check).join('; ');
}

/**
 * A transaction that, when it fails, fails with the error that broke it. On a full disk
 * SQLite rolls back by itself, knex's own ROLLBACK then fails, and knex would report
 * that second error ("no transaction is active") instead of the first.
 */
export async function inTransaction<T>(db: Db, work: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
  let first: unknown;
  try {
    return await db.transaction(async (tx) => {
      try {
        return await work(tx);
      } catch (e) {
        first = e;
        throw e;
      }
    });
  } catch (e) {
    throw first ?? e;
  }
}

/** Whether an error says the database's disk is full (SQLite, the file system, or PostgreSQL's disk_full). */
export function isDiskFull(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; message?: string };
  return err?.code === 'SQLITE_FULL' || err?.code === 'ENOSPC' || err?.code === '53100' || /SQLITE_FULL|database or disk is full/i.test(err?.message ?? '');
}
