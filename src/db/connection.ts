import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import sqlite3 from 'sqlite3';
import * as initial from './migrations/0001-appraisal-record.js';
import * as accounts from './migrations/0002-accounts.js';
import * as appraisalYear from './migrations/0003-appraisal-year.js';
import * as assessments from './migrations/0004-assessments.js';
import * as events from './migrations/0005-events.js';
import * as runSources from './migrations/0006-run-sources.js';
import * as collection from './migrations/0007-collection.js';
import * as sharedFiles from './migrations/0008-shared-files.js';
import * as countsKept from './migrations/0009-counts-kept.js';
import * as accountsByUnit from './migrations/0010-accounts-by-unit.js';

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

const MIGRATIONS: Array<[string, Knex.Migration]> = [['0001-appraisal-record', initial], ['0002-accounts', accounts], ['0003-appraisal-year', appraisalYear], ['0004-assessments', assessments], ['0005-events', events], ['0006-run-sources', runSources], ['0007-collection', collection], ['0008-shared-files', sharedFiles], ['0009-counts-kept', countsKept], ['0010-accounts-by-unit', accountsByUnit]];

/** The names of the migrations this version knows, oldest first (a backup holding another is from a newer version). */
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map(([name]) => name);

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

/** One object of an SQLite schema as sqlite_master keeps it. */
export interface SchemaObject { type: string; name: string; tbl_name: string; sql: string | null }

/** What sqlite_master reads for the schema of this product (SQLite's own objects left out), in a stable order. */
export const SCHEMA_SQL = `SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name`;

/**
 * The schema of a new SQLite record after the first `count` migrations of this version: what
 * a backup holding those migrations must hold, no trigger, view, table or index more or less.
 */
