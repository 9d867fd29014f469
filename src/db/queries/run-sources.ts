import { pageRead, type Tx } from '../connection.js';

// Read by every ranking page: a statement prepared once.
const sourcesOfRun = pageRead((db, runId: number) => db('run_sources').where({ run_id: runId }).orderBy('source'));

/** What a run read from other assessments (migration 0006): one row per source of its rule set. */
export interface RunSourceRow {
  run_id: number;
  source: string;
  label: string;
  period_id: string;
  track: string;
  source_run_id: number | null;
  source_status: string | null;
}

export async function insertRunSources(db: Tx, rows: RunSourceRow[]): Promise<void> {
  if (rows.length) await db('run_sources').insert(rows);
}

export async function runSources(db: Tx, runId: number): Promise<RunSourceRow[]> {
  const rows = await sourcesOfRun<RunSourceRow>(db, runId);
  return rows.map((r) => ({ ...r, run_id: Number(r.run_id), source_run_id: r.source_run_id === null ? null : Number(r.source_run_id) }));
}
