import type { Env } from './expression/ast.js';
import type { CompiledRuleSet, CompiledSource } from './compiled.js';
import { DataInvalid, type DataProblem } from './problems.js';
import type { Ranking } from './rank.js';
import { RowValues, SOURCE_VALUES, text, type DataTable } from './units.js';
import { dict, recordMaker } from './own.js';
import { roundHalfUp } from './decimal.js';

/**
 * Sources (综合考核, RULES.md §7.8) and links (双线考核, their project-extension form read through
 * the unit's parent): another assessment's result for each unit becomes the row's `fp.total`,
 * `fp.rank`, `fp.<score>`, `fp.<metric>` … columns. Reading a source only adds columns; the engine
 * then checks and scores them like any input, so a run's snapshot holds exactly what was read.
 * A table that already carries a source's columns (a snapshot) is read as it is.
 */

/** A unit's result in another assessment, as a source reads it. */
export interface SourceResult {
  total: number;
  rank: number;
  grade: string | null;
  vetoed: boolean;
  bonus: number;
  penalty: number;
  /** Absent for a version-1 result: then `<s>.applicablePoints` is undefined. */
  applicablePoints?: number;
  scores?: Record<string, number | null>;
  metrics?: Record<string, number | boolean | string | null>;
}

/** The results of one assessment, by unit id. */
export type SourceResults = Map<string, SourceResult>;

/** A unit's metric values by name (what another assessment may read as fp.<metric>); null where undefined. */
export function metricValues(rs: CompiledRuleSet, env: Env): Record<string, number | null> {
  const out = dict<number | null>();
  for (const m of rs.metrics) {
    const v = env[m.slot];
    out[m.name] = v - v === 0 ? v : null; // undefined, or beyond what a double holds: null
  }
  return out;
}

/** The results a ranking gives to read as a source, with every score and metric of the rule set that made it. */
export function sourceResultsOf(rs: CompiledRuleSet, ranking: Ranking): SourceResults {
  const out: SourceResults = new Map();
  const scoreRecord = recordMaker<number | null>(rs.nodes.map((n) => n.id));
  const metricRecord = recordMaker<number | null>(rs.metrics.map((m) => m.name));
  for (const u of ranking.units) {
    const env = u.unit.env;
    out.set(u.unit.id, {
      total: u.total, rank: u.rank, grade: u.grade, vetoed: u.vetoed, bonus: u.bonus, penalty: u.penalty,
      applicablePoints: roundHalfUp(u.applicablePoints, rs.precision),
      scores: scoreRecord((k) => { const v = u.scores[rs.nodes[k].index]; return v === v ? v : null; }),
      metrics: metricRecord((k) => { const v = env[rs.metrics[k].slot]; return v - v === 0 ? v : null; }),
    });
  }
  return out;
}

/** Whether a table already carries a source's columns (a run's snapshot does). */
export function carriesSource(rs: CompiledRuleSet, table: DataTable, source: string): boolean {
  const fields = rs.inputs.filter((i) => i.link === source);
  return fields.length > 0 && fields.every((f) => table.columns.includes(f.name));
}

/**
 * Adds a source's columns to every row from the result of the unit it reads (the row's own id, or its
 * parent): a unit with no result is a problem at its row (column id or parent) when the source is
 * required, and reads undefined otherwise; so is a listed score or metric the result lacks.
 * `results` undefined: the source was given nothing, and every unit lacks a result.
 */
export function sourceTable(rs: CompiledRuleSet, table: DataTable, name: string, results: SourceResults | undefined, label: string, problems: DataProblem[]): DataTable {
  const attached = attachSource(rs, table, name, results, label, problems);
  if (attached === table) return table; // no such source: reported
  const fields = rs.inputs.filter((i) => i.link === name);
  const rows = table.rows.map(({ row, cells }) => {
    const values = (cells as { [SOURCE_VALUES]?: RowValues })[SOURCE_VALUES]!;
    const added = dict<unknown>();
    for (const f of fields) {
      const v = values.get(f.sourceIndex!);
      added[f.name] = v !== v ? null : f.type === 'boolean' ? v === 1 : f.type === 'text' ? rs.strings.text(v) ?? null : v;
    }
    return { row, cells: { ...cells, ...added } };
  });
  const columns = [...table.columns, ...fields.map((f) => f.name).filter((c) => !table.columns.includes(c))];
  return { file: table.file, columns, rows };
}

