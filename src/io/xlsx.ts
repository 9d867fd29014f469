import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { DataInvalid, type DataProblem, type DataTable } from '../engine/index.js';
import { inertText, type Cell } from './csv-write.js';
import { dataFileBytes, emptyRow } from './data-file.js';
import { DATA_LIMITS, tooManyColumns, tooManyRows, yieldTurn, type DataLimits } from './limits.js';
import { canonicalHeader, letterOf, SheetProblems, type SheetTable } from './sheet-cells.js';
import { badCharacter } from './text.js';

/**
 * XLSX in and out. Uploads come from the web, so a workbook is unpacked by us first:
 * the ZIP's central directory is checked against XLSX_LIMITS before anything is
 * inflated, every entry is then inflated with its declared size as a hard cap (a header
 * that lies is caught as soon as the output passes it), and exceljs is given a fresh
 * uncompressed ZIP of exactly those checked entries, so it never inflates anything
 * itself. The first sheet is read by exceljs's streaming reader, a row at a time, within
 * DATA_LIMITS and with a turn of the event loop every few hundred rows: a million rows
 * are never held, and are refused at the first row past the limit. Cells read as the CSV
 * reader gives them (data-file.ts); rows keep the spreadsheet's numbers (header = row 1).
 */

export const XLSX_LIMITS = {
  maxUncompressedBytes: 200 * 1024 * 1024,
  /** total uncompressed size / file size; real workbooks stay near 10 */
  maxRatio: 200,
  maxEntries: 10000,
  /** below this size the ratio is not checked: a tiny, very repetitive part is harmless */
  ratioFloorBytes: 1024 * 1024,
};

const inflateRaw = promisify(zlib.inflateRaw);
const CRC_SLICE_BYTES = 4 * 1024 * 1024;
const MAX32 = 0xffffffff;

interface ZipEntry { name: Buffer; flags: number; crc: number; size: number; data: Buffer }

