import { insertMany } from '../chunks.js';
import { FILE_COLUMNS, type StoredFileRow } from './files.js';
import { isPostgres, pageRead, readOnly, type Tx } from '../connection.js';
import { countUnitsFiltered, unitPage, unitsFiltered } from './units.js';

/** A reporting window (填报): an assessment's figures a period's units report themselves, until a deadline. */
export interface WindowRow {
  period_id: string; assessment_id: string; deadline: string; opened_by: string; opened_at: string;
  closed_by: string | null; closed_at: string | null;
}

export type ReportState = 'draft' | 'submitted' | 'returned' | 'approved';

/** A unit's report of a period: the figures it typed (as text), and where it stands. */
export interface ReportRow {
  id: number; period_id: string; unit_id: string; state: ReportState;
  report_values: string; field_notes: string | null; review_comment: string | null; reopened_until: string | null;
  updated_by: string; updated_at: string; submitted_by: string | null; submitted_at: string | null;
  reviewed_by: string | null; reviewed_at: string | null;
}

export interface ReportFileRow extends StoredFileRow { report_id: number; input_name: string; }

const idOf = (inserted: unknown) => (typeof inserted === 'object' && inserted !== null ? (inserted as { id: number }).id : Number(inserted));

/**
 * A period's reports with their units, read from the reports (a tenth of a province's units) and each unit looked
 * up by its id: SQLite's CROSS JOIN keeps that order, where it would otherwise walk every unit of the kind by its
 * index and look for a report (PostgreSQL, which takes no CROSS JOIN with a condition, plans the join itself).
 */
function reportsWithUnits(db: Tx) {
  return isPostgres(db) ? db('reports').join('units', 'units.id', 'reports.unit_id') : db('reports').crossJoin('units', 'units.id', 'reports.unit_id');
}

// ---- windows ----

export async function windowsOf(db: Tx, periodId: string): Promise<WindowRow[]> {
  return db('report_windows').where({ period_id: periodId }).orderBy('assessment_id');
}

/** Every window not closed, of every period. */
export async function openWindows(db: Tx): Promise<WindowRow[]> {
  return db('report_windows').whereNull('closed_at').orderBy([{ column: 'period_id', order: 'desc' }, { column: 'assessment_id' }]);
}

const windowOf = pageRead((db, periodId: string, assessmentId: string) => db('report_windows').where({ period_id: periodId, assessment_id: assessmentId }).limit(1));
export async function getWindow(db: Tx, periodId: string, assessmentId: string): Promise<WindowRow | undefined> {
  return (await windowOf<WindowRow>(db, periodId, assessmentId))[0];
}

/** Opens a window, or opens it again with a new deadline. */
export async function putWindow(db: Tx, row: Omit<WindowRow, 'closed_by' | 'closed_at'>): Promise<void> {
  await db('report_windows').insert({ ...row, closed_by: null, closed_at: null })
    .onConflict(['period_id', 'assessment_id']).merge(['deadline', 'opened_by', 'opened_at', 'closed_by', 'closed_at']);
}

export async function closeWindow(db: Tx, periodId: string, assessmentId: string, by: string, at: string): Promise<boolean> {
  return (await db('report_windows').where({ period_id: periodId, assessment_id: assessmentId }).whereNull('closed_at').update({ closed_by: by, closed_at: at })) === 1;
}

// ---- reports ----

export async function getReport(db: Tx, periodId: string, unitId: string): Promise<ReportRow | undefined> {
  return db('reports').where({ period_id: periodId, unit_id: unitId }).first();
}

export async function getReportById(db: Tx, id: number): Promise<ReportRow | undefined> {
  return db('reports').where({ id }).first();
}

export async function insertReport(db: Tx, row: Omit<ReportRow, 'id'>): Promise<number> {
  const [inserted] = await db('reports').insert(row).returning('id');
  return idOf(inserted);
}

