import { insertMany, rowWriter, type RowWriter } from '../chunks.js';
import type { Tx } from '../connection.js';

export interface ResultRow {
  run_id: number; unit_id: string; name: string | null; parent_id: string | null; position: number;
  rank: number; total: number; bonus: number; penalty: number; grade: string | null; vetoed: boolean;
  vetoes: string; sanctions: string; detail: string;
}

export interface ParentResultRow { run_id: number; parent_id: string; sanctions: string; }

/** A run's results written a slice at a time (close it when done, in a `finally`). */
export function resultsWriter(db: Tx): RowWriter<ResultRow> {
  return rowWriter<ResultRow>(db, 'results');
}

export async function insertParentResults(db: Tx, rows: ParentResultRow[]): Promise<void> {
  await insertMany(db, 'parent_results', rows);
}

/** A run's results in the order of the §6 output (scope, rank, id); sqlite gives booleans as 0/1. */
export async function resultsOf(db: Tx, runId: number, filter: { parentId?: string; unitId?: string } = {}): Promise<ResultRow[]> {
  const q = db('results').where({ run_id: runId }).orderBy('position');
  if (filter.parentId !== undefined) q.where({ parent_id: filter.parentId });
  if (filter.unitId !== undefined) q.where({ unit_id: filter.unitId });
  const rows: ResultRow[] = await q;
  for (const r of rows) r.vetoed = Boolean(r.vetoed);
  return rows;
}

export async function parentResultsOf(db: Tx, runId: number): Promise<ParentResultRow[]> {
  return db('parent_results').where({ run_id: runId }).orderBy('parent_id');
}
