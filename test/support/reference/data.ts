import { compare } from './decimal.js';
import type { ReferenceEvent } from './expression.js';

/**
 * RULES.md §6, §7.6: the data rows (JSON) and the events rows read by hand. Rows are numbered as in the CSV
 * the JSON stands for: the header is row 1, the first unit row 2.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- rule files and data are untyped JSON here */
export type Json = any;

export interface DataProblem { row: number; column: string | null; code: string }

/** An events row of `--events FILE` (row numbered in that file). */
export interface EventRow { row: number; unit: string; input: string; level?: string; points?: number | string; [k: string]: unknown }

export interface UnitRow {
  row: number;
  id: string;
  name: string | null;
  parent: string | null;
  values: Map<string, number | boolean | string | ReferenceEvent[]>;
  /** false when a cell of the row is bad: its checks are not evaluated. */
  clean: boolean;
}

export class ReferenceDataInvalid extends Error {
  constructor(readonly problems: DataProblem[]) {
    super(problems.map((p) => `row ${p.row} ${p.column ?? ''} ${p.code}`).join('; '));
  }
}

export function own(object: Json, key: string): unknown {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return undefined;
  return Object.prototype.hasOwnProperty.call(object, key) ? Object.getOwnPropertyDescriptor(object, key)?.value : undefined;
}