/** The archive's entries, inflated within the limits, or a DataInvalid saying why not. */
async function checkedEntries(bytes: Buffer, file: string): Promise<ZipEntry[]> {
  const refuse = (code: string, message: string): never => {
    throw new DataInvalid([{ code, message, file, row: 1, column: '' }]);
  };
  const corrupt = (why: string) => refuse('DATA_SYNTAX', `XLSX 文件不完整或已损坏（${why}），请重新保存后再上传`);
  const tooLarge = (why: string) => refuse('DATA_TOO_LARGE', `XLSX 文件解压后过大（${why}），已拒绝读取`);
  const need = (at: number, length: number) => { if (at < 0 || at + length > bytes.length) corrupt('数据被截断'); };
  const u16 = (at: number) => (need(at, 2), bytes.readUInt16LE(at));
  const u32 = (at: number) => (need(at, 4), bytes.readUInt32LE(at));
  const u64 = (at: number) => (need(at, 8), Number(bytes.readBigUInt64LE(at)));

  if (bytes.length < 4 || u32(0) !== 0x04034b50) {
    refuse('DATA_SYNTAX', '不是 XLSX 文件：请在 Excel 中“另存为”Excel 工作簿（*.xlsx）后上传（旧版 .xls 和设了打开密码的文件都不能读取）');
  }
  // The end-of-central-directory record sits in the last 22 bytes plus a comment of at most 64 KiB.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff) && eocd < 0; at--) {
    if (bytes.readUInt32LE(at) === 0x06054b50) eocd = at;
  }
  if (eocd < 0) corrupt('找不到 ZIP 目录');
  let count = u16(eocd + 10);
  let cdOffset = u32(eocd + 16);
  if (count === 0xffff || cdOffset === MAX32 || u32(eocd + 12) === MAX32) {
    if (u32(eocd - 20) !== 0x07064b50) corrupt('ZIP64 目录定位记录缺失');
    const z = u64(eocd - 12);
    if (u32(z) !== 0x06064b50) corrupt('ZIP64 目录缺失');
    count = u64(z + 32);
    cdOffset = u64(z + 48);
  }
  if (count > XLSX_LIMITS.maxEntries) tooLarge(`包含 ${count} 个文件`);

  // First the declared sizes only, so that a bomb is refused before any inflating.
  const found: Array<{ name: Buffer; flags: number; method: number; crc: number; size: number; compressed: number; data: number }> = [];
  let total = 0;
  for (let k = 0, p = cdOffset; k < count; k++) {
    if (u32(p) !== 0x02014b50) corrupt('ZIP 目录项损坏');
    const flags = u16(p + 8), method = u16(p + 10), crc = u32(p + 16), nameLength = u16(p + 28), extraLength = u16(p + 30);
    let compressed = u32(p + 20), size = u32(p + 24), local = u32(p + 42);
    // ZIP64 keeps the real sizes in extra field 0x0001, in this order, only for fields set to 0xFFFFFFFF.
    for (let x = p + 46 + nameLength, end = x + extraLength; x + 4 <= end; x += 4 + u16(x + 2)) {
      if (u16(x) !== 0x0001) continue;
      let q = x + 4;
      if (size === MAX32) { size = u64(q); q += 8; }
      if (compressed === MAX32) { compressed = u64(q); q += 8; }
      if (local === MAX32) local = u64(q);
    }
    if (flags & 1) refuse('DATA_SYNTAX', 'XLSX 文件已加密：请取消密码后再上传');
    if (method !== 0 && method !== 8) corrupt(`不支持的压缩方式 ${method}`);
    if (u32(local) !== 0x04034b50) corrupt('ZIP 文件头损坏');
    const data = local + 30 + u16(local + 26) + u16(local + 28);
    need(data, compressed);
    found.push({ name: bytes.subarray(p + 46, p + 46 + nameLength), flags, method, crc, size, compressed, data });
    total += size;
    p += 46 + nameLength + extraLength + u16(p + 32);
  }
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (total > XLSX_LIMITS.maxUncompressedBytes) tooLarge(`声明 ${mib(total)}，上限 ${mib(XLSX_LIMITS.maxUncompressedBytes)}`);
  // Against the file's size, not the entries' compressed sizes: entries that share one
  // compressed stream (an "overlapping" bomb) would otherwise look modest.
  if (total > XLSX_LIMITS.ratioFloorBytes && total / bytes.length > XLSX_LIMITS.maxRatio) {
    tooLarge(`压缩比 ${Math.round(total / bytes.length)}:1，上限 ${XLSX_LIMITS.maxRatio}:1`);
  }

  const entries: ZipEntry[] = [];
  for (const e of found) {
    const raw = bytes.subarray(e.data, e.data + e.compressed);
    let data = e.size === 0 ? raw.subarray(0, 0) : raw; // some writers deflate empty folders to nothing at all
    if (e.method === 8 && e.size > 0) {
      try {
        data = await inflateRaw(raw, { maxOutputLength: e.size });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') tooLarge('实际内容超过目录声明的大小');
        corrupt('压缩数据损坏');
      }
    }
    if (data.length !== e.size) corrupt('内容大小与目录不符');
    // zlib.crc32 is Node ≥ 20.15; without it the size checks above still hold. In slices, a turn apart.
    if (typeof zlib.crc32 === 'function') {
      let crc = 0;
      for (let at = 0; at < data.length; at += CRC_SLICE_BYTES) {
        crc = zlib.crc32(data.subarray(at, at + CRC_SLICE_BYTES), crc);
        if (data.length > CRC_SLICE_BYTES) await yieldTurn();
      }
      if (crc >>> 0 !== e.crc) corrupt('校验和不符');
    }
    const name = e.name.toString(e.flags & 0x0800 ? 'utf8' : 'latin1');
    if (/\.(xml|rels)$/i.test(name) && !xmlComplete(data)) corrupt(`${name} 在结尾前中断`);
    entries.push({ name: e.name, flags: e.flags & 0x0800, crc: e.crc, size: e.size, data });
  }
  const names = new Set(entries.map((e) => e.name.toString('latin1')));
  for (const part of ['[Content_Types].xml', 'xl/workbook.xml']) if (!names.has(part)) corrupt(`缺少 ${part}`);
  return entries.map(withCellsAsWritten);
}

/**
 * Whether an XML part reaches its end: its root element (the first after the declaration,
 * comments and processing instructions) is closed at the end of the text, or is empty (<x/>).
 * A part cut short, its ZIP entry still consistent, would otherwise be read up to the cut and
 * give the rows before it as if they were the whole sheet.
 */
