import { type Db, type Tx, inTransaction } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import { upsertInputs } from '../db/queries/inputs.js';
import { insertHistory } from '../db/queries/reports.js';
import { ensurePeriod } from '../db/queries/periods.js';
import { getUnit, type UnitRow } from '../db/queries/units.js';
import type { CompiledInput } from '../engine/compiled.js';
import { readUnits, type CompiledRuleSet, type DataTable, inputValue } from '../engine/index.js';
import { parsePeriod, type PeriodSpec } from './period.js';
import { isAssessment } from './assessments.js';
import { compiledVersion, resolveRuleVersion } from './rule-versions.js';
import { dict } from '../engine/own.js';

/**
 * Entering one unit's inputs for a period by hand (数据录入). The form's cells go through
 * the engine's readUnits exactly as a row of an imported file does, so the form accepts
 * what an import accepts and nothing else; then the row is written in one transaction.
 */

/** The "file" a form's problems are reported against. */
export const FORM_FILE = '表单';

/** The unit named is not one this track appraises (unknown, or of another kind). */
export class EntryRefused extends Error {
  readonly code = 'ENTRY_REFUSED';
}

/** A period as typed in a form: blanks trimmed, 2025h1 read as 2025H1; throws PeriodInvalid. */
export function periodOf(text: string): ReturnType<typeof parsePeriod> {
  return parsePeriod(text.trim().toUpperCase());
}

/**
 * The inputs a person enters: all but a linked unit's results (village.total for a staff
 * member), which a run fills in from the linked track's results, and events inputs, which
 * are no figure but the events ledger (事件台账, events-ledger.ts), pinned by a run.
 */
export function enteredInputs(ruleset: CompiledRuleSet): CompiledInput[] {
  return ruleset.inputs.filter((i) => !(i as { link?: string }).link && i.type !== 'events');
}

/** What an input may hold, as a township writes it (整数，0～500人): beside a form's field, in a template's note row. */
export function limitsText(input: CompiledInput): string {
  const unit = input.unit ?? '';
  if (input.type === 'boolean') return '是 / 否';
  if (input.type === 'grade') return (input.grades ?? []).join(' / ');
  const kind = input.type === 'integer' ? '整数' : '数值';
  if (input.min !== undefined && input.max !== undefined) return `${kind}，${grouped(input.min)}～${grouped(input.max)}${unit}`;
  if (input.min !== undefined) return `${kind}，不小于 ${grouped(input.min)}${unit}`;
  if (input.max !== undefined) return `${kind}，不大于 ${grouped(input.max)}${unit}`;
  return kind;
}

/** A limit as a township writes a large sum: its thousands grouped (10,000,000元, not 10000000元); five digits or fewer as they are (20000人). */
function grouped(n: number): string {
  return Math.abs(n) > 99_999 ? n.toLocaleString('en-US', { maximumFractionDigits: 20 }) : String(n);
}

/** A stored value as a form or a template shows it: booleans as 是/否, numbers as written. */
export function storedText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'boolean' ? (value ? '是' : '否') : String(value);
}

export interface PeriodChoice { id: string; title: string; selected: boolean; }

/**
 * The periods a form offers, chosen from a list and never typed: those that hold data
 * (newest first), then the periods of this year and last year that do not yet (年度,
 * 上半年, 下半年, 第一…四季度, and this year's months), to start one. A period asked for by its link that is in
 * neither list is offered too, so the list always shows what the page is about.
 */
export function periodChoices(stored: string[], selected: string, year: number): { stored: PeriodChoice[]; fresh: PeriodChoice[] } {
  const valid = (id: string) => { try { return parsePeriod(id); } catch { return undefined; } };
  const asked = valid(selected);
  const choice = (p: PeriodSpec): PeriodChoice => ({ id: p.id, title: p.title, selected: p.id === asked?.id });
  const have = new Set(stored);
  const fresh: PeriodSpec[] = [];
  for (const y of [year, year - 1]) {
    // The months (按月考核) of this year only: two years of them would bury the rest of the list.
    const months = y === year ? ['M01', 'M02', 'M03', 'M04', 'M05', 'M06', 'M07', 'M08', 'M09', 'M10', 'M11', 'M12'] : [];
    for (const suffix of ['', 'H1', 'H2', 'Q1', 'Q2', 'Q3', 'Q4', ...months]) if (!have.has(`${y}${suffix}`)) fresh.push(parsePeriod(`${y}${suffix}`));
  }
  if (asked && !have.has(asked.id) && !fresh.some((p) => p.id === asked.id)) fresh.unshift(asked);
  return { stored: stored.map(valid).filter((p): p is PeriodSpec => !!p).map(choice), fresh: fresh.map(choice) };
}

