import { inTransaction, type Db, type Tx } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import { inputsOf, insertBatch, upsertInputs, type InputRow } from '../db/queries/inputs.js';
import { ensurePeriod } from '../db/queries/periods.js';
import { insertHistory } from '../db/queries/reports.js';
import { listEnabledUnits } from '../db/queries/units.js';
import type { CompiledInput } from '../engine/compiled.js';
import { checkGivenInputs, DataInvalid, inputValue, type CompiledRuleSet, type DataProblem, type DataTable } from '../engine/index.js';
import { dict, own } from '../engine/own.js';
import type { Cell } from '../io/csv-write.js';
import type { InputTemplate } from '../io/input-template.js';
import { sha256 } from '../io/rule-file.js';
import { HEADER_TITLES } from '../io/sheet-cells.js';
import { text } from '../engine/units.js';
import { listAssessments, UNIT_KIND_TITLES, type AssessmentRow, type UnitKind } from './assessments.js';
import { enteredInputs, periodOf, storedText, trackRules } from './entry.js';
import { faultPoint } from './fault.js';
import { checkOf, noteOf, widthOf, type TemplateFile } from './templates.js';
import { unitIdProblems } from './unit-ids.js';

/**
 * The township's statistics sheet of a period (统计表, issue 21 point 5): one sheet for every assessment in use
 * of a kind of unit, each figure once (a figure two assessments name is one column), so that a figure is
 * entered once. Uploaded, each figure it carries becomes the period's input of every assessment that names
 * it; a blank cell leaves what the record holds; every cell checked as the rule sets check it (with what
 * the record holds for the unit's other figures); every problem at its cell, and nothing imported then:
 * all assessments in one transaction, each write in the inputs' history.
 */

interface SheetSet { assessment: AssessmentRow; ruleset: CompiledRuleSet; sha256: string; }

/** The assessments in use of a kind, their rule sets, and the figures they enter (each once, in their order). */
async function sheetOf(db: Tx, kind: string, by: string): Promise<{ sets: SheetSet[]; inputs: CompiledInput[] }> {
  const sets: SheetSet[] = [];
  for (const assessment of (await listAssessments(db)).filter((a) => a.unit_kind === kind)) {
    const { sha256: sha, ruleset } = await trackRules(db, assessment.id, by);
    sets.push({ assessment, ruleset, sha256: sha });
  }
  const seen = new Set<string>();
  const inputs = sets.flatMap((s) => enteredInputs(s.ruleset)).filter((i) => !seen.has(i.name) && !!seen.add(i.name));
  return { sets, inputs };
}

export class StatisticsRefused extends Error {
  readonly code = 'STATISTICS_REFUSED';
}

function kindOrRefuse(kind: string): UnitKind {
  if (!Object.hasOwn(UNIT_KIND_TITLES, kind)) throw new StatisticsRefused('请选择统计表的对象：村（社区）或工作人员');
  return kind as UnitKind;
}

/** What a sheet is for, as its note row says it: 2024年度 村（社区）统计表. */
export const statisticsTitle = (periodTitle: string, kind: UnitKind) => `${periodTitle} ${UNIT_KIND_TITLES[kind]}统计表`;

