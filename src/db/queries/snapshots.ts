import type { Tx } from '../connection.js';

export interface SnapshotRow {
  id: number; period_id: string; track: string; sha256: string; row_count: number; content: Buffer; created_at: string;
}

/** Stores a snapshot once per content hash and period; returns its id. */
export async function saveSnapshot(db: Tx, row: Omit<SnapshotRow, 'id'>): Promise<number> {
  await db('snapshots').insert(row).onConflict(['period_id', 'track', 'sha256']).ignore();
  const found = await db('snapshots').select('id').where({ period_id: row.period_id, track: row.track, sha256: row.sha256 }).first();
  return Number(found.id);
}

export async function getSnapshot(db: Tx, id: number): Promise<SnapshotRow | undefined> {
  return db('snapshots').where({ id }).first();
}