function xmlComplete(data: Buffer): boolean {
  const head = data.subarray(0, 4096).toString('utf8');
  const root = /^(?:\uFEFF)?\s*(?:<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.:-]*)/.exec(head);
  if (!root) return false;
  const tail = data.subarray(Math.max(0, data.length - 512)).toString('utf8').replace(/[\s\u0000]+$/, '');
  if (new RegExp(`</${root[1].replace(/[.]/g, '\\.')}\\s*>$`).test(tail)) return true;
  // An empty root: nothing after its own end but what follows a document (whitespace, comments).
  const whole = data.length <= 4096 ? head.replace(/[\s\u0000]+$/, '') : '';
  return /^[^>]*\/>(?:\s*<!--[\s\S]*?-->)*$/.test(whole.slice(root.index + root[0].length - root[1].length - 1));
}

/**
 * A worksheet's cells as their text was written, where exceljs would read it otherwise: it reads the
 * value of a number cell (and of a date cell, t="d", an ISO date as text, which some tools write)
 * with parseFloat, so 2024-01-01 would be the number 2024, 12abc 12 and 0x10 0. Such a cell is made a
 * text cell (t="str"): a figure's column then refuses it at its cell, as the CSV reader refuses the
 * same text, and a date's column reads the date. Excel writes neither; most sheets are passed as they are.
 */
