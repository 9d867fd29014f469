import { clamp, round9, roundHalfUp } from './decimal.js';
import type { CompiledAdjustments, CompiledCriterion, CompiledRuleSet } from './compiled.js';
import type { Env } from './expression/ast.js';
import type { RankColumns, RankedUnit, Sanction } from './rank.js';
import { readAgain, text, Unit, type CleanRows, type DataTable, type HeldUnit, type TableRow, type UnitMaker } from './units.js';
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
  /** totalPoints less the points of the outermost items that do not apply (§7.3), exact. */
  applicablePoints: number;
  total: number;
  /** Vetoes by condition: criteria's vetoIf in item order, then `vetoes[]` in file order. */
  vetoes: VetoHit[];
  /** The score of the ranking's k-th tie-break node. */
  tie(k: number): number;
}

const NO_VETOES: VetoHit[] = [];
const NO_SANCTIONS: Sanction[] = [];

/** A criterion's score where it applies; `zeroed` when a group around it is (本部分不得分). */
export function criterionScore(c: CompiledCriterion, env: Env, precision: number, zeroed = false): number {
  if (zeroed || (c.zeroIf && c.zeroIf(env) === 1)) return 0;
  let raw: number;
  if (c.mode === 'award') {
    const a = c.methods[0].amount(env);
    raw = a !== a ? undefinedScore(c) : clamp(a, c.floor, c.points);
  } else {
    let sum = 0;
    for (const m of c.methods) sum += m.amount(env); // one NaN makes the sum NaN
    raw = sum !== sum ? undefinedScore(c) : clamp(c.points - sum, c.floor, c.points);
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
    if (a > 0) sum += roundHalfUp(a, precision); // an undefined amount counts 0, as one below 0 does (§7.4)
  }
  sum = roundHalfUp(sum, precision);
  const total = block.cap === undefined ? sum : Math.min(block.cap, sum);
  return total - total === 0 ? total : 0; // beyond what a double holds, with no cap to stop it: counts 0, as an undefined amount does
}

/**
 * What a batch of scored units keeps, column by column: the totals, the tie-break scores,
 * the unit ranked above each, its rank, whether it is vetoed, its grade, its sanctions; and,
 * for the few units that have them, their vetoes and kept scores. As fields of each unit's
 * object these were 56 bytes a unit more (every field is a word), and each number a boxed
 * double of its own, copied by the garbage collector with it.
 */
class Batch {
  readonly totals: Float64Array;
  /** `width` tie-break scores a unit, unit after unit. */
  readonly ties: Float64Array;
  /**
   * The place of the unit ranked just above each (the last of the level before), whose total
   * gives its distance: NONE_ABOVE for the first level; ELSEWHERE when that unit is of another
   * batch, and the distance is then in `distances`. A place, not the distance itself: a
   * number handed to a setter V8 did not inline is boxed, and rankScope hands one to every unit.
   */
  readonly above: Int32Array;
  readonly distances = new Map<number, number>();
  readonly ranks: Int32Array;
  /** VETOED and HAS_VETOES, bit by bit. */
  readonly flags: Uint8Array;
  /** The index of each unit's grade in `labels`. */
  readonly grades: Uint16Array;
  /** The grades given so far; 0 is none. */
  readonly labels: Array<string | null> = [null];
  /**
   * The index of each unit's sanctions in `sanctionLists`: most units have none (0), and most
   * others share one list (rank.ts gives one list to every unit a rule's sanction falls on).
   */
  readonly sanctions: Int32Array;
  /** The index in its table of the row each unit was read from, whose values are read again from it when asked for. */
  readonly rows: Int32Array;
  /** Each unit's parent: ranking reads every unit's parent, and a row's cells are memory far apart. The table's own (RowKeys) where its rows' units are each at the place of their row (ScoringRows). */
  readonly parents: Array<string | null>;
  /** Whether `parents` is the table's own, written by nobody here. */
  readonly parentsGiven: boolean;
  readonly sanctionLists: Sanction[][] = [NO_SANCTIONS];
  readonly #sanctionIndex = new Map<Sanction[], number>();
  readonly vetoes = new Map<number, VetoHit[]>();
  readonly details = new Map<number, Detail>();
  /** The reader of the clean rows the units were read from (readUnits gives one to all a table's rows). */
  clean: CleanRows | undefined = undefined;
  /** The rows of the table the clean units were read from (`rows` gives each unit's), for the units made later (unitAt). */
  tableRows: readonly TableRow[] | undefined = undefined;
  /** The units read the general way, by place: what a unit made later (unitAt) scores. */
  readonly held = new Map<number, Unit>();
  readonly width: number;
  size = 0;

