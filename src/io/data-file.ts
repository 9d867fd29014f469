import path from 'node:path';
import { finished } from 'node:stream/promises';
import { parse as parseCsvStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { DataInvalid, type DataProblem, type DataTable } from '../engine/index.js';
import { jsonArrayParts } from './json-array.js';
import { canonicalHeader, SheetProblems, type SheetTable } from './sheet-cells.js';
import { DATA_FILE_MAX_BYTES, DATA_LIMITS, dataFileTooLarge, FileTooLarge, readAtMost, tooManyColumns, tooManyRows, yieldTurn, type DataLimits } from './limits.js';
import { badCharacter, decodeText, mayHoldBadCharacter } from './text.js';
import { fileProblemInWords } from '../fs-words.js';

/**
 * Unit data files (RULES.md §6): CSV with a header row (UTF-8 with or without BOM, or
 * GB18030), or JSON (an array of objects, inputs at the top level or under "inputs").
 * Rows are numbered as a spreadsheet numbers them: the header is row 1. A file may hold
 * at most DATA_LIMITS columns and rows (limits.ts), and no cell a character it cannot
 * hold (text.ts): each is a named problem at its row and column.
 */

const fail = (file: string, row: number, column: string, code: string, message: string): never => {
  throw new DataInvalid([{ code, message, file, row, column }]);
};

export function readDataFile(file: string, limits = DATA_LIMITS): DataTable {
  return parseDataBytes(dataFileBytes(file), file, limits);
}

/** A data file's bytes, at most DATA_FILE_MAX_BYTES of them; DataInvalid naming the file when they cannot be had. */
export function dataFileBytes(file: string): Buffer {
  try {
    return readAtMost(file, DATA_FILE_MAX_BYTES);
  } catch (e) {
    if (e instanceof FileTooLarge) throw dataFileTooLarge(file);
    return fail(file, 1, '', 'DATA_FILE_UNREADABLE', `无法读取数据文件：${fileProblemInWords(e)}`);
  }
}

const looksJson = (text: string, file: string) => path.extname(file).toLowerCase() === '.json' || /^\s*[[{]/.test(text.replace(/^\uFEFF/, ''));

/** CSV or JSON data from bytes, told apart by the name's extension or, failing that, by the content. */
export function parseDataBytes(bytes: Uint8Array, file: string, limits = DATA_LIMITS): DataTable {
  const { text } = decodeText(bytes);
  return looksJson(text, file) ? parseJsonData(text, file, limits) : parseCsvData(text, file, limits);
}

/**
 * The same, read in slices: the event loop answers other requests between two slices, so
 * a large upload never holds the server (the web upload and `appraisal import` read this way).
 */
export async function readDataBytes(bytes: Uint8Array, file: string, limits = DATA_LIMITS): Promise<SheetTable> {
  const { text } = decodeText(bytes);
  await yieldTurn();
  if (looksJson(text, file)) return readJsonSliced(text, file, limits);
  headerWithinLimit(text, file, limits);
  const csv = new CsvTable(file, limits, mayHoldBadCharacter(text));
  const parser = parseCsvStream({ ...CSV_OPTIONS, on_record: csv.onRecord });
  let failure: unknown;
  parser.on('error', (e) => { failure ??= e; });
  parser.resume(); // nothing is ever pushed (on_record keeps no record), but a flowing stream never waits
  const utf8 = Buffer.from(text, 'utf8');
  for (let at = 0; at < utf8.length && failure === undefined; at += CSV_SLICE_BYTES) {
    parser.write(utf8.subarray(at, at + CSV_SLICE_BYTES));
    await yieldTurn();
  }
  if (failure === undefined) {
    parser.end();
    await finished(parser).catch((e: unknown) => { failure ??= e; });
  }
  if (failure !== undefined) csvFailure(failure, file);
  return csv.table();
}

/**
 * A header too wide is refused before the parser builds its 200,000 cells, when its line
 * holds no quote (and so its commas are its separators).
 */
function headerWithinLimit(text: string, file: string, limits: DataLimits): void {
  // The first line ends at a line feed, or at a carriage return (Excel for Mac's CSV ends its lines with one alone).
  const end = text.search(/[\r\n]/);
  const line = end < 0 ? text : text.slice(0, end);
  if (line.includes('"')) return;
  let commas = 0, at = -1, past = -1;
  while ((at = line.indexOf(',', at + 1)) >= 0) if (++commas === limits.maxColumns) past = at;
  if (commas >= limits.maxColumns) throw tooManyColumns(file, 1, commas + 1, limits, line.slice(past + 1).split(',', 1)[0]);
}

/** Bytes of CSV parsed between two turns of the event loop: a few milliseconds' work. */
const CSV_SLICE_BYTES = 128 * 1024;

const CSV_OPTIONS = { bom: true, relax_column_count: true, skip_empty_lines: false, relax_quotes: false } as const;

function csvFailure(e: unknown, file: string): never {
  if (e instanceof DataInvalid) throw e;
  const err = e as Error & { lines?: number };
  return fail(file, err.lines ?? 1, '', 'DATA_SYNTAX', `CSV 格式错误：${err.message}`);
}

/**
 * Makes the rows of a table: each a copy of one object holding every column as '' (made
 * by JSON.parse, which gives a fast object), then filled in. A row grown key by key past
 * a few dozen keys becomes a slow dictionary, four times the memory and slower to read.
 */
export function emptyRow(columns: string[]): () => Record<string, unknown> {
  const template = JSON.parse(JSON.stringify(Object.fromEntries(columns.map((c) => [c, ''])))) as Record<string, unknown>;
  return () => ({ ...template });
}

/**
 * A CSV table made record by record (csv-parse's on_record), so that 100,000 arrays of
 * cells never sit beside the rows made of them. Every step is linear in the cells read.
 */
class CsvTable {
  private columns: string[] | undefined;
  private named: Array<[number, string]> = [];
  private newRow = emptyRow([]);
  private records = 0;
  private readonly problems: DataProblem[] = [];
  private readonly rows: DataTable['rows'] = [];

  /** checkText: whether the file's text may hold a bad character, so that each cell is looked at. */
  constructor(private readonly file: string, private readonly limits: DataLimits, private readonly checkText: boolean) {}

  readonly onRecord = (rec: string[]): null => {
    const row = ++this.records;
    const { file, limits, problems } = this;
    if (rec.length > limits.maxColumns) throw tooManyColumns(file, row, rec.length, limits, this.columns ? undefined : rec[limits.maxColumns]);
    if (!this.columns) {
      // 单位编号 is read as id (sheet-cells.ts), so that a sheet can be headed in Chinese throughout.
      const columns = rec.map((h) => canonicalHeader(h.replace(/^\uFEFF/, '').trim()));
      this.columns = columns;
      const first = new Map<string, number>();
      columns.forEach((c, k) => {
        const bad = this.checkText ? badCharacter(c) : undefined;
        if (bad) problems.push({ ...bad, message: `表头：${bad.message}`, file, row: 1, column: `第${k + 1}列` });
        if (c === '') return;
        if (first.has(c)) problems.push({ code: 'DUPLICATE_COLUMN', message: `表头 “${c}” 出现了两次`, file, row: 1, column: c });
        else first.set(c, k);
      });
      // The first of two same-named columns wins; a column without a header is left out.
      this.named = [...first].map(([c, k]) => [k, c]);
      this.newRow = emptyRow(this.named.map(([, c]) => c));
      return null;
    }
    if (row - 1 > limits.maxRows) throw tooManyRows(file, limits);
    if (rec.every((cell) => cell.trim() === '')) return null; // a blank line, as a spreadsheet shows an empty row
    const columns = this.columns;
    if (rec.length > columns.length && rec.slice(columns.length).some((c) => c.trim() !== '')) {
      problems.push({ code: 'DATA_SYNTAX', message: `本行有 ${rec.length} 格，多于表头的 ${columns.length} 列`, file, row, column: '' });
      return null;
    }
    if (this.checkText) {
      const before = problems.length;
      rec.forEach((cell, k) => {
        const bad = badCharacter(cell);
        if (bad) problems.push({ ...bad, file, row, column: columns[k] || `第${k + 1}列` });
      });
      if (problems.length > before) return null;
    }
    const cells = this.newRow();
    for (const [k, c] of this.named) cells[c] = rec[k] ?? '';
    this.rows.push({ row, cells });
    return null;
  };

  table(): SheetTable {
    if (!this.columns) return fail(this.file, 1, '', 'DATA_SYNTAX', '文件是空的：第1行应为表头');
    const columnAt = new Map(this.named.map(([k, c]) => [c, k + 1]));
    if (this.problems.length) throw new SheetProblems(this.problems, columnAt);
    return { file: this.file, columns: this.columns.filter((c) => c !== ''), rows: this.rows, columnAt };
  }
}

export function parseCsvData(text: string, file: string, limits = DATA_LIMITS): SheetTable {
  headerWithinLimit(text, file, limits);
  const csv = new CsvTable(file, limits, mayHoldBadCharacter(text));
  try {
    parse(text, { ...CSV_OPTIONS, on_record: csv.onRecord });
  } catch (e) {
    csvFailure(e, file);
  }
  return csv.table();
}

export function parseJsonData(text: string, file: string, limits = DATA_LIMITS): DataTable {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return fail(file, 1, '', 'DATA_SYNTAX', `JSON 格式错误：${(e as Error).message}`);
  }
  if (!Array.isArray(doc)) return fail(file, 1, '', 'DATA_SYNTAX', 'JSON 数据应为对象数组');
  if (doc.length > limits.maxRows) throw tooManyRows(file, limits);
  return checkedJsonTable(tableFromJsonRows(doc, file), text, limits);
}

/** JSON parsed a part of the array at a time, with a turn of the event loop between parts. */
async function readJsonSliced(text: string, file: string, limits: DataLimits): Promise<DataTable> {
  const items: unknown[] = [];
  try {
    let parts = 0;
    const utf8 = Buffer.from(text.replace(/^\uFEFF/, ''), 'utf8');
    for (const part of jsonArrayParts(utf8, 500)) {
      for (const item of part) items.push(item);
      if (items.length > limits.maxRows) throw tooManyRows(file, limits);
      if (++parts % 20 === 0) await yieldTurn();
    }
  } catch (e) {
    if (e instanceof DataInvalid) throw e;
    // Not an array at the top, or not JSON: the whole parser says which.
    return parseJsonData(text, file, limits);
  }
  await yieldTurn();
  return checkedJsonTable(tableFromJsonRows(items, file), text, limits);
}

/** A JSON table's columns within the limit, and its keys and text without a bad character (looked for only when the file may hold one). */
function checkedJsonTable(table: DataTable, text: string, limits: DataLimits): DataTable {
  const { file } = table;
  if (table.columns.length > limits.maxColumns) throw tooManyColumns(file, 1, table.columns.length, limits, table.columns[limits.maxColumns]);
  // An escape (\u0000, \ud800) puts a bad character in a value that the text itself does not show.
  if (!mayHoldBadCharacter(text) && !/\\u(00[0-1]|007f|008|009|d[89a-f]|fe?ff|fff[ef])/i.test(text)) return table;
  const problems: DataProblem[] = [];
  table.columns.forEach((c, k) => {
    const bad = badCharacter(c);
    if (bad) problems.push({ ...bad, message: `键名：${bad.message}`, file, row: 1, column: `第${k + 1}列` });
  });
  for (const { row, cells } of table.rows) {
    for (const [column, value] of Object.entries(cells)) {
      const bad = typeof value === 'string' ? badCharacter(value) : undefined;
      if (bad) problems.push({ ...bad, file, row, column: badCharacter(column) ? '' : column });
    }
  }
  if (problems.length) throw new DataInvalid(problems);
  return table;
}

/** A table from JSON rows: the keys of each object are its columns, inputs at the top level or under "inputs". */
export function tableFromJsonRows(doc: unknown[], file: string): DataTable {
  const columns: string[] = [];
  const known = new Set<string>();
  const add = (k: string) => { if (!known.has(k)) { known.add(k); columns.push(k); } };
  let last: string[] = [];
  const rows: DataTable['rows'] = doc.map((item, k) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return fail(file, k + 2, '', 'DATA_SYNTAX', `第${k + 1}个元素不是对象`);
    }
    const obj = item as Record<string, unknown>;
    let cells = obj; // a flat row is read as it is: a copy grown key by key would be a slow dictionary
    if (Object.hasOwn(obj, 'inputs')) {
      const { inputs, ...rest } = obj;
      cells = inputs && typeof inputs === 'object' && !Array.isArray(inputs) ? { ...rest, ...inputs } : { ...rest, inputs };
    }
    // Rows of one shape (a snapshot's, an export's) give the same keys, and the same strings:
    // a row whose keys are those of the row before adds nothing.
    const keys = Object.keys(cells);
    if (!sameKeys(keys, last)) for (const key of keys) add(key);
    last = keys;
    return { row: k + 2, cells };
  });
  return { file, columns, rows };
}

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A unit as a snapshot pins it: its inputs under "inputs". */
export interface SnapshotUnit { id: string; name: string | null; parent: string | null; inputs: Record<string, unknown>; }

/**
 * A snapshot's units as flat rows: each unit's inputs object (as JSON.parse made it) with
 * its id, name and parent added, the inputs winning a clash, as with nested "inputs".
 * Parsed objects stay fast objects of one shape; copying them into merged objects would
 * make 100,000 slow dictionaries and take seconds. The inputs objects become the rows.
 */
export function flatRows(units: SnapshotUnit[]): Array<Record<string, unknown>> {
  return units.map((u) => {
    const row = u.inputs;
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new Error(`单位 ${u.id} 的输入不是 JSON 对象`);
    if (!Object.hasOwn(row, 'id')) row.id = u.id;
    if (!Object.hasOwn(row, 'name')) row.name = u.name;
    if (!Object.hasOwn(row, 'parent')) row.parent = u.parent;
    return row;
  });
}
