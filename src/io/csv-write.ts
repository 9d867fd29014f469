/**
 * CSV for spreadsheets: RFC 4180 quoting, a UTF-8 BOM so that Excel on Chinese Windows
 * opens it as UTF-8, and text cells beginning with = + - @ (or a tab or carriage
 * return) made inert with a leading apostrophe, so that no name becomes a formula.
 */
export type Cell = string | number | boolean | null | undefined;

/**
 * Rows for a spreadsheet with, per column, the decimals its numbers are shown at (null:
 * as they are). The writers format them: CSV writes 870.0, XLSX gives the column the
 * number format 0.0, so a score reads at the rule set's precision in Excel and WPS alike.
 */
export interface SheetRows { rows: Cell[][]; decimals: Array<number | null> }

const FORMULA_START = /^[=+\-@\t\r]/;
/** Text that already reads as made inert ('=1): given its own apostrophe too, so that a reader taking one off gets it back as it was. */
const LOOKS_INERT = /^'+[=+\-@\t\r]/;

export function inertText(s: string): string {
  return FORMULA_START.test(s) || LOOKS_INERT.test(s) ? `'${s}` : s;
}

/**
 * Text for a text cell (an XLSX template's names, never run as a formula) that the reader,
 * which takes one apostrophe off '=1, gives back as it was: ''=1 for a name '=1.
 */
export function apostrophesKept(s: string): string {
  return LOOKS_INERT.test(s) ? `'${s}` : s;
}

function cell(v: Cell, decimals?: number | null): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? inertText(v)
    : typeof v === 'number' && Number.isFinite(v) && typeof decimals === 'number' ? v.toFixed(decimals) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows as CSV; a number in a column given decimals is written at them (870.0), as the XLSX shows it. */
export function toCsv(rows: Cell[][], decimals: ReadonlyArray<number | null> = []): string {
  return '\uFEFF' + rows.map((r) => r.map((v, k) => cell(v, decimals[k])).join(',')).join('\r\n') + '\r\n';
}