export async function schemaAfter(count: number): Promise<SchemaObject[]> {
  const db = knexFactory({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
  // A record made in memory to compare with, not one being set up: its migrations say nothing.
  const quiet = process.env.APPRAISAL_QUIET;
  process.env.APPRAISAL_QUIET = '1';
  try {
    for (let k = 0; k < count; k++) await db.migrate.up({ migrationSource });
    return (await db.raw(SCHEMA_SQL)) as SchemaObject[];
  } finally {
    if (quiet === undefined) delete process.env.APPRAISAL_QUIET;
    else process.env.APPRAISAL_QUIET = quiet;
    await db.destroy();
  }
}

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
 * makes (pageRead). In WAL mode readers and the writer never wait for each other, and
 * each read sees what was committed when it began; with one connection, fifty readers of
 * a page queue behind each other's queries. They are `query_only`, so a write through one
 * fails instead of competing with the writer; they open on first use and close with the
 * database.
 *
 * They are the driver's own connections, with each query prepared once and kept, not a
 * pool to acquire from. The driver runs a prepared statement's calls one after another, and
 * each next call only once the main thread has taken the last one's rows: under load one
 * statement would answer one read per turn of the event loop, and a page wait tens of
 * milliseconds for its session. So each query has several statements, spread over the
 * connections, and a read takes the one with the fewest calls waiting.
 */
class Readers {
  private readonly connections: Array<{ conn: sqlite3.Database; ready: Promise<void> }> = [];
  private readonly statements = new Map<string, Array<{ statement: Promise<sqlite3.Statement>; waiting: number }>>();
  private closed = false;

  constructor(private readonly file: string) {}

  async all(sql: string, bindings: unknown[]): Promise<Row[]> {
    if (this.closed) throw new Error('数据库已关闭');
    const slot = this.statementFor(sql);
    slot.waiting++;
    try {
      const ready = await slot.statement;
      try {
        return await new Promise<Row[]>((resolve, reject) => ready.all(bindings, (err: Error | null, rows: Row[]) => (err ? reject(err) : resolve(rows))));
      } catch (e) {
        // A statement that stepped to its end has halted, and its read transaction with it (the
        // driver binds, and so resets, before each run); one that failed is reset here, so
        // that it never holds a snapshot the connection's next read would see the database as.
        await new Promise<void>((resolve) => ready.reset(() => resolve()));
        throw e;
      }
    } finally {
      slot.waiting--;
    }
  }

  /** The query's statement with the fewest calls waiting; a new one while there are fewer than STATEMENTS and none is idle. */
  private statementFor(sql: string) {
    let list = this.statements.get(sql);
    if (!list) {
      this.forgetOldest();
      this.statements.set(sql, (list = []));
    }
    let best = list[0];
    for (const s of list) if (s.waiting < best.waiting) best = s;
    if (best && (best.waiting === 0 || list.length === STATEMENTS)) return best;
    const { conn, ready } = this.connections[list.length % READERS] ?? this.open();
    const made = {
      statement: ready.then(() => new Promise<sqlite3.Statement>((resolve, reject) => {
        const st = conn.prepare(sql, (err) => (err ? reject(err) : resolve(st)));
      })),
      waiting: 0,
    };
    const all = list;
    all.push(made);
    // A statement that could not be made is dropped, and the next read makes another.
    made.statement.catch(() => all.splice(all.indexOf(made), 1));
    return made;
  }

  /**
   * Past KEPT_SQL queries (pages of many shapes: a filter, a list of ids of every length), the one made
   * longest ago is let go once none of its statements is in use: its statements finalized.
   */
  private forgetOldest(): void {
    if (this.statements.size < KEPT_SQL) return;
    for (const [sql, list] of this.statements) {
      if (list.some((s) => s.waiting > 0)) continue;
      this.statements.delete(sql);
      for (const { statement } of list) statement.then((st) => st.finalize(), () => {});
      return;
    }
  }

  private open() {
    let conn!: sqlite3.Database;
    const ready = new Promise<void>((resolve, reject) => {
      conn = new sqlite3.Database(this.file, (err) => {
        if (err) return reject(err);
        conn.run('PRAGMA busy_timeout = 10000', (e1) => (e1 ? reject(e1) : conn.run('PRAGMA query_only = ON', (e2) => (e2 ? reject(e2) : resolve()))));
      });
    });
    const made = { conn, ready };
    this.connections.push(made);
    // A connection that failed to open is dropped, and a later read opens another.
    ready.catch(() => { this.connections.splice(this.connections.indexOf(made), 1); conn.close(() => {}); });
    return made;
  }

  async close(): Promise<void> {
    this.closed = true;
    const statements = [...this.statements.values()].flat();
    this.statements.clear();
    await Promise.all(statements.map(({ statement }) => statement.then((st) => new Promise<void>((resolve) => st.finalize(() => resolve())), () => {})));
    await Promise.all(this.connections.splice(0).map(({ conn, ready }) => ready.then(() => new Promise<void>((resolve) => conn.close(() => resolve())), () => {})));
  }
}

const readers = new WeakMap<Knex, Readers>();
/** Reading connections, and statements of one query spread over them. */
const READERS = 4, STATEMENTS = 16;
/** The most queries whose statements are kept (Readers.forgetOldest). */
const KEPT_SQL = 500;

function withReaders(db: Db, file: string): void {
  const reader = new Readers(file);
  readers.set(db, reader);
  // db.destroy() is the client's (knex's own property is read-only): the readers close first.
  const client = db.client as { destroy(callback?: unknown): Promise<void> };
  const destroy = client.destroy.bind(client);
  client.destroy = async (callback?: unknown) => {
    await reader.close();
    return destroy(callback);
  };
}

type Row = Record<string, unknown>;
/** What a page read is given: values bound to its query. */
type Arg = string | number | null;

/**
 * A read that pages make on every request (the session, a scorecard's unit), written with
 * the query builder. Its SQL is made once per database, with a marker in each argument's
 * place; after that only the values change, and on SQLite it runs on the read-only
 * connections by a statement prepared once. In a transaction, and on PostgreSQL, the query
 * is built and run as usual. `build` may use its arguments only as values bound to the
 * query, never to shape it: one that does is refused when its SQL is made.
 */
export function pageRead<A extends Arg[]>(build: (db: Tx, ...args: A) => Knex.QueryBuilder): <T extends object = Row>(db: Tx, ...args: A) => Promise<T[]> {
  const plans = new WeakMap<Readers, { sql: string; from: Array<{ arg: number } | { value: unknown }> }>();
  return async <T extends object = Row>(db: Tx, ...args: A): Promise<T[]> => {
    const reader = isTransaction(db) ? undefined : readers.get(db);
    if (!reader) return (await build(db, ...args)) as T[];
    let plan = plans.get(reader);
    if (!plan) plans.set(reader, (plan = planOf(db, build, args.length)));
    return (await reader.all(plan.sql, plan.from.map((f) => ('arg' in f ? args[f.arg] : f.value)))) as T[];
  };
}

/**
 * A page's read as the query builder wrote it, whatever its shape (a filter, a page of ids): on SQLite run on the
 * read-only connections beside the writer (Readers), each distinct SQL prepared once, so that the pages of many
 * people at once read side by side rather than queue behind each other's queries on the one writing connection. In
 * a transaction, and on PostgreSQL (whose pool already holds several connections), the query runs as usual.
 */
export async function readOnly<T extends object = Row>(db: Tx, q: Knex.QueryBuilder): Promise<T[]> {
  const reader = isTransaction(db) ? undefined : readers.get(db);
  if (!reader) return (await q) as T[];
  const { sql, bindings } = q.toSQL().toNative();
  return (await reader.all(sql, bindings as unknown[])) as T[];
}

function planOf<A extends Arg[]>(db: Tx, build: (db: Tx, ...args: A) => Knex.QueryBuilder, arity: number) {
  const marks = Array.from({ length: arity }, (_, k) => `\u0000page-read-argument-${k}\u0000`);
  const { sql, bindings } = build(db, ...(marks as A)).toSQL().toNative();
  const from = bindings.map((b) => {
    const k = marks.indexOf(b as string);
    return k >= 0 ? { arg: k } : { value: b };
  });
  const shaping = marks.findIndex((mark, k) => sql.includes(mark) || !from.some((f) => 'arg' in f && f.arg === k));
  if (shaping >= 0) throw new Error(`pageRead: argument ${shaping} is not a value bound to the query`);
  return { sql, from };
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

/**
 * What a person is told when the disk is full, on the command line and on the web alike:
 * every write happens in one transaction, so what failed left nothing behind.
 */
export const DISK_FULL_MESSAGE = '数据库所在的磁盘已满：本次写入已全部撤销，原有数据不受影响。请腾出磁盘空间后重试。';

/** Whether an error says the database's disk is full (SQLite, the file system, or PostgreSQL's disk_full). */
export function isDiskFull(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; message?: string };
  return err?.code === 'SQLITE_FULL' || err?.code === 'ENOSPC' || err?.code === '53100' || /SQLITE_FULL|database or disk is full/i.test(err?.message ?? '');
}
