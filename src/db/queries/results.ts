import { insertMany } from '../chunks.js';
import type { Tx } from '../connection.js';

export interface ResultRow {
  run_id: number; unit_id: string; name: string | null; parent_id: string | null; position: number;
  rank: number; total: number; bonus: number; penalty: number; grade: string | null; vetoed: boolean;
  vetoes: string; sanctions: string; detail: string;
}

export interface ParentResultRow { run_id: number; parent_id: string; sanctions: string; }

export async function insertResults(db: Tx, rows: ResultRow[], progress?: (done: number) => void): Promise<void> {
  await insertMany(db, 'results', rows, { progress });
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
