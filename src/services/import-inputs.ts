import { DataInvalid, inputValues, readUnits, type DataProblem, type DataTable } from '../engine/index.js';
import { type Db, type Tx, inTransaction } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import { deleteInputs, insertBatch, upsertInputs, type InputRow } from '../db/queries/inputs.js';
import { insertHistory } from '../db/queries/reports.js';
import { ensurePeriod } from '../db/queries/periods.js';
import { listUnits, upsertUnits, type UnitRow } from '../db/queries/units.js';
import { sha256 } from '../io/rule-file.js';
import { faultPoint } from './fault.js';
import { parsePeriod } from './period.js';
import { AssessmentRefused, assessmentOfRuleSet, getAssessment } from './assessments.js';
import { compiledVersion, resolveRuleVersion } from './rule-versions.js';
import { unitIdProblems } from './unit-ids.js';
import { unitChangeProblems, type UnitAsFiled } from './unit-changes.js';

/**
 * Importing a period's inputs from a table (CSV, XLSX or JSON already read): every cell
 * checked against the rule set first, every problem reported at once (DataInvalid), and
 * then all rows written in one transaction, so an import lands whole or not at all.
 */

export interface ImportRequest {
  periodId: string;
  /** Rule file, rule set id or version sha; default: the track's rule set. */
  rules?: string;
  track?: string;
  table: DataTable;
  fileBytes: Uint8Array;
  by: string;
  /** Replace all of the period's rows for the track, not only those in the file. */
  replace?: boolean;
  onProgress?: (done: number, total: number) => void;
  /**
   * Only units the record already has for the track (a template's rows): an id changed on
   * the way (Excel writes 130102001001 back as 1.30102E+11, drops the zeros of 001) is an
   * error at its cell, never a new unit.
   */
  knownUnitsOnly?: boolean;
}

export interface ImportResult {
  batchId: number;
  periodId: string;
  track: string;
  ruleSha256: string;
  rows: number;
  ignoredColumns: string[];
}

/** Units whose inputs are written per statement batch. */
const IMPORT_SLICE = 5000;

export async function importInputs(db: Db, req: ImportRequest): Promise<ImportResult> {
  const period = parsePeriod(req.periodId);
  const ruleSha = await resolveRuleVersion(db, req.rules, req.track ?? 'village', req.by);
  const { ruleset } = await compiledVersion(db, ruleSha);
  const track = await assessmentOfImport(db, req.track, ruleset);
  // Events inputs are the events ledger's (events-import.ts), never a column of figures: such a column is left out.
  const eventColumns = req.table.columns.filter((c) => ruleset.inputs.some((i) => i.type === 'events' && (i.name === c || i.label === c)));
  const table = eventColumns.length ? withoutColumns(req.table, eventColumns) : req.table;
  const read = readAll(ruleset, table);
  const { units } = read;
  const ignoredColumns = [...read.ignoredColumns, ...eventColumns];
  const at = new Date().toISOString();
  const kind = ruleset.subject;

  // A file without a name or parent column (a template has no parent column), or a blank cell in it, leaves the record's as they are.
  const hasName = req.table.columns.includes('name'), hasParent = req.table.columns.includes('parent');
  const total = units.length * 2;
  const batchId = await inTransaction(db, async (tx) => {
    // The units as the file leaves them, judged by the unit tree's rules before anything is written.
    const record = await listUnits(tx);
    const known = new Map(record.map((u) => [u.id, u]));
    if (req.knownUnitsOnly) {
      const unknown = units.filter((u) => known.get(u.id)?.kind !== kind).map((u): DataProblem => ({
        code: 'UNIT_UNKNOWN', file: req.table.file, row: u.row, column: 'id',
        message: `单位编号 “${u.id}” 不是本类考核已有的单位：模板中的单位编号请勿修改（用 Excel 打开 CSV 再保存，长编号会变成科学计数法、开头的 0 会丢失；请改用 XLSX 模板）`,
      }));
      if (unknown.length) throw new DataInvalid(unknown);
    }
    const filed: UnitAsFiled[] = units.map((u) => {
      const was = known.get(u.id);
      return { id: u.id, row: u.row, name: u.name ?? was?.name ?? u.id, parent: u.parent ?? was?.parent_id ?? null };
    });
    const refused = unitChangeProblems(kind, filed, record, { file: req.table.file, hasName, hasParent });
    if (refused.length) throw new DataInvalid(refused);
    const unitRows: UnitRow[] = filed.map((u) => ({ id: u.id, name: u.name, kind, parent_id: u.parent, role: null, created_at: at }));
    await ensurePeriod(tx, period, at);
    const id = await insertBatch(tx, {
      period_id: period.id, track, file_name: req.table.file, file_sha256: sha256(req.fileBytes),
      rule_sha256: ruleSha, row_count: units.length, imported_by: req.by, imported_at: at,
    });
    if (req.replace) await deleteInputs(tx, period.id, track);
    await upsertUnits(tx, unitRows);
    await auditUnitChanges(tx, filed, known, req.by, at);
    req.onProgress?.(units.length, total);
    // A slice at a time: 100,000 rows of inputs as JSON text never sit in memory at once.
    for (let i = 0; i < units.length; i += IMPORT_SLICE) {
      const inputRows: InputRow[] = units.slice(i, i + IMPORT_SLICE).map((u, k) => ({
        period_id: period.id, track, unit_id: u.id, name: filed[i + k].name, parent_id: filed[i + k].parent,
        input_values: JSON.stringify(inputValues(ruleset, u)),
        batch_id: id, report_id: null, entered_by: req.by, entered_at: at,
      }));
      await upsertInputs(tx, inputRows, (done) => req.onProgress?.(units.length + i + done, total));
      // Each unit's figures as this import left them, in its history (who, when, from which file).
      await insertHistory(tx, inputRows.map((r) => ({
        period_id: r.period_id, track, unit_id: r.unit_id, input_values: r.input_values, via: 'import' as const, batch_id: id, report_id: null,
        entered_by: req.by, entered_at: at, approved_by: null, approved_at: null,
      })));
    }
    await faultPoint('import');
    await appendAudit(tx, {
      at, actor: req.by, action: 'inputs.import', subject: `${period.id}/${track}`,
      detail: JSON.stringify({ file: req.table.file, rows: units.length, batch: id, rules: ruleSha, replace: !!req.replace }),
    });
    return id;
  });
  return { batchId, periodId: period.id, track, ruleSha256: ruleSha, rows: units.length, ignoredColumns };
}