  /** `parents`: the table's own, when each of its rows' units is at the place of its row (ScoringRows). */
  constructor(readonly rs: CompiledRuleSet, capacity: number, parents?: ReadonlyArray<string | null>) {
    this.width = rs.ranking.tieBreak.length;
    const n = Math.max(1, capacity);
    this.totals = new Float64Array(n);
    this.ties = new Float64Array(n * this.width);
    this.above = new Int32Array(n);
    this.ranks = new Int32Array(n);
    this.flags = new Uint8Array(n);
    this.grades = new Uint16Array(n);
    this.sanctions = new Int32Array(n);
    this.rows = new Int32Array(n);
    this.parentsGiven = parents !== undefined;
    this.parents = parents ? (parents as Array<string | null>) : new Array<string | null>(n).fill(null);
  }

  /** A place for one more unit: a batch is made for as many units as it is given (a table's rows, a list of units). */
  next(): number {
    if (this.size === this.totals.length) throw new Error(`a batch of ${this.totals.length} scored units given one more`);
    return this.size++;
  }

  gradeIndex(label: string | null): number {
    // Most units in a row share a grade: the last one found is tried first.
    if (label === this.#lastLabel && this.#lastGrade > 0) return this.#lastGrade;
    let k = this.labels.indexOf(label);
    if (k < 0) k = this.labels.push(label) - 1;
    this.#lastLabel = label;
    this.#lastGrade = k;
    return k;
  }
  #lastLabel: string | null = null;
  #lastGrade = 0;

  sanctionListIndex(list: Sanction[]): number {
    if (list.length === 0) return 0;
    let k = this.#sanctionIndex.get(list);
    if (k === undefined) this.#sanctionIndex.set(list, (k = this.sanctionLists.push(list) - 1));
    return k;
  }

  /** Sets or clears one of a unit's flags. */
  flag(at: number, bit: number, on: boolean): void {
    this.flags[at] = on ? this.flags[at] | bit : this.flags[at] & ~bit;
  }

  /** The vetoes by condition of the unit at place `at`. */
  setVetoes(at: number, hits: VetoHit[]): void {
    const had = (this.flags[at] & HAS_VETOES) !== 0;
    if (hits.length > 0) this.vetoes.set(at, hits);
    else if (had) this.vetoes.delete(at);
    if (had !== hits.length > 0) this.flag(at, HAS_VETOES, !had);
  }

  /**
   * Scores the unit at place `at` from the values in `scoring.env`: the scorer writes its total and
   * tie-break scores straight into the batch; the vetoes are kept, and with `keep` the score of every node.
   */
  scoreAt(at: number, scoring: Scoring, scores: Float64Array, keep: boolean): void {
    const { env, hits } = scoring;
    if (hits.length !== 0) hits.length = 0;
    scoring.score(env, scores, hits, this.totals, this.ties, at);
    if (hits.length > 0) this.setVetoes(at, vetoHits(scoring));
    if (keep) this.details.set(at, { scores, bonus: env[this.rs.bonusSlot], penalty: env[this.rs.penaltySlot], applicablePoints: env[this.rs.applicableSlot] });
  }

  /** The unit at place `at`, made now over what it was read from: its row, or the unit read the general way. */
  unitAt(at: number): ScoredUnit {
    return new ScoredUnit(this, at, (this.held.size > 0 ? this.held.get(at) : undefined) ?? this.tableRows![this.rows[at]]);
  }
}

const VETOED = 1, HAS_VETOES = 2;

/** What ranking reads and writes of the first `n` units of a batch, in the batch's own arrays (rank.ts RankColumns). */
class BatchColumns implements RankColumns {
  readonly totals: Float64Array;
  readonly ties: Float64Array;
  readonly vetoed: Uint8Array;
  readonly parents: ReadonlyArray<string | null>;

