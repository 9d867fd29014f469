import type { UnitRow } from './units.js';
import { isPostgres, pageRead, type Tx } from '../connection.js';

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

const RUN_COLUMNS: Array<keyof RunRow> = [
  'id', 'period_id', 'track', 'rule_sha256', 'snapshot_id', 'status', 'supersedes_id', 'note', 'unit_count',
  'results_sha256', 'created_by', 'created_at', 'published_by', 'published_at',
];

/**
 * The unit, and every run on record as one JSON array: one row of seven values, where a
 * row per run with every column would be read value by value (the driver's cost grows with
 * the values, and a township adds runs every year).
 */
const RUN_FIELDS = RUN_COLUMNS.map((c) => `'${c}', r.${c}`).join(', ');
const unitAndRuns = pageRead((db, unitId: string) => {
  const runs = isPostgres(db)
    ? db.raw(`(select coalesce(json_agg(json_build_object(${RUN_FIELDS})), '[]'::json) from runs r) as runs`)
    : db.raw(`(select json_group_array(json_object(${RUN_FIELDS})) from runs r) as runs`);
  return db('units').select('id', 'name', 'kind', 'parent_id', 'role', 'created_at', runs).where('id', unitId);
});

/**
 * A unit and every run on record, newest first, in one query (what a scorecard reads
 * first on every request); undefined when there is no such unit.
 */
export async function unitWithRuns(db: Tx, unitId: string): Promise<{ unit: UnitRow; runs: RunRow[] } | undefined> {
  const [row] = await unitAndRuns(db, unitId);
  if (!row) return undefined;
  const { runs, ...unit } = row;
  const list = (typeof runs === 'string' ? JSON.parse(runs) : runs) as RunRow[];
  return { unit: unit as unknown as UnitRow, runs: list.sort((a, b) => b.id - a.id) };
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

