import type { DataProblem, DataTable } from '../engine/index.js';

/**
 * What the record accepts as a unit id (单位编号) beyond the engine's "not empty, not
 * repeated". A township's ids are codes (v01, 130102001001) or names (枫林村, 一组/二组),
 * so any text is welcome and every link is made to work for it (src/http/url.ts). Refused,
 * at its row and column, is only what no link or database can carry:
 * - `.` and `..` — every browser resolves them away as path segments, even percent-encoded,
 *   so a link to that unit would land on another page (`/units/./export.csv` is the unit
 *   `export.csv`);
 * - control characters (a line break, a tab, NUL) — invisible on a page, and NUL cannot be
 *   stored by PostgreSQL;
 * - more than 64 characters — the width of the units table's id column.
 * The same holds for `parent`, which names a unit too. A unit's name (单位名称) may be any
 * text of at most 100 characters: it is shown on every page, print and file name, and a
 * township's longest (某某县某某镇某某村民委员会) is a fraction of that.
 */

export const UNIT_ID_MAX_CHARS = 64;
export const UNIT_NAME_MAX_CHARS = 100;

// Every C0 and C1 control character and DEL.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why the record cannot take `id` as a unit id, or undefined. */
export function unitIdProblem(id: string): { code: string; message: string } | undefined {
  if (id === '.' || id === '..') return { code: 'UNIT_ID_INVALID', message: `单位编号不能是 “${id}”（无法用作网址），请改用其他编号` };
  if (CONTROL.test(id)) return { code: 'UNIT_ID_INVALID', message: '单位编号含有换行、制表符等控制字符，请删去' };
  if ([...id].length > UNIT_ID_MAX_CHARS) return { code: 'UNIT_ID_TOO_LONG', message: `单位编号超过 ${UNIT_ID_MAX_CHARS} 个字符` };
  return undefined;
}

/** Every id and parent cell of a table the record would refuse, with its row and column. */
export function unitIdProblems(table: DataTable): DataProblem[] {
  const problems: DataProblem[] = [];
  for (const { row, cells } of table.rows) {
    for (const column of ['id', 'parent']) {
      const v = cells[column];
      if (v === undefined || v === null) continue;
      const id = String(v).trim();
      if (id === '') continue;
      const p = unitIdProblem(id);
      if (p) problems.push({ ...p, file: table.file, row, column });
    }
    const name = cells.name;
    if (typeof name === 'string' && [...name.trim()].length > UNIT_NAME_MAX_CHARS) {
      problems.push({ code: 'UNIT_NAME_TOO_LONG', message: `单位名称超过 ${UNIT_NAME_MAX_CHARS} 个字符，请改用简称`, file: table.file, row, column: 'name' });
    }
  }
  return problems;
}
