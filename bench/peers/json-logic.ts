import jsonLogic from 'json-logic-js';
import { finish, round9, roundHalfUp, steps } from './decimal.js';
import { parseExpr, type Ast } from './expr.js';
import type { PeerScore } from './rank.js';
import type { Json } from '../synthetic-rules.js';

/**
 * The rule set translated to json-logic-js, one rule per metric and one per criterion
 * computing the criterion's raw score (award: the method's amount; deduct: points minus the
 * amounts; zeroIf as an `if`), evaluated with jsonLogic.apply on a copy of the unit's inputs.
 * json-logic has no rounding, floor or ceil, so three operations are added with
 * add_operation: `r9` (round to 9 decimals, RULES.md §4, wrapped around every numeric
 * comparison), `floor` and `ceil` (the steps of §2, on r9 values). Clamping to [0, points],
 * rounding half-up to the precision, group sums and the total are the same JS wrapper as
 * for every peer (peers/decimal.ts `finish`).
 */

export type Logic = unknown;
export type Method = Record<string, unknown>;

jsonLogic.add_operation('r9', round9);
jsonLogic.add_operation('floor', (x: number) => steps(x, 'whole'));
jsonLogic.add_operation('ceil', (x: number) => steps(x, 'started'));

const COMPARISONS = new Set(['>', '>=', '<', '<=', '==']);

/**
 * An expression as json-logic. `hook` may translate a node itself (the version-2 translation: a
 * source's names, the events functions, the peer functions read from what the harness worked out).
 */
export function toLogic(ast: Ast, hook?: (ast: Ast) => Logic | undefined): Logic {
  const own = hook?.(ast);
  if (own !== undefined) return own;
  if ('num' in ast) return ast.num;
  if ('str' in ast) return ast.str;
  if ('name' in ast) return { var: ast.name };
  const args = ast.args.map((a) => toLogic(a, hook));
  if ('call' in ast) {
    if (ast.call === 'if' || ast.call === 'min' || ast.call === 'max') return { [ast.call]: args };
    throw new Error(`bench: json-logic translation has no function ${ast.call}`);
  }
  if (ast.op === 'not') return { '!': args };
  if (COMPARISONS.has(ast.op)) return { [ast.op]: args.map((a) => (typeof a === 'number' ? a : { r9: [a] })) };
  return { [ast.op]: args };
}

const defaultV = (expr: string) => toLogic(parseExpr(expr));
const v = defaultV;
export const r9 = (x: Logic) => ({ r9: [x] });

/** A method's amount as json-logic (`v`: how its expressions are translated). */
export function amount(m: Method, P: number, v: (expr: string) => Logic = defaultV): Logic {
  let a: Logic;
  switch (m.method) {
    case 'shortfall': {
      const x = v(m.value as string), target = m.target as number;
      const gap = m.better === 'higher' ? { '-': [target, x] } : { '-': [x, target] };
      const s = r9({ '/': [gap, m.per] });
      const n = m.steps === 'started' ? { ceil: [s] } : m.steps === 'whole' ? { floor: [s] } : s;
      a = { if: [{ [m.better === 'higher' ? '>=' : '<=']: [r9(x), target] }, 0, { '*': [m.points, n] }] };
      break;
    }
    case 'per': {
      const s = r9({ '/': [{ max: [0, { '-': [v(m.count as string), m.allowed ?? 0] }] }, m.per ?? 1] });
      a = { '*': [m.points, m.steps === 'started' ? { ceil: [s] } : m.steps === 'proportional' ? s : { floor: [s] }] };
      break;
    }
    case 'ratio': a = { '*': [P, { max: [0, { min: [1, v(m.value as string)] }] }] }; break;
    case 'linear': a = { '*': [P, { max: [0, { min: [1, { '/': [{ '-': [v(m.value as string), m.zeroAt] }, (m.fullAt as number) - (m.zeroAt as number)] }] }] }] }; break;
    case 'bands': {
      const x = r9(v(m.value as string));
      const bands = m.bands as Array<{ atLeast?: number; atMost?: number; above?: number; below?: number; points: number }>;
      const chain: Logic[] = [];
      for (const b of bands) {
        const bounds: Logic[] = [];
        if (b.atLeast !== undefined) bounds.push({ '>=': [x, b.atLeast] });
        if (b.atMost !== undefined) bounds.push({ '<=': [x, b.atMost] });
        if (b.above !== undefined) bounds.push({ '>': [x, b.above] });
        if (b.below !== undefined) bounds.push({ '<': [x, b.below] });
        if (bounds.length === 0) { chain.push(b.points); break; }
        chain.push(bounds.length === 1 ? bounds[0] : { and: bounds }, b.points);
      }
      if (chain.length % 2 === 0) chain.push(0);
      a = { if: chain };
      break;
    }
    case 'check': a = { if: [v(m.test as string), m.points ?? P, 0] }; break;
    case 'amount': a = v(m.value as string); break;
    default: throw new Error(`bench: json-logic translation has no ${String(m.method)}`);
  }
  return m.max === undefined ? a : { min: [m.max, a] };
}

interface LogicCriterion { points: number; group: number; rule: Logic; }

export interface LogicRuleSet {
  metrics: Array<[string, Logic]>;
  criteria: LogicCriterion[];
  groups: number;
  vetoes: Logic[];
  precision: number;
}

export function translateToJsonLogic(rs: Json): LogicRuleSet {
  const metrics = Object.entries(rs.metrics as Record<string, { expr: string }>).map(([name, m]) => [name, v(m.expr)] as [string, Logic]);
  const criteria: LogicCriterion[] = [];
  const vetoes: Logic[] = [];
  (rs.items as Array<{ items: Method[] }>).forEach((g, gi) => {
    for (const c of g.items) {
      const points = c.points as number;
      let rule: Logic = c.award ? amount(c.award as Method, points) : { '-': [points, { '+': (c.deduct as Method[]).map((m) => amount(m, points)) }] };
      if (c.zeroIf) rule = { if: [v(c.zeroIf as string), 0, rule] };
      if (c.vetoIf) vetoes.push(v(c.vetoIf as string));
      criteria.push({ points, group: gi, rule });
    }
  });
  for (const x of rs.vetoes as Array<{ when: string }>) vetoes.push(v(x.when));
  return { metrics, criteria, groups: (rs.items as unknown[]).length, vetoes, precision: rs.precision as number };
}

export function scoreByJsonLogic(rs: LogicRuleSet, cells: Record<string, unknown>): PeerScore {
  const data: Record<string, unknown> = Object.assign({}, cells);
  for (const [name, rule] of rs.metrics) data[name] = jsonLogic.apply(rule as never, data);
  const groups = new Array<number>(rs.groups).fill(0);
  for (const c of rs.criteria) {
    const raw = jsonLogic.apply(c.rule as never, data) as number;
    if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new Error(`bench: json-logic gave ${String(raw)} for ${String(cells.id)}`);
    groups[c.group] += finish(raw, c.points, rs.precision);
  }
  let items = 0;
  for (let g = 0; g < groups.length; g++) items += (groups[g] = roundHalfUp(groups[g], rs.precision));
  let vetoed = false;
  for (const rule of rs.vetoes) if (jsonLogic.apply(rule as never, data) === true) vetoed = true;
  return { id: String(cells.id), parent: String(cells.parent), total: Math.max(0, roundHalfUp(items, rs.precision)), vetoed, tie0: groups[0], tie1: groups[1] };
}
