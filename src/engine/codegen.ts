import { round9, roundHalfUp, roundTo } from './decimal.js';
import { decimalText, yesNoText } from './cells.js';
import type { CompiledCheck, CompiledInput, CompiledRuleSet } from './compiled.js';
import * as I from './inline.js';
import { bandPoints } from './methods.js';
import { num } from './inline.js';

/**
 * The scorer of a rule set as one straight-line JavaScript function, generated once
 * from the checked expression trees and method definitions: every criterion, group,
 * adjustment, the total and the vetoes, with no call per node and no allocation.
 *
 * No text of the rule file ever reaches the generated source: names became slot
 * numbers, strings became ids, numbers are printed again from their values, and
 * tables (grade points) are passed in as data (`K`). The source is checked for that
 * before it is compiled: it may hold only ASCII code, with no quote or backslash.
 * The decimal discipline and the methods are written inline (inline.ts), so that no
 * number is boxed on the way; the helpers `H.*` are the very functions the closures
 * use, called only for what is rare (magnitudes beyond 9e6, `round`, text cells).
 */

/**
 * Scores the values in `e`: every slot it computes into `e`, the score of every node into `s`,
 * the index of every veto that holds onto `vetoes`. Given a batch's `totals` and `ties`, it
 * also writes the total and the ranking's tie-break scores at place `at` there: so no score
 * passes through code of ours that V8 may not have optimized yet, where every one would be
 * boxed (a scorer called 100,000 times a run always is).
 */
export type Scorer = (e: Float64Array, s: Float64Array, vetoes: number[], totals?: Float64Array, ties?: Float64Array, at?: number) => void;

