import { createReadStream } from 'node:fs';
import { isPostgres } from '../../db/connection.js';
import { backupFileName, backupForDownload } from '../../services/backup.js';
import { savableFileName } from '../download.js';
import type { RouteSpec } from '../route.js';

/** A backup of the record the administrator downloads (SQLite); on PostgreSQL the page explains pg_dump. */

export const backupRoutes: RouteSpec[] = [
  {
    method: 'get', path: '/admin/backup', access: ['admin'],
    handle: async (_req, _res, ctx) => {
      ctx.render('admin/backup', { title: '备份', postgres: isPostgres(ctx.db), exampleName: backupFileName() });
    },
  },
  {
    method: 'get', path: '/admin/backup/download', access: ['admin'],
    handle: async (_req, res, ctx) => {
      if (isPostgres(ctx.db)) return res.redirect(303, '/admin/backup');
      const { file, fileName, done } = await backupForDownload(ctx.db, ctx.user!.username);
      res.attachment(savableFileName(fileName)).type('application/vnd.sqlite3');
      const stream = createReadStream(file);
      // The copy goes once the file is closed (Windows cannot remove an open file), sent or not.
      stream.on('close', () => { try { done(); } catch { /* left in the temporary folder, for the system to clear */ } });
      stream.on('error', (e) => res.destroy(e));
      res.on('close', () => stream.destroy());
      stream.pipe(res);
    },
  },
];
