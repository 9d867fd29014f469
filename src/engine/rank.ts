import { round9 } from './decimal.js';
import type { CompiledRuleSet, CompiledSanction } from './compiled.js';
import type { Outcome } from './ruleset.js';
import { batchColumns, scoreAgainInto, type ScoredRows, type UnitScore } from './score.js';
import { parentRuns } from './units.js';
import { compareIds } from './id-index.js';
import type { Compiled } from './expression/compile.js';

/**
 * Ranking and sanctions (RULES.md §5): order within each scope, competition ranks
 * (1, 2, 2, 4), sanctions by rank level (排名最后一票否决、倒数第二通报批评), grades, and
 * the joint liability of parents whose children are vetoed by a condition (连带责任).
 */

export interface Sanction { outcome: Outcome['outcome']; label: string; }

export interface RankedUnit extends UnitScore {
  rank: number;
  /** Vetoed by a condition or by a rank sanction. */
  vetoed: boolean;
  sanctions: Sanction[];
  grade: string | null;
  /** Points behind the unit ranked just above it in its scope (null for the first). */
  readonly behind: number | null;
  /** Sets the unit ranked just above it (the last of the level before; null for the first level), whose total gives `behind`. */
  setAbove(unit: RankedUnit | null): void;
}

/** No sanction: one shared empty list (most units have none); a sanction gives the unit a list of its own. */
const NONE: Sanction[] = [];

export interface ParentResult { id: string; sanctions: Sanction[]; }

export interface Ranking { units: RankedUnit[]; parents: ParentResult[]; }


/**
 * Ranks scored units: the list given is left as it is, the ranked units listed anew.
 *
 * What ranking compares (each unit's total, whether a condition vetoed it, its tie-breaks, its
 * parent) is in typed arrays (RankColumns: the units' batch's own, or read from each unit once),
 * and the units are ordered as positions in the list given: the sort compares numbers, not the
 * units' getters, and each unit is given once its rank, the unit above it, its vetoed, sanctions
 * and grade.
 */
export function rankUnits(rs: CompiledRuleSet, scored: UnitScore[]): Ranking {
  const n = scored.length;
  const columns = batchColumns(rs, scored) ?? unitColumns(rs, scored as RankedUnit[]);
  const { order, parents } = rankPlaces(rs, n, columns, { idOf: (x) => scored[x].unit.id, unitOf: (x) => scored[x] });
  // The score becomes the ranked unit: no copy of 100,000 objects.
  const ranked = scored as RankedUnit[];
  const units = new Array<RankedUnit>(n);
  for (let i = 0; i < n; i++) units[i] = ranked[order[i]];
  return { units, parents };
}

/**
 * Ranks units scored as their rows were read and kept in their batch (score.ts ScoredRows): ranked in
 * the batch's arrays, and each unit's object made once, in ranked order, here at the end.
 */
export function rankScored(rs: CompiledRuleSet, scored: ScoredRows): Ranking {
  const n = scored.size;
  const { order, parents } = rankPlaces(rs, n, scored.columns(), { idOf: (x) => scored.idAt(x), unitOf: (x) => scored.unitAt(x) });
  const units = new Array<RankedUnit>(n);
  for (let i = 0; i < n; i++) units[i] = scored.unitAt(order[i]);
  return { units, parents };
}

/** What ranking asks of a unit by its place, rarely: its id (between units tied in every key), and the unit itself (a sanction's condition beyond the total). */
interface ByPlace { idOf(x: number): string; unitOf(x: number): UnitScore; }

/**
 * Ranks `n` units by place (their columns: what ranking reads and writes of them): each unit given its
 * rank, the unit above it, whether vetoed, its sanctions and grade; the places in ranked order, and the
 * parents with their liability.
 */
function rankPlaces(rs: CompiledRuleSet, n: number, columns: RankColumns, byPlace: ByPlace): { order: Int32Array; parents: ParentResult[] } {
  const { scope, vetoedLast } = rs.ranking;
  const keys: Keys = { totals: columns.totals, ties: columns.ties, vetoed: columns.vetoed, w: rs.ranking.tieBreak.length, vetoedLast };
  const parents = columns.parents;
  const inOrder = (a: number, b: number) => rankOrder(keys, a, b) || compareIds(byPlace.idOf(a), byPlace.idOf(b));
  const { order, starts } = byScope(parents, n, scope === 'parent');
  rankScopes(planOf(rs), byPlace, columns, order, starts, keys, inOrder);
  return { order, parents: parentsOf(rs, parents, keys.vetoed, order, starts, n) };
}

