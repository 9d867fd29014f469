import type { Env } from './expression/ast.js';
import type { CompiledRuleSet } from './compiled.js';
import { DataInvalid, type DataProblem } from './problems.js';
import type { Ranking } from './rank.js';
import type { DataTable } from './units.js';
import { dict, own } from './own.js';

/**
 * Links between tracks (双线考核, rules/README.md): a staff row's `parent` names the unit it
 * serves, and that unit's results become the row's `village.total`, `village.rank`, …
 * columns. Linking only adds columns; the engine then checks and scores them like any
 * input, so a run's snapshot holds exactly what was linked.
 */

export interface LinkedResult {
  total: number;
  rank: number;
  grade: string | null;
  vetoed: boolean;
  bonus: number;
  penalty: number;
  metrics?: Record<string, number | null>;
}

/** A unit's metric values by name (what a linked track may read as village.<metric>); null where undefined. */
export function metricValues(rs: CompiledRuleSet, env: Env): Record<string, number | null> {
  const out = dict<number | null>();
  for (const m of rs.metrics) {
    const v = env[m.slot];
    out[m.name] = v - v === 0 ? v : null; // undefined, or beyond what a double holds: null
  }
  return out;
}

/** The results a ranking gives to link to, with every metric of the rule set that made it. */
export function linkedResultsOf(rs: CompiledRuleSet, ranking: Ranking): Map<string, LinkedResult> {
  const out = new Map<string, LinkedResult>();
  for (const u of ranking.units) {
    out.set(u.unit.id, { total: u.total, rank: u.rank, grade: u.grade, vetoed: u.vetoed, bonus: u.bonus, penalty: u.penalty, metrics: metricValues(rs, u.unit.env) });
  }
  return out;
}

/** Adds the link's columns to every row from the result of the row's parent; every row without one is reported. */
export function linkTable(rs: CompiledRuleSet, table: DataTable, link: string, results: Map<string, LinkedResult>, source: string): DataTable {
  const fields = rs.inputs.filter((i) => i.link === link);
  if (fields.length === 0) {
    throw new DataInvalid([{ code: 'LINK_UNKNOWN', message: `规则集 “${rs.id}” 没有名为 “${link}” 的关联`, file: source, row: 1, column: link }]);
  }
  const problems: DataProblem[] = [];
  const rows = table.rows.map(({ row, cells }) => {
    const parent = cells.parent === undefined || cells.parent === null ? '' : String(cells.parent).trim();
    const linked = results.get(parent);
    if (!linked) {
      problems.push({ code: 'LINK_MISSING', message: parent ? `所关联的单位 “${parent}” 在 ${source} 中没有考核结果` : '没有填写所服务的单位（parent），无法关联其考核结果', file: table.file, row, column: 'parent' });
      return { row, cells };
    }
    const added = dict<unknown>();
    for (const f of fields) {
      const key = f.name.slice(link.length + 1);
      const v = LINKED_KEYS.has(key) ? linked[key as LinkedKey] : own(linked.metrics, key);
      added[f.name] = v === undefined ? null : v;
    }
    return { row, cells: { ...cells, ...added } };
  });
  if (problems.length) throw new DataInvalid(problems);
  return { file: table.file, columns: [...table.columns, ...fields.map((f) => f.name)], rows };
}

type LinkedKey = 'total' | 'rank' | 'grade' | 'vetoed' | 'bonus' | 'penalty';
const LINKED_KEYS = new Set<string>(['total', 'rank', 'grade', 'vetoed', 'bonus', 'penalty'] satisfies LinkedKey[]);

/** The results in the JSON that `appraisal score --format json` prints (RULES.md §6), to link to. */
export function linkedResultsFromScoreJson(doc: unknown, source: string): Map<string, LinkedResult> {
  const units = (doc as { units?: unknown })?.units;
  if (!Array.isArray(units)) {
    throw new DataInvalid([{ code: 'DATA_SYNTAX', message: '关联文件应为 appraisal score --format json 的输出（含 units 数组）', file: source, row: 1, column: '' }]);
  }
  const out = new Map<string, LinkedResult>();
  for (const u of units as Array<Record<string, unknown>>) {
    out.set(String(u.id), {
      total: Number(u.total), rank: Number(u.rank), grade: (u.grade as string | null) ?? null, vetoed: Boolean(u.vetoed),
      bonus: Number(u.bonus ?? 0), penalty: Number(u.penalty ?? 0), metrics: (u.metrics as Record<string, number | null> | undefined) ?? undefined,
    });
  }
  return out;
}
