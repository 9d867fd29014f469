import jsonLogic from 'json-logic-js';
import type { SourceResult } from '../../src/engine/index.js';
import { finish, round9, roundHalfUp } from './decimal.js';
import { parseExpr, type Ast } from './expr.js';
import { amount, toLogic, type Logic, type Method } from './json-logic.js';
import type { PeerScore } from './rank.js';
import type { Json } from '../synthetic-rules.js';

/**
 * The version-2 rule set translated to json-logic-js, as far as json-logic can say it, with the
 * harness around it doing what it cannot (as for the ranking, which every peer shares):
 *
 * - json-logic says: the metrics; every criterion's raw score (as for version 1; `amount` is its
 *   value); `appliesIf` and `vetoIf` as rules; the events functions as `reduce` over the unit's
 *   inline list (`count(E)` adds 1 an event, `count(E, "较大")` 1 an event of that level, `sum(E)`
 *   the level's points or the event's own `points`, by an `if` on `current.level`); a source's names
 *   as `var` paths into the unit's result (`fp.total` → `fp.total`, a listed score `fp.g0` →
 *   `fp.scores.g0`, a listed metric → `fp.metrics.rate0`).
 * - the harness does: the source's lookup (its result for the unit's id put under `fp` in the data,
 *   as part of the timed pass); the peer functions: a first pass evaluates every unit's metrics and
 *   each peer function's argument (json-logic), the harness works out each call's value per ranking
 *   scope (the parent's units) over the arguments rounded to 9 decimals — the max, the average summed
 *   in the units' order, the rank by one sort — and puts it in the unit's data as `peerK`, which the
 *   criteria's rules read; then a second pass evaluates the criteria. For each criterion that applies
 *   (its `appliesIf` rule true), clamping to [floor, points] and rounding (peers/decimal.ts `finish`)
 *   and the group sums; the points of those that do not apply are taken from the total's points and
 *   the sum scaled (按比例折算); a `vetoIf` counts only where its item applies.
 */

export interface PeerCall { fn: string; arg: Logic }
interface LogicCriterionV2 { points: number; floor: number; group: number; rule: Logic; appliesIf?: Logic; vetoIf?: Logic }

export interface LogicRuleSetV2 {
  metrics: Array<[string, Logic]>;
  peers: PeerCall[];
  criteria: LogicCriterionV2[];
  groups: number;
  vetoes: Logic[];
  totalPoints: number;
  precision: number;
  /** The source's name: its result is put under this key of the data. */
  source: string;
}

const PEER_FUNCTIONS = new Set(['peerMax', 'peerMin', 'peerSum', 'peerCount', 'peerAvg', 'peerRank']);

export function translateToJsonLogicV2(rs: Json): LogicRuleSetV2 {
  const [[source, def]] = Object.entries(rs.sources as Record<string, { scores?: string[]; metrics?: string[] }>);
  const inputs = rs.inputs as Record<string, { type: string; levels?: Record<string, number> }>;
  const peers: PeerCall[] = [];
  const keys = new Map<string, number>();
  const hook = (ast: Ast): Logic | undefined => {
    if ('name' in ast && ast.name.startsWith(`${source}.`)) {
      const field = ast.name.slice(source.length + 1);
      return { var: def.scores?.includes(field) ? `${source}.scores.${field}` : def.metrics?.includes(field) ? `${source}.metrics.${field}` : ast.name };
    }
    if (!('call' in ast)) return undefined;
    if (PEER_FUNCTIONS.has(ast.call)) {
      const call: PeerCall = { fn: ast.call, arg: toLogic(ast.args[0], hook) };
      const key = JSON.stringify(call);
      let k = keys.get(key);
      if (k === undefined) { keys.set(key, (k = peers.length)); peers.push(call); }
      return { var: `peer${k}` };
    }
    if (ast.call === 'count' || ast.call === 'sum') {
      const list = { var: (ast.args[0] as { name: string }).name };
      const levels = inputs[(ast.args[0] as { name: string }).name].levels ?? {};
      const level = (name: string) => ({ '==': [{ var: 'current.level' }, name] });
      let each: Logic;
      if (ast.call === 'count') each = ast.args.length === 1 ? 1 : { if: [level((ast.args[1] as { str: string }).str), 1, 0] };
      else each = { if: [...Object.entries(levels).flatMap(([name, points]) => [level(name), points]), { var: 'current.points' }] };
      return { reduce: [list, { '+': [{ var: 'accumulator' }, each] }, 0] };
    }
    return undefined;
  };
  const v = (expr: string) => toLogic(parseExpr(expr), hook);
  const metrics = Object.entries(rs.metrics as Record<string, { expr: string }>).map(([name, m]) => [name, v(m.expr)] as [string, Logic]);
  const criteria: LogicCriterionV2[] = [];
  (rs.items as Array<Json & { items: Method[] }>).forEach((g, gi) => {
    if (g.appliesIf || g.zeroIf || g.vetoIf) throw new Error('bench: the json-logic harness reads conditions on criteria only');
    for (const c of g.items) {
      const points = c.points as number;
      let rule: Logic = c.award ? amount(c.award as Method, points, v) : { '-': [points, { '+': (c.deduct as Method[]).map((m) => amount(m, points, v)) }] };
      if (c.zeroIf) rule = { if: [v(c.zeroIf as string), 0, rule] };
      criteria.push({
        points, floor: (c.floor as number | undefined) ?? 0, group: gi, rule,
        ...(c.appliesIf ? { appliesIf: v(c.appliesIf as string) } : {}), ...(c.vetoIf ? { vetoIf: v(c.vetoIf as string) } : {}),
      });
    }
  });
  const vetoes = ((rs.vetoes ?? []) as Array<{ when: string }>).map((x) => v(x.when));
  return { metrics, peers, criteria, groups: (rs.items as unknown[]).length, vetoes, totalPoints: rs.totalPoints as number, precision: rs.precision as number, source };
}