/**
 * Sorts and ranks each scope in turn. A loop of its own, apart from what rankUnits does before and after
 * it: V8 replaces a long-running loop on the stack with optimized code made while it runs, and in code
 * made so, what followed the loop (then in rankUnits) was deoptimized again and again (12 times in 300 runs).
 */
function rankScopes(plan: RankPlan, byPlace: ByPlace, columns: RankColumns, order: Int32Array, starts: number[], keys: Keys, inOrder: (a: number, b: number) => number): void {
  const scratch: ScopeScratch = { levels: [], ranks: new Int32Array(64), aboves: new Int32Array(64), lists: [], taken: new Uint8Array(64) };
  for (let k = 0; k + 1 < starts.length; k++) {
    sortRange(order, starts[k], starts[k + 1], keys, byPlace, inOrder);
    rankScope(plan, byPlace, columns, order, starts[k], starts[k + 1], keys, scratch);
  }
}

/**
 * Each parent, in id order, with the liability it bears when a child of it is vetoed by a condition (连带责任).
 * By parent, each scope is one parent's units, the scopes in key order; with one scope of every unit, the
 * parents are gathered unit by unit.
 */
function parentsOf(rs: CompiledRuleSet, parents: ReadonlyArray<string | null>, vetoed: Uint8Array, order: Int32Array, starts: number[], n: number): ParentResult[] {
  const { liability } = rs.ranking;
  const liableOf = (id: string): ParentResult => ({ id, sanctions: liability.map((l) => ({ outcome: l.outcome, label: l.label })) });
  if (rs.ranking.scope === 'parent') {
    // Each scope is one parent's units, the scopes in key order.
    const out: ParentResult[] = [];
    for (let k = 0; k + 1 < starts.length; k++) {
      const parent = parents[order[starts[k]]];
      if (parent === null) continue;
      let liable = false;
      for (let i = starts[k]; i < starts[k + 1] && !liable; i++) liable = vetoed[order[i]] === 1;
      out.push(liable ? liableOf(parent) : { id: parent, sanctions: [] });
    }
    return out;
  }
  // One scope of every unit: the parents gathered unit by unit.
  const seen = new Set<string>(), liable = new Set<string>();
  let lastParent: string | null = null;
  for (let i = 0; i < n; i++) {
    const parent = parents[i];
    if (parent === null) continue;
    if (parent !== lastParent) seen.add((lastParent = parent));
    if (vetoed[i] === 1) liable.add(parent);
  }
  return [...seen].sort(compareIds).map((id) => (liable.has(id) ? liableOf(id) : { id, sanctions: [] }));
}

/**
 * What ranking reads and writes of the units, by position in the list given: each unit's total, its
 * tie-break scores (`width` a unit), whether a condition vetoed it (1) and its parent, and what ranking
 * gives it. Units scored together keep all of it in typed arrays of their own (score.ts batchColumns),
 * which ranking then reads and writes as they are, with no getter or setter a unit; any other list is
 * read once through its getters and written through its setters (unitColumns).
 */
export interface RankColumns {
  readonly totals: Float64Array;
  readonly ties: Float64Array;
  readonly vetoed: Uint8Array;
  /** Each unit's parent, by position (the array may run on past the list's end). */
  readonly parents: ReadonlyArray<string | null>;
  /** Gives position i its rank, the position of the unit ranked just above it (-1: none), whether it is vetoed, its sanctions and its grade. */
  give(i: number, rank: number, above: number, vetoed: boolean, sanctions: Sanction[], grade: string | null): void;
}

/** The columns of any list of scored units: read through their getters, written through their setters. */
function unitColumns(rs: CompiledRuleSet, units: RankedUnit[]): RankColumns {
  const n = units.length, w = rs.ranking.tieBreak.length;
  const totals = new Float64Array(n), ties = new Float64Array(n * w), vetoed = new Uint8Array(n);
  const parents = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const s = units[i];
    totals[i] = s.total;
    vetoed[i] = s.vetoes.length > 0 ? 1 : 0;
    for (let k = 0; k < w; k++) ties[i * w + k] = s.tie(k);
    parents[i] = s.unit.parent;
  }
  return {
    totals, ties, vetoed, parents,
    give(i, rank, above, isVetoed, sanctions, grade) {
      const r = units[i];
      r.setAbove(above < 0 ? null : units[above]);
      r.rank = rank;
      r.vetoed = isVetoed;
      r.sanctions = sanctions;
      r.grade = grade;
    },
  };
}

