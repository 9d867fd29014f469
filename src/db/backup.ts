import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { fileProblemInWords } from '../fs-words.js';
import { isPostgres, MIGRATION_NAMES, SCHEMA_SQL, schemaAfter, type Db, type SchemaObject } from './connection.js';

/**
 * Backups of the SQLite record, and restoring one. A backup is made with `VACUUM INTO`
 * through the writing connection: it reads one consistent snapshot (a WAL read
 * transaction), so the server goes on serving and writing meanwhile and the copy is never
 * torn. It is written to a temporary file beside the target and renamed into place, so a
 * file of the target's name is always a whole backup. Restoring checks the file first (an
 * SQLite database, integrity_check ok, the migrations of this product and none newer).
 */

export class BackupRefused extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

const tempBeside = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.part`);

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** The file an SQLite connection has open (':memory:' for none). */
function liveFile(db: Db): string {
  return String((db.client.config as { connection?: { filename?: string } }).connection?.filename ?? ':memory:');
}

/** Whether two paths name one file: the same device and inode where both exist (a link or another spelling of the path is caught), else the same resolved path. */
function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a), y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    const real = (p: string) => { try { return realpathSync(p); } catch { return path.resolve(p); } };
    return real(path.dirname(a)) === real(path.dirname(b)) && path.basename(a) === path.basename(b);
  }
}

/**
 * Why a backup may not be written to `file`, or undefined: no name, a folder, or the open record itself or one of
 * its companions (its -wal, -shm or -journal). A backup renamed onto the live record leaves the running server's
 * write-ahead log beside a file of another layout, and the record is lost (found by an outside attack, 3 December 2026).
 */
function backupTargetRefused(db: Db, file: string): BackupRefused | undefined {
  if (file.trim() === '') return new BackupRefused('BACKUP_TARGET_EMPTY', '请给出备份文件的名称，如 D:\\备份\\千分考核-2024-12-02.sqlite');
  if (existsSync(file) && statSync(file).isDirectory()) return new BackupRefused('BACKUP_TARGET_FOLDER', `${file} 是一个文件夹：请给出备份文件的名称，如 ${path.join(file, '千分考核备份.sqlite')}`);
  const live = liveFile(db);
  if (live === ':memory:' || live === '') return undefined;
  for (const own of [live, `${live}-wal`, `${live}-shm`, `${live}-journal`]) {
    if (sameFile(file, own)) return new BackupRefused('BACKUP_TARGET_IS_RECORD', `${file} 就是正在使用的数据库${own === live ? '' : '的日志文件'}：备份不能写在它上面，请另选一个文件名`);
  }
  return undefined;
}

/** Writes a consistent copy of the open SQLite record to `file` (replacing one there; never the record itself). */
export async function backupSqlite(db: Db, file: string): Promise<void> {
  if (isPostgres(db)) throw new BackupRefused('POSTGRES', 'PostgreSQL 数据库请用 pg_dump 备份（见 README）');
  const refused = backupTargetRefused(db, file);
  if (refused) throw refused;
  const temp = tempBeside(file);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    await db.raw('VACUUM INTO ?', [temp]);
    fsyncFile(temp);
    renameSync(temp, file);
  } catch (e) {
    try { rmSync(temp, { force: true }); } catch { /* no folder to hold it: nothing was written */ }
    // The folder cannot be made or written (no such drive, no right to it, a full disk): said with the file.
    throw new BackupRefused('BACKUP_WRITE_FAILED', `无法写入备份文件 ${file}：${fileProblemInWords(e)}`);
  }
}

type Row = Record<string, unknown>;
function all(conn: sqlite3.Database, sql: string): Promise<Row[]> {
  return new Promise((resolve, reject) => conn.all(sql, (err: Error | null, rows: Row[]) => (err ? reject(err) : resolve(rows))));
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Checks that `file` is a whole appraisal record this version can open; returns the migrations it holds. */
export async function checkBackupFile(file: string): Promise<string[]> {
  if (!existsSync(file)) throw new BackupRefused('BACKUP_NOT_FOUND', `找不到备份文件 ${file}`);
  const head = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try { readSync(fd, head, 0, 16, 0); } finally { closeSync(fd); }
  if (!head.equals(SQLITE_HEADER)) throw new BackupRefused('NOT_SQLITE', `${file} 不是 SQLite 数据库文件，不是本系统的备份`);
  const conn = await new Promise<sqlite3.Database>((resolve, reject) => {
    const c = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => (err ? reject(new BackupRefused('UNREADABLE', `无法打开 ${file}：${err.message}`)) : resolve(c)));
  });
  try {
    const check = await all(conn, 'PRAGMA integrity_check').catch((e: Error) => [{ integrity_check: e.message }]);
    const verdict = check.map((r) => String(Object.values(r)[0])).join('；');
    if (verdict !== 'ok') throw new BackupRefused('INTEGRITY', `${file} 未通过完整性检查（${verdict.slice(0, 200)}），不能用于恢复`);
    const tables = (await all(conn, `SELECT name FROM sqlite_master WHERE type = 'table'`)).map((r) => String(r.name));
    if (!tables.includes('knex_migrations') || !tables.includes('runs') || !tables.includes('units')) {
      throw new BackupRefused('NOT_APPRAISAL', `${file} 不是千分考核的数据库（没有它的数据表）`);
    }
    const names = (await all(conn, 'SELECT name FROM knex_migrations ORDER BY id')).map((r) => String(r.name));
    if (!names.includes(MIGRATION_NAMES[0])) throw new BackupRefused('NOT_APPRAISAL', `${file} 不是千分考核的数据库`);
    const unknown = names.filter((n) => !MIGRATION_NAMES.includes(n));
    if (unknown.length > 0) throw new BackupRefused('NEWER', `${file} 来自更新版本的千分考核（${unknown.join('、')}），请先升级本系统再恢复`);
    // A file made by hand may claim the migrations yet carry a trigger of its own (one that resets the
    // administrator's password at every login), or lack the triggers that keep a final result final.
    if (names.some((n, k) => n !== MIGRATION_NAMES[k])) throw new BackupRefused('NOT_APPRAISAL', `${file} 的数据库版本记录有误，不是本系统生成的备份`);
    const key = (o: SchemaObject) => `${o.type}\u0000${o.name}\u0000${o.tbl_name}\u0000${o.sql ?? ''}`;
    const expected = new Set((await schemaAfter(names.length)).map(key));
    const held = (await all(conn, SCHEMA_SQL)) as unknown as SchemaObject[];
    const foreign = held.filter((o) => !expected.has(key(o)));
    const heldKeys = new Set(held.map(key));
    const missing = [...expected].filter((k) => !heldKeys.has(k)).length;
    if (foreign.length > 0 || missing > 0) {
      const named = foreign.slice(0, 3).map((o) => `“${[...o.name].slice(0, 40).join('')}”`).join('、');
      throw new BackupRefused('SCHEMA', `${file} 的表结构与本系统不同（${foreign.length > 0 ? `多出或改动了${named}${foreign.length > 3 ? `等${foreign.length}处` : ''}` : ''}${foreign.length > 0 && missing > 0 ? '，' : ''}${missing > 0 ? `缺少${missing}处` : ''}），不是本系统生成的备份，不能用于恢复`);
    }
    return names;
  } finally {
    await new Promise<void>((resolve) => conn.close(() => resolve()));
  }
}

/**
 * Replaces the record at `target` with the checked backup `source`; the previous file is
 * kept as `target.before-restore` (replacing an older one). Refused while the record is
 * open: SQLite keeps its `-wal` file beside it as long as any connection (the server's) has
 * it open, and deletes it when the last one closes.
 */
export async function restoreSqlite(target: string, source: string): Promise<{ previous?: string }> {
  if (sameFile(target, source)) throw new BackupRefused('SAME_FILE', '备份文件就是当前数据库本身');
  await checkBackupFile(source);
  if (existsSync(`${target}-wal`)) {
    throw new BackupRefused('IN_USE', `数据库 ${target} 正在使用中（服务未停止，或上次未正常关闭）：请先停止服务再恢复；若服务已停止，先运行一次 npx appraisal runs 让数据库正常关闭`);
  }
  mkdirSync(path.dirname(target), { recursive: true });
  const temp = tempBeside(target);
  try {
    copyFileSync(source, temp);
    fsyncFile(temp);
    let previous: string | undefined;
    if (existsSync(target)) {
      previous = `${target}.before-restore`;
      renameSync(target, previous);
    }
    rmSync(`${target}-shm`, { force: true });
    renameSync(temp, target);
    return { previous };
  } finally {
    rmSync(temp, { force: true });
  }
}
