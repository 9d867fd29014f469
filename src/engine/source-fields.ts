import type { CompiledInput, CompiledRuleSet, CompiledSource } from './compiled.js';
import type { DataProblem } from './problems.js';

/**
 * How a source's result (RULES.md §7.8) is read field by field: what each field of a rule set's
 * sources is, worked out once a rule set; the value a field gives a unit; and the key under which
 * appraise puts a row's result on its cells (links.ts attachSource), where the generated reader
 * (codegen.ts) and the general one (units.ts) read it. Depends on nothing but the compiled rule set.
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

/** What a result lacks: a listed score or metric it does not have (a data problem; null is undefined). */
export const ABSENT = Symbol('absent');

/** What a field of a result is. */
export const enum Field { Total, Rank, Grade, Vetoed, Bonus, Penalty, ApplicablePoints, Score, Metric, Other }

/** A source's field as an input of the rule set reads it: the source (its place in rs.sources), the field's kind and key. */
export interface SourceField { source: CompiledSource; k: number; kind: Field; key: string }

/** The key of the result of source k on a row's cells: a result, or null where the unit has none. No data file can spell it. */
const KEYS: symbol[] = [];
export function sourceKey(k: number): symbol {
  return (KEYS[k] ??= Symbol(`source ${k}`));
}

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

/**
 * The same text as a property name the engine has seen before: a name cut from a longer one is a
 * string of its own, and every lookup by it would first look up its twin.
 */
function interned(key: string): string {
  return Object.keys({ [key]: 0 })[0];
}

const fieldsOf = new WeakMap<CompiledRuleSet, Map<CompiledInput, SourceField>>();

/** The source field an input reads (an input whose `link` names a source of the rule set). */
export function sourceField(rs: CompiledRuleSet, input: CompiledInput): SourceField {
  let fields = fieldsOf.get(rs);
  if (!fields) {
    fields = new Map();
    for (const i of rs.inputs) {
      const k = rs.sources.findIndex((s) => s.name === i.link);
      if (k < 0) continue;
      const key = interned(i.name.slice(rs.sources[k].name.length + 1));
      fields.set(i, { source: rs.sources[k], k, kind: fieldKind(rs.sources[k], key), key });
    }
    fieldsOf.set(rs, fields);
  }
  return fields.get(input)!;
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

/** A field of a result as the cell of its column would hold it; ABSENT for a listed score or metric the result lacks. */
export function fieldOf(result: SourceResult, field: SourceField): unknown {
  switch (field.kind) {
    case Field.Total: return result.total;
    case Field.Rank: return result.rank;
    case Field.Grade: return result.grade;
    case Field.Vetoed: return result.vetoed;
    case Field.Bonus: return result.bonus;
    case Field.Penalty: return result.penalty;
    case Field.ApplicablePoints: return result.applicablePoints === undefined || !Number.isFinite(result.applicablePoints) ? null : result.applicablePoints;
    case Field.Score: return listed(result.scores, field.key);
    case Field.Metric: return listed(result.metrics, field.key);
  }
  const v = Object.hasOwn(result, field.key) ? (result as unknown as Record<string, unknown>)[field.key] : undefined;
  return v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v; // absent or null: undefined
}

/** A field's value as one of the unit's values: a figure, yes/no as 1/0, text by its id; NaN (undefined) for anything else. */
export function fieldValue(rs: CompiledRuleSet, input: CompiledInput, v: unknown): number {
  return typeof v === 'number' ? v
    : typeof v === 'boolean' ? (v ? 1 : 0)
    : typeof v === 'string' && input.type === 'text' ? rs.strings.id(v)
    : NaN; // absent, null, or not a figure: undefined
}

/** A listed score or metric a unit's result lacks: a problem at the unit's row, in the column that names the unit (id, or parent). */
export function fieldMissing(field: SourceField, key: string | undefined, file: string, row: number): DataProblem {
  const what = field.kind === Field.Score ? `“${field.key}”的得分` : `指标 “${field.key}”`;
  const column = field.source.match === 'parent' ? 'parent' : 'id';
  return { code: 'SOURCE_FIELD_MISSING', message: `${field.source.label}中单位 “${key}” 的结果没有${what}`, file, row, column };
}