/** Changes a report that is still in the state `from` (another hand may have moved it since): false when it was not. */
export async function updateReport(db: Tx, id: number, from: ReportState[], changes: Partial<Omit<ReportRow, 'id' | 'period_id' | 'unit_id'>>): Promise<boolean> {
  return (await db('reports').where({ id }).whereIn('state', from).update(changes)) === 1;
}

export async function setReopened(db: Tx, id: number, until: string | null): Promise<void> {
  await db('reports').where({ id }).update({ reopened_until: until });
}

export interface ReportListFilter {
  kind: string;
  /** Units under this parent (a township's villages). */
  parentId?: string;
  /** Part of a unit's name or id. */
  search?: string;
  /** States; 'none' for units with no report. */
  states?: Array<ReportState | 'none'>;
  /** Leave out units given a day of their own (reopened_until) on or after this one: not late. */
  notReopenedFrom?: string;
  /** How many match, when the caller has counted it already (a board's counts): not counted again. */
  known?: number;
  limit: number;
  offset: number;
}

export interface BoardRow {
  unit_id: string; unit_name: string; parent_id: string | null; report_id: number | null; state: ReportState | null;
  updated_at: string | null; submitted_at: string | null; reviewed_at: string | null; reopened_until: string | null;
}

/** A period's enabled units of a kind with their report, if any: by unit id, a page at a time; and how many match. */
export async function boardRows(db: Tx, periodId: string, f: ReportListFilter): Promise<{ rows: BoardRow[]; total: number }> {
  const q = db('units').leftJoin('reports', function () {
    this.on('reports.unit_id', '=', 'units.id').andOn('reports.period_id', '=', db.raw('?', [periodId]));
  }).where('units.kind', f.kind).whereNull('units.disabled_at');
  unitsFiltered(q, f.parentId, f.search);
  if (f.states && f.states.length) {
    const states = f.states.filter((s) => s !== 'none');
    q.where((w) => {
      if (states.length) w.whereIn('reports.state', states);
      if (f.states!.includes('none')) w.orWhereNull('reports.id');
    });
  }
  if (f.notReopenedFrom !== undefined) q.where((w) => { w.whereNull('reports.reopened_until').orWhere('reports.reopened_until', '<', f.notReopenedFrom!); });
  const total = f.known ?? await boardCount(db, periodId, f);
  if (!f.states?.length && f.notReopenedFrom === undefined) {
    // A page of units from their index (however deep), then their reports: never the join of the units before it.
    const page = await unitPage(db, f.kind, f.parentId, f.search, f.limit, f.offset);
    const reports = page.length ? await readOnly<ReportRow>(db, db('reports').where({ period_id: periodId }).whereIn('unit_id', page.map((u) => u.id))) : [];
    const of = new Map(reports.map((r) => [r.unit_id, r]));
    return {
      rows: page.map((u) => {
        const r = of.get(u.id);
        return {
          unit_id: u.id, unit_name: u.name, parent_id: u.parent_id, report_id: r?.id ?? null, state: r?.state ?? null, updated_at: r?.updated_at ?? null,
          submitted_at: r?.submitted_at ?? null, reviewed_at: r?.reviewed_at ?? null, reopened_until: r?.reopened_until ?? null,
        };
      }),
      total,
    };
  }
  if (f.states?.length && !f.states.includes('none')) {
    // Units in reported states only: read from the reports (a tenth of a province's units), not from every unit.
    const r = reportsWithUnits(db).where('reports.period_id', periodId).whereIn('reports.state', f.states)
      .where('units.kind', f.kind).whereNull('units.disabled_at');
    unitsFiltered(r, f.parentId, f.search);
    if (f.notReopenedFrom !== undefined) r.where((w) => { w.whereNull('reports.reopened_until').orWhere('reports.reopened_until', '<', f.notReopenedFrom!); });
    const rows = f.limit === 0 ? [] : await readOnly<BoardRow>(db, r.select(
      'units.id as unit_id', 'units.name as unit_name', 'units.parent_id', 'reports.id as report_id', 'reports.state',
      'reports.updated_at', 'reports.submitted_at', 'reports.reviewed_at', 'reports.reopened_until',
    ).orderBy('reports.unit_id').limit(f.limit).offset(f.offset));
    return { rows, total };
  }
  const rows = f.limit === 0 ? [] : await readOnly<BoardRow>(db, q.select(
    'units.id as unit_id', 'units.name as unit_name', 'units.parent_id', 'reports.id as report_id', 'reports.state',
    'reports.updated_at', 'reports.submitted_at', 'reports.reviewed_at', 'reports.reopened_until',
  ).orderBy('units.id').limit(f.limit).offset(f.offset));
  return { rows, total };
}

