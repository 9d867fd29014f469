import type { Tx } from '../connection.js';
import { insertStoredFile } from './files.js';

export type AppealStatus = 'open' | 'rejected' | 'accepted';

export interface AppealRow {
  id: number; run_id: number; unit_id: string; items: string; reason: string; status: AppealStatus; answer: string | null;
  filed_by: string; filed_at: string; answered_by: string | null; answered_at: string | null; correction_run_id: number | null;
}

/** Appeals not yet answered: of one run, or of every run. */
export async function openAppealCount(db: Tx, runId?: number): Promise<number> {
  const q = db('appeals').where({ status: 'open' });
  if (runId !== undefined) q.where({ run_id: runId });
  const [row] = await q.count({ n: '*' });
  return Number((row as { n: number | string }).n);
}

export interface AppealFileRow { id: number; appeal_id: number; file_name: string; media_type: string; size: number; sha256: string; }

/** How many appeals a unit filed on a run. */
export async function appealCountOf(db: Tx, runId: number, unitId: string): Promise<number> {
  const [row] = await db('appeals').where({ run_id: runId, unit_id: unitId }).count({ n: '*' });
  return Number((row as { n: number | string }).n);
}

/** Writes an appeal (the database takes it only on a run under 公示). */
export async function insertAppeal(db: Tx, row: Omit<AppealRow, 'id' | 'answer' | 'answered_by' | 'answered_at' | 'correction_run_id'>): Promise<number> {
  const [inserted] = await db('appeals').insert(row).returning('id');
  return typeof inserted === 'object' ? (inserted as { id: number }).id : Number(inserted);
}

/** Stores a file of an appeal (stored_files, linked by appeal_evidence). */
export async function insertAppealFile(db: Tx, row: Omit<AppealFileRow, 'id'> & { content: Buffer; unit_id: string; uploaded_by: string; uploaded_at: string }): Promise<void> {
  const { appeal_id, ...file } = row;
  const fileId = await insertStoredFile(db, file);
  await db('appeal_evidence').insert({ file_id: fileId, appeal_id });
}

export async function getAppeal(db: Tx, id: number): Promise<AppealRow | undefined> {
  return db('appeals').where({ id }).first();
}

/** Appeals, open ones first, then the answered, each newest first. */
export async function listAppeals(db: Tx, filter: { unitId?: string; runId?: number; status?: AppealStatus } = {}): Promise<AppealRow[]> {
  const q = db('appeals').orderByRaw(`case when status = 'open' then 0 else 1 end`).orderBy('id', 'desc');
  if (filter.unitId !== undefined) q.where({ unit_id: filter.unitId });
  if (filter.runId !== undefined) q.where({ run_id: filter.runId });
  if (filter.status !== undefined) q.where({ status: filter.status });
  return q;
}

/** The files of some appeals, without their content. */
export async function filesOfAppeals(db: Tx, appealIds: number[]): Promise<AppealFileRow[]> {
  if (appealIds.length === 0) return [];
  return db('appeal_evidence').join('stored_files', 'stored_files.id', 'appeal_evidence.file_id')
    .select('stored_files.id', 'appeal_evidence.appeal_id', 'stored_files.file_name', 'stored_files.media_type', 'stored_files.size', 'stored_files.sha256')
    .whereIn('appeal_evidence.appeal_id', appealIds).orderBy('stored_files.id');
}

/** One file of one appeal, with its content. */
export async function appealFile(db: Tx, appealId: number, fileId: number): Promise<(AppealFileRow & { content: Buffer }) | undefined> {
  return db('appeal_evidence').join('stored_files', 'stored_files.id', 'appeal_evidence.file_id')
    .select('stored_files.id', 'appeal_evidence.appeal_id', 'stored_files.file_name', 'stored_files.media_type', 'stored_files.size', 'stored_files.sha256', 'stored_files.content')
    .where({ 'appeal_evidence.file_id': fileId, 'appeal_evidence.appeal_id': appealId }).first();
}

/** Answers an open appeal; false when it was already answered (someone else got there first). */
export async function markAnswered(db: Tx, id: number, answer: { status: 'rejected' | 'accepted'; answer: string | null; by: string; at: string }): Promise<boolean> {
  const n = await db('appeals').where({ id, status: 'open' }).update({ status: answer.status, answer: answer.answer, answered_by: answer.by, answered_at: answer.at });
  return n === 1;
}

/** Names the correction of the accepted appeals of a run that have none yet; how many. */
export async function setCorrectionRun(db: Tx, runId: number, correctionRunId: number): Promise<number> {
  return db('appeals').where({ run_id: runId, status: 'accepted' }).whereNull('correction_run_id').update({ correction_run_id: correctionRunId });
}
