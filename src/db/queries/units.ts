import { insertMany } from '../chunks.js';
import type { Tx } from '../connection.js';

export interface UnitRow { id: string; name: string; kind: string; parent_id: string | null; role: string | null; created_at: string; disabled_at?: string | null; }

/** Adds units, or updates the name and parent of those already known. */
export async function upsertUnits(db: Tx, rows: UnitRow[]): Promise<void> {
  await insertMany(db, 'units', rows, { upsert: { key: ['id'], merge: ['name', 'parent_id'] } });
}

export async function getUnit(db: Tx, id: string): Promise<UnitRow | undefined> {
  return db('units').where({ id }).first();
}

export async function listUnits(db: Tx, kind?: string): Promise<UnitRow[]> {
  const q = db('units').orderBy('id');
  return kind ? q.where({ kind }) : q;
}

