import type { UnitRow } from './units.js';
import { isPostgres, pageRead, type Tx } from '../connection.js';

/** draft → published (公示中 until review_until) → final (定稿); published or final → superseded by a correction; a draft may be discarded. */
export type RunStatus = 'draft' | 'published' | 'final' | 'superseded' | 'discarded';

export interface RunRow {
  id: number; period_id: string; track: string; rule_sha256: string; snapshot_id: number; status: RunStatus;
  supersedes_id: number | null; note: string | null; unit_count: number; results_sha256: string;
  created_by: string; created_at: string; published_by: string | null; published_at: string | null;
  /** The last day (YYYY-MM-DD, China Standard Time) of 公示, on which an appeal is still taken. */
  review_until: string | null;
  finalized_by: string | null; finalized_at: string | null;
  discarded_by: string | null; discarded_at: string | null;
  /** The correction that superseded this run. */
  superseded_by: number | null;
}

type Unset = 'id' | 'published_by' | 'published_at' | 'review_until' | 'finalized_by' | 'finalized_at' | 'discarded_by' | 'discarded_at' | 'superseded_by';

export async function insertRun(db: Tx, row: Omit<RunRow, Unset>): Promise<number> {
  const [inserted] = await db('runs').insert(row).returning('id');
  return typeof inserted === 'object' ? (inserted as { id: number }).id : Number(inserted);
}

/** Seals a draft with the digest of its results, once they are all written. */
export async function sealRun(db: Tx, id: number, resultsSha256: string): Promise<void> {
  await db('runs').where({ id, status: 'draft' }).update({ results_sha256: resultsSha256 });
}

const runById = pageRead((db, id: number) => db('runs').where({ id }).limit(1));

/** A run by its id (read by every page of a run: a statement prepared once). */
export async function getRun(db: Tx, id: number): Promise<RunRow | undefined> {
  const [row] = await runById<RunRow>(db, id);
  return row;
}

export async function listRuns(db: Tx, filter: { periodId?: string; track?: string } = {}): Promise<RunRow[]> {
  const q = db('runs').orderBy('id', 'desc');
  if (filter.periodId) q.where({ period_id: filter.periodId });
  if (filter.track) q.where({ track: filter.track });
  return q;
}

const RUN_COLUMNS: Array<keyof RunRow> = [
  'id', 'period_id', 'track', 'rule_sha256', 'snapshot_id', 'status', 'supersedes_id', 'note', 'unit_count',
  'results_sha256', 'created_by', 'created_at', 'published_by', 'published_at', 'review_until',
  'finalized_by', 'finalized_at', 'discarded_by', 'discarded_at', 'superseded_by',
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
  return db('units').select('id', 'name', 'kind', 'parent_id', 'role', 'created_at', 'disabled_at', runs).where('id', unitId);
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

/** The current result of a period and track: under 公示 or final (at most one). */
export async function publishedRun(db: Tx, periodId: string, track: string): Promise<RunRow | undefined> {
  return db('runs').where({ period_id: periodId, track }).whereIn('status', ['published', 'final']).first();
}

/** Marks a draft published, under 公示 until `reviewUntil`; false when it was no longer a draft (someone else got there first). */
export async function markPublished(db: Tx, id: number, by: string, at: string, reviewUntil: string): Promise<boolean> {
  const n = await db('runs').where({ id, status: 'draft' }).update({ status: 'published', published_by: by, published_at: at, review_until: reviewUntil });
  return n === 1;
}

/** Marks a published or final run superseded by its correction; false when it was neither. */
export async function markSuperseded(db: Tx, id: number, by: number): Promise<boolean> {
  const n = await db('runs').where({ id }).whereIn('status', ['published', 'final']).update({ status: 'superseded', superseded_by: by });
  return n === 1;
}

/** Marks a run under 公示 final (定稿); false when it was not under 公示. */
export async function markFinal(db: Tx, id: number, by: string, at: string): Promise<boolean> {
  const n = await db('runs').where({ id, status: 'published' }).update({ status: 'final', finalized_by: by, finalized_at: at });
  return n === 1;
}

/** Discards a draft: its results go, the run stays on record as discarded; false when it was not a draft. */
export async function discardDraft(db: Tx, id: number, by: string, at: string): Promise<boolean> {
  const run = await db('runs').where({ id, status: 'draft' }).first();
  if (!run) return false;
  await db('results').where({ run_id: id }).delete();
  await db('parent_results').where({ run_id: id }).delete();
  const n = await db('runs').where({ id, status: 'draft' }).update({ status: 'discarded', discarded_by: by, discarded_at: at });
  return n === 1;
}

/**
 * Takes the run's row for the rest of the transaction, so that two steps on one run (定稿 and
 * an appeal, two 定稿) happen one after the other: on PostgreSQL a row lock (FOR UPDATE), on
 * SQLite the database's one writer, which a transaction holds from its first write.
 */
export async function lockRun(db: Tx, id: number): Promise<RunRow | undefined> {
  if (isPostgres(db)) return db('runs').where({ id }).forUpdate().first();
  return db('runs').where({ id }).first();
}

