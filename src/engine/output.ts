import { roundHalfUp } from './decimal.js';
import type { CompiledRuleSet } from './compiled.js';
import type { Ranking, RankedUnit, Sanction } from './rank.js';
import { dict } from './own.js';
import type { Env } from './expression/ast.js';

/** The JSON of `appraisal score --format json`, exactly as RULES.md §6 prints it. */

export interface ScoreJson {
  ruleset: { id: string; version: string; sha256: string };
  units: UnitJson[];
  parents: Array<{ id: string; sanctions: Sanction[] }>;
}

export interface UnitJson {
  id: string;
  name: string | null;
  parent: string | null;
  total: number;
  rank: number;
  grade: string | null;
  vetoed: boolean;
  vetoes: Array<{ id: string; title: string }>;
  sanctions: Sanction[];
  bonus: number;
  penalty: number;
  scores: Record<string, number | null>;
  values: Record<string, number | null>;
  /** Version 2 (§7.10): every metric (4 decimals; null where undefined), and the unit's applicable points at precision. */
  metrics?: Record<string, number | boolean | string | null>;
  applicablePoints?: number;
}

/** The value or count behind each criterion, rounded half-up to 4 decimals; null where undefined or none. */
export function criterionValues(rs: CompiledRuleSet, u: RankedUnit, env = u.unit.env): Record<string, number | null> {
  const values = dict<number | null>();
  const scores = u.scores;
  for (const c of rs.criteria) {
    // An item that does not apply has no value either (§7.10).
    const v = c.value && scores[c.index] === scores[c.index] ? c.value(env) : NaN;
    values[c.id] = v - v === 0 ? roundHalfUp(v, 4) : null; // undefined, or beyond what a double holds: null
  }
  return values;
}

/** A unit as §6 prints it (`env`: its values, when the caller has read them already). */
export function unitJson(rs: CompiledRuleSet, u: RankedUnit, env = u.unit.env): UnitJson {
  const scores = dict<number | null>();
  for (const node of rs.nodes) { const v = u.scores[node.index]; scores[node.id] = v === v ? v : null; }
  return {
    id: u.unit.id,
    name: u.unit.name,
    parent: u.unit.parent,
    total: u.total,
    rank: u.rank,
    grade: u.grade,
    vetoed: u.vetoed,
    vetoes: u.vetoes,
    sanctions: u.sanctions,
    bonus: u.bonus,
    penalty: u.penalty,
    scores,
    values: criterionValues(rs, u, env),
    metrics: metricJson(rs, env),
    applicablePoints: roundHalfUp(u.applicablePoints, rs.precision),
  };
}

/** Every metric as §7.10 prints it: a number rounded half-up to 4 decimals, a yes/no as true/false, a grade as its text; null where undefined. */
export function metricJson(rs: CompiledRuleSet, env: Env): Record<string, number | boolean | string | null> {
  const out = dict<number | boolean | string | null>();
  for (const m of rs.metrics) {
    const v = env[m.slot];
    out[m.name] = v !== v ? null : m.type === 'boolean' ? v === 1 : m.type === 'string' ? rs.strings.text(v) ?? null : v - v === 0 ? roundHalfUp(v, 4) : null;
  }
  return out;
}

export function scoreJson(rs: CompiledRuleSet, sha256: string, ranking: Ranking): ScoreJson {
  return {
    ruleset: { id: rs.id, version: rs.version, sha256 },
    units: ranking.units.map((u) => unitJson(rs, u)),
    parents: ranking.parents,
  };
}
