import type { Tx } from '../connection.js';

/**
 * The files people send, in one storage (migrations 0007, 0008): a report's 佐证材料, an appeal's evidence, a
 * ledger event's files. A file never changes; one that backs an appeal or an event is never deleted.
 */
export interface StoredFileRow { id: number; sha256: string; media_type: string; size: number; file_name: string; unit_id: string | null; uploaded_by: string; uploaded_at: string; }

/** What a stored file is, without its bytes. */
export const FILE_COLUMNS = ['stored_files.id', 'stored_files.sha256', 'stored_files.media_type', 'stored_files.size', 'stored_files.file_name',
  'stored_files.unit_id', 'stored_files.uploaded_by', 'stored_files.uploaded_at'];

export async function insertStoredFile(db: Tx, row: Omit<StoredFileRow, 'id'> & { content: Buffer }): Promise<number> {
  const [inserted] = await db('stored_files').insert(row).returning('id');
  return typeof inserted === 'object' ? (inserted as { id: number }).id : Number(inserted);
}
