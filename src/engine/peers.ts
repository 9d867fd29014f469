import { round9 } from './decimal.js';
import type { CompiledPeer, CompiledRuleSet } from './compiled.js';
import type { Env } from './expression/ast.js';
import type { DataProblem } from './problems.js';
import { scoreAgainInto } from './score.js';
import { HeldUnit, PEER_VALUES, readUnits, text, type DataTable, type Unit, type UnitMaker } from './units.js';

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
    this.#args = this.calls.map(() => new Float64Array(size));
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
    const values = rows.map((r, i) => {
      const cells = r.cells as { [PEER_VALUES]?: Float64Array };
      const held = cells[PEER_VALUES];
      const mine = all.subarray(i * width, (i + 1) * width);
      if (held && held.length === width) mine.set(held); // the other tier's values, worked out before
      cells[PEER_VALUES] = mine;
      return mine;
    });
    for (const members of scopes(rs, table)) {
      for (let c = 0; c < this.calls.length; c++) {
        const { p, k } = this.calls[c];
        const x = this.#args[c];
        // The values themselves are exact (§4); only comparing them takes the 9-decimal discipline.
        let max = NaN, min = NaN, sum = 0, count = 0;
        for (const i of members) {
          const v = x[i];
          if (v !== v) continue;
          if (count === 0 || round9(v) > round9(max)) max = v;
          if (count === 0 || round9(v) < round9(min)) min = v;
          sum += v;
          count++;
        }
        if (p.fn === 'peerRank') {
          // 1 + the number of peers strictly greater: by one sort of the defined values at 9 decimals, higher first.
          const sorted = Float64Array.from(members.map((i) => round9(x[i])).filter((v) => v === v)).sort().reverse();
          for (const i of members) values[i][k] = x[i] === x[i] ? 1 + greaterThan(sorted, round9(x[i])) : NaN;
          continue;
        }
        const value = p.fn === 'peerMax' ? (count ? max : NaN)
          : p.fn === 'peerMin' ? (count ? min : NaN)
          : p.fn === 'peerSum' ? sum
          : p.fn === 'peerCount' ? count
          : count ? sum / count : NaN; // peerAvg
        for (const i of members) values[i][k] = value;
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
  #k = 0;
  constructor(rs: CompiledRuleSet, readonly pass: PeerArguments) { this.scratch = new Float64Array(rs.valueSlots); }
  fromRow(): Unit { return NOTHING; }
  fromHeld(): Unit { return NOTHING; }
  onRead(_unit: Unit, values: Env): void { this.pass.take(this.#k++, values); }
}
const NOTHING = new HeldUnit('', null, null, 0, new Float64Array(0));

/**
 * Gives a table's rows the values of their peer functions over inputs, metrics and sources: one first
 * reading takes every unit's arguments as its row is read (checks that call a peer wait for the next
 * reading). Throws DataInvalid with `problems` and the table's own, as readUnits does.
 */
export function givePeerValues(rs: CompiledRuleSet, table: DataTable, problems: DataProblem[] = []): void {
  if (!rs.peers.some((p) => p.tier === 'value')) return;
  const pass = new PeerArguments(rs, 'value', table.rows.length);
  readUnits(rs, table, { problems, withoutPeerChecks: true, maker: new ArgumentsAsRead(rs, pass) });
  pass.finish(table);
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