/** The sheet to fill in: every unit of the kind by name and id, one column per figure, the record's values filled in. */
export async function statisticsTemplate(db: Db, periodId: string, kindText: string, by: string): Promise<InputTemplate> {
  const kind = kindOrRefuse(kindText);
  const period = periodOf(periodId);
  const { sets, inputs } = await sheetOf(db, kind, by);
  const units = await listEnabledUnits(db, kind);
  const stored = await Promise.all(sets.map(async (s) => new Map((await inputsOf(db, period.id, s.assessment.id)).map((r) => [r.unit_id, JSON.parse(r.input_values) as Record<string, unknown>]))));
  const rows: Cell[][] = units.map((u) => [u.name, u.id, ...inputs.map((i): Cell => {
    // The record's value of the first assessment that holds one.
    for (const values of stored) {
      const v = values.get(u.id) && own(values.get(u.id)!, i.name);
      if (v !== undefined && v !== null) return typeof v === 'number' ? v : storedText(v) ?? null;
    }
    return null;
  })]);
  return {
    title: `${statisticsTitle(period.title, kind)} · ${sets.map((s) => s.assessment.title).join('、')}`,
    sheetName: `${period.title}${UNIT_KIND_TITLES[kind]}统计表`.slice(0, 31),
    columns: [
      { header: HEADER_TITLES.name, note: '', width: 18, unit: true },
      { header: HEADER_TITLES.id, note: '请勿修改：导入时据此对应单位', width: 14, unit: true },
      ...inputs.map((i) => ({ header: i.label, note: noteOf(i), width: widthOf(i.label), check: checkOf(i) })),
    ],
    rows,
  };
}

export async function statisticsTemplateFile(db: Db, periodId: string, kind: string, format: 'xlsx' | 'csv', by: string): Promise<TemplateFile> {
  const t = await statisticsTemplate(db, periodId, kind, by);
  const { templateXlsx, templateCsv } = await import('../io/input-template.js'); // exceljs: loaded only when asked for
  return { fileName: `${t.sheetName}.${format}`, bytes: format === 'xlsx' ? await templateXlsx(t) : templateCsv(t) };
}

export interface StatisticsRequest { periodId: string; kind: string; table: DataTable; fileBytes: Uint8Array; by: string; }

export interface StatisticsResult { units: number; assessments: string[]; ignoredColumns: string[]; }

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

