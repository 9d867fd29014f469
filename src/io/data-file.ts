import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { DataInvalid, type DataProblem, type DataTable } from '../engine/index.js';
import { decodeText } from './text.js';

/**
 * Unit data files (RULES.md §6): CSV with a header row (UTF-8 with or without BOM, or
 * GB18030), or JSON (an array of objects, inputs at the top level or under "inputs").
 * Rows are numbered as a spreadsheet numbers them: the header is row 1.
 */

const fail = (file: string, row: number, column: string, code: string, message: string): never => {
  throw new DataInvalid([{ code, message, file, row, column }]);
};

export function readDataFile(file: string): DataTable {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return fail(file, 1, '', 'DATA_FILE_UNREADABLE', `无法读取数据文件：${(e as Error).message}`);
  }
  return parseDataBytes(bytes, file);
}

/** CSV or JSON data from bytes, told apart by the name's extension or, failing that, by the content. */
export function parseDataBytes(bytes: Uint8Array, file: string): DataTable {
  const { text } = decodeText(bytes);
  const looksJson = path.extname(file).toLowerCase() === '.json' || /^\s*[[{]/.test(text.replace(/^\uFEFF/, ''));
  return looksJson ? parseJsonData(text, file) : parseCsvData(text, file);
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

export function parseCsvData(text: string, file: string): DataTable {
  // Each record becomes its row as it is parsed (on_record), so that 100,000 arrays of
  // cells never sit beside the rows made of them.
  let columns: string[] | undefined;
  let named: Array<[number, string]> = [];
  let newRow = emptyRow([]);
  let records = 0;
  const problems: DataProblem[] = [];
  const rows: DataTable['rows'] = [];
  const onRecord = (rec: string[]): null => {
    records++;
    if (!columns) {
      columns = rec.map((h) => h.replace(/^\uFEFF/, '').trim());
      const seen = new Set<string>();
      for (const c of columns) {
        if (c !== '' && seen.has(c)) problems.push({ code: 'DUPLICATE_COLUMN', message: `表头 “${c}” 出现了两次`, file, row: 1, column: c });
        seen.add(c);
      }
      // The first of two same-named columns wins; a column without a header is left out.
      named = columns.flatMap((c, k) => (c !== '' && columns!.indexOf(c) === k ? [[k, c] as [number, string]] : []));
      newRow = emptyRow(named.map(([, c]) => c));
      return null;
    }
    if (rec.every((cell) => cell.trim() === '')) return null; // a blank line, as a spreadsheet shows an empty row
    if (rec.length > columns.length && rec.slice(columns.length).some((c) => c.trim() !== '')) {
      problems.push({ code: 'DATA_SYNTAX', message: `本行有 ${rec.length} 格，多于表头的 ${columns.length} 列`, file, row: records, column: '' });
      return null;
    }
    const cells = newRow();
    for (const [k, c] of named) cells[c] = rec[k] ?? '';
    rows.push({ row: records, cells });
    return null;
  };
  try {
    parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false, relax_quotes: false, on_record: onRecord });
  } catch (e) {
    const err = e as Error & { lines?: number };
    return fail(file, err.lines ?? 1, '', 'DATA_SYNTAX', `CSV 格式错误：${err.message}`);
  }
  if (!columns) return fail(file, 1, '', 'DATA_SYNTAX', '文件是空的：第1行应为表头');
  if (problems.length) throw new DataInvalid(problems);
  return { file, columns: columns.filter((c) => c !== ''), rows };
}

export function parseJsonData(text: string, file: string): DataTable {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return fail(file, 1, '', 'DATA_SYNTAX', `JSON 格式错误：${(e as Error).message}`);
  }
  if (!Array.isArray(doc)) return fail(file, 1, '', 'DATA_SYNTAX', 'JSON 数据应为对象数组');
  return tableFromJsonRows(doc, file);
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
