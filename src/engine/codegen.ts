import { clamp, round9, roundHalfUp } from './decimal.js';
import type { CompiledRuleSet } from './compiled.js';
import { num } from './expression/compile.js';
import { bandHolds, meetsTarget, stepCount } from './methods.js';
import type { Band, Steps } from './ruleset.js';

/**
 * The scorer of a rule set as one straight-line JavaScript function, generated once
 * from the checked expression trees and method definitions: every criterion, group,
 * adjustment, the total and the vetoes, with no call per node and no allocation.
 *
 * No text of the rule file ever reaches the generated source: names became slot
 * numbers, strings became ids, numbers are printed again from their values, and
 * tables (bands, grade points) are passed in as data (`K`). The source is checked for
 * that before it is compiled: it may hold only ASCII code, with no quote or backslash.
 * Each helper `H.*` is the very function the closures use, so both give the same numbers.
 */

export type Scorer = (e: Float64Array, s: Float64Array, vetoes: number[]) => void;

const STEPS: Steps[] = ['proportional', 'started', 'whole'];

const H = {
  r9: round9,
  rh: roundHalfUp,
  clamp,
  dv: (x: number, y: number) => (round9(y) === 0 ? NaN : x / y),
  and: (x: number, y: number) => (x === 0 || y === 0 ? 0 : x !== x || y !== y ? NaN : 1),
  or: (x: number, y: number) => (x === 1 || y === 1 ? 1 : x !== x || y !== y ? NaN : 0),
  eqn: (x: number, y: number) => (x !== x || y !== y ? 0 : round9(x) === round9(y) ? 1 : 0),
  nen: (x: number, y: number) => (x !== x || y !== y ? 0 : round9(x) === round9(y) ? 0 : 1),
  eqs: (x: number, y: number) => (x !== x || y !== y ? 0 : x === y ? 1 : 0),
  nes: (x: number, y: number) => (x !== x || y !== y ? 0 : x === y ? 0 : 1),
  iff: (c: number, a: number, b: number) => (c !== c ? NaN : c ? a : b),
  round: (v: number, digits: number) => {
    if (v !== v || digits !== digits) return NaN;
    const d = Math.trunc(digits);
    if (d >= 0) return roundHalfUp(v, Math.min(9, d));
    const scale = 10 ** Math.min(-d, 300);
    return roundHalfUp(v / scale, 0) * scale;
  },
  shortfall: (x: number, target: number, higher: number, per: number, points: number, steps: number) => {
    if (x !== x) return NaN;
    if (meetsTarget(x, target, higher ? 'higher' : 'lower')) return 0;
    return points * stepCount(Math.abs(x - target) / per, STEPS[steps]);
  },
  per: (x: number, per: number, allowed: number, points: number, steps: number) =>
    (x !== x ? NaN : points * stepCount(Math.max(0, x - allowed) / per, STEPS[steps])),
  ratio: (x: number, P: number) => (x !== x ? NaN : P * clamp(x, 0, 1)),
  linear: (x: number, zeroAt: number, fullAt: number, P: number) => (x !== x ? NaN : P * clamp((x - zeroAt) / (fullAt - zeroAt), 0, 1)),
  bands: (x: number, bands: Band[]) => {
    if (x !== x) return NaN;
    for (const b of bands) if (bandHolds(b, x)) return b.points;
    return 0;
  },
};

export function generateScorer(rs: CompiledRuleSet): Scorer {
  const p = rs.precision;
  const lines: string[] = ['let a = 0, t = 0, b = 0, items = 0;'];
  for (const c of rs.criteria) {
    const undef = num(c.ifUndefined === 'zero' ? 0 : c.points);
    const points = num(c.points);
    const amount = c.mode === 'award'
      ? `a = ${c.methods[0].src}; t = a !== a ? ${undef} : H.clamp(a, 0, ${points});`
      : `a = ${c.methods.map((m) => `(${m.src})`).join(' + ') || '0'}; t = a !== a ? ${undef} : H.clamp(${points} - a, 0, ${points});`;
    lines.push(c.zeroIfSrc ? `if (${c.zeroIfSrc} === 1) t = 0; else { ${amount} }` : amount);
    lines.push(`t = H.rh(t, ${p}); s[${c.index}] = t; e[${c.slot}] = t;`);
  }
  for (const g of rs.groupsPostOrder) {
    lines.push(`t = H.rh(${g.children.map((k) => `s[${k}]`).join(' + ') || '0'}, ${p}); s[${g.index}] = t; e[${g.slot}] = t;`);
  }
  lines.push(`items = ${rs.top.map((k) => `s[${k}]`).join(' + ') || '0'};`);
  for (const [block, slot] of [[rs.bonus, rs.bonusSlot], [rs.penalty, rs.penaltySlot]] as const) {
    lines.push('b = 0;');
    for (const item of block?.items ?? []) lines.push(`a = ${item.method.src}; if (a === a) b += H.rh(a, ${p});`);
    lines.push(`b = H.rh(b, ${p});`);
    if (block?.cap !== undefined) lines.push(`b = Math.min(${num(block.cap)}, b);`);
    lines.push(`e[${slot}] = b;`);
  }
  lines.push(`e[${rs.totalSlot}] = Math.max(0, H.rh(items + e[${rs.bonusSlot}] - e[${rs.penaltySlot}], ${p}));`);
  let k = 0;
  for (const c of rs.criteria) {
    if (c.vetoIf) lines.push(`if (${c.vetoIfSrc} === 1) v.push(${k});`);
    if (c.vetoIf) k++;
  }
  for (const veto of rs.vetoes) lines.push(`if (${veto.src} === 1) v.push(${k++});`);
  const body = lines.join('\n');
  if (/["'`\\]|[^\x00-\x7f]/.test(body)) throw new Error('generated scorer would hold text from the rule file');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from checked trees only (see above)
  const make = new Function('H', 'K', `return function score(e, s, v) {\n${body}\n};`) as (h: typeof H, k: unknown[]) => Scorer;
  return make(H, rs.constants);
}

/** The vetoes a generated scorer reports by index: criteria's vetoIf in item order, then `vetoes[]`. */
export function vetoTable(rs: CompiledRuleSet): Array<{ id: string; title: string }> {
  return [...rs.criteria.filter((c) => c.vetoIf).map((c) => ({ id: c.id, title: c.title })), ...rs.vetoes.map((v) => ({ id: v.id, title: v.title }))];
}
