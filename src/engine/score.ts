import { clamp, roundHalfUp } from './decimal.js';
import type { CompiledAdjustments, CompiledCriterion, CompiledRuleSet } from './compiled.js';
import type { Env } from './expression/ast.js';
import type { Unit } from './units.js';
import { generateScorer, vetoTable, type Scorer } from './codegen.js';

/**
 * Scoring one unit (RULES.md §1, §2, §4): each criterion by its method(s), clamped,
 * `zeroIf` and `ifUndefined` applied, rounded half-up to `precision`; groups as sums of
 * their children; bonus and penalty within their caps; the total; then the vetoes.
 * The unit's values are copied into one scratch array per rule set, so scoring
 * allocates only the scores it keeps.
 */

export interface VetoHit { id: string; title: string; }

export interface UnitScore {
  unit: Unit;
  /** Score of every node (group or criterion), in item order. */
  scores: Float64Array;
  bonus: number;
  penalty: number;
  total: number;
  /** Vetoes by condition: criteria's vetoIf in item order, then `vetoes[]` in file order. */
  vetoes: VetoHit[];
}

const NO_VETOES: VetoHit[] = [];

export function criterionScore(c: CompiledCriterion, env: Env, precision: number): number {
  if (c.zeroIf && c.zeroIf(env) === 1) return 0;
  let raw: number;
  if (c.mode === 'award') {
    const a = c.methods[0].amount(env);
    raw = a !== a ? undefinedScore(c) : clamp(a, 0, c.points);
  } else {
    let sum = 0;
    for (const m of c.methods) sum += m.amount(env); // one NaN makes the sum NaN
    raw = sum !== sum ? undefinedScore(c) : clamp(c.points - sum, 0, c.points);
  }
  return roundHalfUp(raw, precision);
}

function undefinedScore(c: CompiledCriterion): number {
  return c.ifUndefined === 'zero' ? 0 : c.points;
}

function adjustmentTotal(block: CompiledAdjustments | undefined, env: Env, precision: number): number {
  if (!block) return 0;
  let sum = 0;
  for (const item of block.items) {
    const a = item.method.amount(env);
    if (a === a) sum += roundHalfUp(a, precision); // an undefined amount counts 0
  }
  sum = roundHalfUp(sum, precision);
  return block.cap === undefined ? sum : Math.min(block.cap, sum);
}

const scratchOf = new WeakMap<CompiledRuleSet, Env>();

/** The scratch values of a unit being scored: its own values, then room for the scores. */
export function scratchFor(rs: CompiledRuleSet, unit: Unit): Env {
  let env = scratchOf.get(rs);
  if (!env) scratchOf.set(rs, (env = new Float64Array(rs.slotCount)));
  env.set(unit.env);
  return env;
}

const scorers = new WeakMap<CompiledRuleSet, { score: Scorer; vetoes: VetoHit[] }>();

/** The rule set's generated scorer (codegen.ts), made once. */
function scorerOf(rs: CompiledRuleSet): { score: Scorer; vetoes: VetoHit[] } {
  let found = scorers.get(rs);
  if (!found) scorers.set(rs, (found = { score: generateScorer(rs), vetoes: vetoTable(rs) }));
  return found;
}

export function scoreUnit(rs: CompiledRuleSet, unit: Unit, scores = new Float64Array(rs.nodes.length)): UnitScore {
  const env = scratchFor(rs, unit);
  const scorer = scorerOf(rs);
  const hits: number[] = [];
  scorer.score(env, scores, hits);
  const vetoes = hits.length === 0 ? NO_VETOES : hits.map((k) => scorer.vetoes[k]);
  return { unit, scores, bonus: env[rs.bonusSlot], penalty: env[rs.penaltySlot], total: env[rs.totalSlot], vetoes };
}

/** Scores many units, their scores in views of one buffer (no allocation of its own per unit). */
export function scoreUnits(rs: CompiledRuleSet, units: Unit[]): UnitScore[] {
  const n = rs.nodes.length;
  const buffer = new Float64Array(units.length * n);
  return units.map((u, i) => scoreUnit(rs, u, buffer.subarray(i * n, (i + 1) * n)));
}

/** The same scoring by the closures alone, one call per node: the reference the generated scorer is tested against. */
export function scoreUnitByClosures(rs: CompiledRuleSet, unit: Unit): UnitScore {
  const env = scratchFor(rs, unit);
  const p = rs.precision;
  const scores = new Float64Array(rs.nodes.length);
  for (const c of rs.criteria) {
    const s = criterionScore(c, env, p);
    scores[c.index] = s;
    env[c.slot] = s;
  }
  for (const g of rs.groupsPostOrder) {
    let sum = 0;
    for (const child of g.children) sum += scores[child];
    const s = roundHalfUp(sum, p);
    scores[g.index] = s;
    env[g.slot] = s;
  }
  let items = 0;
  for (const t of rs.top) items += scores[t];
  const bonus = adjustmentTotal(rs.bonus, env, p);
  const penalty = adjustmentTotal(rs.penalty, env, p);
  const total = Math.max(0, roundHalfUp(items + bonus - penalty, p));
  env[rs.totalSlot] = total;
  env[rs.bonusSlot] = bonus;
  env[rs.penaltySlot] = penalty;

  let vetoes = NO_VETOES;
  for (const c of rs.criteria) if (c.vetoIf && c.vetoIf(env) === 1) (vetoes === NO_VETOES ? (vetoes = []) : vetoes).push({ id: c.id, title: c.title });
  for (const v of rs.vetoes) if (v.when(env) === 1) (vetoes === NO_VETOES ? (vetoes = []) : vetoes).push({ id: v.id, title: v.title });
  return { unit, scores, bonus, penalty, total, vetoes };
}
