import { Engine, type Almanac, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import { clamp, finish, round9, roundHalfUp, steps } from './decimal.js';
import { evaluate, namesOf, parseExpr, type Ast } from './expr.js';
import type { PeerScore } from './rank.js';
import type { Json } from '../synthetic-rules.js';

/**
 * The rule set translated to json-rules-engine, the way that library is meant to be used:
 * the unit's inputs are the run's facts; each metric is a computed fact (addFact with a
 * function of other facts, rounded to 9 decimals as RULES.md §4 asks before any comparison);
 * each criterion becomes rules whose conditions pick its branch (shortfall: value below
 * target; per: count above allowed; linear: between zeroAt and fullAt, or at/above fullAt;
 * bands: one rule per band with its bounds; check: one rule per test; zeroIf and vetoes: one
 * rule each) and whose event carries the criterion and the method's parameters. The library
 * has no arithmetic, so the amount an event stands for (steps × points, the linear
 * interpolation, the ratio) is computed from the event and the fact's value in a small JS
 * wrapper, followed by the same clamping, rounding and sums as every peer. One
 * `engine.run(facts)` per unit, awaited in turn.
 */

type Method = Record<string, unknown>;
interface Params { c: number; kind: string; m?: Method; fact?: string; amount?: number }

function condition(ast: Ast): TopLevelCondition {
  if ('op' in ast && ast.op === 'not' && 'name' in ast.args[0]) return { all: [{ fact: ast.args[0].name, operator: 'equal', value: false }] };
  if ('op' in ast && 'name' in ast.args[0] && 'num' in ast.args[1]) {
    const operator = { '>': 'greaterThan', '>=': 'greaterThanInclusive', '<': 'lessThan', '<=': 'lessThanInclusive', '==': 'equal' }[ast.op];
    if (operator) return { all: [{ fact: ast.args[0].name, operator, value: ast.args[1].num }] };
  }
  throw new Error('bench: json-rules-engine translation reads only `name op number` and `not name`');
}

export interface RulesEngineSet { engine: Engine; criteria: Array<{ points: number; group: number; award: boolean }>; groups: number; precision: number; }

export function translateToRulesEngine(rs: Json): RulesEngineSet {
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const [name, m] of Object.entries(rs.metrics as Record<string, { expr: string }>)) {
    const ast = parseExpr(m.expr);
    const names = namesOf(ast);
    engine.addFact(name, async (_params: unknown, almanac: Almanac) => {
      const values = new Map<string, unknown>();
      for (const n of names) values.set(n, await almanac.factValue(n));
      return round9(evaluate(ast, (n) => values.get(n)) as number);
    });
  }
  const criteria: RulesEngineSet['criteria'] = [];
  const rule = (conditions: TopLevelCondition, params: Params): RuleProperties => ({ conditions, event: { type: params.kind, params: params as never } });
  const add = (r: RuleProperties) => engine.addRule(r);
  (rs.items as Array<{ items: Method[] }>).forEach((g, gi) => {
    for (const c of g.items) {
      const ci = criteria.length;
      const points = c.points as number;
      criteria.push({ points, group: gi, award: !!c.award });
      const methods = c.award ? [c.award as Method] : (c.deduct as Method[]);
      for (const m of methods) {
        switch (m.method) {
          case 'shortfall':
            add(rule({ all: [{ fact: m.value as string, operator: m.better === 'higher' ? 'lessThan' : 'greaterThan', value: m.target }] }, { c: ci, kind: 'shortfall', m, fact: m.value as string }));
            break;
          case 'per':
            add(rule({ all: [{ fact: m.count as string, operator: 'greaterThan', value: m.allowed ?? 0 }] }, { c: ci, kind: 'per', m, fact: m.count as string }));
            break;
          case 'ratio':
            add(rule({ all: [{ fact: m.value as string, operator: 'greaterThan', value: 0 }] }, { c: ci, kind: 'ratio', fact: m.value as string }));
            break;
          case 'linear':
            add(rule({ all: [{ fact: m.value as string, operator: 'greaterThanInclusive', value: m.fullAt }] }, { c: ci, kind: 'amount', amount: points }));
            add(rule({ all: [{ fact: m.value as string, operator: 'greaterThan', value: m.zeroAt }, { fact: m.value as string, operator: 'lessThan', value: m.fullAt }] }, { c: ci, kind: 'linear', m, fact: m.value as string }));
            break;
          case 'bands': {
            let upper: number | undefined;
            for (const b of m.bands as Array<{ atLeast?: number; points: number }>) {
              const all = [];
              if (b.atLeast !== undefined) all.push({ fact: m.value as string, operator: 'greaterThanInclusive', value: b.atLeast });
              if (upper !== undefined) all.push({ fact: m.value as string, operator: 'lessThan', value: upper });
              if (b.points !== 0) add(rule({ all }, { c: ci, kind: 'amount', amount: b.points }));
              upper = b.atLeast;
            }
            break;
          }
          case 'check':
            add(rule(condition(parseExpr(m.test as string)), { c: ci, kind: 'amount', amount: (m.points as number | undefined) ?? points }));
            break;
          default: throw new Error(`bench: json-rules-engine translation has no ${String(m.method)}`);
        }
      }
      if (c.zeroIf) add(rule(condition(parseExpr(c.zeroIf as string)), { c: ci, kind: 'zero' }));
      if (c.vetoIf) add(rule(condition(parseExpr(c.vetoIf as string)), { c: ci, kind: 'veto' }));
    }
  });
  for (const x of rs.vetoes as Array<{ when: string }>) add(rule(condition(parseExpr(x.when)), { c: -1, kind: 'veto' }));
  return { engine, criteria, groups: (rs.items as unknown[]).length, precision: rs.precision as number };
}

