import { same } from './decimal.js';
import type { CompiledPeer, CompiledRuleSet } from './compiled.js';
import type { Env } from './expression/ast.js';
import { DataInvalid } from './problems.js';
import { scoreAgainInto } from './score.js';
import { HeldUnit, keyRuns, parentRuns, PeerValues, readUnits, text, type DataTable, type Unit, type UnitMaker } from './units.js';
import { generateArgumentTaker, type ArgumentTaker } from './codegen.js';

/**
 * Peer functions (RULES.md §7.7): each call's argument taken for every unit of a ranking scope (its
 * parent's units, or all), and the call's value for each unit worked out from those in one pass per
 * scope (peerRank by one ordering): 排名赋分, 按第1名比例, 与平均水平比较. The values are kept beside the
 * rows (DataTable.peers), where the reader gives them to the unit like its inputs.
 */

/**
 * The arguments of one tier's calls, taken unit by unit as the table's rows are read (`take`, row k
 * of the table), then worked out over each scope (`finish`). Each argument is taken into the very
 * place of the table's peer values where its call's value goes (`all`: width a row), and worked out
 * there scope by scope: no array of every unit's argument beside it (at 100,000 units, three calls were
 * 2.4 MB more of memory touched afresh each run, and 0.8 MB for their values at 9 decimals).
 */
export class PeerArguments {
  readonly calls: Array<{ p: CompiledPeer; k: number }>;
  readonly #all: Float64Array;
  readonly #width: number;
  readonly #take: ArgumentTaker;

  /** `held`: the values of the other tier, worked out before (kept). */
  constructor(readonly rs: CompiledRuleSet, tier: CompiledPeer['tier'], readonly size: number, held?: PeerValues) {
    this.calls = rs.peers.map((p, k) => ({ p, k })).filter(({ p }) => p.tier === tier);
    this.#width = rs.peers.length;
    // A row not read has no argument, and so no value.
    this.#all = held && held.all.length === size * this.#width ? held.all.slice() : new Float64Array(size * this.#width).fill(NaN);
    this.#take = takerOf(rs, tier);
  }

  /** Takes row k's arguments from its values (its inputs and metrics; with `score` calls, its scores too). */
  take(k: number, env: Env): void {
    this.#take(env, this.#all, k);
  }

