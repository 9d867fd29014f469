import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config.js';
import { DatabaseRefused } from '../../db/connection.js';
import { DEFAULT_TIME_ZONE, setTimeZone } from '../../local-time.js';
import { BackupRefused, backupTo, PG_DUMP_HINT, restoreFrom } from '../../services/backup.js';
import { EXIT } from '../exit.js';
import { withStore } from '../with-store.js';

/** `appraisal backup FILE` (while the server runs) and `appraisal restore FILE` (with the server stopped). */

function refused(e: unknown): number {
  if (!(e instanceof BackupRefused)) throw e;
  process.stderr.write(`[${e.code}] ${e.message}\n`);
  return EXIT.refused;
}

export function backupCommand(file: string, opts: { by: string }): Promise<number> {
  const config = loadConfig();
  if (config.databaseUrl) return Promise.resolve(refused(new BackupRefused('POSTGRES', PG_DUMP_HINT)));
  // Opening a record that is not there would make (and seed) one: there is nothing to back up.
  if (!existsSync(config.databaseFile)) return Promise.resolve(refused(new BackupRefused('NO_DATABASE', `没有数据库 ${config.databaseFile}，无可备份`)));
  return withStore(async (db) => {
    try {
      const target = path.resolve(file);
      await backupTo(db, target, opts.by);
      process.stdout.write(`已备份到 ${target}\n`);
      return EXIT.ok;
    } catch (e) {
      return refused(e);
    }
  });
}

export async function restoreCommand(file: string, opts: { by: string }): Promise<number> {
  const config = loadConfig();
  setTimeZone(config.timeZone ?? DEFAULT_TIME_ZONE);
  try {
    const { previous } = await restoreFrom(config, file, opts.by);
    process.stdout.write(`已用 ${path.resolve(file)} 恢复数据库 ${config.databaseFile}${previous ? `；原数据库保留为 ${previous}` : ''}\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof DatabaseRefused) {
      process.stderr.write(`[${e.code}] ${e.message}\n`);
      return EXIT.database;
    }
    return refused(e);
  }
}