/**
 * How many units a board's filter holds, without reading the join of every unit: the filter's units from the units'
 * index; those in reported states from the reports (a tenth of a province's units); 未填报 as the rest; less those
 * given a day of their own from `notReopenedFrom` on (only a unit with a report can have one).
 */
async function boardCount(db: Tx, periodId: string, f: ReportListFilter): Promise<number> {
  const states = f.states ?? [];
  const units = () => countUnitsFiltered(db, f.kind, f.parentId, f.search);
  let n: number;
  if (states.length === 0) n = await units();
  else {
    const counts = await reportedCounts(db, periodId, f.kind, f.parentId, f.search);
    const all = Object.values(counts).reduce((a, b) => a + b, 0);
    n = states.reduce((sum, s) => sum + (s === 'none' ? 0 : counts[s]), 0) + (states.includes('none') ? (await units()) - all : 0);
  }
  if (f.notReopenedFrom !== undefined) {
    const q = reportsWithUnits(db).where('reports.period_id', periodId).where('units.kind', f.kind)
      .whereNull('units.disabled_at').where('reports.reopened_until', '>=', f.notReopenedFrom);
    unitsFiltered(q, f.parentId, f.search);
    if (states.length) q.whereIn('reports.state', states.filter((s) => s !== 'none'));
    const [{ r }] = await readOnly(db, q.count({ r: '*' }));
    n -= Number(r);
  }
  return n;
}

// The counts the database keeps by state (migration 0009), read by the board on every page: statements prepared once.
const reportTotals = pageRead((db, periodId: string, kind: string) => db('report_totals').where({ period_id: periodId, kind }).select('state', 'n'));
const reportCounts = pageRead((db, periodId: string, kind: string, parentId: string) => db('report_counts').where({ period_id: periodId, kind, parent_key: parentId }).select('state', 'n'));

/**
 * How many of a filter's units have a report in each state: from the counts the database keeps (migration 0009,
 * a row a state, of all units or of a parent's); with a search, from the units found, joined to their reports.
 */
async function reportedCounts(db: Tx, periodId: string, kind: string, parentId?: string, search?: string): Promise<Record<ReportState, number>> {
  const out: Record<ReportState, number> = { draft: 0, submitted: 0, returned: 0, approved: 0 };
  let rows: Array<{ state: ReportState; n: number | string | null }>;
  if (search) {
    const q = db('units').join('reports', 'reports.unit_id', 'units.id').where('reports.period_id', periodId).where('units.kind', kind).whereNull('units.disabled_at');
    unitsFiltered(q, parentId, search);
    rows = await readOnly<{ state: ReportState; n: number | string | null }>(db, q.select('reports.state').count({ n: '*' }).groupBy('reports.state'));
  } else {
    rows = parentId === undefined ? await reportTotals(db, periodId, kind) : await reportCounts(db, periodId, kind, parentId);
  }
  for (const r of rows) if (r.state in out) out[r.state] = Number(r.n ?? 0);
  return out;
}