  constructor(readonly batch: Batch, n: number) {
    this.totals = batch.totals.subarray(0, n);
    this.ties = batch.ties.subarray(0, n * batch.width);
    this.vetoed = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.vetoed[i] = (batch.flags[i] & HAS_VETOES) !== 0 ? 1 : 0;
    this.parents = batch.parents;
  }

  give(i: number, rank: number, above: number, vetoed: boolean, sanctions: Sanction[], grade: string | null): void {
    const b = this.batch;
    b.ranks[i] = rank;
    b.above[i] = above < 0 ? NONE_ABOVE : above;
    b.flag(i, VETOED, vetoed);
    b.sanctions[i] = b.sanctionListIndex(sanctions);
    b.grades[i] = b.gradeIndex(grade);
  }
}
const NONE_ABOVE = -1, ELSEWHERE = -2;

type Detail = { scores: Float64Array; bonus: number; penalty: number; applicablePoints: number };

/**
 * A scored unit: the unit itself (`unit` is the object itself); everything it has as a
 * scored and ranked unit is kept in its batch (above), at its place there. Its id, name,
 * parent, row and values are read, when asked for, from what it was made of: the clean row
 * it was read from (its values read again by the batch's reader), or the unit it scores.
 * Four fields, 56 bytes a unit, where holding them all took 96: the garbage collector copies each
 * of 100,000 units once or twice a run, into memory that on these machines costs tens of
 * microseconds a page the first time it is touched.
 * The score of every node, the bonus and the penalty are computed again from the unit's
 * values when first asked for, unless they were kept from the start: ranking 100,000 units
 * needs only the totals, and keeping 40-odd numbers for each costs more than scoring it twice.
 * The ranking fields are set by rankUnits (rank.ts).
 */
class ScoredUnit extends Unit implements RankedUnit {
  readonly #batch: Batch;
  readonly #at: number;
  readonly #source: TableRow | Unit;

  /** The unit at place `at` of its batch, read from `source`. */
  constructor(batch: Batch, at: number, source: TableRow | Unit) {
    super();
    this.#batch = batch;
    this.#at = at;
    this.#source = source;
  }

  /** A unit at a new place of its batch. */
  static placed(batch: Batch, source: TableRow | Unit, parent: string | null): ScoredUnit {
    const at = batch.next();
    batch.parents[at] = parent;
    return new ScoredUnit(batch, at, source);
  }

