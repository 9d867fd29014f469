import type { UnitRow } from './units.js';
import { readAll, type Tx } from '../connection.js';

export type RunStatus = 'draft' | 'published' | 'superseded';

export interface RunRow {
  id: number; period_id: string; track: string; rule_sha256: string; snapshot_id: number; status: RunStatus;
  supersedes_id: number | null; note: string | null; unit_count: number; results_sha256: string;
  created_by: string; created_at: string; published_by: string | null; published_at: string | null;
}

export async function insertRun(db: Tx, row: Omit<RunRow, 'id' | 'published_by' | 'published_at'>): Promise<number> {
  const [inserted] = await db('runs').insert(row).returning('id');
  return typeof inserted === 'object' ? (inserted as { id: number }).id : Number(inserted);
}

/** Seals a draft with the digest of its results, once they are all written. */
export async function sealRun(db: Tx, id: number, resultsSha256: string): Promise<void> {
  await db('runs').where({ id, status: 'draft' }).update({ results_sha256: resultsSha256 });
}

export async function getRun(db: Tx, id: number): Promise<RunRow | undefined> {
  return db('runs').where({ id }).first();
}

export async function listRuns(db: Tx, filter: { periodId?: string; track?: string } = {}): Promise<RunRow[]> {
  const q = db('runs').orderBy('id', 'desc');
  if (filter.periodId) q.where({ period_id: filter.periodId });
  if (filter.track) q.where({ track: filter.track });
  return q;
}

/**
 * A unit and every run on record, newest first, in one query (what a scorecard reads
 * first on every request); undefined when there is no such unit.
 */
export async function unitWithRuns(db: Tx, unitId: string): Promise<{ unit: UnitRow; runs: RunRow[] } | undefined> {
  const unitColumns = ['id', 'name', 'kind', 'parent_id', 'role', 'created_at'];
  const rows = await readAll(db, db('units as u')
    .leftJoin('runs as r', db.raw('1 = 1'))
    .select(...unitColumns.map((c) => `u.${c} as unit_${c}`), 'r.*')
    .where('u.id', unitId)
    .orderBy('r.id', 'desc'));
  if (rows.length === 0) return undefined;
  const unit = Object.fromEntries(unitColumns.map((c) => [c, rows[0][`unit_${c}`]])) as unknown as UnitRow;
  const runs = rows.filter((r) => r.id !== null).map((r) => {
    const run = { ...r };
    for (const c of unitColumns) delete run[`unit_${c}`];
    return run as unknown as RunRow;
  });
  return { unit, runs };
}

export async function publishedRun(db: Tx, periodId: string, track: string): Promise<RunRow | undefined> {
  return db('runs').where({ period_id: periodId, track, status: 'published' }).first();
}

/** Marks a draft published; false when it was no longer a draft (someone else got there first). */
export async function markPublished(db: Tx, id: number, by: string, at: string): Promise<boolean> {
  const n = await db('runs').where({ id, status: 'draft' }).update({ status: 'published', published_by: by, published_at: at });
  return n === 1;
}

/** Marks a published run superseded by its correction; false when it was not published. */
export async function markSuperseded(db: Tx, id: number): Promise<boolean> {
  const n = await db('runs').where({ id, status: 'published' }).update({ status: 'superseded' });
  return n === 1;
}

