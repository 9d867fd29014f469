import { type Db, inTransaction } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import { insertEvents, type NewEvent } from '../db/queries/events.js';
import { ensurePeriod } from '../db/queries/periods.js';
import { listEnabledUnits } from '../db/queries/units.js';
import { DataInvalid, type DataProblem } from '../engine/index.js';
import { own } from '../engine/own.js';
import type { Cell } from '../io/csv-write.js';
import type { InputTemplate, TemplateColumn } from '../io/input-template.js';
import { letterOf, type SheetTable } from '../io/sheet-cells.js';
import { NOTE_ROW_MARK } from '../io/table.js';
import { sha256 } from '../io/rule-file.js';
import { allowedText, checkEvent, EVENT_COLUMNS, ledgerInputs, NOTE_MAX, periodTakesEvents, unitIndex, type EventField } from './events-ledger.js';
import { parsePeriod, PeriodInvalid } from './period.js';

/**
 * The events ledger from a sheet (CSV or XLSX, as read by io/table.ts): columns 单位 (name or id),
 * 台账 (the input's label or name), 等级, 分值, 日期, 说明 — or unit, input, level, points, date,
 * note, as `--events` files have them. Every bad row reported with its row and column, at once;
 * then every event added in one transaction, or none. Its template lists the period's units and
 * events inputs, with lists for 台账 and 等级.
 */

/** The field each header means (Chinese as the template heads it, or the events file's English). */
const FIELD_OF: Readonly<Record<string, EventField>> = Object.assign(Object.create(null), {
  ...Object.fromEntries(Object.entries(EVENT_COLUMNS).map(([field, header]) => [header, field])),
  unit: 'unit', input: 'input', level: 'level', points: 'points', date: 'date', note: 'note',
});

export interface EventsImport { periodId: string; table: SheetTable; fileBytes: Uint8Array; by: string; }
export interface EventsImported { events: number; blankRows: number; }

/** Where a problem is: the cell as Excel names it (C5) when the column's place is known, else the row. */
export function cellOf(p: DataProblem, table: SheetTable): string {
  const at = table.columnAt?.get(p.column);
  return at ? `${letterOf(at)}${p.row}` : `第${p.row}行`;
}

export async function importEvents(db: Db, req: EventsImport): Promise<EventsImported> {
  const period = parsePeriod(req.periodId);
  const { table } = req;
  const file = table.file;
  const headerOf = new Map<EventField, string>();
  for (const column of table.columns) {
    const field = own(FIELD_OF, column.trim());
    if (field && !headerOf.has(field)) headerOf.set(field, column);
  }
  const missing = (['unit', 'input', 'date'] as const).filter((f) => !headerOf.has(f));
  if (!headerOf.has('level') && !headerOf.has('points')) missing.push('level' as never);
  if (missing.length) {
    throw new DataInvalid([{
      code: 'EVENT_COLUMNS_MISSING', file, row: 1, column: '',
      message: `缺少列：${missing.map((f) => (f === ('level' as never) ? '等级或分值' : EVENT_COLUMNS[f])).join('、')}（第1行应为：${Object.values(EVENT_COLUMNS).join('、')}）`,
    }]);
  }
  try {
    await periodTakesEvents(db, period);
  } catch (e) {
    if (e instanceof PeriodInvalid) throw new DataInvalid([{ code: 'EVENT_PERIOD_UNKNOWN', file, row: 1, column: '', message: e.message }]);
    throw e;
  }
  const inputs = await ledgerInputs(db, period.id, req.by);
  if (inputs.length === 0) throw new DataInvalid([{ code: 'EVENT_NO_INPUTS', file, row: 1, column: '', message: `${period.title}的考核细则中没有事件台账，无需导入` }]);
  const units = await unitIndex(db, inputs);
  const problems: DataProblem[] = [];
  const events: NewEvent[] = [];
  const at = new Date().toISOString();
  let blankRows = 0;
  for (const { row, cells } of table.rows) {
    const cell = (f: EventField) => { const h = headerOf.get(f); return h === undefined ? undefined : cells[h]; };
    const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
    const unitCell = cell('unit');
    // A template's note row, and its rows that name a unit and nothing else, are not events.
    if (row === 2 && typeof unitCell === 'string' && unitCell.startsWith(NOTE_ROW_MARK)) continue;
    if ((['input', 'level', 'points', 'date', 'note'] as const).every((f) => blank(cell(f)))) { blankRows++; continue; }
    const { event, problems: found } = checkEvent({
      unit: unitCell, input: cell('input'), level: cell('level'), points: cell('points'), date: cell('date'), note: cell('note'),
    }, inputs, units, period);
    for (const p of found) problems.push({ code: p.code, message: p.message, file, row, column: headerOf.get(p.field) ?? EVENT_COLUMNS[p.field] });
    if (event) {
      events.push({
        period_id: period.id, unit_id: event.unit.id, input: event.input.name, level: event.level, points: event.points,
        happened_on: event.date, note: event.note, recorded_by: req.by, recorded_at: at,
      });
    }
  }
  if (problems.length) throw new DataInvalid(problems);
  if (events.length === 0) throw new DataInvalid([{ code: 'EVENT_NONE', file, row: 1, column: '', message: '文件中没有填写任何事件，未导入' }]);
  await inTransaction(db, async (tx) => {
    await ensurePeriod(tx, period, at);
    await insertEvents(tx, events);
    await appendAudit(tx, {
      at, actor: req.by, action: 'events.import', subject: `events ${period.id}`,
      detail: JSON.stringify({ period: period.id, events: events.length, file, sha256: sha256(req.fileBytes) }),
    });
  });
  return { events: events.length, blankRows };
}