const H = {
  r9: round9,
  rh: roundHalfUp,
  round: roundTo,
  /** A number cell: the number, or a plain decimal string's value; NaN for anything else. */
  cn: (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' ? decimalText(v) : NaN),
  /** A yes/no cell given as text (是/否, 1/0, true/false); NaN for anything else. */
  pb: (v: unknown) => (typeof v === 'string' ? yesNoText(v) : NaN),
  /** The points of a list of bands too long to write inline (methods.ts). */
  bands: bandPoints,
};

export function generateScorer(rs: CompiledRuleSet): Scorer {
  const p = rs.precision;
  const lines: string[] = ['let a = 0, t = 0, b = 0, items = 0;'];
  // The criteria in functions of a few each, called in turn: one function of 40 criteria
  // takes V8 a third of a second to optimize, and a 10,000-unit run is over before that.
  const parts: string[] = [];
  for (let from = 0; from < rs.criteria.length; from += CRITERIA_PER_PART) {
    const body: string[] = ['let a = 0, t = 0;'];
    for (const c of rs.criteria.slice(from, from + CRITERIA_PER_PART)) {
      const undef = num(c.ifUndefined === 'zero' ? 0 : c.points);
      const amount = c.mode === 'award'
        ? `a = ${c.methods[0].src}; t = a !== a ? ${undef} : ${I.clamp('a', 0, c.points)};`
        : `a = ${c.methods.map((m) => `(${m.src})`).join(' + ') || '0'}; t = a !== a ? ${undef} : ${I.clamp(`${num(c.points)} - a`, 0, c.points)};`;
      body.push(c.zeroIfSrc ? `if (${c.zeroIfSrc} === 1) t = 0; else { ${amount} }` : amount);
      body.push(`t = ${I.roundHalfUp('t', p)}; s[${c.index}] = t; e[${c.slot}] = t;`);
    }
    const text = body.join('\n');
    parts.push(`function part${parts.length}(e, s) {\n${I.temporaries(text)}\n${text}\n}`);
    lines.push(`part${parts.length - 1}(e, s);`);
  }
  for (const g of rs.groupsPostOrder) {
    lines.push(`t = ${I.roundHalfUp(g.children.map((k) => `s[${k}]`).join(' + ') || '0', p)}; s[${g.index}] = t; e[${g.slot}] = t;`);
  }
  lines.push(`items = ${rs.top.map((k) => `s[${k}]`).join(' + ') || '0'};`);
  for (const [block, slot] of [[rs.bonus, rs.bonusSlot], [rs.penalty, rs.penaltySlot]] as const) {
    lines.push('b = 0;');
    for (const item of block?.items ?? []) lines.push(`a = ${item.method.src}; if (a === a) b += ${I.roundHalfUp('a', p)};`);
    lines.push(`b = ${I.roundHalfUp('b', p)};`);
    if (block?.cap !== undefined) lines.push(`b = Math.min(${num(block.cap)}, b);`);
    lines.push(`e[${slot}] = b - b === 0 ? b : 0;`);
  }
  lines.push(`e[${rs.totalSlot}] = Math.max(0, ${I.roundHalfUp(`items + e[${rs.bonusSlot}] - e[${rs.penaltySlot}]`, p)});`);
  let k = 0;
  for (const c of rs.criteria) {
    if (c.vetoIf) lines.push(`if (${c.vetoIfSrc} === 1) v.push(${k});`);
    if (c.vetoIf) k++;
  }
  for (const veto of rs.vetoes) lines.push(`if (${veto.src} === 1) v.push(${k++});`);
  const tieBreak = rs.ranking.tieBreak;
  lines.push(`if (T !== undefined) { T[at] = e[${rs.totalSlot}];${tieBreak.map((node, j) => ` W[at * ${tieBreak.length} + ${j}] = s[${node}];`).join('')} }`);
  return compile<Scorer>('score', 'e, s, v, T, W, at', lines.join('\n'), rs.constants, [], parts.join('\n'));
}

/** Criteria per generated function (see generateScorer). */
const CRITERIA_PER_PART = 6;

/**
 * JavaScript made of checked trees becomes a function here, and only here: the source
 * may hold only ASCII code, with no quote or backslash, so no text of the file is in it.
 * `prelude` runs once when the function is made (constants it closes over).
 */
function compile<F>(name: string, params: string, body: string, constants: unknown[], extra: unknown[] = [], prelude = ''): F {
  if (/["'`\\]|[^\x00-\x7f]/.test(prelude + body)) throw new Error('generated code would hold text from the rule file');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from checked trees only (see above)
  const make = new Function('H', 'K', 'X', `${prelude}\nreturn function ${name}(${params}) {\n${I.temporaries(body)}\n${body}\n};`) as (h: typeof H, k: unknown[], x: unknown[]) => F;
  return make(H, constants, extra);
}

/** Where a reader finds an input in a row: its column (the input's name or label), if the table has one. */
export interface ReadPlan { input: CompiledInput; column: string | undefined; }

/** A cell read the general way (units.ts): its value, or undefined when the cell has a problem. */
export type CellReader = (cells: Record<string, unknown>) => number | undefined;

/**
 * Reads one row's cells into its values, computes the metrics and runs the checks, for
 * the common row: every number a finite number (or a plain decimal string) within its
 * limits, every yes/no a boolean (or 是/否, 1/0, true/false), every check passed. It
 * returns false at the first cell it does not take that way, and the row is then read
 * again by the general code, which says what is wrong; so it only makes the clean row
 * fast, and decides nothing itself.
 *
 * Each input's own property access is a site of its own, so it stays monomorphic; the
 * column names are passed in as data (`X`), never written into the source.
 */
export type RowReader = (c: Record<string, unknown>, e: Float64Array) => boolean;

export function generateReader(rs: CompiledRuleSet, plan: ReadPlan[], general: CellReader[], checks: CompiledCheck[]): RowReader {
  const keys: unknown[] = [];
  const key = (k: string) => `X[${keys.push(k) - 1}]`;
  const prelude: string[] = [];
  const lines: string[] = ['let v, x;'];
  plan.forEach(({ input, column }, j) => {
    const general = `x = X[${keys.push(null) - 1}](c); if (x === undefined) return false;`;
    const simple = column !== undefined && !input.link && (input.type === 'number' || input.type === 'integer' || input.type === 'boolean');
    if (!simple) {
      lines.push(`${general} e[${input.slot}] = x;`);
      return;
    }
    const k = `k${j}`;
    prelude.push(`const ${k} = ${key(column)};`);
    lines.push(`v = c[${k}];`);
    // A row that spells the input by its name while the table's column is its label: the general way.
    if (column !== input.name) {
      prelude.push(`const n${j} = ${key(input.name)};`);
      lines.push(`if (c[n${j}] !== undefined) return false;`);
    }
    if (input.type === 'boolean') {
      lines.push('if (v === true) x = 1; else if (v === false) x = 0; else { x = H.pb(v); if (x !== x) return false; }');
    } else {
      lines.push('x = H.cn(v);');
      const tests = ['x - x !== 0'];
      if (input.type === 'integer') tests.push('x !== Math.floor(x)');
      if (input.min !== undefined) tests.push(`x < ${num(input.min)}`);
      if (input.max !== undefined) tests.push(`x > ${num(input.max)}`);
      lines.push(`if (${tests.join(' || ')}) return false;`);
    }
    lines.push(`e[${input.slot}] = x;`);
  });
  // The linked values a reader for an import leaves out are 0, as in a fresh array.
  for (const input of rs.inputs) if (!plan.some((p) => p.input === input)) lines.push(`e[${input.slot}] = 0;`);
  for (const m of rs.metrics) lines.push(`e[${m.slot}] = ${m.src};`);
  for (const check of checks) lines.push(`if (${check.src} !== 1) return false;`);
  lines.push('return true;');
  // The general readers take the places reserved for them (null) in X, in plan order.
  let g = 0;
  const extra = keys.map((k) => (k === null ? general[g++] : k));
  return compile<RowReader>('read', 'c, e', lines.join('\n'), rs.constants, extra, prelude.join('\n'));
}

/** The vetoes a generated scorer reports by index: criteria's vetoIf in item order, then `vetoes[]`. */
export function vetoTable(rs: CompiledRuleSet): Array<{ id: string; title: string }> {
  return [...rs.criteria.filter((c) => c.vetoIf).map((c) => ({ id: c.id, title: c.title })), ...rs.vetoes.map((v) => ({ id: v.id, title: v.title }))];
}
