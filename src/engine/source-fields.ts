import type { CompiledInput, CompiledRuleSet, CompiledSource } from './compiled.js';
import type { DataProblem } from './problems.js';
import { Kind, type Column, type SourceResults } from './source-results.js';

export { SourceResults, type SourceResult } from './source-results.js';

/**
 * How a source's result (RULES.md §7.8) is read field by field: what each field of a rule set's
 * sources is, worked out once a rule set; and the value a field gives a unit, as the generated reader
 * (codegen.ts) and the general one (units.ts) read it from the source's columns (source-results.ts) at
 * the place of the row's result (links.ts attachSource). Depends on nothing but the compiled rule set.
 */

/** What a result lacks: a listed score or metric it does not have (a data problem; null is undefined). */
export const ABSENT = Symbol('absent');

/** What a field of a result is. */
export const enum Field { Total, Rank, Grade, Vetoed, Bonus, Penalty, ApplicablePoints, Score, Metric, Other }

/** A source's field as an input of the rule set reads it: the source (its place in rs.sources), the field's kind and key. */
export interface SourceField { source: CompiledSource; k: number; kind: Field; key: string }

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

/** The column a field of a source's results is read from (none for a name that is no field). */
export function columnOf(results: SourceResults, field: SourceField): Column | undefined {
  switch (field.kind) {
    case Field.Total: return results.fixed('total');
    case Field.Rank: return results.fixed('rank');
    case Field.Grade: return results.fixed('grade');
    case Field.Vetoed: return results.fixed('vetoed');
    case Field.Bonus: return results.fixed('bonus');
    case Field.Penalty: return results.fixed('penalty');
    case Field.ApplicablePoints: return results.fixed('applicablePoints');
    case Field.Score: return results.listed('scores', field.key);
    case Field.Metric: return results.listed('metrics', field.key);
  }
  return undefined;
}

/**
 * A field of the result at place i as the cell of its column would hold it: a listed score or metric
 * is a figure, yes/no, text or null, and ABSENT when the result lacks it (or holds anything else there);
 * applicablePoints beyond a figure is null.
 */
export function fieldAt(results: SourceResults, i: number, field: SourceField): unknown {
  const column = columnOf(results, field);
  if (column === undefined) return null; // no such field: undefined
  const kind = column.kinds[i] as Kind;
  if (field.kind === Field.Score || field.kind === Field.Metric) return kind === Kind.Missing || kind === Kind.Other ? ABSENT : column.value(i);
  if (field.kind === Field.ApplicablePoints) return kind === Kind.Number && Number.isFinite(column.numbers[i]) ? column.numbers[i] : null;
  return column.value(i);
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