/** The template of a period's events ledger: a row per unit to fill in beside (copy a row for a second event). */
export async function eventsTemplate(db: Db, periodId: string, by: string): Promise<InputTemplate> {
  const period = parsePeriod(periodId);
  const inputs = await ledgerInputs(db, period.id, by);
  const kinds = [...new Set(inputs.map((i) => i.subject))];
  const units = (await Promise.all(kinds.map((k) => listEnabledUnits(db, k)))).flat();
  const levels = [...new Set(inputs.flatMap((i) => i.levels.map((l) => l.name)))];
  const ranges = inputs.filter((i) => i.range).map((i) => i.range!);
  const columns: TemplateColumn[] = [
    { header: EVENT_COLUMNS.unit, note: '', width: 18, unit: true },
    { header: EVENT_COLUMNS.input, note: `填台账名称：${inputs.map((i) => i.label).join('、')}`, width: 18, check: { type: 'list', choices: inputs.map((i) => i.label) } },
    { header: EVENT_COLUMNS.level, note: `等级与分值填一项。${inputs.map((i) => `${i.label}：${allowedText(i)}`).join('；')}`, width: 12, check: levels.length ? { type: 'list', choices: levels } : undefined },
    { header: EVENT_COLUMNS.points, note: ranges.length ? '只在台账设有每起分值范围时填写' : '本期台账均按等级记，不填', width: 10, check: ranges.length ? { type: 'decimal', min: Math.min(...ranges.map((r) => r[0])), max: Math.max(...ranges.map((r) => r[1])) } : undefined },
    { header: EVENT_COLUMNS.date, note: '发生日期，如 2024-05-03', width: 14 },
    { header: EVENT_COLUMNS.note, note: `最多${NOTE_MAX}字`, width: 28 },
  ];
  // A name two units share is written as the unit's id, which the import takes too.
  const named = new Map<string, number>();
  for (const u of units) named.set(u.name, (named.get(u.name) ?? 0) + 1);
  const rows: Cell[][] = units.map((u) => [named.get(u.name) === 1 ? u.name : u.id, null, null, null, null, null]);
  return { title: `${period.title} 事件台账`, sheetName: `${period.title}事件台账`, columns, rows };
}

export async function eventsTemplateFile(db: Db, periodId: string, format: 'xlsx' | 'csv', by: string): Promise<{ fileName: string; bytes: Buffer }> {
  const t = await eventsTemplate(db, periodId, by);
  const { templateXlsx, templateCsv } = await import('../io/input-template.js');
  return { fileName: `${parsePeriod(periodId).title}事件台账模板.${format}`, bytes: format === 'xlsx' ? await templateXlsx(t) : templateCsv(t) };
}