/** What ranking compares, by a unit's position in the list given: its total, its tie-breaks (`w` a unit), whether a condition vetoed it (and whether that ranks it last). */
interface Keys { totals: Float64Array; ties: Float64Array; vetoed: Uint8Array; w: number; vetoedLast: boolean; }

/**
 * The order of two units' ranks: -1 when a ranks above b, 1 below, 0 when they share a rank. Totals and
 * scores are already rounded to `precision`, so equal decimals are equal doubles.
 */
function rankOrder(keys: Keys, a: number, b: number): number {
  return keys.vetoedLast ? byVetoThenScore(keys, a, b) : byScore(keys, a, b);
}

/** Only -1, 0 and 1: a difference of totals would be a boxed double for every comparison the sort makes. */
function byScore(keys: Keys, a: number, b: number): number {
  const ta = keys.totals[a], tb = keys.totals[b];
  if (ta !== tb) return tb > ta ? 1 : -1;
  const { ties, w } = keys;
  for (let k = 0; k < w; k++) {
    const x = ties[a * w + k], y = ties[b * w + k];
    if (x !== y) return y > x ? 1 : -1;
  }
  return 0;
}

/** Units vetoed by a condition after the others (vetoedLast), then by score. */
function byVetoThenScore(keys: Keys, a: number, b: number): number {
  const va = keys.vetoed[a], vb = keys.vetoed[b];
  if (va !== vb) return va === 1 ? 1 : -1;
  return byScore(keys, a, b);
}

/**
 * What ranking reads of a rule set's sanctions and grades for every scope, worked out once a rule set:
 * each sanction's rank range, its group's place and the one list it gives a unit alone; the grades'
 * thresholds; the arrays a sanction's condition is evaluated in. Nothing of it is looked up unit by unit.
 */
interface RankPlan {
  readonly rs: CompiledRuleSet;
  readonly rules: readonly SanctionRule[];
  /** How many sanction groups there are (§7.9 `group`). */
  readonly groups: number;
  readonly grades: Grades;
  readonly condition: { env: Float64Array; scores: Float64Array };
}

interface SanctionRule {
  readonly sanction: CompiledSanction;
  /** By rank level (a place), or by rank range (`lo` to `hi`). */
  readonly place: number | undefined;
  readonly lo: number;
  readonly hi: number;
  /** The place of its group; -1 for none. */
  readonly group: number;
  /** The sanction as a unit's one sanction: one list for every unit it falls on alone (a township's last village is one of 5,000 in a province), never changed. */
  readonly alone: Sanction[];
}

const PLANS = new WeakMap<CompiledRuleSet, RankPlan>();

function planOf(rs: CompiledRuleSet): RankPlan {
  let plan = PLANS.get(rs);
  if (!plan) {
    const names = [...new Set(rs.ranking.sanctions.map((x) => x.group).filter((g): g is string => g !== undefined))];
    const rules = rs.ranking.sanctions.map((x): SanctionRule => ({
      sanction: x, place: x.place, lo: x.rank ? x.rank[0] : 0, hi: x.rank ? x.rank[1] : -1,
      group: x.group === undefined ? -1 : names.indexOf(x.group),
      alone: Object.freeze([{ outcome: x.outcome, label: x.label }]) as Sanction[],
    }));
    plan = { rs, rules, groups: names.length, grades: gradesOf(rs), condition: { env: new Float64Array(rs.slotCount), scores: new Float64Array(rs.nodes.length) } };
    PLANS.set(rs, plan);
  }
  return plan;
}

/** Arrays rankScope writes a scope in, kept from one scope to the next (grown as one needs). */
interface ScopeScratch { levels: number[]; ranks: Int32Array; aboves: Int32Array; lists: Sanction[][]; taken: Uint8Array; }

/**
 * Ranks, sanctions and grades one scope's units (positions `order[from]` to `order[to - 1]` of
 * the list), already in order. A function of its own, called once a scope, so that V8 optimizes it
 * as a whole: nothing is made here but what a unit keeps (100,000 villages are 5,000 townships).
 */
