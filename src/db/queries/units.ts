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

/** The units that are not disabled, of one kind or all: what the entry list, the templates and new runs offer. */
export async function listEnabledUnits(db: Tx, kind?: string): Promise<UnitRow[]> {
  const q = db('units').whereNull('disabled_at').orderBy('id');
  return kind ? q.where({ kind }) : q;
}

export async function insertUnit(db: Tx, row: UnitRow): Promise<void> {
  await db('units').insert(row);
}

export async function updateUnit(db: Tx, id: string, changes: Partial<Pick<UnitRow, 'name' | 'parent_id' | 'disabled_at'>>): Promise<boolean> {
  return (await db('units').where({ id }).update(changes)) === 1;
}

/** The unit whose name is `name` under the same parent (names are told apart within their parent only). */
export async function unitNamed(db: Tx, parentId: string | null, name: string): Promise<UnitRow | undefined> {
  const q = db('units').where({ name });
  return (parentId === null ? q.whereNull('parent_id') : q.where({ parent_id: parentId })).first();
}

/** Whether the unit `id` is disabled (an unknown unit is not). */
export async function unitDisabled(db: Tx, id: string): Promise<boolean> {
  const row = await db('units').where({ id }).whereNotNull('disabled_at').first('id');
  return row !== undefined;
}
