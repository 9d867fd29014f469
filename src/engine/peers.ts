import { round9 } from './decimal.js';
import type { CompiledPeer, CompiledRuleSet } from './compiled.js';
import type { Env } from './expression/ast.js';
import { PEER_VALUES, type DataTable, type Unit } from './units.js';

/**
 * Peer functions (RULES.md §7.7): each call's argument taken for every unit of a ranking scope (its
 * parent's units, or all), and the call's value for each unit worked out from those in one pass per
 * scope (peerRank by one sort): 排名赋分, 按第1名比例, 与平均水平比较. The values are kept on the rows'
 * cells (PEER_VALUES), where the reader gives them to the unit like its inputs.
 */

/**
 * Works out the calls of one tier for units read from `table` (`units[k]` from `table.rows[k]`), each
 * argument taken from `valuesOf(unit)`: the unit's values (`value` calls), or its values with its
 * scores (`score` calls: 高于全乡平均分).
 */
export function setPeerValues(rs: CompiledRuleSet, table: DataTable, units: Unit[], tier: CompiledPeer['tier'], valuesOf: (unit: Unit) => Env): void {
  const calls = rs.peers.map((p, k) => ({ p, k })).filter(({ p }) => p.tier === tier);
  if (calls.length === 0) return;
  const n = units.length;
  // Each unit's arguments, call by call.
  const args = calls.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const env = valuesOf(units[i]);
    for (let c = 0; c < calls.length; c++) {
      const v = calls[c].p.arg(env);
      args[c][i] = v - v === 0 ? round9(v) : NaN; // undefined (or beyond what a double holds) is left out
    }
  }
  const values = table.rows.map((r) => {
    const cells = r.cells as { [PEER_VALUES]?: Float64Array };
    let held = cells[PEER_VALUES];
    if (!held || held.length !== rs.peers.length) cells[PEER_VALUES] = held = new Float64Array(rs.peers.length).fill(NaN);
    return held;
  });
  for (const members of scopes(rs, units)) {
    for (let c = 0; c < calls.length; c++) {
      const { p, k } = calls[c];
      const x = args[c];
      let max = -Infinity, min = Infinity, sum = 0, count = 0;
      for (const i of members) {
        const v = x[i];
        if (v !== v) continue;
        if (v > max) max = v;
        if (v < min) min = v;
        sum += v;
        count++;
      }
      if (p.fn === 'peerRank') {
        // 1 + the number of peers strictly greater: by one sort of the defined values, higher first.
        const sorted = members.map((i) => x[i]).filter((v) => v === v).sort((a, b) => b - a);
        for (const i of members) values[i][k] = x[i] === x[i] ? 1 + greaterThan(sorted, x[i]) : NaN;
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

/** How many of `sorted` (descending) are strictly greater than v. */
function greaterThan(sorted: number[], v: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] > v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The positions of the units of each ranking scope: every unit together with "all", else by parent (units with none together). */
function scopes(rs: CompiledRuleSet, units: Unit[]): number[][] {
  if (rs.ranking.scope === 'all') return [units.map((_, i) => i)];
  const byParent = new Map<string | null, number[]>();
  units.forEach((u, i) => {
    let list = byParent.get(u.parent);
    if (!list) byParent.set(u.parent, (list = []));
    list.push(i);
  });
  return [...byParent.values()];
}
