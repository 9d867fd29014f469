import { randomBytes } from 'node:crypto';
import type { CompiledRuleSet, DataProblem, DataTable } from '../engine/index.js';
import { cellOf, HEADER_TITLES, type ColumnNumbers } from '../io/sheet-cells.js';
import { own } from '../engine/own.js';
import { withoutMarks } from '../io/text.js';

/**
 * An upload's error report (错误报告): every problem of a refused file said where a person
 * finds it — the unit by its name, the cell as Excel names it (F6), the column by its
 * header — and kept a while, so that the page can offer it as a file to download.
 */

export interface ReportLine {
  row: number;
  /** The unit of the row by its name (else its id as written); '' for the header or a row that could not be read. */
  unit: string;
  /** F6, F6、G6, or 第6行 */
  cell: string;
  /** The column as a person reads it: the input's label, 单位编号 for id. */
  columnText: string;
  code: string;
  /** The column as the problem names it, for the page's data attributes. */
  column: string;
  message: string;
}

export interface UploadReport { file: string; periodTitle: string; trackName: string; lines: ReportLine[]; count: number; }

/** Where a table was read from, when it was: each row's cells, and where each column stands. */
export interface ReportSource { table?: DataTable; columnAt?: ColumnNumbers; unitNames: ReadonlyMap<string, string>; }

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());

/**
 * Characters of a unit's name, a column's and a message a line keeps. A row's name is told
 * on every line of the row: a file of one 300,000-character name and fifty bad cells would
 * otherwise make a page of 45 MB.
 */
export const REPORT_TEXT_CHARS = { unit: 40, column: 60, message: 300 } as const;

/** The text cut to n characters (never inside one), with … when it was longer. */
export function clipped(s: string, n: number): string {
  if (s.length <= n) return s;
  // A character is one or two code units: the first 2n + 2 hold n + 1 characters, or all of s.
  const chars = [...s.slice(0, 2 * n + 2)];
  return s.length <= 2 * n + 2 && chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

/** The lines of a report, in the file's order; at most `max` of them. */
export function reportLines(ruleset: CompiledRuleSet, problems: DataProblem[], source: ReportSource, max = problems.length): ReportLine[] {
  const cellsOf = new Map((source.table?.rows ?? []).map((r) => [r.row, r.cells]));
  const labelOf = new Map(ruleset.inputs.map((i) => [i.name, i.label]));
  const columnText = (column: string) => column.split('、').map((c) => own(HEADER_TITLES, c) ?? labelOf.get(c) ?? c).join('、');
  return problems.slice(0, max).map((p) => {
    const cells = cellsOf.get(p.row);
    const id = text(cells?.id);
    // The file's name for the unit, as the file wrote it but for marks that would hide or turn it.
    const unit = clipped(withoutMarks(text(cells?.name) || source.unitNames.get(id) || id), REPORT_TEXT_CHARS.unit);
    return {
      row: p.row, unit, cell: cellOf(p, source.columnAt), columnText: clipped(columnText(p.column), REPORT_TEXT_CHARS.column), code: p.code,
      column: clipped(p.column, REPORT_TEXT_CHARS.column), message: clipped(p.message, REPORT_TEXT_CHARS.message),
    };
  });
}

/** The report as rows of a sheet: a header, then a line per problem; the last says how many more there were. */
export function reportRows(report: UploadReport): Array<Array<string | number>> {
  const rows: Array<Array<string | number>> = [['单位', '单元格', '列', '问题']];
  for (const l of report.lines) rows.push([l.unit, l.cell, l.columnText, l.message]);
  if (report.count > report.lines.length) rows.push(['', '', '', `另有 ${report.count - report.lines.length} 处问题未列出：请先改正以上各处后重新上传`]);
  return rows;
}

// ---- kept reports: each for its uploader only, a while, a few at a time ----

/** Problems a kept report lists: ten times what the page shows (each line's text cut short: some 4 MB a report at worst). */
export const REPORT_FILE_LINES = 10_000;
const KEEP_MS = 60 * 60 * 1000;
/** Reports kept for one uploader, and for all of them. */
export const KEEP_PER_USER = 10;
export const KEEP_COUNT = 30;

interface Kept { by: string; at: number; report: UploadReport; }

/**
 * Kept in this process's memory: a report is read once or twice within minutes of the
 * upload by the one who made it, and is the file's problems, which the upload can make
 * again. The oldest go first, past an hour, past KEEP_PER_USER of one uploader, and past
 * KEEP_COUNT in all: then the oldest of whoever keeps the most, so that one uploader's
 * many uploads never take another's report away.
 */
const kept = new Map<string, Kept>();

function oldestOf(by: string): string | undefined {
  for (const [token, k] of kept) if (k.by === by) return token;
  return undefined;
}

export function keepReport(by: string, report: UploadReport, now = Date.now()): string {
  for (const [token, k] of kept) if (now - k.at > KEEP_MS) kept.delete(token);
  const counts = new Map<string, number>();
  for (const k of kept.values()) counts.set(k.by, (counts.get(k.by) ?? 0) + 1);
  if ((counts.get(by) ?? 0) >= KEEP_PER_USER) kept.delete(oldestOf(by)!);
  else if (kept.size >= KEEP_COUNT) {
    const most = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    kept.delete(oldestOf(most)!);
  }
  const token = randomBytes(16).toString('hex');
  kept.set(token, { by, at: now, report });
  return token;
}

/** The report kept under the token for this user, or undefined (unknown, expired, or another's). */
export function keptReport(by: string, token: string, now = Date.now()): UploadReport | undefined {
  const k = kept.get(token);
  if (!k || k.by !== by || now - k.at > KEEP_MS) return undefined;
  return k.report;
}
