import { DataInvalid, type DataProblem, type DataTable } from '../engine/index.js';
import { own, table } from '../engine/own.js';

/**
 * Where a problem is in the sheet a person opens: the cell as Excel names it (F6), from the
 * column's number the reader saw its header at. A problem of a whole row names the row
 * (第6行), one of several cells names each (F6、G6), one of the header names row 1.
 * Also the headers a township writes in Chinese for the columns the importer knows by
 * their English names (单位编号 for id …).
 */

/** Each column's number in the sheet (A = 1), by its header as the table names it. */
export type ColumnNumbers = ReadonlyMap<string, number>;

/** A table as read from a CSV or XLSX sheet, which knows where each of its columns stands. */
export type SheetTable = DataTable & { columnAt?: ColumnNumbers };

/** A sheet's problems, with where its columns stand, so that each can be named as a cell. */
export class SheetProblems extends DataInvalid {
  constructor(problems: DataProblem[], readonly columnAt: ColumnNumbers) { super(problems); }
}

/** The Chinese headers of the columns readUnits knows by their English names. */
export const HEADER_ALIASES: Readonly<Record<string, string>> = table({ 单位编号: 'id', 单位名称: 'name', 上级单位编号: 'parent' });

/** What the reserved columns are called where a person reads them. */
export const HEADER_TITLES: Readonly<Record<string, string>> = table({ id: '单位编号', name: '单位名称', parent: '上级单位编号' });

/** A header as the importer matches it: 单位编号 is id, and so on; any other header as it is. */
export function canonicalHeader(header: string): string {
  return own(HEADER_ALIASES, header) ?? header;
}

/** A column's letters as Excel shows them: 1 → A, 27 → AA. */
export function letterOf(col: number): string {
  let name = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** A column named by its letters (an XLSX header problem) or by its place (第3列): its number, else undefined. */
function numberOfPlace(column: string): number | undefined {
  const place = /^第(\d{1,4})列$/.exec(column);
  if (place) return Number(place[1]);
  if (!/^[A-Z]{1,3}$/.test(column)) return undefined;
  let n = 0;
  for (const ch of column) n = n * 26 + ch.charCodeAt(0) - 64;
  return n;
}

/**
 * The cell (or cells, or row) a problem is at, as Excel names it: F6; F6、G6 for a check
 * that reads several columns; 第6行 when the problem is the whole row or its column is not in the sheet.
 */
export function cellOf(problem: Pick<DataProblem, 'row' | 'column'>, columnAt: ColumnNumbers = new Map()): string {
  const at = (column: string) => columnAt.get(column) ?? numberOfPlace(column);
  const one = at(problem.column);
  if (one !== undefined) return `${letterOf(one)}${problem.row}`;
  const parts = problem.column ? problem.column.split('、').map(at) : [];
  if (parts.length > 1 && parts.every((n) => n !== undefined)) return parts.map((n) => `${letterOf(n!)}${problem.row}`).join('、');
  return `第${problem.row}行`;
}