export async function importStatistics(db: Db, req: StatisticsRequest): Promise<StatisticsResult> {
  const kind = kindOrRefuse(req.kind);
  const period = periodOf(req.periodId);
  const { sets, inputs } = await sheetOf(db, kind, req.by);
  const { table } = req;
  // Each column to the figure it names (by name, or by label as the sheet heads it); the rest is ignored.
  const inputOf = new Map<string, CompiledInput>();
  for (const c of table.columns) {
    const input = inputs.find((i) => i.name === c) ?? inputs.find((i) => i.label === c);
    if (input && ![...inputOf.values()].includes(input)) inputOf.set(c, input);
  }
  const ignoredColumns = table.columns.filter((c) => !inputOf.has(c) && !['id', 'name', 'parent'].includes(c));
  const problems: DataProblem[] = [...unitIdProblems(table)];
  if (!table.columns.includes('id')) problems.push({ code: 'MISSING_ID_COLUMN', message: '缺少“单位编号”列', file: table.file, row: 1, column: 'id' });
  if (inputOf.size === 0) problems.push({ code: 'NO_FIGURES', message: '文件中没有任何一列是考核细则中的指标（请用统计表模板填写）', file: table.file, row: 1, column: '' });
  const known = new Map((await listEnabledUnits(db, kind)).map((u) => [u.id, u]));
  const stored = await Promise.all(sets.map(async (s) => new Map((await inputsOf(db, period.id, s.assessment.id)).map((r) => [r.unit_id, r]))));
  const writes = sets.map(() => [] as Array<{ unitId: string; json: string }>);
  const firstRow = new Map<string, number>();
  for (const { row, cells } of table.rows) {
    const id = text(cells.id);
    if (id === undefined) { problems.push({ code: 'MISSING_VALUE', message: '缺少单位编号', file: table.file, row, column: 'id' }); continue; }
    if (!known.has(id)) {
      problems.push({ code: 'UNIT_UNKNOWN', message: `单位编号“${[...id].slice(0, 30).join('')}”不是本统计表的单位：模板中的单位编号请勿修改`, file: table.file, row, column: 'id' });
      continue;
    }
    const first = firstRow.get(id);
    if (first !== undefined) {
      problems.push({ code: 'DUPLICATE_UNIT_ID', message: `单位编号 “${id}” 与第${first}行重复`, file: table.file, row, column: 'id' });
      continue;
    }
    firstRow.set(id, row);
    const given = [...inputOf].filter(([c]) => !blank(cells[c]));
    if (given.length === 0) continue;
    sets.forEach((s, k) => {
      const mine = given.filter(([, i]) => s.ruleset.inputs.some((x) => x.name === i.name && !x.link && x.type !== 'events'));
      if (mine.length === 0) return;
      const before = stored[k].get(id);
      const values = before ? JSON.parse(before.input_values) as Record<string, unknown> : dict<unknown>();
      const check = dict<unknown>();
      for (const i of s.ruleset.inputs) if (!i.link && i.type !== 'events' && values[i.name] !== undefined && values[i.name] !== null) check[i.name] = values[i.name];
      for (const [c, i] of mine) check[i.name] = cells[c];
      const carried = new Set(mine.map(([, i]) => i.name));
      const columnOf = new Map(mine.map(([c, i]) => [i.name, c]));
      const checked = checkGivenInputs(s.ruleset, check, table.file, row);
      for (const p of checked.problems) {
        // A problem of the sheet's own cells, at the column as the sheet heads it; the record's own figures are not the sheet's to mend.
        const names = p.column.split('、');
        if (!names.some((n) => carried.has(n))) continue;
        problems.push({ ...p, column: names.map((n) => columnOf.get(n) ?? s.ruleset.inputs.find((x) => x.name === n)?.label ?? n).join('、') });
      }
      for (const name of carried) {
        const input = s.ruleset.inputs.find((x) => x.name === name)!;
        const v = checked.values.get(name);
        if (v !== undefined) values[name] = inputValue(s.ruleset, input, v);
      }
      writes[k].push({ unitId: id, json: JSON.stringify(values) });
    });
  }
  if (problems.length) {
    // One problem a cell (a figure two rule sets check is reported once), in row order.
    const once = [...new Map(problems.map((p) => [`${p.row}|${p.column}|${p.message}`, p])).values()].sort((a, b) => a.row - b.row);
    throw new DataInvalid(once);
  }
  const at = new Date().toISOString();
  const done: string[] = [];
  await inTransaction(db, async (tx) => {
    await ensurePeriod(tx, period, at);
    for (let k = 0; k < sets.length; k++) {
      if (writes[k].length === 0) continue;
      const s = sets[k];
      const batch = await insertBatch(tx, {
        period_id: period.id, track: s.assessment.id, file_name: table.file, file_sha256: sha256(req.fileBytes), rule_sha256: s.sha256,
        row_count: writes[k].length, imported_by: req.by, imported_at: at,
      });
      const rows: InputRow[] = writes[k].map((w) => ({
        period_id: period.id, track: s.assessment.id, unit_id: w.unitId, name: known.get(w.unitId)!.name, parent_id: known.get(w.unitId)!.parent_id,
        input_values: w.json, batch_id: batch, report_id: null, entered_by: req.by, entered_at: at,
      }));
      await upsertInputs(tx, rows);
      await insertHistory(tx, rows.map((r) => ({
        period_id: r.period_id, track: r.track, unit_id: r.unit_id, input_values: r.input_values, via: 'import' as const, batch_id: batch, report_id: null,
        entered_by: req.by, entered_at: at, approved_by: null, approved_at: null,
      })));
      await appendAudit(tx, {
        at, actor: req.by, action: 'inputs.import', subject: `${period.id}/${s.assessment.id}`,
        detail: JSON.stringify({ file: table.file, rows: rows.length, batch, rules: s.sha256, statistics: true }),
      });
      done.push(s.assessment.title);
    }
    await faultPoint('statistics');
  });
  return { units: new Set(writes.flat().map((w) => w.unitId)).size, assessments: done, ignoredColumns };
}