/**
 * Puts a source's values on every row (SOURCE_VALUES), as sourceTable adds them as columns, with the
 * same problems: the rows are not copied (a row copied with nine columns more is a slow object for
 * every later read of it, and 10 KB of garbage). For appraise; a run's snapshot keeps columns.
 */
export function attachSource(rs: CompiledRuleSet, table: DataTable, name: string, results: SourceResults | undefined, label: string, problems: DataProblem[]): DataTable {
  const source = rs.sources.find((s) => s.name === name);
  const fields = rs.inputs.filter((i) => i.link === name);
  if (!source || fields.length === 0) {
    problems.push({ code: 'SOURCE_UNKNOWN', message: `细则 “${rs.id}” 没有名为 “${name}” 的来源`, file: label, row: 1, column: name });
    return table;
  }
  const column = source.match === 'parent' ? 'parent' : 'id';
  const keys = fields.map((f) => interned(f.name.slice(name.length + 1)));
  const kinds = keys.map((key) => fieldKind(source, key));
  const places = fields.map((f) => f.sourceIndex!);
  const texts = fields.map((f) => f.type === 'text');
  const width = rs.sourceWidth;
  // One array for every row's values, each row a view of its part (values of other sources kept).
  const all = new Float64Array(table.rows.length * width).fill(NaN);
  const others = rs.sources.length > 1;
  for (let i = 0; i < table.rows.length; i++) {
    const { row, cells } = table.rows[i];
    const held = cells as { [SOURCE_VALUES]?: RowValues };
    const at = i * width;
    const mine = new RowValues(all, at);
    const before = held[SOURCE_VALUES];
    if (others && before && before.all.length === all.length) before.copyTo(mine, width);
    held[SOURCE_VALUES] = mine;
    const key = text(cells[column]);
    const result = key === undefined ? undefined : results?.get(key);
    if (!result) {
      if (source.required) problems.push({ code: 'SOURCE_MISSING', message: missingText(source, key, label), file: table.file, row, column });
      for (let k = 0; k < places.length; k++) all[at + places[k]] = NaN;
      continue;
    }
    for (let k = 0; k < kinds.length; k++) {
      const v = fieldOf(result, kinds[k], keys[k]);
      if (v === ABSENT) {
        const what = kinds[k] === Field.Score ? `“${keys[k]}”的得分` : `指标 “${keys[k]}”`;
        problems.push({ code: 'SOURCE_FIELD_MISSING', message: `${label}中单位 “${key}” 的结果没有${what}`, file: table.file, row, column });
        all[at + places[k]] = NaN;
        continue;
      }
      all[at + places[k]] = typeof v === 'number' ? v
        : typeof v === 'boolean' ? (v ? 1 : 0)
        : typeof v === 'string' && texts[k] ? rs.strings.id(v)
        : NaN; // absent, null, or not a figure: undefined
    }
  }
  const attached = new Set(table.attached ?? []);
  attached.add(name);
  return { ...table, attached };
}

function missingText(source: CompiledSource, key: string | undefined, label: string): string {
  if (key === undefined) return source.match === 'parent' ? `没有填写所属单位（parent），无法读取${label}的结果` : '缺少单位编号';
  return `${label}中没有单位 “${key}” 的考核结果`;
}

/** What a result lacks: a listed score or metric it does not have (a data problem; null is undefined). */
const ABSENT = Symbol('absent');

/** What a field of a result is, worked out once a source (not once a row). */
const enum Field { Total, Rank, Grade, Vetoed, Bonus, Penalty, ApplicablePoints, Score, Metric, Other }