/** Each call's value for each unit, from the arguments of the units of each scope (by parent), one pass a scope. */
function peerValues(fn: string, args: Float64Array, scopes: Iterable<number[]>, out: Float64Array): void {
  for (const members of scopes) {
    // The values exact (RULES.md §4), compared at 9 decimals.
    if (fn === 'peerRank') {
      const sorted = members.map((i) => round9(args[i])).sort((a, b) => b - a);
      for (const i of members) {
        let above = 0;
        while (above < sorted.length && sorted[above] > round9(args[i])) above++;
        out[i] = 1 + above;
      }
      continue;
    }
    let max = -Infinity, min = Infinity, sum = 0;
    for (const i of members) {
      const x = args[i];
      if (round9(x) > round9(max)) max = x;
      if (round9(x) < round9(min)) min = x;
      sum += x;
    }
    const value = fn === 'peerMax' ? max : fn === 'peerMin' ? min : fn === 'peerSum' ? sum : fn === 'peerCount' ? members.length : sum / members.length;
    for (const i of members) out[i] = value;
  }
}

export function scoreByJsonLogicV2(rs: LogicRuleSetV2, units: Array<Record<string, unknown>>, results: ReadonlyMap<string, SourceResult>): PeerScore[] {
  const n = units.length;
  const data: Array<Record<string, unknown>> = new Array(n);
  const args = rs.peers.map(() => new Float64Array(n));
  const scopes = new Map<string, number[]>();
  // First pass: the source's result, the metrics and the peer functions' arguments of every unit.
  for (let i = 0; i < n; i++) {
    const d: Record<string, unknown> = Object.assign({}, units[i]);
    const result = results.get(String(d.id));
    if (!result) throw new Error(`bench: the source has no result for ${String(d.id)}`);
    d[rs.source] = result;
    for (const [name, rule] of rs.metrics) d[name] = jsonLogic.apply(rule as never, d);
    for (let k = 0; k < rs.peers.length; k++) args[k][i] = jsonLogic.apply(rs.peers[k].arg as never, d) as number;
    data[i] = d;
    let members = scopes.get(String(d.parent));
    if (!members) scopes.set(String(d.parent), (members = []));
    members.push(i);
  }
  // The harness: each peer call's value per scope, into the units' data.
  const value = new Float64Array(n);
  for (let k = 0; k < rs.peers.length; k++) {
    peerValues(rs.peers[k].fn, args[k], scopes.values(), value);
    for (let i = 0; i < n; i++) data[i][`peer${k}`] = value[i];
  }
  // Second pass: the criteria.
  const out: PeerScore[] = new Array(n);
  const groups = new Array<number>(rs.groups), any = new Array<boolean>(rs.groups);
  for (let i = 0; i < n; i++) {
    const d = data[i];
    groups.fill(0); any.fill(false);
    let notApplicable = 0, vetoed = false;
    for (const c of rs.criteria) {
      if (c.appliesIf !== undefined && jsonLogic.apply(c.appliesIf as never, d) !== true) { notApplicable += c.points; continue; }
      const raw = jsonLogic.apply(c.rule as never, d) as number;
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new Error(`bench: json-logic gave ${String(raw)} for ${String(d.id)}`);
      groups[c.group] += finish(raw, c.points, rs.precision, c.floor);
      any[c.group] = true;
      if (c.vetoIf !== undefined && jsonLogic.apply(c.vetoIf as never, d) === true) vetoed = true;
    }
    let items = 0;
    for (let g = 0; g < groups.length; g++) if (any[g]) items += (groups[g] = roundHalfUp(groups[g], rs.precision));
    const applicable = rs.totalPoints - notApplicable;
    if (applicable < rs.totalPoints) items = applicable <= 0 ? 0 : items * rs.totalPoints / applicable;
    for (const rule of rs.vetoes) if (jsonLogic.apply(rule as never, d) === true) vetoed = true;
    out[i] = { id: String(d.id), parent: String(d.parent), total: Math.max(0, roundHalfUp(items, rs.precision)), vetoed, tie0: groups[0], tie1: groups[1] };
  }
  return out;
}
