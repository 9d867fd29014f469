import { clamp, roundHalfUp } from './decimal.js';
import type { CompiledAdjustments, CompiledCriterion, CompiledRuleSet } from './compiled.js';
import type { Env } from './expression/ast.js';
import type { RankedUnit, Sanction } from './rank.js';
import { Unit, type ReadOptions } from './units.js';
import { generateScorer, vetoTable, type Scorer } from './codegen.js';

/**
 * Scoring one unit (RULES.md §1, §2, §4): each criterion by its method(s), clamped,
 * `zeroIf` and `ifUndefined` applied, rounded half-up to `precision`; groups as sums of
 * their children; bonus and penalty within their caps; the total; then the vetoes.
 * The unit's values are read into one scratch array per rule set, so scoring
 * allocates only what it keeps.
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
  /** The scores of the ranking's tie-break nodes, in their order. */
  ties: readonly number[];
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

/**
 * A scored unit: the unit itself (`unit` is the object itself), with its total, vetoes
 * and tie-break scores. The score of every node, the bonus and the penalty are computed
 * again from the unit's values when first asked for, unless they were kept from the
 * start: ranking 100,000 units needs only the totals, and keeping 40-odd numbers for each
 * costs more than scoring it twice. The ranking fields are set by rankUnits (rank.ts).
 */
class ScoredUnit extends Unit implements RankedUnit {
  total = 0;
  vetoes: VetoHit[] = NO_VETOES;
  ties: number[] = NO_TIES;
  rank = 0;
  vetoed = false;
  sanctions: Sanction[] = NO_SANCTIONS;
  grade: string | null = null;
  behind: number | null = null;
  detail: { scores: Float64Array; bonus: number; penalty: number } | undefined = undefined;
  readonly #rs: CompiledRuleSet;

  constructor(rs: CompiledRuleSet, ...unit: ConstructorParameters<typeof Unit>) {
    super(...unit);
    this.#rs = rs;
  }

  get unit(): Unit { return this; }
  get scores(): Float64Array { return this.#scored().scores; }
  get bonus(): number { return this.#scored().bonus; }
  get penalty(): number { return this.#scored().penalty; }

  #scored(): { scores: Float64Array; bonus: number; penalty: number } {
    return (this.detail ??= detailOf(this.#rs, this));
  }
}

const NO_SANCTIONS: Sanction[] = [];
const NO_TIES: number[] = [];

/** The rule set's generated scorer (codegen.ts) and its scratch values, made once. */
interface Scoring { score: Scorer; vetoes: VetoHit[]; env: Env; scores: Float64Array; hits: number[]; }
const scorings = new WeakMap<CompiledRuleSet, Scoring>();

function scoringOf(rs: CompiledRuleSet): Scoring {
  let found = scorings.get(rs);
  if (!found) {
    found = { score: generateScorer(rs), vetoes: vetoTable(rs), env: new Float64Array(rs.slotCount), scores: new Float64Array(rs.nodes.length), hits: [] };
    scorings.set(rs, found);
  }
  return found;
}

/** Scores one unit, keeping the score of every node (in `scores`, or a new array). */
export function scoreUnit(rs: CompiledRuleSet, unit: Unit, scores = new Float64Array(rs.nodes.length)): UnitScore {
  return scoreInto(rs, scoredCopy(rs, unit), scores, true);
}

/** Scores many units, keeping of each what ranking needs (its other scores are computed again when asked for). */
export function scoreUnits(rs: CompiledRuleSet, units: Unit[]): UnitScore[] {
  const { scores } = scoringOf(rs);
  return units.map((u) => scoreInto(rs, scoredCopy(rs, u), scores, false));
}

/** The score of every node, the bonus and the penalty of a unit, scored again from its values. */
function detailOf(rs: CompiledRuleSet, unit: Unit): { scores: Float64Array; bonus: number; penalty: number } {
  const scoring = scoringOf(rs);
  const { env, hits } = scoring;
  unit.valuesInto(env);
  hits.length = 0;
  const scores = new Float64Array(rs.nodes.length);
  scoring.score(env, scores, hits);
  return { scores, bonus: env[rs.bonusSlot], penalty: env[rs.penaltySlot] };
}

function scoredCopy(rs: CompiledRuleSet, unit: Unit): ScoredUnit {
  return new ScoredUnit(rs, unit.id, unit.name, unit.parent, unit.row, unit);
}

/**
 * Scores units as they are read (readUnits' `make` and `onUnit`): each unit made as a
 * scored unit, and scored from the values the reader has just written into the scorer's
 * own array (`scratch`), so nothing is read twice.
 */
export function scoringAsRead(rs: CompiledRuleSet): Required<Pick<ReadOptions, 'scratch' | 'onUnit' | 'make'>> & { scored: UnitScore[] } {
  const scoring = scoringOf(rs);
  const scored: UnitScore[] = [];
  return {
    scratch: scoring.env,
    scored,
    make: (...unit) => new ScoredUnit(rs, ...unit),
    onUnit: (unit, values) => { scored.push(scoreInto(rs, unit as ScoredUnit, scoring.scores, false, values === scoring.env)); },
  };
}

function scoreInto(rs: CompiledRuleSet, unit: ScoredUnit, scores: Float64Array, keep: boolean, inPlace = false): ScoredUnit {
  const scoring = scoringOf(rs);
  const { env, hits } = scoring;
  if (!inPlace) unit.valuesInto(env);
  hits.length = 0;
  scoring.score(env, scores, hits);
  if (hits.length > 0) unit.vetoes = hits.map((k) => scoring.vetoes[k]);
  const tieBreak = rs.ranking.tieBreak;
  if (tieBreak.length > 0) {
    const ties = new Array<number>(tieBreak.length);
    for (let k = 0; k < tieBreak.length; k++) ties[k] = scores[tieBreak[k]];
    unit.ties = ties;
  }
  unit.total = env[rs.totalSlot];
  if (keep) unit.detail = { scores, bonus: env[rs.bonusSlot], penalty: env[rs.penaltySlot] };
  return unit;
}

/** The same scoring by the closures alone, one call per node: the reference the generated scorer is tested against. */
export function scoreUnitByClosures(rs: CompiledRuleSet, unit: Unit): Omit<UnitScore, 'ties'> {
  const env = new Float64Array(rs.slotCount);
  unit.valuesInto(env);
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