  /** Works out every call over each scope: the table with the values of every row. */
  finish(table: DataTable): DataTable {
    workOut(this.calls, scopes(this.rs, table), this.#all, this.#width);
    return { ...table, peers: new PeerValues(this.#all, this.#width) };
  }
}

/**
 * Works out each call (`calls`) over each scope in `all` (`width` values a row), where each row's argument
 * of the call is, and its value goes: a scope's arguments are copied out (a township's twenty), its values
 * written back. A function of its own, apart from what finish makes of its result: V8 replaces a
 * long-running loop on the stack with optimized code made while the loop runs, and in code made so, what
 * follows the loop was deoptimized again and again (its construct site "without feedback", 21 times in 300 runs).
 */
function workOut(calls: ReadonlyArray<{ p: CompiledPeer; k: number }>, scope: { order: Int32Array | undefined; starts: number[] }, all: Float64Array, width: number): void {
  const { order, starts } = scope;
  let widest = 0;
  for (let g = 0; g + 1 < starts.length; g++) widest = Math.max(widest, starts[g + 1] - starts[g]);
  // A scope's arguments (by its m-th row), its rows with one highest first, and their ranks (peerRank).
  const x = new Float64Array(widest), ranked = new Int32Array(widest), ranks = new Float64Array(widest);
  const kinds = calls.map(({ p }) => FUNCTION_KINDS[p.fn]);
  for (let g = 0; g + 1 < starts.length; g++) {
    const from = starts[g], size = starts[g + 1] - from;
    for (let c = 0; c < calls.length; c++) {
      const kind = kinds[c], k = calls[c].k;
      let n = 0;
      for (let m = 0; m < size; m++) {
        const v = all[(order === undefined ? from + m : order[from + m]) * width + k];
        x[m] = v;
        if (v === v) n++;
      }
      let value = NaN;
      if (kind === SUM || kind === AVG || kind === COUNT) {
        // Over the exact values (§4): nothing is compared, so nothing is rounded to 9 decimals.
        let sum = 0;
        for (let m = 0; m < size; m++) { const v = x[m]; if (v === v) sum += v; }
        value = kind === COUNT ? n : kind === SUM ? sum : n ? sum / n : NaN;
      } else if (kind === RANK) {
        // 1 + the number of peers strictly greater at 9 decimals (§4): the rows walked highest first, rows the
        // same at 9 decimals sharing a rank (the highest first at 9 decimals too, rounding keeping the order);
        // a row whose argument is undefined has no rank.
        byValue(ranked, x, size, n);
        for (let m = 0; m < size; m++) ranks[m] = NaN;
        let rank = 1;
        for (let j = 0; j < n; j++) {
          const m = ranked[j];
          if (j > 0 && !same(x[m], x[ranked[j - 1]])) rank = j + 1;
          ranks[m] = rank;
        }
        for (let m = 0; m < size; m++) all[(order === undefined ? from + m : order[from + m]) * width + k] = ranks[m];
        continue;
      } else {
        // peerMax, peerMin: the first of the highest (lowest) at 9 decimals, as its exact value. The highest at 9
        // decimals is the highest's, rounding keeping the order; the first the same as it at 9 decimals is taken.
        const higher = kind === MAX;
        let best = NaN;
        for (let m = 0; m < size; m++) {
          const v = x[m];
          if (v === v && (best !== best || (higher ? v > best : v < best))) best = v;
        }
        if (best === best) {
          for (let m = 0; m < size; m++) { const v = x[m]; if (v === v && same(v, best)) { value = v; break; } }
        }
      }
      for (let m = 0; m < size; m++) all[(order === undefined ? from + m : order[from + m]) * width + k] = value;
    }
  }
}

const RANK = 0, MAX = 1, MIN = 2, SUM = 3, AVG = 4, COUNT = 5;
const FUNCTION_KINDS: Record<string, number> = { peerRank: RANK, peerMax: MAX, peerMin: MIN, peerSum: SUM, peerAvg: AVG, peerCount: COUNT };

/**
 * The `n` rows of a scope whose argument is defined (`x[m]`: its m-th row's; NaN undefined), highest first,
 * at the start of `ranked`. A township's twenty villages by insertion as they come (a few comparisons each,
 * nothing made); a larger scope (a county's, or every unit's with scope "all") by one sort.
 */
function byValue(ranked: Int32Array, x: Float64Array, size: number, n: number): void {
  let j = 0;
  if (size <= 32) {
    for (let m = 0; m < size; m++) {
      const v = x[m];
      if (v !== v) continue;
      let at = j - 1;
      for (; at >= 0 && x[ranked[at]] < v; at--) ranked[at + 1] = ranked[at];
      ranked[at + 1] = m;
      j++;
    }
    return;
  }
  for (let m = 0; m < size; m++) if (x[m] === x[m]) ranked[j++] = m;
  ranked.subarray(0, n).sort((a, b) => x[b] - x[a]);
}

/**
 * Works out the calls of one tier for units read from `table` (`units[k]` from `table.rows[k]`), each
 * argument taken from `valuesOf(unit)`: the unit's values (`value` calls), or its values with its
 * scores (`score` calls: 高于全乡平均分).
 */
export function setPeerValues(rs: CompiledRuleSet, table: DataTable, units: Unit[], tier: CompiledPeer['tier'], valuesOf: (unit: Unit) => Env): DataTable {
  const pass = new PeerArguments(rs, tier, table.rows.length, table.peers);
  if (pass.calls.length === 0) return table;
  for (let i = 0; i < units.length; i++) pass.take(i, valuesOf(units[i]));
  return pass.finish(table);
}

/** The generated taker of each rule set's arguments, by tier. */
const takers = new WeakMap<CompiledRuleSet, Map<CompiledPeer['tier'], ArgumentTaker>>();
function takerOf(rs: CompiledRuleSet, tier: CompiledPeer['tier']): ArgumentTaker {
  let byTier = takers.get(rs);
  if (!byTier) takers.set(rs, (byTier = new Map()));
  let taker = byTier.get(tier);
  if (!taker) byTier.set(tier, (taker = generateArgumentTaker(rs, rs.peers.filter((p) => p.tier === tier))));
  return taker;
}

/** Reads rows for their peer functions' arguments only (the first reading): nothing of a unit is kept. */
class ArgumentsAsRead implements UnitMaker<Unit> {
  readonly scratch: Env;
  readonly keeps = false;
  constructor(rs: CompiledRuleSet, readonly pass: PeerArguments) { this.scratch = new Float64Array(rs.valueSlots); }
  fromRow(): Unit { return NOTHING; }
  fromHeld(): Unit { return NOTHING; }
  onRead(_unit: Unit, values: Env, k: number): void { this.pass.take(k, values); }
}

/** The inputs the value-tier peers' arguments read, by rule set: what their first reading reads. */
const argumentInputs = new WeakMap<CompiledRuleSet, ReadonlySet<string>>();
function inputsOfArguments(rs: CompiledRuleSet): ReadonlySet<string> {
  let names = argumentInputs.get(rs);
  if (!names) argumentInputs.set(rs, (names = new Set(rs.peers.filter((p) => p.tier === 'value').flatMap((p) => p.reads))));
  return names;
}
const NOTHING = new HeldUnit('', null, null, 0, new Float64Array(0));

/**
 * The table with its rows' values of their peer functions over inputs, metrics and sources: one first
 * reading of the inputs the arguments read (no check) takes every unit's arguments as its row is read.
 * Its problems are not reported here: the reading that scores reports every problem of every row.
 * `complete` false when a row had one (its arguments are left out, so the values are not the scope's: a
 * check that calls a peer is then not run, and nothing is scored).
 */
export function givePeerValues(rs: CompiledRuleSet, table: DataTable): { table: DataTable; complete: boolean } {
  if (!rs.peers.some((p) => p.tier === 'value')) return { table, complete: true };
  const pass = new PeerArguments(rs, 'value', table.rows.length, table.peers);
  let complete = true;
  try {
    readUnits(rs, table, { only: inputsOfArguments(rs), maker: new ArgumentsAsRead(rs, pass) });
  } catch (e) {
    if (!(e instanceof DataInvalid)) throw e;
    complete = false;
  }
  return { table: pass.finish(table), complete };
}

/** Whether the rule set has peer calls over scores (高于全乡平均分), which need the units scored first. */
export function hasScorePeers(rs: CompiledRuleSet): boolean {
  return rs.peers.some((p) => p.tier === 'score');
}

/**
 * The table with its rows' values of their peer functions over scores (高于全乡平均分) too, from units
 * read and scored from it; undefined when there are none. The units must then be read again from it.
 */
export function giveScorePeerValues(rs: CompiledRuleSet, table: DataTable, units: Unit[]): DataTable | undefined {
  if (!hasScorePeers(rs)) return undefined;
  const env = new Float64Array(rs.slotCount), scores = new Float64Array(rs.nodes.length);
  return setPeerValues(rs, table, units, 'score', (u) => { scoreAgainInto(rs, u, env, scores); return env; });
}

/**
 * The rows of each ranking scope: every row together with "all", else by parent (rows with none
 * together). Rows of one parent usually come together (a snapshot, an export, a township's sheet):
 * each scope is then a run of rows, where `starts` says each begins, and there is no `order`.
 * Otherwise `order` lists the rows scope by scope.
 */
function scopes(rs: CompiledRuleSet, table: DataTable): { order: Int32Array | undefined; starts: number[] } {
  const rows = table.rows;
  if (rs.ranking.scope === 'all' || rows.length === 0) return { order: undefined, starts: [0, rows.length] };
  const parents = table.keys ? table.keys.parents : rows.map((r) => text(r.cells.parent) ?? null);
  const runs = table.keys ? keyRuns(table.keys) : parentRuns(parents);
  if (runs) return { order: undefined, starts: runs as number[] };
  // Parents in id order (a snapshot's, an export's) are the runs above; others may still each come together.
  const starts = [0];
  const seen = new Set<string | null>([parents[0]]);
  let last = parents[0];
  let together = true;
  for (let i = 1; i < rows.length; i++) {
    const parent = parents[i];
    if (parent === last) continue;
    if (seen.has(parent)) { together = false; break; }
    seen.add(parent);
    starts.push(i);
    last = parent;
  }
  if (together) { starts.push(rows.length); return { order: undefined, starts }; }
  const byParent = new Map<string | null, number[]>();
  rows.forEach((_r, i) => {
    const parent = parents[i];
    let list = byParent.get(parent);
    if (!list) byParent.set(parent, (list = []));
    list.push(i);
  });
  const order = new Int32Array(rows.length);
  starts.length = 0;
  let placed = 0;
  for (const list of byParent.values()) {
    starts.push(placed);
    for (const i of list) order[placed++] = i;
  }
  starts.push(placed);
  return { order, starts };
}
