import type { Env } from './expression/ast.js';
import type { CompiledInput, CompiledRuleSet } from './compiled.js';
import { decimalText } from './cells.js';
import type { DataProblem } from './problems.js';
import { own } from './own.js';
import { text, type DataTable } from './units.js';

/**
 * Events (事件台账, RULES.md §7.6): the incidents recorded against a unit in the period, each by a
 * level (its points are the level's) or by points within the input's range (每起扣2至5分). A unit's
 * events are read into the figures its rule set may use — count(E), count(E, "较大"), sum(E) — and
 * nothing else of them is scored. Events come inline in JSON data (an array under the input's name
 * or label) or from an events file (`--events`: columns unit, input, level, points), whose rows are
 * added to the inline ones; every bad event is a data problem where it was written.
 */

/** An event as an events file gives it: its row there and its cells (unit, input, level, points, and any other). */
export interface EventRow { row: number; unit: string; input: string; level?: unknown; points?: unknown; [column: string]: unknown }

/** Where an event added from an events file was written, so that its problems are reported there. */
const ORIGIN = Symbol('event origin');
interface Origin { file: string; row: number }

/** The events input a name or label means. */
function eventsInput(rs: CompiledRuleSet, nameOrLabel: string): CompiledInput | undefined {
  return rs.inputs.find((i) => i.type === 'events' && i.name === nameOrLabel)
    ?? rs.inputs.find((i) => i.type === 'events' && i.label === nameOrLabel);
}

/**
 * The table with the events of an events file added to its units' rows (to the inline events, under
 * the input's name). An event of a unit the data does not have, or of an input that is no events
 * input, is a problem at its row of the events file.
 */
export function withEvents(rs: CompiledRuleSet, table: DataTable, events: EventRow[], file: string, problems: DataProblem[]): DataTable {
  if (events.length === 0) return table;
  const rowOf = new Map<string, number>();
  table.rows.forEach((r, k) => { const id = text(r.cells.id); if (id !== undefined && !rowOf.has(id)) rowOf.set(id, k); });
  const added = new Map<number, Map<CompiledInput, unknown[]>>();
  for (const e of events) {
    const unit = text(e.unit), name = text(e.input);
    const at = unit === undefined ? undefined : rowOf.get(unit);
    const input = name === undefined ? undefined : eventsInput(rs, name);
    if (at === undefined) problems.push({ code: 'EVENT_UNKNOWN_UNIT', message: unit === undefined ? '缺少单位编号' : `数据中没有编号为 “${unit}” 的单位`, file, row: e.row, column: 'unit' });
    if (!input) problems.push({ code: 'EVENT_UNKNOWN_INPUT', message: name === undefined ? '缺少事件台账名称' : `细则中没有名为 “${name}” 的事件台账`, file, row: e.row, column: 'input' });
    if (at === undefined || !input) continue;
    let byInput = added.get(at);
    if (!byInput) added.set(at, (byInput = new Map()));
    let list = byInput.get(input);
    if (!list) byInput.set(input, (list = []));
    list.push({ ...e, [ORIGIN]: { file, row: e.row } satisfies Origin });
  }
  if (added.size === 0) return table;
  const columns = [...table.columns];
  const rows = table.rows.map((r, k) => {
    const byInput = added.get(k);
    if (!byInput) return r;
    const cells: Record<string, unknown> = { ...r.cells };
    for (const [input, list] of byInput) {
      const inline = own(cells, input.name) ?? own(cells, input.label);
      if (own(cells, input.label) !== undefined && input.label !== input.name) delete cells[input.label];
      cells[input.name] = Array.isArray(inline) ? [...inline, ...list] : inline === undefined || inline === null ? list : inline;
      if (!columns.includes(input.name)) columns.push(input.name);
    }
    return { row: r.row, cells };
  });
  return { ...table, columns, rows };
}

/**
 * Reads a unit's events for an input into its figures (`env`): the count, the sum of the points, the
 * count at each level. Each bad event is reported to `problem` (at the events file's row and column
 * for an event from there; at the unit's row and the input's column for an inline one); false if any.
 */
export function readEvents(input: CompiledInput, raw: unknown, env: Env, problem?: (p: { row?: number; file?: string; column: string; code: string; message: string }) => void): boolean {
  const f = input.figures!;
  let count = 0, sum = 0, ok = true;
  for (const slot of f.levels.values()) env[slot] = 0;
  const list = raw === undefined || raw === null || raw === '' ? [] : raw;
  if (!Array.isArray(list)) {
    problem?.({ column: '', code: 'NOT_AN_EVENT_LIST', message: `“${input.label}” 应为事件的列表（数组）` });
    return false;
  }
  for (const event of list) {
    const origin = (event as { [ORIGIN]?: Origin } | null)?.[ORIGIN];
    const where = (column: string) => (origin ? { file: origin.file, row: origin.row, column } : { column: '' });
    const bad = (column: string, code: string, message: string) => { ok = false; problem?.({ ...where(column), code, message }); };
    if (event === null || typeof event !== 'object' || Array.isArray(event)) { bad('', 'EVENT_INVALID', `“${input.label}” 的每一起事件应为对象（含 level 或 points）`); continue; }
    const e = event as Record<string, unknown>;
    const level = text(e.level), given = e.points === undefined || e.points === null || (typeof e.points === 'string' && e.points.trim() === '') ? undefined : e.points;
    if (level !== undefined && given !== undefined) { bad('points', 'EVENT_LEVEL_AND_POINTS', '一起事件只能填等级（level）或分值（points）之一，不能都填'); continue; }
    if (level === undefined && given === undefined) { bad('level', 'EVENT_NO_LEVEL_OR_POINTS', '一起事件须填等级（level）或分值（points）之一'); continue; }
    if (level !== undefined) {
      const points = input.levels ? own(input.levels, level) : undefined;
      if (points === undefined) {
        const known = Object.keys(input.levels ?? {});
        bad('level', 'UNKNOWN_LEVEL_VALUE', known.length ? `等级 “${level}” 不是 ${known.join('/')} 之一` : `“${input.label}” 没有设等级，只能按分值（points）记`);
        continue;
      }
      count++; sum += points; env[f.levels.get(level)!]++;
      continue;
    }
    const points = typeof given === 'number' ? given : typeof given === 'string' ? decimalText(given.trim()) : NaN;
    if (!input.range) { bad('points', 'EVENT_POINTS_NOT_ALLOWED', `“${input.label}” 没有设每起分值范围，只能按等级（level）记`); continue; }
    if (!Number.isFinite(points)) { bad('points', 'NOT_A_NUMBER', `分值 “${String(given)}” 不是数字`); continue; }
    const [lo, hi] = input.range;
    if (points < lo || points > hi) { bad('points', 'OUT_OF_RANGE', `分值 ${points} 超出每起 ${lo}～${hi} 分的范围`); continue; }
    count++; sum += points;
  }
  env[f.count] = count;
  env[f.sum] = sum;
  return ok;
}
