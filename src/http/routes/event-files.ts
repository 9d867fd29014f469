import type { Request } from 'express';
import { eventFile, getEvent, type EventRow } from '../../db/queries/events.js';
import { EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES, type EvidenceUpload } from '../../io/evidence.js';
import { sendEvidenceFile } from '../download.js';
import { notFound, type Context, type RouteSpec } from '../route.js';
import { MANAGERS } from './entry.js';

/** An event's files (佐证材料): sent with its form, kept in the one storage, downloaded by the township only. */

/** An event's form takes up to five files of 10 MB with its fields. */
export const EVENT_UPLOAD = { field: 'files', files: EVIDENCE_MAX_FILES, fileSize: EVIDENCE_MAX_BYTES };

/** The files sent with an event's form: none chosen is none. */
export function sentFiles(req: Request): EvidenceUpload[] {
  return ((req.files ?? []) as Express.Multer.File[]).filter((f) => f.size > 0).map((f) => ({ name: f.originalname, content: f.buffer }));
}

/** The event a path names (/events/:id), or 404. */
export async function eventOf(req: Request, ctx: Context): Promise<EventRow> {
  const id = /^\d{1,9}$/.test(String(req.params.id)) ? Number(req.params.id) : NaN;
  const row = Number.isSafeInteger(id) ? await getEvent(ctx.db, id) : undefined;
  if (!row) throw notFound('事件');
  return row;
}

export const eventFileRoute: RouteSpec = {
  // A file of an event, as a download only (the ledger is the township's).
  method: 'get', path: '/events/:id/files/:eventFileId', access: MANAGERS,
  handle: async (req, res, ctx) => {
    const row = await eventOf(req, ctx);
    const file = /^\d{1,9}$/.test(String(req.params.eventFileId)) ? await eventFile(ctx.db, row.id, Number(req.params.eventFileId)) : undefined;
    if (!file) throw notFound('文件');
    sendEvidenceFile(res, file.file_name, file.content);
  },
};
