import type { Value } from './expression/ast.js';
import type { CompiledInput, CompiledRuleSet } from './compiled.js';
import { DataInvalid, type DataProblem } from './problems.js';

/**
 * Unit data (RULES.md §6) turned into checked values: every input matched to a column
 * by name or label, every cell parsed against its input's type and limits, `checks`
 * evaluated; all problems reported at once, and nothing scored if there is any.
 */

/** A table as read from a file: cells as written (strings from CSV; any JSON value from JSON). */
export interface DataTable {
  file: string;
  /** Column headers in file order. */
  columns: string[];
  rows: Array<{ row: number; cells: Record<string, unknown> }>;
}

export interface Unit {
  id: string;
  name: string | null;
  parent: string | null;
  /** Spreadsheet row number (header = 1). */
  row: number;
  /** The unit's value array: inputs filled, metrics computed, the rest for scoring. */
  env: Value[];
}

export interface ReadUnitsResult {
  units: Unit[];
  /** Columns that match no input and were ignored. */
  ignoredColumns: string[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['1', 'true', '是']);
const FALSE = new Set(['0', 'false', '否']);
const RESERVED_COLUMNS = ['id', 'name', 'parent'];

export interface ReadOptions {
  /**
   * Leave the linked track's columns (village.total …) out: an import stores a unit's own
   * inputs; the links are added when a run scores them. Checks that read a link are left for then.
   */
  withoutLinks?: boolean;
}

export function readUnits(rs: CompiledRuleSet, table: DataTable, opts: ReadOptions = {}): ReadUnitsResult {
  const inputs = opts.withoutLinks ? rs.inputs.filter((i) => !i.link) : rs.inputs;
  const linkNames = new Set(rs.inputs.filter((i) => i.link).map((i) => i.name));
  const checks = opts.withoutLinks ? rs.checks.filter((c) => !c.names.some((n) => linkNames.has(n))) : rs.checks;
  const problems: DataProblem[] = [];
  const problem = (row: number, column: string, code: string, message: string) =>
    problems.push({ code, message, file: table.file, row, column });

  const hasId = table.columns.includes('id');
  if (!hasId) problem(1, 'id', 'MISSING_ID_COLUMN', '缺少 “id” 列（单位编号）');

  // Match each input to its column: by name first, then by label.
  const columnOf = new Map<CompiledInput, string>();
  const unlinked = new Set<string>();
  for (const input of inputs) {
    const col = table.columns.find((c) => c === input.name) ?? table.columns.find((c) => c === input.label);
    if (col !== undefined) columnOf.set(input, col);
    else if (input.link) {
      if (!unlinked.has(input.link)) problem(1, input.link, 'LINK_MISSING', `缺少所关联的 “${input.link}” 的考核结果：请用 --link ${input.link}=… 提供（如 ${input.link}.total 等列）`);
      unlinked.add(input.link);
    }
    else if (input.default === undefined) problem(1, input.name, 'MISSING_COLUMN', `缺少输入 “${input.label}”（${input.name}）的列`);
  }
  // A check that reads a column the file lacks is not run: the missing column is the problem to report.
  const absent = new Set(inputs.filter((i) => !columnOf.has(i) && i.default === undefined).map((i) => i.name));
  const runnable = checks.filter((c) => !c.names.some((n) => absent.has(n)));
  const used = new Set([...RESERVED_COLUMNS, ...columnOf.values()]);
  const ignoredColumns = table.columns.filter((c) => !used.has(c));

  const units: Unit[] = [];
  const seen = new Map<string, number>();
  for (const { row, cells } of table.rows) {
    const before = problems.length;
    const id = text(cells.id);
    if (id === undefined) { if (hasId) problem(row, 'id', 'MISSING_VALUE', '缺少单位编号 id'); }
    else if (seen.has(id)) problem(row, 'id', 'DUPLICATE_UNIT_ID', `单位编号 “${id}” 与第${seen.get(id)}行重复`);
    else seen.set(id, row);

    const env: Value[] = new Array(rs.slotCount);
    for (const input of inputs) {
      const col = columnOf.get(input);
      if (col === undefined && input.default === undefined) continue; // reported once, for the whole column
      const raw = col === undefined ? undefined : cells[col];
      // A linked unit's figure may be undefined (its rate had nothing due): that is a value, not a gap.
      if (input.link && (raw === undefined || raw === null || raw === '')) { env[input.slot] = undefined; continue; }
      const parsed = parseCell(input, raw);
      if (parsed.ok) env[input.slot] = parsed.value;
      else problem(row, col ?? input.name, parsed.code, parsed.message);
    }
    if (problems.length > before) continue;

    for (const m of rs.metrics) env[m.slot] = m.fn(env);
    for (const check of runnable) {
      if (check.when(env) !== true) {
        const cols = check.names.map((n) => columnOf.get(rs.inputs.find((i) => i.name === n)!) ?? n);
        problem(row, cols.join('、'), 'CHECK_FAILED', `校验未通过：${check.message}`);
      }
    }
    units.push({ id: id!, name: text(cells.name) ?? null, parent: text(cells.parent) ?? null, row, env });
  }
  if (problems.length) throw new DataInvalid(problems);
  return { units, ignoredColumns };
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

type Parsed = { ok: true; value: Value } | { ok: false; code: string; message: string };

function parseCell(input: CompiledInput, raw: unknown): Parsed {
  const missing = raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
  if (missing) {
    if (input.default !== undefined) return { ok: true, value: input.default };
    return { ok: false, code: 'MISSING_VALUE', message: `缺少 “${input.label}” 的数值` };
  }
  const shown = typeof raw === 'string' ? raw.trim() : JSON.stringify(raw);
  switch (input.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const s = shown.toLowerCase();
      if (TRUE.has(s)) return { ok: true, value: true };
      if (FALSE.has(s)) return { ok: true, value: false };
      return { ok: false, code: 'NOT_A_BOOLEAN', message: `“${shown}” 不是是/否值（可填 是/否、1/0、true/false）` };
    }
    case 'text':
      return { ok: true, value: shown };
    case 'grade': {
      if (typeof raw === 'string' && input.grades?.includes(shown)) return { ok: true, value: shown };
      return { ok: false, code: 'UNKNOWN_GRADE_VALUE', message: `“${shown}” 不是 ${input.grades?.join('/')} 之一` };
    }
    default: {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'string' && NUMBER.test(shown)) n = Number(shown);
      else return { ok: false, code: 'NOT_A_NUMBER', message: `“${shown}” 不是数字` };
      if (!Number.isFinite(n)) return { ok: false, code: 'NOT_A_NUMBER', message: `“${shown}” 不是有限的数字` };
      if (input.type === 'integer' && !Number.isInteger(n)) return { ok: false, code: 'NOT_AN_INTEGER', message: `“${shown}” 应为整数` };
      if ((input.min !== undefined && n < input.min) || (input.max !== undefined && n > input.max)) {
        const range = `${input.min ?? '−∞'}～${input.max ?? '∞'}`;
        return { ok: false, code: 'OUT_OF_RANGE', message: `${shown} 超出允许范围 ${range}` };
      }
      return { ok: true, value: n };
    }
  }
}