function rankScope(plan: RankPlan, byPlace: ByPlace, columns: RankColumns, order: Int32Array, from: number, to: number, keys: Keys, scratch: ScopeScratch): void {
  const { rules } = plan;
  const size = to - from;
  if (scratch.ranks.length < size) {
    scratch.ranks = new Int32Array(Math.max(size, scratch.ranks.length * 2));
    scratch.aboves = new Int32Array(scratch.ranks.length);
  }
  const { levels, ranks, aboves, lists } = scratch;
  // `levels` is written from its start, never emptied: an array set to length 0 gives up its store.
  let count = 0;
  // The rank of the unit before, and the unit above this level, are kept here, not read back.
  let rank = 0;
  let above = -1;
  for (let i = from; i < to; i++) {
    const x = order[i];
    if (i === from || rankOrder(keys, order[i - 1], x) !== 0) {
      rank = i - from + 1;
      levels[count++] = rank;
      // The unit just above is the last of the level before; tied units share it. The first level has none.
      above = i > from ? order[i - 1] : -1;
    }
    aboves[i - from] = above;
    ranks[i - from] = rank;
    lists[i - from] = NONE;
  }

  // Sanctions in file order (§5, §7.9): by rank level (a level named by a positive place takes no
  // negative-place sanction, whether or not that sanction's condition held) or by rank range; each only
  // where its condition holds, and at most one of a group to a unit: the first that falls on it.
  // Whether the unit at place p of the scope has taken group g: `taken[p * G + g]` (G groups).
  const G = plan.groups;
  if (scratch.taken.length < size * G) scratch.taken = new Uint8Array(Math.max(size * G, scratch.taken.length * 2));
  const taken = scratch.taken;
  if (G > 0) taken.fill(0, 0, size * G);
  for (let k = 0; k < rules.length; k++) {
    const rule = rules[k];
    let lo = rule.lo, hi = rule.hi;
    if (rule.place !== undefined) {
      const level = levelOf(rule.place, count);
      if (level < 0 || level >= count) continue;
      if (rule.place < 0 && namedByPositivePlace(plan.rs.ranking.sanctions, level, count)) continue;
      lo = hi = levels[level];
    }
    const g = rule.group, when = rule.sanction.when;
    for (let p = 0; p < size; p++) {
      if (ranks[p] < lo || ranks[p] > hi) continue;
      if (g >= 0 && taken[p * G + g] === 1) continue;
      const x = order[from + p];
      if (when && !holdsFor(plan, when, byPlace, x, columns.totals[x], rule.sanction.whenTotalOnly)) continue;
      lists[p] = lists[p].length > 0 ? [...lists[p], { outcome: rule.sanction.outcome, label: rule.sanction.label }] : rule.alone;
      if (g >= 0) taken[p * G + g] = 1;
    }
  }
  const grades = plan.grades;
  for (let p = 0; p < size; p++) {
    const x = order[from + p];
    let list = lists[p];
    let vetoed = columns.vetoed[x] === 1;
    if (list.length > 0) {
      if (list.some(isVeto)) vetoed = true;
      if (vetoed && list.some(isCommendation)) list = list.filter(isNoCommendation);
    }
    columns.give(x, ranks[p], aboves[p], vetoed, list, gradeIn(grades, columns.totals[x], vetoed));
  }
}

const isVeto = (x: Sanction) => x.outcome === 'veto';
const isCommendation = (x: Sanction) => x.outcome === 'commendation';
const isNoCommendation = (x: Sanction) => x.outcome !== 'commendation';

/** The rank level a sanction's place names, among `count` levels (1 the first, −1 the last). */
function levelOf(place: number, count: number): number {
  return place > 0 ? place - 1 : count + place;
}

function namedByPositivePlace(sanctions: ReadonlyArray<{ place?: number }>, level: number, count: number): boolean {
  for (const x of sanctions) if (x.place !== undefined && x.place > 0 && levelOf(x.place, count) === level) return true;
  return false;
}

/** Whether a sanction's condition holds for a unit: over its values, its scores, its total, bonus and penalty (undefined: no). */
function holdsFor(plan: RankPlan, when: Compiled, byPlace: ByPlace, x: number, total: number, totalOnly = false): boolean {
  const { env, scores } = plan.condition;
  if (totalOnly) env[plan.rs.totalSlot] = total; // the scorer writes the same total there
  else scoreAgainInto(plan.rs, byPlace.unitOf(x).unit, env, scores);
  return when(env) === 1;
}

