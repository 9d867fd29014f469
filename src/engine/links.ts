import type { Env } from './expression/ast.js';
import type { CompiledRuleSet, CompiledSource } from './compiled.js';
import { DataInvalid, type DataProblem } from './problems.js';
import type { Ranking } from './rank.js';
import { ABSENT, fieldAt, fieldMissing, fieldValue, sourceField, SourceResults, type SourceResult } from './source-fields.js';
import { text, type DataTable } from './units.js';
import { dict, recordMaker } from './own.js';
import { roundHalfUp } from './decimal.js';

/**
 * Sources (综合考核, RULES.md §7.8) and links (双线考核, their project-extension form read through
 * the unit's parent): another assessment's result for each unit becomes the row's `fp.total`,
 * `fp.rank`, `fp.<score>`, `fp.<metric>` … values. appraise finds each row's result and keeps its
 * place beside the rows (attachSource), and the readers take its fields (source-fields.ts); a run's snapshot adds them as
 * columns (sourceTable), so it holds exactly what was read, and a table that carries them is read as it is.
 */

export { SourceResults, type SourceResult } from './source-fields.js';

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
  const out: Array<[string, SourceResult]> = [];
  const scoreRecord = recordMaker<number | null>(rs.nodes.map((n) => n.id));
  const metricRecord = recordMaker<number | null>(rs.metrics.map((m) => m.name));
  for (const u of ranking.units) {
    const env = u.unit.env;
    out.push([u.unit.id, {
      total: u.total, rank: u.rank, grade: u.grade, vetoed: u.vetoed, bonus: u.bonus, penalty: u.penalty,
      applicablePoints: roundHalfUp(u.applicablePoints, rs.precision),
      scores: scoreRecord((k) => { const v = u.scores[rs.nodes[k].index]; return v === v ? v : null; }),
      metrics: metricRecord((k) => { const v = env[rs.metrics[k].slot]; return v - v === 0 ? v : null; }),
    }]);
  }
  return SourceResults.from(out);
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
  const column = rs.sources.find((s) => s.name === name)!.match === 'parent' ? 'parent' : 'id';
  const { results: read, places } = attached.attached!.get(name)!;
  const rows = table.rows.map(({ row, cells }, k) => {
    const at = places[k];
    const added = dict<unknown>();
    for (const f of fields) {
      const field = sourceField(rs, f);
      const got = at >= 0 ? fieldAt(read, at, field) : null;
      if (got === ABSENT) problems.push(fieldMissing(field, text(cells[column]), table.file, row));
      const v = got === ABSENT ? NaN : fieldValue(rs, f, got);
      added[f.name] = v !== v ? null : f.type === 'boolean' ? v === 1 : f.type === 'text' ? rs.strings.text(v) ?? null : v;
    }
    return { row, cells: { ...cells, ...added } };
  });
  const columns = [...table.columns, ...fields.map((f) => f.name).filter((c) => !table.columns.includes(c))];
  return { file: table.file, columns, rows };
}

/**
 * Attaches a source's results to the table (`attached`), with the place of each row's result in them
 * (-1: none), where the readers take its fields: a unit with no result is a problem at its row (column
 * id or parent) when the source is required, and reads undefined otherwise; a listed score or metric
 * the result lacks is found by the reading. The rows are neither copied (a row copied with nine columns
 * more is a slow object for every later read of it, and 10 KB of garbage) nor changed: the places are
 * one array beside them. For appraise; a run's snapshot keeps columns (sourceTable).
 */
export function attachSource(rs: CompiledRuleSet, table: DataTable, name: string, results: SourceResults | undefined, label: string, problems: DataProblem[]): DataTable {
  const k = rs.sources.findIndex((s) => s.name === name);
  if (k < 0 || !rs.inputs.some((i) => i.link === name)) {
    problems.push({ code: 'SOURCE_UNKNOWN', message: `细则 “${rs.id}” 没有名为 “${name}” 的来源`, file: label, row: 1, column: name });
    return table;
  }
  const source = rs.sources[k];
  const column = source.match === 'parent' ? 'parent' : 'id';
  // With the rows' keys read, a row itself is read only for a problem: 10,000 rows are as many objects far apart in memory.
  const keys = table.keys ? (column === 'parent' ? table.keys.parents : table.keys.ids) : table.rows.map((r) => text(r.cells[column]));
  const places = results ? results.placesOf(keys) : new Int32Array(keys.length).fill(-1);
  if (source.required) {
    for (let i = 0; i < places.length; i++) {
      if (places[i] < 0) problems.push({ code: 'SOURCE_MISSING', message: missingText(source, keys[i] ?? undefined, label), file: table.file, row: table.rows[i].row, column });
    }
  }
  const attached = new Map(table.attached ?? []);
  attached.set(name, { results: results ?? NO_RESULTS, places });
  return { ...table, attached };
}

const NO_RESULTS = SourceResults.from([]);

function missingText(source: CompiledSource, key: string | undefined, label: string): string {
  if (key === undefined) return source.match === 'parent' ? `没有填写所属单位（parent），无法读取${label}的结果` : '缺少单位编号';
  return `${label}中没有单位 “${key}” 的考核结果`;
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
  const out: Array<[string, SourceResult]> = [];
  units.forEach((u: unknown, k) => {
    if (u === null || typeof u !== 'object' || Array.isArray(u)) throw bad(`第${k + 1}个单位不是对象`);
    const r = u as Record<string, unknown>;
    const id = typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : undefined;
    if (id === undefined) throw bad(`第${k + 1}个单位没有编号 id`);
    const object = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.assign(dict<never>(), v) : undefined);
    const number = (v: unknown) => (typeof v === 'number' ? v : v === null || v === undefined ? NaN : Number(v));
    out.push([id, {
      total: number(r.total), rank: number(r.rank), grade: typeof r.grade === 'string' ? r.grade : null, vetoed: r.vetoed === true,
      bonus: number(r.bonus ?? 0), penalty: number(r.penalty ?? 0),
      applicablePoints: r.applicablePoints === undefined ? undefined : number(r.applicablePoints),
      scores: object(r.scores), metrics: object(r.metrics),
    }]);
  });
  return SourceResults.from(out);
}