/** How many enabled units of a kind (under a parent, if given) stand in each state for a period; 'none' for no report. */
export async function stateCounts(db: Tx, periodId: string, kind: string, parentId?: string): Promise<Record<ReportState | 'none', number>> {
  const reported = await reportedCounts(db, periodId, kind, parentId);
  const total = await countUnitsFiltered(db, kind, parentId, undefined);
  return { none: total - Object.values(reported).reduce((a, b) => a + b, 0), ...reported };
}

/** A report as the review queue lists it, with its unit's name and parent. */
export type ReportInQueue = Pick<ReportRow, 'id' | 'unit_id' | 'submitted_at'> & { unit_name: string; parent_id: string | null };

/**
 * Reports of enabled units of a period in a state, oldest submission first, a page at a time, with their unit's name:
 * counted from the counts the database keeps, the page read in the order of an index (reports_by_submission).
 */
export async function reportsInState(db: Tx, periodId: string, state: ReportState, kind: string | undefined, limit: number, offset: number): Promise<{ rows: ReportInQueue[]; total: number }> {
  const counted = db('report_totals').where({ period_id: periodId, state });
  if (kind !== undefined) counted.where({ kind });
  const [{ n }] = await readOnly(db, counted.sum({ n: 'n' }));
  const q = reportsWithUnits(db).where({ 'reports.period_id': periodId, 'reports.state': state }).whereNull('units.disabled_at');
  if (kind !== undefined) q.where('units.kind', kind);
  const rows = await readOnly<ReportInQueue>(db, q.select('reports.id', 'reports.unit_id', 'reports.submitted_at', 'units.name as unit_name', 'units.parent_id').orderBy([{ column: 'reports.submitted_at' }, { column: 'reports.id' }]).limit(limit).offset(offset));
  return { rows, total: Number(n ?? 0) };
}

// ---- files ----

export async function linkReportFile(db: Tx, row: { file_id: number; report_id: number; input_name: string }): Promise<void> {
  await db('report_files').insert(row);
}

/** The files of a report, without their content, oldest first. */
export async function filesOfReport(db: Tx, reportId: number): Promise<ReportFileRow[]> {
  return db('report_files').join('stored_files', 'stored_files.id', 'report_files.file_id').where('report_files.report_id', reportId)
    .select(...FILE_COLUMNS, 'report_files.report_id', 'report_files.input_name')
    .orderBy('stored_files.id');
}

/** One file of one report, with its content. */
export async function reportFile(db: Tx, reportId: number, fileId: number): Promise<(ReportFileRow & { content: Buffer }) | undefined> {
  return db('report_files').join('stored_files', 'stored_files.id', 'report_files.file_id')
    .where({ 'report_files.report_id': reportId, 'report_files.file_id': fileId }).select('stored_files.*', 'report_files.report_id', 'report_files.input_name').first();
}

/** Takes a file off a report (a draft's): the link and the file. */
export async function removeReportFile(db: Tx, reportId: number, fileId: number): Promise<boolean> {
  const n = await db('report_files').where({ report_id: reportId, file_id: fileId }).delete();
  if (n === 1) await db('stored_files').where({ id: fileId }).delete();
  return n === 1;
}

// ---- the history of inputs ----

export interface InputHistoryRow {
  id: number; period_id: string; track: string; unit_id: string; input_values: string; via: 'form' | 'import' | 'report';
  batch_id: number | null; report_id: number | null; entered_by: string; entered_at: string; approved_by: string | null; approved_at: string | null;
}

export async function insertHistory(db: Tx, rows: Array<Omit<InputHistoryRow, 'id'>>): Promise<void> {
  await insertMany(db, 'input_history', rows);
}

/** A unit's inputs of a period and assessment as they stood after each change, oldest first. */
export async function historyOf(db: Tx, periodId: string, track: string, unitId: string): Promise<InputHistoryRow[]> {
  return db('input_history').where({ period_id: periodId, track, unit_id: unitId }).orderBy('id');
}