  /**
   * The columns of a list of units scored together, each at its own place in their batch (as
   * scoreUnits and readUnits make them): what ranking reads and writes, as the batch keeps it.
   */
  static columnsOf(rs: CompiledRuleSet, units: UnitScore[]): RankColumns | undefined {
    const n = units.length;
    if (n === 0) return undefined;
    const first = units[0];
    if (!(first instanceof ScoredUnit)) return undefined;
    const batch = first.#batch;
    if (batch.rs !== rs) return undefined;
    for (let i = 0; i < n; i++) {
      const u = units[i];
      if (!(u instanceof ScoredUnit) || u.#batch !== batch || u.#at !== i) return undefined;
    }
    return new BatchColumns(batch, n);
  }

  get parent(): string | null { return this.#batch.parents[this.#at]; }

  get id(): string { const s = this.#source; return s instanceof Unit ? s.id : text(s.cells.id)!; }
  get name(): string | null { const s = this.#source; return s instanceof Unit ? s.name : text(s.cells.name) ?? null; }
  get row(): number { return this.#source.row; }
  protected get size(): number { return this.#batch.clean!.size; }
  override get env(): Env { const s = this.#source; return s instanceof Unit ? s.env : super.env; }
  valuesInto(target: Env): void {
    const s = this.#source;
    if (s instanceof Unit) s.valuesInto(target);
    else readAgain(this.#batch.clean!, s.cells, this.#batch.rows[this.#at], target, this);
  }

  get unit(): Unit { return this; }
  get total(): number { return this.#batch.totals[this.#at]; }
  tie(k: number): number { return this.#batch.ties[this.#at * this.#batch.width + k]; }
  get behind(): number | null {
    const b = this.#batch, above = b.above[this.#at];
    if (above === NONE_ABOVE) return null;
    return above === ELSEWHERE ? b.distances.get(this.#at)! : round9(b.totals[above] - b.totals[this.#at]);
  }
  setAbove(unit: RankedUnit | null): void {
    const b = this.#batch;
    if (unit === null) b.above[this.#at] = NONE_ABOVE;
    else if (unit instanceof ScoredUnit && unit.#batch === b) b.above[this.#at] = unit.#at;
    else {
      b.above[this.#at] = ELSEWHERE;
      b.distances.set(this.#at, round9(unit.total - this.total));
    }
  }
  get rank(): number { return this.#batch.ranks[this.#at]; }
  set rank(rank: number) { this.#batch.ranks[this.#at] = rank; }
  get vetoed(): boolean { return (this.#batch.flags[this.#at] & VETOED) !== 0; }
  set vetoed(vetoed: boolean) { this.#batch.flag(this.#at, VETOED, vetoed); }
  get grade(): string | null { return this.#batch.labels[this.#batch.grades[this.#at]]; }
  set grade(label: string | null) { this.#batch.grades[this.#at] = this.#batch.gradeIndex(label); }
  get vetoes(): VetoHit[] { return this.#batch.flags[this.#at] & HAS_VETOES ? this.#batch.vetoes.get(this.#at)! : NO_VETOES; }
  set vetoes(hits: VetoHit[]) { this.#batch.setVetoes(this.#at, hits); }
  get sanctions(): Sanction[] { return this.#batch.sanctionLists[this.#batch.sanctions[this.#at]]; }
  set sanctions(list: Sanction[]) { this.#batch.sanctions[this.#at] = this.#batch.sanctionListIndex(list); }
  get scores(): Float64Array { return this.#scored().scores; }
  get bonus(): number { return this.#scored().bonus; }
  get penalty(): number { return this.#scored().penalty; }
  get applicablePoints(): number { return this.#scored().applicablePoints; }

  #scored(): Detail {
    let detail = this.#batch.details.get(this.#at);
    if (!detail) this.#batch.details.set(this.#at, (detail = detailOf(this.#batch.rs, this)));
    return detail;
  }

  /** Scores the unit from the values in `scoring.env` (Batch.scoreAt). */
  scoreFrom(scoring: Scoring, scores: Float64Array, keep: boolean): this {
    this.#batch.scoreAt(this.#at, scoring, scores, keep);
    return this;
  }
}

/**
 * The vetoes the scorer has just reported. A function of its own, with no closure: a closure
 * in scoreFrom would capture `scoring`, and V8 then makes a context for every call of it, held
 * or not (40 bytes a unit, unless the call happens to be inlined where the context can be dropped).
 */
function vetoHits(scoring: Scoring): VetoHit[] {
  const list = new Array<VetoHit>(scoring.hits.length);
  for (let i = 0; i < list.length; i++) list[i] = scoring.vetoes[scoring.hits[i]];
  return list;
}

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

/** What ranking reads and writes of units scored together, in their batch's arrays; undefined for any other list (rank.ts). */
export function batchColumns(rs: CompiledRuleSet, units: UnitScore[]): RankColumns | undefined {
  return ScoredUnit.columnsOf(rs, units);
}

/** Scores one unit, keeping the score of every node (in `scores`, or a new array). */
export function scoreUnit(rs: CompiledRuleSet, unit: Unit, scores = new Float64Array(rs.nodes.length)): UnitScore {
  return scoreInto(scoredCopy(new Batch(rs, 1), unit), scoringOf(rs), scores, true);
}

/** Scores many units, keeping of each what ranking needs (its other scores are computed again when asked for). */
export function scoreUnits(rs: CompiledRuleSet, units: Unit[]): UnitScore[] {
  const scoring = scoringOf(rs);
  const batch = new Batch(rs, units.length);
  return units.map((u) => scoreInto(scoredCopy(batch, u), scoring, scoring.scores, false));
}

/** The score of every node, the bonus and the penalty of a unit, scored again from its values. */
function detailOf(rs: CompiledRuleSet, unit: Unit): Detail {
  const scores = new Float64Array(rs.nodes.length);
  return { scores, ...scoreAgainInto(rs, unit, scoringOf(rs).env, scores) };
}

/**
 * Scores a unit again into the caller's own arrays, keeping nothing on it: its values and
 * every slot the scorer writes into `env` (rs.slotCount long), the score of every node into
 * `scores`. For writing 100,000 results a slice at a time with two arrays in all, where
 * each unit's `scores` would be an array of its own.
 */
export function scoreAgainInto(rs: CompiledRuleSet, unit: Unit, env: Env, scores: Float64Array): { bonus: number; penalty: number; applicablePoints: number } {
  const scoring = scoringOf(rs);
  unit.valuesInto(env);
  if (scoring.hits.length !== 0) scoring.hits.length = 0;
  scoring.score(env, scores, scoring.hits);
  return { bonus: env[rs.bonusSlot], penalty: env[rs.penaltySlot], applicablePoints: env[rs.applicableSlot] };
}

function scoredCopy(batch: Batch, unit: Unit): ScoredUnit {
  return ScoredUnit.placed(batch, unit, unit.parent);
}

/**
 * Units scored as their rows are read, kept in their batch alone, by place (the place of a table's
 * row k is k): each unit's object is made only when asked for (unitAt). Ranking (rank.ts rankScored)
 * works on the batch's arrays and makes the units once, in ranked order, at its end. Made as they were
 * read, 100,000 units were 100,000 objects living through the ranking: the garbage collector copied
 * each, and then moved it to the old generation, whose collections grew with it (at 100,000 units, a
 * tenth of a run's time).
 */
export interface ScoredRows {
  /** How many units. */
  readonly size: number;
  /** What ranking reads and writes of the units, by place. */
  columns(): RankColumns;
  /** The id of the unit at a place. */
  idAt(at: number): string;
  /** The unit at a place, a new object over it each call. */
  unitAt(at: number): RankedUnit;
  /** Every unit, in the order of their places (each a new object). */
  units(): RankedUnit[];
}

/** Scores each row of `table` as it is read (readUnits' maker, which keeps no unit; given the same table): the rows' units are the ScoredRows. */
export function scoringRows(rs: CompiledRuleSet, table: DataTable): { maker: UnitMaker<Unit>; scored: ScoredRows } {
  // Row k's unit is at place k (a table with a row not read is not ranked: readUnits throws): its parent is the row's, as read once.
  const batch = new Batch(rs, table.rows.length, table.keys?.parents);
  batch.tableRows = table.rows;
  return { maker: new ScoringRows(scoringOf(rs), batch), scored: new BatchRows(batch) };
}

class ScoringRows implements UnitMaker<Unit> {
  readonly scratch: Env;
  readonly keeps = false;
  constructor(readonly scoring: Scoring, readonly batch: Batch) { this.scratch = scoring.env; }
  fromRow(row: TableRow, _id: string, parent: string | null, clean: CleanRows, k: number): Unit {
    const b = this.batch;
    b.clean = clean;
    const at = b.next();
    if (!b.parentsGiven) b.parents[at] = parent;
    b.rows[at] = k;
    return PLACED;
  }
  fromHeld(unit: HeldUnit): Unit {
    const at = this.batch.next();
    if (!this.batch.parentsGiven) this.batch.parents[at] = unit.parent;
    this.batch.held.set(at, unit);
    return PLACED;
  }
  onRead(_unit: Unit, values: Env): void {
    const { scoring } = this;
    if (values !== scoring.env) for (let i = 0; i < values.length; i++) scoring.env[i] = values[i];
    this.batch.scoreAt(this.batch.size - 1, scoring, scoring.scores, false);
  }
}

/** What ScoringRows hands readUnits for each unit: the unit itself is at its place in the batch. */
const PLACED: Unit = new (class extends Unit {
  readonly id = ''; readonly name = null; readonly parent = null; readonly row = 0;
  protected get size(): number { return 0; }
  valuesInto(): void { /* nothing: a placeholder */ }
})();

class BatchRows implements ScoredRows {
  constructor(readonly batch: Batch) {}
  get size(): number { return this.batch.size; }
  columns(): RankColumns { return new BatchColumns(this.batch, this.batch.size); }
  idAt(at: number): string {
    const held = this.batch.held.size > 0 ? this.batch.held.get(at) : undefined;
    return held ? held.id : text(this.batch.tableRows![this.batch.rows[at]].cells.id)!;
  }
  unitAt(at: number): RankedUnit { return this.batch.unitAt(at); }
  units(): RankedUnit[] {
    const out = new Array<RankedUnit>(this.batch.size);
    for (let at = 0; at < out.length; at++) out[at] = this.batch.unitAt(at);
    return out;
  }
}

function scoreInto(unit: ScoredUnit, scoring: Scoring, scores: Float64Array, keep: boolean): ScoredUnit {
  unit.valuesInto(scoring.env);
  return unit.scoreFrom(scoring, scores, keep);
}

/** The same scoring by the closures alone, one call per node: the reference the generated scorer is tested against. */
export function scoreUnitByClosures(rs: CompiledRuleSet, unit: Unit): Omit<UnitScore, 'tie'> {
  const env = new Float64Array(rs.slotCount);
  unit.valuesInto(env);
  const p = rs.precision;
  const scores = new Float64Array(rs.nodes.length);
  // Document order: whether each item applies and is zeroed follows from its parent's (§7.2–7.3).
  const applies = new Uint8Array(rs.nodes.length), zeroed = new Uint8Array(rs.nodes.length);
  let notApplicable = 0;
  for (const node of rs.nodes) {
    const parentApplies = node.parent < 0 || applies[node.parent] === 1;
    const parentZeroed = node.parent >= 0 && zeroed[node.parent] === 1;
    const own = parentApplies && (!node.appliesIf || node.appliesIf(env) === 1);
    if (parentApplies && !own) notApplicable += node.points;
    applies[node.index] = own ? 1 : 0;
    if (!own) { scores[node.index] = NaN; env[node.slot] = NaN; continue; }
    if (node.kind === 'group') zeroed[node.index] = parentZeroed || (node.zeroIf !== undefined && node.zeroIf(env) === 1) ? 1 : 0;
    else {
      const s = criterionScore(node, env, p, parentZeroed);
      scores[node.index] = s;
      env[node.slot] = s;
    }
  }
  const sumOf = (list: number[]): number => {
    let sum = 0, any = false;
    for (const k of list) if (scores[k] === scores[k]) { sum += scores[k]; any = true; }
    return any ? sum : NaN;
  };
  for (const g of rs.groupsPostOrder) {
    const s = applies[g.index] === 1 ? roundHalfUp(sumOf(g.children), p) : NaN;
    scores[g.index] = s;
    env[g.slot] = s;
  }
  let items = sumOf(rs.top);
  if (items !== items) items = 0;
  const applicablePoints = rs.totalPoints - notApplicable;
  if (round9(applicablePoints) < round9(rs.totalPoints)) items = round9(applicablePoints) <= 0 ? 0 : items * rs.totalPoints / applicablePoints;
  const bonus = adjustmentTotal(rs.bonus, env, p);
  const penalty = adjustmentTotal(rs.penalty, env, p);
  const total = Math.max(0, roundHalfUp(items + bonus - penalty, p));
  env[rs.totalSlot] = total;
  env[rs.bonusSlot] = bonus;
  env[rs.penaltySlot] = penalty;
  env[rs.applicableSlot] = applicablePoints;

  let vetoes = NO_VETOES;
  for (const node of rs.vetoNodes) {
    if (applies[node.index] === 1 && node.vetoIf!(env) === 1) (vetoes === NO_VETOES ? (vetoes = []) : vetoes).push({ id: node.id, title: node.vetoTitle });
  }
  for (const v of rs.vetoes) if (v.when(env) === 1) (vetoes === NO_VETOES ? (vetoes = []) : vetoes).push({ id: v.id, title: v.title });
  return { unit, scores, bonus, penalty, applicablePoints, total, vetoes };
}