export interface TrackRules { sha256: string; ruleset: CompiledRuleSet; }

/** The rule set an assessment's data is entered against: the newest stored version of its default rule set. */
export async function trackRules(db: Tx, track: string, by: string): Promise<TrackRules> {
  const sha256 = await resolveRuleVersion(db, undefined, track, by);
  return { sha256, ruleset: (await compiledVersion(db, sha256)).ruleset };
}

/** The unit if the rule set appraises units of its kind (villages for 村级, staff for 双线). */
export async function unitForEntry(db: Tx, ruleset: CompiledRuleSet, unitId: string): Promise<UnitRow | undefined> {
  const unit = await getUnit(db, unitId);
  return unit && unit.kind === ruleset.subject ? unit : undefined;
}

/**
 * A one-row table as readUnits reads a file: one column per input (by name), and the
 * unit's id, name and parent taken from the record, never from what was posted.
 */
export function formTable(ruleset: CompiledRuleSet, unit: UnitRow, cells: Record<string, string>): DataTable {
  const inputs = enteredInputs(ruleset);
  const row = dict<unknown>();
  for (const input of inputs) row[input.name] = Object.hasOwn(cells, input.name) ? cells[input.name] : '';
  Object.assign(row, { id: unit.id, name: unit.name, parent: unit.parent_id ?? '' });
  return { file: FORM_FILE, columns: ['id', 'name', 'parent', ...inputs.map((i) => i.name)], rows: [{ row: 2, cells: row }] };
}

export interface EntryRequest {
  periodId: string;
  track: string;
  unitId: string;
  /** The posted fields; only those named like an input are read. */
  cells: Record<string, string>;
  by: string;
}

export interface EntryResult {
  periodId: string;
  track: string;
  unitId: string;
  ruleSha256: string;
  enteredBy: string;
  enteredAt: string;
}

/**
 * Checks and saves one unit's inputs: throws PeriodInvalid, EntryRefused, or DataInvalid
 * with every problem of the row (nothing written then); else creates the period if it
 * is new, replaces the unit's row and appends 'inputs.entry' to the audit log, together.
 */
export async function saveUnitInputs(db: Db, req: EntryRequest): Promise<EntryResult> {
  const period = periodOf(req.periodId);
  if (!(await isAssessment(db, req.track))) throw new EntryRefused('没有这项考核，或该考核已停用');
  const { sha256, ruleset } = await trackRules(db, req.track, req.by);
  const unit = await unitForEntry(db, ruleset, req.unitId);
  if (!unit) throw new EntryRefused(`“${req.unitId}” 不是本类考核的单位`);
  // A check that compares with the other units (RULES.md §7.7) is judged when the period is scored, not for one unit's form.
  const [checked] = readUnits(ruleset, formTable(ruleset, unit, req.cells), { withoutPeerChecks: true }).units; // throws DataInvalid
  const values = checked.env;
  const at = new Date().toISOString();
  const track = req.track; // rows are filed under their assessment (the `track` column)
  await inTransaction(db, async (tx) => {
    await ensurePeriod(tx, period, at);
    const json = JSON.stringify(Object.fromEntries(enteredInputs(ruleset).map((i) => [i.name, inputValue(ruleset, i, values[i.slot])])));
    await upsertInputs(tx, [{
      period_id: period.id, track, unit_id: unit.id, name: unit.name, parent_id: unit.parent_id,
      input_values: json, batch_id: null, report_id: null, entered_by: req.by, entered_at: at,
    }]);
    await insertHistory(tx, [{ period_id: period.id, track, unit_id: unit.id, input_values: json, via: 'form', batch_id: null, report_id: null, entered_by: req.by, entered_at: at, approved_by: null, approved_at: null }]);
    await appendAudit(tx, {
      at, actor: req.by, action: 'inputs.entry', subject: `${period.id}/${track}/${unit.id}`, detail: JSON.stringify({ rules: sha256 }),
    });
  });
  return { periodId: period.id, track, unitId: unit.id, ruleSha256: sha256, enteredBy: req.by, enteredAt: at };
}