export function entries(object: Json): Array<[string, Json]> {
  return object && typeof object === 'object' ? Object.keys(object).map((k) => [k, own(object, k)]) : [];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/u;
const TRUE = ['1', 'true', '是'];
const FALSE = ['0', 'false', '否'];

function blank(cell: unknown): boolean {
  return cell === undefined || cell === null || (typeof cell === 'string' && cell.trim() === '');
}

/**
 * The cell of an input in a row: by name, else by label; under `inputs` before the top level
 * (a row that has both is not something RULES.md speaks of: this is the order the engine reads).
 */
function cellOf(row: Json, name: string, label: string | undefined): { key: string; cell: unknown } | undefined {
  const places = [own(row, 'inputs'), row].filter((p) => p && typeof p === 'object' && !Array.isArray(p));
  for (const key of label === undefined ? [name] : [name, label]) {
    for (const place of places) {
      if (Object.prototype.hasOwnProperty.call(place, key)) return { key, cell: own(place, key) };
    }
  }
  return undefined;
}

type Cell = { value: number | boolean | string } | { code: string };

function readCell(input: Json, cell: unknown): Cell {
  const type = own(input, 'type');
  if (type === 'boolean') {
    if (cell === true || cell === false) return { value: cell };
    const text = String(cell).trim().toLowerCase();
    if (typeof cell === 'number' || typeof cell === 'string') {
      if (TRUE.includes(text)) return { value: true };
      if (FALSE.includes(text)) return { value: false };
    }
    return { code: 'NOT_A_BOOLEAN' };
  }
  if (type === 'grade') {
    // A grade is text: a JSON number is no grade even where a grade is spelled with digits (as the engine reads it).
    const text = typeof cell === 'string' ? cell.trim() : undefined;
    const grades = (own(input, 'grades') ?? []) as string[];
    return text !== undefined && grades.includes(text) ? { value: text } : { code: 'UNKNOWN_GRADE_VALUE' };
  }
  let value: number;
  if (typeof cell === 'number') value = cell;
  else if (typeof cell === 'string' && NUMBER.test(cell.trim())) value = Number(cell.trim());
  else return { code: 'NOT_A_NUMBER' };
  if (!Number.isFinite(value)) return { code: 'NOT_A_NUMBER' };
  if (type === 'integer' && !Number.isInteger(value)) return { code: 'NOT_AN_INTEGER' };
  const min = own(input, 'min') as number | undefined;
  const max = own(input, 'max') as number | undefined;
  if ((min !== undefined && compare(value, min) < 0) || (max !== undefined && compare(value, max) > 0)) return { code: 'OUT_OF_RANGE' };
  return { value };
}

/** §7.6: one event, by `level` or by `points` within `range`; the problem's column, or the event. */
export function readEvent(input: Json, level: unknown, points: unknown): ReferenceEvent | { column: string; code: string } {
  const levels = own(input, 'levels') as Record<string, number> | undefined;
  const range = own(input, 'range') as [number, number] | undefined;
  const hasLevel = !blank(level);
  const hasPoints = !blank(points);
  if (hasLevel && hasPoints) return { column: 'points', code: 'EVENT_LEVEL_AND_POINTS' };
  if (!hasLevel && !hasPoints) return { column: 'level', code: 'EVENT_NO_LEVEL_OR_POINTS' };
  if (hasLevel) {
    const name = String(level).trim();
    if (!levels || !Object.prototype.hasOwnProperty.call(levels, name)) return { column: 'level', code: 'UNKNOWN_LEVEL_VALUE' };
    return { level: name, points: own(levels, name) as number };
  }
  if (!range) return { column: 'points', code: 'EVENT_POINTS_NOT_ALLOWED' };
  const value = typeof points === 'number' ? points : typeof points === 'string' && NUMBER.test(points.trim()) ? Number(points.trim()) : NaN;
  if (!Number.isFinite(value)) return { column: 'points', code: 'NOT_A_NUMBER' };
  if (compare(value, range[0]) < 0 || compare(value, range[1]) > 0) return { column: 'points', code: 'OUT_OF_RANGE' };
  return { points: value };
}

/** Every unit row and every problem of the data and the events rows (§6, §7.6). */
export function readData(rules: Json, data: Json[], events: EventRow[]): { units: UnitRow[]; problems: DataProblem[]; absentColumns: Set<string> } {
  const problems: DataProblem[] = [];
  const inputs = entries(own(rules, 'inputs'));
  if (!data.some((row) => own(row, 'id') !== undefined)) {
    return { units: [], problems: [{ row: 1, column: 'id', code: 'MISSING_ID_COLUMN' }], absentColumns: new Set() };
  }
  const absentColumns = new Set<string>();
  // A problem names the input's column as the data's header spells it: its name if any row has that key,
  // else its label (as the engine does; RULES.md does not say).
  const hasKey = (key: string): boolean => data.some((row) => [own(row, 'inputs'), row].some((p) => p && typeof p === 'object' && Object.prototype.hasOwnProperty.call(p, key)));
  const header = new Map<string, string>(inputs.map(([name, input]) => [name, !hasKey(name) && typeof own(input, 'label') === 'string' && hasKey(own(input, 'label') as string) ? own(input, 'label') as string : name]));
  for (const [name, input] of inputs) {
    if (own(input, 'type') === 'events' || own(input, 'default') !== undefined) continue;
    if (!data.some((row) => cellOf(row, name, own(input, 'label') as string | undefined) !== undefined)) {
      absentColumns.add(name);
      problems.push({ row: 1, column: name, code: 'MISSING_COLUMN' });
    }
  }
  const units: UnitRow[] = [];
  const seen = new Set<string>();
  data.forEach((source, index) => {
    const row = index + 2;
    const rawId = own(source, 'id');
    let clean = true;
    if (blank(rawId)) { problems.push({ row, column: 'id', code: 'MISSING_VALUE' }); clean = false; }
    const id = blank(rawId) ? '' : String(rawId).trim();
    // A later row of a used id is reported, and its checks are not evaluated (as the engine does).
    if (id !== '' && seen.has(id)) { problems.push({ row, column: 'id', code: 'DUPLICATE_UNIT_ID' }); clean = false; }
    seen.add(id);
    const name = own(source, 'name');
    const parent = own(source, 'parent');
    const values = new Map<string, number | boolean | string | ReferenceEvent[]>();
    for (const [inputName, input] of inputs) {
      const found = cellOf(source, inputName, own(input, 'label') as string | undefined);
      const column = header.get(inputName) as string;
      if (own(input, 'type') === 'events') {
        const list: ReferenceEvent[] = [];
        if (found && found.cell !== undefined && found.cell !== null) {
          // An inline event's problem is at the key this row wrote its events under, name or label (§7.6).
          if (!Array.isArray(found.cell)) { problems.push({ row, column: found.key, code: 'NOT_AN_EVENT_LIST' }); clean = false; }
          else {
            for (const event of found.cell) {
              const read = readEvent(input, own(event, 'level'), own(event, 'points'));
              if ('code' in read) { problems.push({ row, column: found.key, code: read.code }); clean = false; } else list.push(read);
            }
          }
        }
        values.set(inputName, list);
        continue;
      }
      // An absent column is one problem at the header; the rows' checks still run (as the engine does).
      if (absentColumns.has(inputName)) continue;
      if (!found || blank(found.cell)) {
        const fallback = own(input, 'default');
        if (fallback !== undefined) values.set(inputName, fallback as number | boolean | string);
        else { problems.push({ row, column, code: 'MISSING_VALUE' }); clean = false; }
        continue;
      }
      const read = readCell(input, found.cell);
      if ('code' in read) { problems.push({ row, column, code: read.code }); clean = false; } else values.set(inputName, read.value);
    }
    units.push({ row, id, name: blank(name) ? null : String(name), parent: blank(parent) ? null : String(parent).trim(), values, clean });
  });

  const byId = new Map<string, UnitRow>();
  for (const unit of units) if (!byId.has(unit.id)) byId.set(unit.id, unit);
  for (const event of events) {
    const unit = byId.get(String(event.unit ?? '').trim());
    const inputName = String(event.input ?? '').trim();
    const input = inputs.find(([n, i]) => own(i, 'type') === 'events' && (n === inputName || own(i, 'label') === inputName));
    if (!unit) problems.push({ row: event.row, column: 'unit', code: 'EVENT_UNKNOWN_UNIT' });
    if (!input) problems.push({ row: event.row, column: 'input', code: 'EVENT_UNKNOWN_INPUT' });
    if (!unit || !input) continue;
    const read = readEvent(input[1], event.level, event.points);
    if ('code' in read) { problems.push({ row: event.row, column: read.column, code: read.code }); unit.clean = false; continue; }
    (unit.values.get(input[0]) as ReferenceEvent[]).push(read);
  }
  return { units, problems, absentColumns };
}