function withCellsAsWritten(e: ZipEntry): ZipEntry {
  if (!e.name.toString('latin1').startsWith('xl/worksheets/') || !oddCells(e.data)) return e;
  const text = e.data.toString('utf8').replace(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g, (cell: string, attrs: string, inner: string | undefined) => {
    const t = /\st\s*=\s*["']([^"']*)["']/.exec(attrs)?.[1];
    const v = inner === undefined ? undefined : /<v>([^<]*)<\/v>/.exec(inner)?.[1];
    if (t === 'd' || ((t === undefined || t === 'n') && v !== undefined && !NUMBER_TEXT.test(v))) {
      const retyped = t === undefined ? `${attrs} t="str"` : attrs.replace(/(\st\s*=\s*)(["'])[^"']*\2/, '$1$2str$2');
      return `<c${retyped}>${inner ?? ''}</c>`;
    }
    return cell;
  });
  const data = Buffer.from(text, 'utf8');
  return { ...e, data, size: data.length, crc: typeof zlib.crc32 === 'function' ? zlib.crc32(data) >>> 0 : 0 };
}

/** A number as a sheet writes one in a cell's value. */
const NUMBER_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Whether a sheet has a date cell, or a value that is no plain number in a cell that is not told to
 * be something else (text, a shared string's number, yes/no, an error): a pass over its bytes, each
 * value checked where it stands, nothing copied for the usual sheet.
 */
function oddCells(data: Buffer): boolean {
  if ((data.indexOf('"d"') >= 0 || data.indexOf("'d'") >= 0) && /<c\b[^>]*?\st\s*=\s*["']d["']/.test(data.toString('latin1'))) return true;
  for (let at = data.indexOf('<v>'); at >= 0; at = data.indexOf('<v>', at + 3)) {
    const end = data.indexOf(0x3c, at + 3);
    if (end < 0) return true; // cut short: xmlComplete has refused it already
    if (plainNumber(data, at + 3, end)) continue;
    const open = data.lastIndexOf('<c', at);
    const attrs = open < 0 ? '' : data.toString('latin1', open, data.indexOf(0x3e, open));
    const t = /\st\s*=\s*["']([^"']*)["']/.exec(attrs)?.[1];
    if (t === undefined || t === 'n') return true;
  }
  return false;
}

/** Whether the bytes from p to end are a number as NUMBER_TEXT says, without making them a string. */
function plainNumber(b: Buffer, p: number, end: number): boolean {
  const digits = () => { const from = p; while (p < end && b[p] >= 0x30 && b[p] <= 0x39) p++; return p - from; };
  if (b[p] === 0x2d) p++;
  let n = digits();
  if (p < end && b[p] === 0x2e) { p++; n += digits(); }
  if (n === 0) return false;
  if (p < end && (b[p] === 0x65 || b[p] === 0x45)) {
    p++;
    if (b[p] === 0x2b || b[p] === 0x2d) p++;
    if (digits() === 0) return false;
  }
  return p === end;
}

/**
 * An uncompressed ZIP of already-checked entries, as its pieces (nothing copied into one
 * buffer): nothing left for exceljs to inflate. The workbook's own parts come before the
 * worksheets, and an empty shared-strings part is added when there is none, so that the
 * streaming reader never parks a worksheet in a temporary file to wait for them (a file
 * written to disk from an upload: a full disk, or a leftover).
 */
const ZIP_SLICE_BYTES = 64 * 1024;

async function* storedZip(checked: ZipEntry[]): AsyncGenerator<Buffer> {
  const isSheet = (e: ZipEntry) => e.name.toString('latin1').startsWith('xl/worksheets/');
  const entries = [...checked.filter((e) => !isSheet(e)), ...checked.filter(isSheet)];
  if (!entries.some((e) => e.name.toString('latin1') === 'xl/sharedStrings.xml')) {
    const data = Buffer.from('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>');
    entries.unshift({ name: Buffer.from('xl/sharedStrings.xml'), flags: 0, crc: typeof zlib.crc32 === 'function' ? zlib.crc32(data) >>> 0 : 0, size: data.length, data });
  }
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const local = Buffer.alloc(30);
    const central = Buffer.alloc(46);
    local.writeUInt32LE(0x04034b50, 0);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    for (const [h, at] of [[local, 4], [central, 6]] as const) {
      h.writeUInt16LE(20, at); // version needed
      h.writeUInt16LE(e.flags, at + 2);
      h.writeUInt16LE(0x21, at + 8); // 1980-01-01: the date is not ours to keep
      h.writeUInt32LE(e.crc, at + 10);
      h.writeUInt32LE(e.size, at + 14);
      h.writeUInt32LE(e.size, at + 18);
      h.writeUInt16LE(e.name.length, at + 22);
    }
    central.writeUInt32LE(offset, 42);
    yield local;
    yield e.name;
    // In slices (the unzipper under exceljs joins what it holds with each chunk it is given),
    // each read through before the next is given: exceljs parses on without a turn of the
    // event loop for as long as it has input, so the input is what keeps its work small.
    // A slice never ends inside a UTF-8 character: exceljs decodes each chunk on its own.
    for (let at = 0, end = 0; at < e.size; at = end) {
      end = Math.min(e.size, at + ZIP_SLICE_BYTES);
      while (end < e.size && end > at + 4 && (e.data[end] & 0xc0) === 0x80) end--;
      yield e.data.subarray(at, end);
      await yieldTurn();
    }
    centrals.push(central, e.name);
    offset += 30 + e.name.length + e.size;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  yield cd;
  yield eocd;
}

type Read = { value: unknown } | { problem: string; code?: string };

/** A cell as the CSV reader would give it: numbers, text, booleans; dates as ISO text. */
function readCell(v: ExcelJS.CellValue): Read {
  if (v === null || v === undefined) return { value: '' };
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return { problem: '日期无效' };
    // exceljs reads Excel's zone-less date serials as UTC, so the UTC fields are the sheet's.
    const iso = v.toISOString();
    return { value: iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19) };
  }
  if (typeof v === 'string') {
    const bad = badCharacter(v);
    return bad ? { problem: bad.message, code: bad.code } : { value: v };
  }
  if (typeof v !== 'object') return { value: v };
  if ('error' in v) return { problem: `单元格是错误值 ${v.error}，请先在 Excel 中改正` };
  if ('richText' in v) return readCell(v.richText.map((r) => r.text).join(''));
  if ('formula' in v || 'sharedFormula' in v) {
    if (v.result === undefined) return { problem: '公式没有保存计算结果：请在 Excel 中打开并保存后再上传' };
    return readCell(v.result);
  }
  if ('hyperlink' in v) return readCell(v.text as ExcelJS.CellValue); // link text may itself be rich text
  return { problem: '无法识别的单元格内容' };
}

const blank = (r: Read) => 'value' in r && (r.value === '' || (typeof r.value === 'string' && r.value.trim() === ''));

/** Rows read between two turns of the event loop. */
const ROWS_PER_TURN = 500;

/** The first worksheet as a DataTable, every bad cell reported at once. */
export async function readXlsxData(file: string, bytes?: Buffer, limits: DataLimits = DATA_LIMITS): Promise<SheetTable> {
  bytes ??= dataFileBytes(file);
  const entries = await checkedEntries(bytes, file);
  const problems: DataProblem[] = [];
  const problem = (code: string, message: string, row: number, column: string) => problems.push({ code, message, file, row, column });

  // Cells of a row by column number; a merged range keeps its value in its top-left cell
  // only (the others hold none in the file), as the same sheet saved as CSV would.
  const cellsOf = (row: ExcelJS.Row) => {
    const out = new Map<number, Read>();
    row.eachCell((cell, col) => { out.set(col, readCell(cell.value)); });
    return out;
  };
  let header: Map<number, Read> | undefined;
  const nameOf = new Map<number, string>(); // column number → header, first of duplicates
  let columns: string[] = [];
  let lastColumn = 0;
  let newRow = emptyRow([]);
  const rows: DataTable['rows'] = [];

  const readHeader = (reads: Map<number, Read>) => {
    const seen = new Set<string>();
    for (const [col, read] of reads) {
      lastColumn = Math.max(lastColumn, col);
      if (!blank(read) && col > limits.maxColumns) throw tooManyColumns(file, 1, col, limits, 'value' in read ? String(read.value) : undefined);
      if (!('value' in read)) { problem(read.code ?? 'DATA_SYNTAX', `表头：${read.problem}`, 1, letterOf(col)); continue; }
      const name = canonicalHeader(String(read.value).trim());
      if (name === '') continue;
      if (seen.has(name)) problem('DUPLICATE_COLUMN', `表头 “${name}” 出现了两次`, 1, name);
      else nameOf.set(col, name);
      seen.add(name);
    }
    columns = [...nameOf.keys()].sort((a, b) => a - b).map((col) => nameOf.get(col)!);
    newRow = emptyRow(columns);
  };
  const readRow = (reads: Map<number, Read>, number: number) => {
    if (number - 1 > limits.maxRows) throw tooManyRows(file, limits);
    if ([...reads.values()].every(blank)) return; // an empty row keeps its number but is no unit
    const before = problems.length;
    const cells = newRow();
    for (const [col, read] of reads) {
      const name = nameOf.get(col);
      // A column without a header is ignored, as in CSV; content right of the last header is a mistake.
      if (name === undefined) {
        if (col > lastColumn && !blank(read)) {
          if (col > limits.maxColumns) throw tooManyColumns(file, number, col, limits);
          problem('DATA_SYNTAX', `${letterOf(col)}列有内容，但表头没有这一列`, number, letterOf(col));
        }
      }
      else if ('value' in read) cells[name] = read.value;
      else problem(read.code ?? 'DATA_SYNTAX', read.problem, number, name);
    }
    if (problems.length === before) rows.push({ row: number, cells });
  };

  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(storedZip(entries), { objectMode: false }), {
    worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore',
  });
  try {
    for await (const sheet of reader) {
      // The first sheet in the workbook's order, which need not be the first part in the ZIP.
      const first = (reader as unknown as { model?: { sheets?: Array<{ name: string }> } }).model?.sheets?.[0];
      if (first && (sheet as unknown as { name?: string }).name !== first.name) continue;
      let count = 0;
      for await (const row of sheet) {
        const reads = cellsOf(row);
        if (!header) {
          header = row.number === 1 ? reads : new Map();
          if (![...header.values()].every(blank)) readHeader(header);
          if (row.number === 1) continue;
        }
        if (nameOf.size === 0 && problems.length === 0) break; // an empty header: reported below
        readRow(reads, row.number);
        if (++count % ROWS_PER_TURN === 0) await yieldTurn();
      }
      break;
    }
  } catch (e) {
    if (e instanceof DataInvalid) throw e;
    // What exceljs says of a workbook it cannot follow ("A Cell needs a Row") is no help to a clerk.
    throw new DataInvalid([{ code: 'DATA_SYNTAX', message: 'XLSX 文件的结构不完整或已损坏，无法读取：请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再上传', file, row: 1, column: '' }]);
  }
  if (!header || [...header.values()].every(blank)) {
    throw new DataInvalid([{ code: 'DATA_SYNTAX', message: '第一个工作表是空的：第1行应为表头', file, row: 1, column: '' }]);
  }
  const columnAt = new Map([...nameOf].map(([col, name]) => [name, col]));
  if (problems.length) throw new SheetProblems(problems, columnAt);
  return { file, columns, rows, columnAt };
}

/**
 * A worksheet: `title` lines above the header (the first large), then the header row and
 * the rows. Column widths are measured from the text unless given; a column given
 * decimals shows its numbers at them (number format 0.0). Printed, the sheet is A4, one
 * page wide (landscape when asked), with the header row repeated on every page.
 */
export interface XlsxSheet {
  name: string;
  rows: Cell[][];
  widths?: number[];
  title?: string[];
  decimals?: ReadonlyArray<number | null>;
  landscape?: boolean;
}

/** Excel's rules: 1–31 characters, none of []:*?/\, no apostrophe at either end, unique ignoring case, not "History". */
export function sheetName(wanted: string, used: Set<string> = new Set()): string {
  const clean = (s: string) => s.replace(/[[\]:*?/\\\u0000-\u001f]/g, '_').replace(/^'+|'+$/g, '').trim();
  const base = clean(wanted) || 'Sheet';
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : `(${n})`;
    let name = '';
    for (const ch of base) { if (name.length + ch.length + suffix.length > 31) break; name += ch; } // never split a surrogate pair
    name = clean(name) + suffix;
    if (name !== '' && name.toLowerCase() !== 'history' && !used.has(name.toLowerCase())) {
      used.add(name.toLowerCase());
      return name;
    }
  }
}

/** Text that a spreadsheet would run as a formula is made inert, as in CSV output; no cell is ever a formula. */
function writeCell(v: Cell): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return inertText(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v); // XLSX has no NaN or Infinity
  return v;
}

/** The width Excel needs for a text, in its character units: a Chinese character takes two. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u.test(ch) ? 2 : 1;
  return w;
}

const MIN_WIDTH = 6;
const MAX_WIDTH = 60;

function measuredWidths(rows: Cell[][], decimals: ReadonlyArray<number | null>): number[] {
  const widths: number[] = [];
  const sample = rows.length > 2000 ? rows.slice(0, 2000) : rows; // a long sheet is measured by its first rows
  for (const r of sample) {
    r.forEach((v, k) => {
      if (v === null || v === undefined) return;
      const text = typeof v === 'number' && typeof decimals[k] === 'number' ? v.toFixed(decimals[k]!) : String(v);
      widths[k] = Math.max(widths[k] ?? 0, Math.min(MAX_WIDTH, displayWidth(text) + 2));
    });
  }
  return widths.map((w) => Math.max(MIN_WIDTH, w ?? 0));
}

function numberFormat(decimals: number): string {
  return decimals > 0 ? `0.${'0'.repeat(Math.min(decimals, 15))}` : '0';
}

/** A workbook with one worksheet per sheet: title lines, a bold, frozen header row, then the rows. */
export async function writeXlsx(sheets: XlsxSheet[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const used = new Set<string>();
  for (const s of sheets.length ? sheets : [{ name: 'Sheet1', rows: [] } as XlsxSheet]) {
    const title = s.title ?? [];
    const headerRow = title.length + 1;
    const columns = Math.max(1, ...s.rows.slice(0, 1).map((r) => r.length));
    const sheet = workbook.addWorksheet(sheetName(s.name, used), {
      views: [{ state: 'frozen', ySplit: headerRow }],
      pageSetup: {
        paperSize: 9, orientation: s.landscape ? 'landscape' : 'portrait',
        fitToPage: true, fitToWidth: 1, fitToHeight: 0,
        margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      },
      headerFooter: { oddFooter: '第 &P 页，共 &N 页' },
    });
    title.forEach((line, k) => {
      const row = sheet.addRow([inertText(line)]);
      row.font = { bold: true, size: k === 0 ? 14 : 11 };
      row.alignment = { horizontal: 'center', vertical: 'middle' };
      if (columns > 1) sheet.mergeCells(k + 1, 1, k + 1, columns);
    });
    for (const r of s.rows) sheet.addRow(r.map(writeCell));
    const header = sheet.getRow(headerRow);
    header.font = { bold: true };
    header.alignment = { vertical: 'middle', wrapText: true };
    const decimals = s.decimals ?? [];
    const widths = s.widths ?? measuredWidths(s.rows, decimals);
    widths.forEach((w, k) => { sheet.getColumn(k + 1).width = w; });
    decimals.forEach((d, k) => { if (typeof d === 'number') sheet.getColumn(k + 1).numFmt = numberFormat(d); });
    if (s.rows.length > 0) sheet.pageSetup.printTitlesRow = `${headerRow}:${headerRow}`;
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