/** A unit the file renamed or moved is in the audit log as one renamed or moved on the 单位 page is (unit.rename, unit.move). */
async function auditUnitChanges(tx: Tx, filed: UnitAsFiled[], known: Map<string, UnitRow>, by: string, at: string): Promise<void> {
  for (const u of filed) {
    const was = known.get(u.id);
    if (!was) continue;
    if (was.name !== u.name) await appendAudit(tx, { at, actor: by, action: 'unit.rename', subject: u.id, detail: JSON.stringify({ from: was.name, to: u.name }), unit_id: u.id });
    if ((was.parent_id ?? null) !== u.parent) await appendAudit(tx, { at, actor: by, action: 'unit.move', subject: u.id, detail: JSON.stringify({ from: was.parent_id, to: u.parent }), unit_id: u.id });
  }
}

/**
 * The assessment an import files its rows under: the one named, or else the one scored by
 * the rule set named (`--rules staff-annual` is the staff assessment's data, as it always
 * was), or else the rule set's kind of unit, as before assessments were data. A rule set
 * for one kind of unit never fills an assessment of the other.
 */
async function assessmentOfImport(db: Db, named: string | undefined, ruleset: { id: string; subject: string }): Promise<string> {
  const assessment = named !== undefined ? await getAssessment(db, named) : await assessmentOfRuleSet(db, ruleset.id) ?? await getAssessment(db, ruleset.subject);
  if (named !== undefined && (!assessment || assessment.disabled_at)) throw new AssessmentRefused('ASSESSMENT_NOT_FOUND', `没有考核 “${named}”，或该考核已停用`);
  if (assessment && assessment.unit_kind !== ruleset.subject) {
    throw new AssessmentRefused('ASSESSMENT_KIND_MISMATCH', `规则集 “${ruleset.id}” 考核的是${ruleset.subject === 'staff' ? '工作人员' : '村（社区）'}，不能用于“${assessment.title}”`);
  }
  return assessment?.id ?? ruleset.subject;
}

/** The table without these columns. */
function withoutColumns(table: DataTable, columns: string[]): DataTable {
  const gone = new Set(columns);
  return {
    ...table, columns: table.columns.filter((c) => !gone.has(c)),
    rows: table.rows.map((r) => ({ row: r.row, cells: Object.fromEntries(Object.entries(r.cells).filter(([c]) => !gone.has(c))) })),
  };
}

/** The table's units, or DataInvalid with every problem at once: the engine's and the ids the record refuses, in row order. */
function readAll(ruleset: Parameters<typeof readUnits>[0], table: DataTable) {
  const refused = unitIdProblems(table);
  try {
    const read = readUnits(ruleset, table, { withoutLinks: true, withoutPeerChecks: true }); // peers are judged when the period is scored
    if (refused.length) throw new DataInvalid(refused);
    return read;
  } catch (e) {
    if (!(e instanceof DataInvalid) || !refused.length || e.problems === refused) throw e;
    throw new DataInvalid([...e.problems, ...refused].sort((a, b) => a.row - b.row));
  }
}
