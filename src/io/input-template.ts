import ExcelJS from 'exceljs';
import { apostrophesKept, toCsv, type Cell } from './csv-write.js';
import { NOTE_ROW_MARK } from './table.js';
import { sheetName } from './xlsx.js';

/**
 * The template a township fills in (数据录入模板): row 1 the headers (单位名称, 单位编号,
 * then each input by its Chinese label), row 2 the note row (what each column may hold,
 * which readTable recognises and leaves out), then one row per unit. Filled in and
 * uploaded as it is, it imports. As XLSX each input's cells carry Excel's data validation
 * (whole or decimal numbers within their limits, a list for grades and 是/否), so Excel
 * and WPS refuse a wrong value as it is typed; as CSV (UTF-8 with a BOM, so that Excel
 * and WPS read the Chinese) the note row is all there is.
 *
 * Hostile names: in the XLSX every name is a text cell (never a formula, whatever it
 * starts with); in the CSV text that a spreadsheet would run (=, +, -, @) gets
 * csv-write.ts's apostrophe, which readTable takes off again on import.
 */

export type TemplateCheck =
  | { type: 'whole' | 'decimal'; min?: number; max?: number }
  | { type: 'list'; choices: readonly string[] };

export interface TemplateColumn {
  header: string;
  /** What the note row says under the header. */
  note: string;
  width: number;
  /** The column names a unit (name, id): text cells, shaded, never validated. */
  unit?: boolean;
  check?: TemplateCheck;
}

export interface InputTemplate {
  /** The period and track in words: in the note row's first cell and the workbook's title. */
  title: string;
  sheetName: string;
  /** The first two are the unit's name and id; the rest are inputs. */
  columns: TemplateColumn[];
  rows: Cell[][];
}

/** What the note row's first cell says: the mark readTable looks for, then the template's title. */
export const noteOf = (t: InputTemplate): string => `${NOTE_ROW_MARK}：${t.title}`;

/** Excel's limits: an input message's title 32 characters, its text 255, a list's formula 255. */
const clip = (s: string, n: number) => ([...s].length > n ? [...s].slice(0, n - 1).join('') + '…' : s);

/** Beyond Excel's whole numbers (and the engine's safe integers) no limit is written: Excel's own bounds hold then. */
const WHOLE_MIN = -2147483648, WHOLE_MAX = 2147483647;

function validationOf(col: TemplateColumn): ExcelJS.DataValidation | undefined {
  const check = col.check;
  if (!check) return undefined;
  const message = {
    allowBlank: true, showErrorMessage: true, errorStyle: 'stop', errorTitle: '填写有误',
    error: clip(`${col.header}：${col.note}`, 255), showInputMessage: true, promptTitle: clip(col.header, 32), prompt: clip(col.note, 255),
  };
  if (check.type === 'list') {
    // A list is written "a,b,c" in one formula: a choice holding a comma or a quote cannot be, nor a list past 255 characters.
    const list = check.choices.join(',');
    if (check.choices.some((c) => /[",]/.test(c)) || [...list].length > 253) return undefined;
    return { type: 'list', formulae: [`"${list}"`], ...message };
  }
  const min = check.min ?? (check.type === 'whole' ? WHOLE_MIN : undefined);
  const max = check.max ?? (check.type === 'whole' ? WHOLE_MAX : undefined);
  if (min !== undefined && max !== undefined) return { type: check.type, operator: 'between', formulae: [min, max], ...message };
  if (min !== undefined) return { type: check.type, operator: 'greaterThanOrEqual', formulae: [min], ...message };
  if (max !== undefined) return { type: check.type, operator: 'lessThanOrEqual', formulae: [max], ...message };
  return undefined;
}

/** The template as an Excel workbook: frozen headers and names, a note row in grey, validation on every input cell. */
export async function templateXlsx(t: InputTemplate): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.title = t.title;
  // A sheet name as Excel takes one (an assessment's title may hold / or [ ]; 31 characters, never half of one).
  const sheet = workbook.addWorksheet(sheetName(t.sheetName), { views: [{ state: 'frozen', xSplit: 1, ySplit: 2 }] });
  sheet.columns = t.columns.map((c) => ({ width: c.width }));
  const header = sheet.addRow(t.columns.map((c) => apostrophesKept(c.header)));
  const note = sheet.addRow(t.columns.map((c, k) => (k === 0 ? noteOf(t) : c.note)));
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', wrapText: true };
  note.font = { italic: true, size: 9, color: { argb: 'FF595959' } };
  note.alignment = { vertical: 'top', wrapText: true };
  note.height = 64; // five wrapped lines of a note
  for (const r of t.rows) sheet.addRow(r.map((v, k) => (t.columns[k]?.unit && typeof v === 'string' ? apostrophesKept(v) : v)));
  const last = t.rows.length + 2;
  t.columns.forEach((c, k) => {
    const column = sheet.getColumn(k + 1);
    if (c.unit) {
      // Text, so that an id like 001 keeps its zeros and a name like =A1 stays a name when edited.
      for (let row = 3; row <= last; row++) {
        const cell = sheet.getCell(row, k + 1);
        cell.numFmt = '@';
        cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
      }
      return;
    }
    const validation = validationOf(c);
    if (validation && t.rows.length) {
      // One rule for the column's range (exceljs writes it as one sqref), not one per cell.
      (sheet as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } })
        .dataValidations.add(`${column.letter}3:${column.letter}${last}`, validation);
    }
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The template as CSV: the same rows, the note row included; a BOM, and names made inert (csv-write.ts). */
export function templateCsv(t: InputTemplate): Buffer {
  const rows: Cell[][] = [t.columns.map((c) => c.header), t.columns.map((c, k) => (k === 0 ? noteOf(t) : c.note)), ...t.rows];
  return Buffer.from(toCsv(rows), 'utf8');
}
