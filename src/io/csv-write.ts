/**
 * CSV for spreadsheets: RFC 4180 quoting, a UTF-8 BOM so that Excel on Chinese Windows
 * opens it as UTF-8, and text cells beginning with = + - @ (or a tab or carriage
 * return) made inert with a leading apostrophe, so that no name becomes a formula.
 */
export type Cell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function inertText(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? inertText(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: Cell[][]): string {
  return '\uFEFF' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
