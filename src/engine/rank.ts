import { round9 } from './decimal.js';
import type { CompiledRuleSet } from './compiled.js';
import type { Outcome } from './ruleset.js';
import { batchColumns, scoreAgainInto, type UnitScore } from './score.js';
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

/** Compares ids as code units, the same on every platform (no locale). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Ranks scored units. The list given is left as it is, unless `inPlace`: then it becomes the
 * ranked list itself (for a caller that owns it, as appraise does: 100,000 units are a list
 * of 800 KB, memory touched afresh each time it is copied).
 *
 * What ranking compares (each unit's total, whether a condition vetoed it, its tie-breaks, its
 * parent) is in typed arrays (RankColumns: the units' batch's own, or read from each unit once),
 * and the units are ordered as positions in the list given: the sort compares numbers, not the
 * units' getters, and each unit is given once its rank, the unit above it, its vetoed, sanctions
 * and grade.
 */
export function rankUnits(rs: CompiledRuleSet, scored: UnitScore[], opts: { inPlace?: boolean } = {}): Ranking {
  const { scope, vetoedLast, liability } = rs.ranking;
  const n = scored.length;
  const columns = batchColumns(rs, scored) ?? unitColumns(rs, scored as RankedUnit[]);
  const keys: Keys = { totals: columns.totals, ties: columns.ties, vetoed: columns.vetoed, w: rs.ranking.tieBreak.length, vetoedLast };
  const parents = columns.parents;
  const inOrder = (a: number, b: number) => rankOrder(keys, a, b) || compareIds(scored[a].unit.id, scored[b].unit.id);

  const { order, starts } = byScope(parents, n, scope === 'parent');
  const scratch: ScopeScratch = { levels: [], ranks: new Int32Array(64), aboves: new Int32Array(64), lists: [], taken: new Uint8Array(64) };
  for (let k = 0; k + 1 < starts.length; k++) {
    sortRange(order, starts[k], starts[k + 1], keys, scored, inOrder);
    rankScope(rs, scored, columns, order, starts[k], starts[k + 1], keys, scratch);
  }

  const named = new Set<string>();
  const liable = new Set<string>();
  let lastParent: string | null = null;
  for (let i = 0; i < n; i++) {
    const parent = parents[i];
    if (parent === null) continue;
    if (parent !== lastParent) named.add((lastParent = parent));
    if (keys.vetoed[i] === 1) liable.add(parent);
  }
  const parentResults = [...named].sort(compareIds).map((id) => ({
    id,
    sanctions: liable.has(id) ? liability.map((l) => ({ outcome: l.outcome, label: l.label })) : [],
  }));
  // The score becomes the ranked unit: no copy of 100,000 objects.
  const ranked = scored as RankedUnit[];
  let units: RankedUnit[];
  if (opts.inPlace === true) units = permuted(ranked, order);
  else {
    units = new Array<RankedUnit>(n);
    for (let i = 0; i < n; i++) units[i] = ranked[order[i]];
  }
  return { units, parents: parentResults };
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

/** The list put in `order` in place (the unit at position order[i] moves to i), cycle by cycle: no second list. */
function permuted<T>(list: T[], order: Int32Array): T[] {
  const done = new Uint8Array(list.length);
  for (let i = 0; i < list.length; i++) {
    if (done[i] === 1) continue;
    const first = list[i];
    let j = i;
    for (;;) {
      done[j] = 1;
      const from = order[j];
      if (from === i) { list[j] = first; break; }
      list[j] = list[from];
      j = from;
    }
  }
  return list;
}

/** Arrays rankScope writes a scope in, kept from one scope to the next (grown as one needs). */
interface ScopeScratch { levels: number[]; ranks: Int32Array; aboves: Int32Array; lists: Sanction[][]; taken: Uint8Array; }

/**
 * Ranks, sanctions and grades one scope's units (positions `order[from]` to `order[to - 1]` of
 * the list), already in order. A function of its own, called once a scope, so that V8 optimizes it
 * as a whole: nothing is made here but what a unit keeps (100,000 villages are 5,000 townships).
 */
function rankScope(rs: CompiledRuleSet, units: UnitScore[], columns: RankColumns, order: Int32Array, from: number, to: number, keys: Keys, scratch: ScopeScratch): void {
  const sanctions = rs.ranking.sanctions;
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
  // Whether the unit at place p of the scope has taken group g: `taken[p * G + g]` (G groups: groupsOf).
  const groups = groupsOf(rs), G = groups.size;
  if (scratch.taken.length < size * G) scratch.taken = new Uint8Array(Math.max(size * G, scratch.taken.length * 2));
  const taken = scratch.taken;
  taken.fill(0, 0, size * G);
  for (let k = 0; k < sanctions.length; k++) {
    const sanction = sanctions[k];
    let lo: number, hi: number;
    if (sanction.place !== undefined) {
      const level = levelOf(sanction.place, count);
      if (level < 0 || level >= count) continue;
      if (sanction.place < 0 && namedByPositivePlace(sanctions, level, count)) continue;
      lo = hi = levels[level];
    } else if (sanction.rank) {
      [lo, hi] = sanction.rank;
    } else continue;
    const g = sanction.group === undefined ? -1 : groups.get(sanction.group)!;
    for (let p = 0; p < size; p++) {
      if (ranks[p] < lo || ranks[p] > hi) continue;
      if (g >= 0 && taken[p * G + g] === 1) continue;
      const x = order[from + p];
      if (sanction.when && !holdsFor(rs, sanction.when, units[x], columns.totals[x], sanction.whenTotalOnly)) continue;
      lists[p] = lists[p].length > 0 ? [...lists[p], { outcome: sanction.outcome, label: sanction.label }] : alone(sanction);
      if (g >= 0) taken[p * G + g] = 1;
    }
  }
  for (let p = 0; p < size; p++) {
    const x = order[from + p];
    let list = lists[p];
    let vetoed = columns.vetoed[x] === 1;
    if (list.length > 0) {
      if (list.some(isVeto)) vetoed = true;
      if (vetoed && list.some(isCommendation)) list = list.filter(isNoCommendation);
    }
    columns.give(x, ranks[p], aboves[p], vetoed, list, gradeOf(rs, columns.totals[x], vetoed));
  }
}

/** Each sanction group's place (§7.9 `group`), by rule set. */
function groupsOf(rs: CompiledRuleSet): Map<string, number> {
  let groups = GROUPS.get(rs);
  if (!groups) {
    const names = [...new Set(rs.ranking.sanctions.map((s) => s.group).filter((g): g is string => g !== undefined))];
    GROUPS.set(rs, (groups = new Map(names.map((g, k) => [g, k]))));
  }
  return groups;
}
const GROUPS = new WeakMap<CompiledRuleSet, Map<string, number>>();

const isVeto = (x: Sanction) => x.outcome === 'veto';
const isCommendation = (x: Sanction) => x.outcome === 'commendation';
const isNoCommendation = (x: Sanction) => x.outcome !== 'commendation';

/**
 * A rule's sanction as the one sanction of a unit: one list, made once, for every unit
 * it falls on (a township's last village is one of 5,000 in a province), never changed.
 */
function alone(sanction: Sanction): Sanction[] {
  let list = ALONE.get(sanction);
  if (!list) ALONE.set(sanction, (list = Object.freeze([{ outcome: sanction.outcome, label: sanction.label }]) as Sanction[]));
  return list;
}
const ALONE = new WeakMap<Sanction, Sanction[]>();

/** The rank level a sanction's place names, among `count` levels (1 the first, −1 the last). */
function levelOf(place: number, count: number): number {
  return place > 0 ? place - 1 : count + place;
}

function namedByPositivePlace(sanctions: ReadonlyArray<{ place?: number }>, level: number, count: number): boolean {
  for (const x of sanctions) if (x.place !== undefined && x.place > 0 && levelOf(x.place, count) === level) return true;
  return false;
}

/** Whether a sanction's condition holds for a unit: over its values, its scores, its total, bonus and penalty (undefined: no). */
function holdsFor(rs: CompiledRuleSet, when: Compiled, r: UnitScore, total: number, totalOnly = false): boolean {
  let scratch = conditionScratch.get(rs);
  if (!scratch) conditionScratch.set(rs, (scratch = { env: new Float64Array(rs.slotCount), scores: new Float64Array(rs.nodes.length) }));
  if (totalOnly) scratch.env[rs.totalSlot] = total; // the scorer writes the same total there
  else scoreAgainInto(rs, r.unit, scratch.env, scratch.scores);
  return when(scratch.env) === 1;
}
/** The arrays a sanction's condition is evaluated in, one pair per rule set. */
const conditionScratch = new WeakMap<CompiledRuleSet, { env: Float64Array; scores: Float64Array }>();

/**
 * The positions of the units grouped by scope, scopes in key order (no parent first, then by id),
 * and where each scope begins (`starts`, ending with the count). Units of one parent usually come
 * together, parents in id order (a snapshot, an export): they are then taken as they are, with no
 * list per scope. Otherwise they are gathered scope by scope.
 */
function byScope(parents: ReadonlyArray<string | null>, n: number, byParent: boolean): { order: Int32Array; starts: number[] } {
  const order = new Int32Array(n);
  if (n === 0) return { order, starts: [0] };
  const starts = [0];
  let inOrder = true;
  if (byParent) {
    let last = parents[0];
    for (let i = 1; i < n; i++) {
      const key = parents[i];
      if (key === last) continue;
      if (!keyBefore(last, key)) { inOrder = false; break; }
      starts.push(i);
      last = key;
    }
  }
  if (inOrder) {
    for (let i = 0; i < n; i++) order[i] = i;
    starts.push(n);
    return { order, starts };
  }
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
  starts.length = 0;
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
function sortRange(list: Int32Array, from: number, to: number, keys: Keys, scored: UnitScore[], inOrder: (a: number, b: number) => number): void {
  if (to - from > 32) {
    list.subarray(from, to).sort(inOrder);
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const x = list[i];
    let j = i - 1;
    for (; j >= from; j--) {
      const y = list[j];
      const c = rankOrder(keys, y, x);
      if (c < 0 || (c === 0 && compareIds(scored[y].unit.id, scored[x].unit.id) < 0)) break;
      list[j + 1] = y;
    }
    list[j + 1] = x;
  }
}

/** 凡被一票否决的单位一律定为不合格; otherwise the first grade whose atLeast the total reaches. */
export function gradeOf(rs: CompiledRuleSet, total: number, vetoed: boolean): string | null {
  const grades = gradesOf(rs);
  if (vetoed) return grades.vetoed;
  const t = round9(total);
  for (let k = 0; k < grades.atLeast.length; k++) if (t >= grades.atLeast[k] || grades.atLeast[k] === -Infinity) return grades.labels[k];
  return null;
}

/** A rule set's grades as gradeOf reads them, every unit: the thresholds at 9 decimals (none: −∞), in file order, and the grade of a vetoed unit. */
function gradesOf(rs: CompiledRuleSet): { atLeast: Float64Array; labels: string[]; vetoed: string } {
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
const GRADES = new WeakMap<CompiledRuleSet, { atLeast: Float64Array; labels: string[]; vetoed: string }>();
