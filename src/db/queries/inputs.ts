import { insertMany } from '../chunks.js';
import type { Tx } from '../connection.js';

export interface InputRow {
  period_id: string; track: string; unit_id: string; name: string | null; parent_id: string | null;
  input_values: string; batch_id: number | null; entered_by: string; entered_at: string;
}

export interface BatchRow {
  period_id: string; track: string; file_name: string; file_sha256: string; rule_sha256: string;
  row_count: number; imported_by: string; imported_at: string;
}

export async function insertBatch(db: Tx, row: BatchRow): Promise<number> {
  const [inserted] = await db('import_batches').insert(row).returning('id');
  return typeof inserted === 'object' ? (inserted as { id: number }).id : Number(inserted);
}

/** Adds or replaces the input rows of units for a period and track. */
export async function upsertInputs(db: Tx, rows: InputRow[], progress?: (done: number) => void): Promise<void> {
  await insertMany(db, 'inputs', rows, {
    upsert: { key: ['period_id', 'track', 'unit_id'], merge: ['name', 'parent_id', 'input_values', 'batch_id', 'entered_by', 'entered_at'] },
    progress,
  });
}

export async function deleteInputs(db: Tx, periodId: string, track: string): Promise<void> {
  await db('inputs').where({ period_id: periodId, track }).delete();
}

export async function inputsOf(db: Tx, periodId: string, track: string): Promise<InputRow[]> {
  return db('inputs').where({ period_id: periodId, track }).orderBy('unit_id');
}

/** What a run pins of each unit's inputs, in unit order. */
export async function pinnedInputsOf(db: Tx, periodId: string, track: string): Promise<Array<Pick<InputRow, 'unit_id' | 'name' | 'parent_id' | 'input_values'>>> {
  return db('inputs').select('unit_id', 'name', 'parent_id', 'input_values').where({ period_id: periodId, track }).orderBy('unit_id');
}

export async function inputOf(db: Tx, periodId: string, track: string, unitId: string): Promise<InputRow | undefined> {
  return db('inputs').where({ period_id: periodId, track, unit_id: unitId }).first();
}

export async function countInputs(db: Tx, periodId: string, track: string): Promise<number> {
  const row = await db('inputs').where({ period_id: periodId, track }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
