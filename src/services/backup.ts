import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config.js';
import { BackupRefused, backupSqlite, restoreSqlite } from '../db/backup.js';
import { isPostgres, openDatabase, type Db } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import { localDateTime } from '../local-time.js';

/**
 * Backups (备份) and restoring one (恢复), for SQLite. On PostgreSQL the database's own
 * tools do it (pg_dump / pg_restore, README): the commands and the page say so.
 */

export { BackupRefused };

export const PG_DUMP_HINT = 'PostgreSQL 数据库请用 pg_dump 备份、pg_restore 恢复，例如：pg_dump --format=custom --file=千分考核备份.dump "$DATABASE_URL"；恢复：pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" 千分考核备份.dump';

/** 千分考核备份-2024-12-02-1530.sqlite: the time in China Standard Time (TIME_ZONE), to the minute. */
export function backupFileName(at: Date = new Date()): string {
  const [date, time] = localDateTime(at.toISOString()).split(' ');
  return `千分考核备份-${date}-${time.replace(':', '')}.sqlite`;
}

/** Writes a backup of the running record to `file` and writes it down in the audit log. */
export async function backupTo(db: Db, file: string, by: string): Promise<void> {
  if (isPostgres(db)) throw new BackupRefused('POSTGRES', PG_DUMP_HINT);
  await backupSqlite(db, file);
  await appendAudit(db, { at: new Date().toISOString(), actor: by, action: 'backup.create', subject: path.basename(file).slice(0, 200), detail: null });
}

/**
 * A backup to download: made in a folder of its own under the system's temporary folder,
 * removed by `done` once it is sent. The download is written to the audit log.
 */
export async function backupForDownload(db: Db, by: string): Promise<{ file: string; fileName: string; done: () => void }> {
  if (isPostgres(db)) throw new BackupRefused('POSTGRES', PG_DUMP_HINT);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'appraisal-backup-'));
  const file = path.join(dir, 'backup.sqlite');
  try {
    await backupSqlite(db, file);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const fileName = backupFileName();
  await appendAudit(db, { at: new Date().toISOString(), actor: by, action: 'backup.download', subject: fileName, detail: null });
  return { file, fileName, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Replaces the record with a backup (the server stopped): checked, the previous file kept as
 * `*.before-restore`, then opened once, which brings an older backup's schema up to date,
 * and the restore written to the restored record's audit log.
 */
export async function restoreFrom(config: Config, file: string, by: string): Promise<{ previous?: string }> {
  if (config.databaseUrl) throw new BackupRefused('POSTGRES', PG_DUMP_HINT);
  const done = await restoreSqlite(config.databaseFile, path.resolve(file));
  const db = await openDatabase(config);
  try {
    await appendAudit(db, { at: new Date().toISOString(), actor: by, action: 'backup.restore', subject: path.basename(file).slice(0, 200), detail: null });
  } finally {
    await db.destroy();
  }
  return done;
}
