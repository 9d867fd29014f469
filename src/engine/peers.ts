import { round9 } from './decimal.js';
import type { CompiledPeer, CompiledRuleSet } from './compiled.js';
import type { Env } from './expression/ast.js';
import { DataInvalid } from './problems.js';
import { scoreAgainInto } from './score.js';
import { HeldUnit, PEER_VALUES, readUnits, RowValues, text, type DataTable, type Unit, type UnitMaker } from './units.js';

/**
 * Peer functions (RULES.md §7.7): each call's argument taken for every unit of a ranking scope (its
 * parent's units, or all), and the call's value for each unit worked out from those in one pass per
 * scope (peerRank by one sort): 排名赋分, 按第1名比例, 与平均水平比较. The values are kept on the rows'
 * cells (PEER_VALUES), where the reader gives them to the unit like its inputs.
 */

/**
 * The arguments of one tier's calls, taken unit by unit as the table's rows are read (`take`, row k
 * of the table), then worked out over each scope and written to the rows (`finish`).
 */
export class PeerArguments {
  readonly calls: Array<{ p: CompiledPeer; k: number }>;
  readonly #args: Float64Array[];

  constructor(readonly rs: CompiledRuleSet, tier: CompiledPeer['tier'], readonly size: number) {
    this.calls = rs.peers.map((p, k) => ({ p, k })).filter(({ p }) => p.tier === tier);
    this.#args = this.calls.map(() => new Float64Array(size).fill(NaN)); // a row not read has no argument
  }

  /** Takes row k's arguments from its values (its inputs and metrics; with `score` calls, its scores too). */
  take(k: number, env: Env): void {
    for (let c = 0; c < this.calls.length; c++) {
      const v = this.calls[c].p.arg(env);
      this.#args[c][k] = v - v === 0 ? v : NaN; // undefined (or beyond what a double holds) is left out
    }
  }

  /** Works out every call over each scope and writes the values to the table's rows. */
  finish(table: DataTable): void {
    const { rs } = this;
    const rows = table.rows;
    const width = rs.peers.length;
    // One array for every row's values, each row a view of its part: no array of its own to collect for each of 100,000.
    const all = new Float64Array(rows.length * width).fill(NaN);
    const otherTier = rs.peers.some((p) => p.tier !== this.calls[0]?.p.tier);
    for (let i = 0; i < rows.length; i++) {
      const cells = rows[i].cells as { [PEER_VALUES]?: RowValues };
      const mine = new RowValues(all, i * width);
      const held = cells[PEER_VALUES];
      if (otherTier && held && held.all.length === all.length) held.copyTo(mine, width); // the other tier's values, worked out before
      cells[PEER_VALUES] = mine;
    }
    const r9 = new Float64Array(rows.length);
    for (const members of scopes(rs, table)) {
      for (let c = 0; c < this.calls.length; c++) {
        const { p, k } = this.calls[c];
        const x = this.#args[c];
        // The values themselves are exact (§4); only comparing them takes the 9-decimal discipline.
        let count = 0;
        for (let m = 0; m < members.length; m++) {
          const i = members[m];
          const v = x[i];
          r9[i] = v === v ? round9(v) : NaN;
          if (v === v) count++;
        }
        if (p.fn === 'peerRank') {
          // 1 + the number of peers strictly greater: by one sort of the defined values at 9 decimals, higher first.
          const sorted = new Float64Array(count);
          let n = 0;
          for (let m = 0; m < members.length; m++) { const v = r9[members[m]]; if (v === v) sorted[n++] = v; }
          sorted.sort().reverse();
          for (let m = 0; m < members.length; m++) { const i = members[m]; all[i * width + k] = x[i] === x[i] ? 1 + greaterThan(sorted, r9[i]) : NaN; }
          continue;
        }
        let value = NaN;
        if (p.fn === 'peerCount') value = count;
        else if (p.fn === 'peerSum' || p.fn === 'peerAvg') {
          let sum = 0;
          for (let m = 0; m < members.length; m++) { const v = x[members[m]]; if (v === v) sum += v; }
          value = p.fn === 'peerSum' ? sum : count ? sum / count : NaN;
        } else {
          // peerMax, peerMin: the first of the highest (lowest) at 9 decimals, as its exact value.
          const higher = p.fn === 'peerMax';
          let best = NaN;
          for (let m = 0; m < members.length; m++) {
            const i = members[m];
            const v = r9[i];
            if (v !== v) continue;
            if (best !== best || (higher ? v > best : v < best)) { best = v; value = x[i]; }
          }
        }
        for (let m = 0; m < members.length; m++) all[members[m] * width + k] = value;
      }
    }
  }
}

/**
 * Works out the calls of one tier for units read from `table` (`units[k]` from `table.rows[k]`), each
 * argument taken from `valuesOf(unit)`: the unit's values (`value` calls), or its values with its
 * scores (`score` calls: 高于全乡平均分).
 */
export function setPeerValues(rs: CompiledRuleSet, table: DataTable, units: Unit[], tier: CompiledPeer['tier'], valuesOf: (unit: Unit) => Env): void {
  const pass = new PeerArguments(rs, tier, units.length);
  if (pass.calls.length === 0) return;
  for (let i = 0; i < units.length; i++) pass.take(i, valuesOf(units[i]));
  pass.finish(table);
}

/** Reads rows for their peer functions' arguments only (the first reading): nothing of a unit is kept. */
class ArgumentsAsRead implements UnitMaker<Unit> {
  readonly scratch: Env;
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
 * Gives a table's rows the values of their peer functions over inputs, metrics and sources: one first
 * reading of the inputs the arguments read (no check) takes every unit's arguments as its row is read.
 * Its problems are not reported here: the reading that scores reports every problem of every row. False
 * when a row had one (its arguments are left out, so the values are not the scope's: a check that calls
 * a peer is then not run, and nothing is scored).
 */
export function givePeerValues(rs: CompiledRuleSet, table: DataTable): boolean {
  if (!rs.peers.some((p) => p.tier === 'value')) return true;
  const pass = new PeerArguments(rs, 'value', table.rows.length);
  let complete = true;
  try {
    readUnits(rs, table, { only: inputsOfArguments(rs), maker: new ArgumentsAsRead(rs, pass) });
  } catch (e) {
    if (!(e instanceof DataInvalid)) throw e;
    complete = false;
  }
  pass.finish(table);
  return complete;
}

/**
 * Gives the rows the values of their peer functions over scores (高于全乡平均分), from units read and
 * scored from them; true when there are any, and the units must then be read again to see them.
 */
export function giveScorePeerValues(rs: CompiledRuleSet, table: DataTable, units: Unit[]): boolean {
  if (!rs.peers.some((p) => p.tier === 'score')) return false;
  const env = new Float64Array(rs.slotCount), scores = new Float64Array(rs.nodes.length);
  setPeerValues(rs, table, units, 'score', (u) => { scoreAgainInto(rs, u, env, scores); return env; });
  return true;
}

/** How many of `sorted` (descending) are strictly greater than v. */
function greaterThan(sorted: Float64Array, v: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] > v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The positions of the rows of each ranking scope: every row together with "all", else by parent (rows with none together). */
function scopes(rs: CompiledRuleSet, table: DataTable): number[][] {
  if (rs.ranking.scope === 'all') return [table.rows.map((_, i) => i)];
  const byParent = new Map<string | null, number[]>();
  table.rows.forEach((r, i) => {
    const parent = text(r.cells.parent) ?? null;
    let list = byParent.get(parent);
    if (!list) byParent.set(parent, (list = []));
    list.push(i);
  });
  return [...byParent.values()];
}