/**
 * The positions of the units grouped by scope, scopes in key order (no parent first, then by id),
 * and where each scope begins (`starts`, ending with the count). Units of one parent usually come
 * together, parents in id order (a snapshot, an export): they are then taken as they are, with no
 * list per scope. Otherwise they are gathered scope by scope.
 */
function byScope(parents: ReadonlyArray<string | null>, n: number, byParent: boolean): { order: Int32Array; starts: number[] } {
  const order = new Int32Array(n);
  if (n === 0) return { order, starts: [0] };
  // The parents of exactly these units (the table's, whose runs the peers have found) or a list of their own.
  const runs = !byParent ? [0, n] : parents.length === n ? parentRuns(parents) : parentRuns(parents.slice(0, n));
  if (runs) {
    for (let i = 0; i < n; i++) order[i] = i;
    return { order, starts: runs as number[] };
  }
  const starts: number[] = [];
  const scopes = new Map<string | null, number[]>();
  let list: number[] = [], lastKey: string | null | undefined;
  for (let i = 0; i < n; i++) {
    const key = parents[i];
    if (key !== lastKey) {
      let found = scopes.get(key);
      if (!found) scopes.set(key, (found = []));
      list = found; lastKey = key;
    }
    list.push(i);
  }
  const keys = [...scopes.keys()].sort((a, b) => (a === b ? 0 : keyBefore(a, b) ? -1 : 1));
  let placed = 0;
  for (const key of keys) {
    starts.push(placed);
    for (const i of scopes.get(key)!) order[placed++] = i;
  }
  starts.push(placed);
  return { order, starts };
}

/** Scope keys in order: no parent first, then ids as code units. */
function keyBefore(a: string | null, b: string | null): boolean {
  return a === null ? b !== null : b !== null && compareIds(a, b) < 0;
}

/**
 * Sorts `list` from `from` to `to` in place: by insertion when they are few (a township's
 * villages), which makes nothing and compares the units' keys directly, or by the built-in sort
 * (`inOrder`). Either way the order is the ranks' and then the ids' alone (ids are unique).
 */
function sortRange(list: Int32Array, from: number, to: number, keys: Keys, byPlace: ByPlace, inOrder: (a: number, b: number) => number): void {
  if (to - from > 32) {
    list.subarray(from, to).sort(inOrder);
    return;
  }
  // The keys compared here as they are: whether vetoed (when that ranks last), then the total; the
  // tie-breaks and the ids only between units of one total.
  const { totals, vetoed } = keys, last = keys.vetoedLast;
  for (let i = from + 1; i < to; i++) {
    const x = list[i];
    const tx = totals[x], vx = last ? vetoed[x] : 0;
    let j = i - 1;
    for (; j >= from; j--) {
      const y = list[j];
      const vy = last ? vetoed[y] : 0;
      if (vy !== vx) { if (vy < vx) break; }
      else {
        const ty = totals[y];
        if (ty > tx) break;
        if (ty === tx) {
          const c = byScore(keys, y, x);
          if (c < 0 || (c === 0 && compareIds(byPlace.idOf(y), byPlace.idOf(x)) < 0)) break;
        }
      }
      list[j + 1] = y;
    }
    list[j + 1] = x;
  }
}

/** 凡被一票否决的单位一律定为不合格; otherwise the first grade whose atLeast the total reaches. */
function gradeIn(grades: Grades, total: number, vetoed: boolean): string | null {
  if (vetoed) return grades.vetoed;
  const t = round9(total);
  for (let k = 0; k < grades.atLeast.length; k++) if (t >= grades.atLeast[k] || grades.atLeast[k] === -Infinity) return grades.labels[k];
  return null;
}

/** A rule set's grades as gradeIn reads them, every unit: the thresholds at 9 decimals (none: −∞), in file order, and the grade of a vetoed unit. */
interface Grades { atLeast: Float64Array; labels: string[]; vetoed: string }

function gradesOf(rs: CompiledRuleSet): Grades {
  let found = GRADES.get(rs);
  if (!found) {
    const open = rs.grades.filter((g) => !g.vetoed);
    found = {
      atLeast: Float64Array.from(open, (g) => (g.atLeast === undefined ? -Infinity : round9(g.atLeast))),
      labels: open.map((g) => g.label),
      vetoed: rs.grades.find((g) => g.vetoed)?.label ?? '不合格',
    };
    GRADES.set(rs, found);
  }
  return found;
}
const GRADES = new WeakMap<CompiledRuleSet, Grades>();