/** The amount an event stands for (the arithmetic json-rules-engine cannot express). */
function eventAmount(p: Params, x: number, points: number): number {
  const m = p.m!;
  switch (p.kind) {
    case 'shortfall': return (m.points as number) * steps(Math.abs(x - (m.target as number)) / (m.per as number), (m.steps as 'started' | 'whole' | undefined) ?? 'proportional');
    case 'per': {
      const a = (m.points as number) * steps(Math.max(0, x - ((m.allowed as number | undefined) ?? 0)) / ((m.per as number | undefined) ?? 1), (m.steps as 'started' | undefined) ?? 'whole');
      return m.max === undefined ? a : Math.min(a, m.max as number);
    }
    case 'linear': return points * clamp((x - (m.zeroAt as number)) / ((m.fullAt as number) - (m.zeroAt as number)), 0, 1);
    default: return points * clamp(x, 0, 1); // ratio
  }
}

export async function scoreByRulesEngine(rs: RulesEngineSet, cells: Record<string, unknown>): Promise<PeerScore> {
  const { events, almanac } = await rs.engine.run(cells);
  const n = rs.criteria.length;
  const amounts = new Array<number>(n).fill(0);
  const zero = new Array<boolean>(n).fill(false);
  let vetoed = false;
  for (const e of events) {
    const p = e.params as unknown as Params;
    if (p.kind === 'veto') vetoed = true;
    else if (p.kind === 'zero') zero[p.c] = true;
    else if (p.kind === 'amount') amounts[p.c] += p.amount!;
    else amounts[p.c] += eventAmount(p, (await almanac.factValue(p.fact!)) as number, rs.criteria[p.c].points);
  }
  const groups = new Array<number>(rs.groups).fill(0);
  for (let i = 0; i < n; i++) {
    const c = rs.criteria[i];
    const raw = zero[i] ? 0 : c.award ? amounts[i] : c.points - amounts[i];
    groups[c.group] += finish(raw, c.points, rs.precision);
  }
  let items = 0;
  for (let g = 0; g < groups.length; g++) items += (groups[g] = roundHalfUp(groups[g], rs.precision));
  return { id: String(cells.id), parent: String(cells.parent), total: Math.max(0, roundHalfUp(items, rs.precision)), vetoed, tie0: groups[0], tie1: groups[1] };
}
