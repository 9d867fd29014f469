import path from 'node:path';
import { DataInvalid } from '../engine/index.js';
import { dataFileBytes, readDataBytes } from './data-file.js';
import { DATA_LIMITS } from './limits.js';
import type { SheetTable } from './sheet-cells.js';

/**
 * Any data file a township uploads: CSV, JSON, or XLSX (told by its name, and checked by
 * its content), read within DATA_LIMITS and in slices, so that the server answers others
 * while it reads. A template's note row is left out and its rows not filled in are
 * counted, not read (input-template.ts); unit ids and names that a CSV writer made inert
 * with an apostrophe ('=A1) are read as they were written.
 */

/** What a template's note row (row 2) begins its 单位名称 cell with: the row is read as no unit. */
export const NOTE_ROW_MARK = '填写说明（本行不导入）';

/** The columns that name a unit; every other column of a template is an input. */
const UNIT_COLUMNS = new Set(['id', 'name', 'parent']);

export interface ReadTable extends SheetTable {
  /** Whether the file is a template (its note row was found and left out). */
  template: boolean;
  /** A template's rows whose inputs were all left blank: units not entered this time, not imported. */
  blankUnits: number;
  /** What a template's note row says it is for (2024年度 村级千分考核 · …), as written; null for a file that is none. */
  templateTitle: string | null;
}

export async function readTable(bytes: Buffer, file: string, limits = DATA_LIMITS): Promise<ReadTable> {
  const zip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
  let table: SheetTable;
  if (path.extname(file).toLowerCase() === '.xlsx' || zip) {
    const { readXlsxData } = await import('./xlsx.js'); // exceljs takes a second to load: only when needed
    table = await readXlsxData(file, bytes, limits);
  } else {
    table = await readDataBytes(bytes, file, limits);
  }
  return asWritten(table);
}

export async function readTableFile(file: string, limits = DATA_LIMITS): Promise<{ table: ReadTable; bytes: Buffer }> {
  const bytes = dataFileBytes(file);
  return { table: await readTable(bytes, file, limits), bytes };
}

/** An apostrophe that csv-write.ts put before text a spreadsheet would run as a formula (or before text that begins with such apostrophes: '=1 is written ''=1). */
const INERT = /^'+[=+\-@\t\r]/;

const isNumber = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)));

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * Headers a CSV writer made inert (a template's column for an input labelled =人口 is headed
 * '=人口) as they were written, so that the column is the input's again; not where the header
 * as written is in the file too.
 */
function headersAsWritten(table: SheetTable): SheetTable {
  const renames = table.columns
    .filter((c) => INERT.test(c) && !table.columns.includes(c.slice(1)))
    .map((c) => [c, c.slice(1)] as const);
  if (renames.length === 0) return table;
  const to = new Map(renames);
  for (const { cells } of table.rows) {
    for (const [from, name] of renames) {
      if (Object.hasOwn(cells, from)) {
        cells[name] = cells[from];
        delete cells[from];
      }
    }
  }
  const columnAt = table.columnAt && new Map([...table.columnAt].map(([c, n]) => [to.get(c) ?? c, n]));
  return { ...table, columns: table.columns.map((c) => to.get(c) ?? c), ...(columnAt ? { columnAt } : {}) };
}

/** The table as its writer meant it: without a template's note row and blank rows, headers, ids and names without an inert apostrophe. */
function asWritten(read: SheetTable): ReadTable {
  const table = headersAsWritten(read);
  const first = table.rows[0];
  const mark = first?.row === 2 ? first.cells.name : undefined;
  // A note row holds notes: a row whose name only begins like one but that holds a number is a unit's.
  const template = typeof mark === 'string' && mark.startsWith(NOTE_ROW_MARK)
    && !table.columns.some((c) => !UNIT_COLUMNS.has(c) && isNumber(first.cells[c]));
  let rows = template ? table.rows.slice(1) : table.rows;
  let blankUnits = 0;
  if (template) {
    const inputs = table.columns.filter((c) => !UNIT_COLUMNS.has(c));
    const before = rows.length;
    rows = rows.filter(({ cells }) => inputs.some((c) => !blank(cells[c])));
    blankUnits = before - rows.length;
  }
  for (const { cells } of rows) {
    for (const column of UNIT_COLUMNS) {
      const v = cells[column];
      if (typeof v === 'string' && INERT.test(v)) cells[column] = v.slice(1);
    }
  }
  const templateTitle = template ? mark.slice(NOTE_ROW_MARK.length).replace(/^[：:]\s*/, '').trim() : null;
  return { ...table, rows, template, blankUnits, templateTitle };
}