function fieldKind(source: CompiledSource, field: string): Field {
  switch (field) { // the fields every result has, before the listed scores and metrics
    case 'total': return Field.Total;
    case 'rank': return Field.Rank;
    case 'grade': return Field.Grade;
    case 'vetoed': return Field.Vetoed;
    case 'bonus': return Field.Bonus;
    case 'penalty': return Field.Penalty;
    case 'applicablePoints': return Field.ApplicablePoints;
  }
  return source.scores.includes(field) ? Field.Score : source.metrics.includes(field) ? Field.Metric : Field.Other;
}

/** A field of a result as the cell of its column; ABSENT for a listed score or metric the result lacks. */
function fieldOf(result: SourceResult, kind: Field, field: string): unknown {
  switch (kind) {
    case Field.Total: return result.total;
    case Field.Rank: return result.rank;
    case Field.Grade: return result.grade;
    case Field.Vetoed: return result.vetoed;
    case Field.Bonus: return result.bonus;
    case Field.Penalty: return result.penalty;
    case Field.ApplicablePoints: return result.applicablePoints === undefined || !Number.isFinite(result.applicablePoints) ? null : result.applicablePoints;
    case Field.Score: return listed(result.scores, field);
    case Field.Metric: return listed(result.metrics, field);
  }
  const v = Object.hasOwn(result, field) ? (result as unknown as Record<string, unknown>)[field] : undefined;
  return v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v; // absent or null: undefined
}

/**
 * A listed score's or metric's value: a figure, yes/no, text or null the result has; ABSENT for
 * anything else, which is all a prototype can lend (Object.prototype holds functions and objects).
 */
function listed(table: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  if (table === undefined || table === null) return ABSENT;
  const v = table[key];
  return v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? v : ABSENT;
}

/**
 * The same text as a property name the engine has seen before: a name cut from a longer one is a
 * string of its own, and every lookup by it would first look up its twin.
 */
function interned(key: string): string {
  return Object.keys({ [key]: 0 })[0];
}

/** For callers of version 1: a link's columns added, its problems thrown at once. */
export function linkTable(rs: CompiledRuleSet, table: DataTable, link: string, results: SourceResults, label: string): DataTable {
  const problems: DataProblem[] = [];
  const out = sourceTable(rs, table, link, results, label, problems);
  if (problems.length) throw new DataInvalid(problems);
  return out;
}

/** The results in the JSON that `appraisal score --format json` prints (RULES.md §6, §7.10), to read as a source. */
export function sourceResultsFromScoreJson(doc: unknown, file: string): SourceResults {
  const units = (doc as { units?: unknown })?.units;
  const bad = (message: string) => new DataInvalid([{ code: 'DATA_SYNTAX', message, file, row: 1, column: '' }]);
  if (!Array.isArray(units)) throw bad('来源文件应为 appraisal score --format json 的输出（含 units 数组）');
  const out: SourceResults = new Map();
  units.forEach((u: unknown, k) => {
    if (u === null || typeof u !== 'object' || Array.isArray(u)) throw bad(`第${k + 1}个单位不是对象`);
    const r = u as Record<string, unknown>;
    const id = typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : undefined;
    if (id === undefined) throw bad(`第${k + 1}个单位没有编号 id`);
    const object = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.assign(dict<never>(), v) : undefined);
    const number = (v: unknown) => (typeof v === 'number' ? v : v === null || v === undefined ? NaN : Number(v));
    out.set(id, {
      total: number(r.total), rank: number(r.rank), grade: typeof r.grade === 'string' ? r.grade : null, vetoed: r.vetoed === true,
      bonus: number(r.bonus ?? 0), penalty: number(r.penalty ?? 0),
      applicablePoints: r.applicablePoints === undefined ? undefined : number(r.applicablePoints),
      scores: object(r.scores), metrics: object(r.metrics),
    });
  });
  return out;
}
