/**
 * What a cell written as text means (RULES.md §6): a plain decimal number, and a yes/no
 * (是/否, 1/0, true/false). Shared by the general reading of cells (units.ts) and the
 * generated reader of clean rows (codegen.ts), so both take exactly the same texts.
 */

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['1', 'true', '是']);
const FALSE = new Set(['0', 'false', '否']);

/** The number a text writes (surrounding blanks ignored), or NaN when it is not a plain decimal. */
export function decimalText(s: string): number {
  const t = s.trim();
  return NUMBER.test(t) ? Number(t) : NaN;
}

/** 1 for yes, 0 for no (surrounding blanks and case ignored), NaN for any other text. */
export function yesNoText(s: string): number {
  const t = s.trim().toLowerCase();
  return TRUE.has(t) ? 1 : FALSE.has(t) ? 0 : NaN;
}
