import { round9 } from './decimal.js';
import type { Band, Steps } from './ruleset.js';

/**
 * JavaScript source for generated code (codegen.ts): the decimal discipline of §4 and
 * the methods of §2 written inline, as expressions, rather than as calls to helpers. A
 * number passed to or returned from a call that V8 does not inline is boxed, one
 * allocation each; a scorer of 40 criteria made of such calls spends more time
 * collecting garbage than scoring. Each form here computes exactly what its helper in
 * decimal.ts or methods.ts computes (tested equal on every fixture); the rare cases
 * (magnitudes beyond 9e6, non-finite numbers) still call the helper (`H.r9`, `H.rh`).
 *
 * Sub-expressions that are used twice are held in temporaries `q0`, `q1` … (a fresh one
 * each time), which the generated function declares (`temporaries`).
 */

let nextTemp = 0;
function temp(): string {
  return `q${nextTemp++}`;
}

/** The temporaries a generated body uses, declared. */
export function temporaries(body: string): string {
  const names = [...new Set(body.match(/\bq\d+\b/g) ?? [])];
  return names.length ? `let ${names.join(', ')};` : '';
}

/** A number as JavaScript source: its value printed again (never text from the file). */
export function num(v: number): string {
  if (!Number.isFinite(v)) throw new Error('only finite numbers reach generated code');
  return v < 0 ? `(${String(v)})` : String(v);
}

/**
 * Undefined (§3) in generated code. Not the global `NaN`: V8 takes that for an object,
 * and an expression that may give it is then boxed; `0 / 0` is the number itself.
 */
export const NAN = '(0 / 0)';

const LITERAL = /^\(?-?\d+(\.\d+)?(e[+-]?\d+)?\)?$/;

/** round9(x). */
export function r9(x: string): string {
  if (LITERAL.test(x)) return num(round9(Number(x.replace(/[()]/g, ''))));
  const q = temp();
  return `(${q} = ${x}, ${q} < 9e6 && ${q} > -9e6 ? (${q} === Math.floor(${q}) ? ${q} + 0 : ${q} < 0 ? 0 - Math.round(-${q} * 1e9) / 1e9 : Math.round(${q} * 1e9) / 1e9 + 0) : H.r9(${q}))`;
}

/** x / y, undefined (NaN) when y is 0 to 9 decimals. */
export function divide(x: string, y: string): string {
  const q = temp();
  return `(${q} = ${y}, Math.round(Math.abs(${q}) * 1e9) === 0 ? ${NAN} : ${x} / ${q})`;
}

/**
 * clamp(x, lo, hi) of decimal.ts: the bound when x is beyond it to 9 decimals, else x itself.
 * An x already within [lo, hi] is x without rounding it: round9 never decreases (a larger
 * x never rounds lower), so lo ≤ x ≤ hi gives lo = round9(lo) ≤ round9(x) ≤ round9(hi),
 * and the clamp returns x. That needs lo to be its own round9, and the bounds within the
 * range where round9 is the inline form; other bounds take the full form.
 */
export function clamp(x: string, lo: number, hi: number): string {
  const qx = temp(), qr = temp();
  const full = `${qr} = ${r9(qx)}, ${qr} < ${num(lo)} ? ${num(lo)} : ${qr} > ${num(round9(hi))} ? ${num(hi)} : ${qx}`;
  if (round9(lo) !== lo || !(lo <= hi && lo > -9e6 && hi < 9e6)) return `(${qx} = ${x}, ${full})`;
  return `(${qx} = ${x}, ${qx} >= ${num(lo)} && ${qx} <= ${num(hi)} ? ${qx} : (${full}))`;
}

/** roundHalfUp(x, digits) of decimal.ts. */
export function roundHalfUp(x: string, digits: number): string {
  if (!Number.isInteger(digits) || digits < 0 || digits > 9) return `H.rh(${x}, ${num(digits)})`;
  const q = temp(), r = temp();
  const step = 10 ** (9 - digits);
  const rounded = `${r} = Math.floor((Math.round((${q} < 0 ? -${q} : ${q}) * 1e9) + ${num(step / 2)}) / ${num(step)}) / ${num(10 ** digits)}`;
  return `(${q} = ${x}, ${q} < 9e6 && ${q} > -9e6 ? (${q} === Math.floor(${q}) ? ${q} + 0 : (${rounded}, ${r} === 0 ? 0 : ${q} < 0 ? -${r} : ${r})) : H.rh(${q}, ${num(digits)}))`;
}

/** n(s) of §2 (stepCount). */
function steps(s: string, mode: Steps): string {
  const r = r9(s);
  return mode === 'started' ? `Math.ceil(${r})` : mode === 'whole' ? `Math.floor(${r})` : r;
}

/** A method on one value: NaN when the value is undefined, else `body` of the value (held in a temporary). */
function ofValue(x: string, body: (q: string) => string): string {
  const q = temp();
  return `(${q} = ${x}, ${q} !== ${q} ? ${NAN} : ${body(q)})`;
}

/**
 * A value that meets its target as it stands meets it to 9 decimals too (round9 never
 * decreases), so the target is compared first without rounding, and only a value short
 * of it is rounded to be compared again.
 */
export function shortfall(x: string, target: number, better: 'higher' | 'lower', per: number, points: number, mode: Steps): string {
  const op = better === 'higher' ? '>=' : '<=';
  return ofValue(x, (q) => `${q} ${op} ${num(target)} || ${r9(q)} ${op} ${num(round9(target))} ? 0 : ${num(points)} * ${steps(`Math.abs(${q} - ${num(target)}) / ${num(per)}`, mode)}`);
}

export function per(x: string, per: number, allowed: number, points: number, mode: Steps): string {
  return ofValue(x, (q) => `${num(points)} * ${steps(`Math.max(0, ${q} - ${num(allowed)}) / ${num(per)}`, mode)}`);
}

export function ratio(x: string, P: number): string {
  return ofValue(x, (q) => `${num(P)} * ${clamp(q, 0, 1)}`);
}

export function linear(x: string, zeroAt: number, fullAt: number, P: number): string {
  // The span as the closure computes it, at run time: fullAt − zeroAt of two finite numbers may be beyond a double.
  return ofValue(x, (q) => `${num(P)} * ${clamp(`(${q} - ${num(zeroAt)}) / (${num(fullAt)} - ${num(zeroAt)})`, 0, 1)}`);
}

export function bands(x: string, list: Band[]): string {
  return ofValue(x, (q) => {
    const r = temp();
    const holds = (b: Band) => [
      b.atLeast !== undefined ? `${r} >= ${num(round9(b.atLeast))}` : '',
      b.atMost !== undefined ? `${r} <= ${num(round9(b.atMost))}` : '',
      b.above !== undefined ? `${r} > ${num(round9(b.above))}` : '',
      b.below !== undefined ? `${r} < ${num(round9(b.below))}` : '',
    ].filter(Boolean).join(' && ') || 'true';
    return `(${r} = ${r9(q)}, ${list.map((b) => `${holds(b)} ? ${num(b.points)} : `).join('')}0)`;
  });
}

/** H.<helper>(y, x) with x evaluated first: a < b is b > a, with a evaluated before b all the same. */
export function swapped(helper: string, x: string, y: string): string {
  const a = temp(), b = temp();
  return `(${a} = ${x}, ${b} = ${y}, H.${helper}(${b}, ${a}))`;
}

/** Three-valued `and` / `or` (Kleene): the decisive value decides whatever the other side. */
export function logic(op: 'and' | 'or', x: string, y: string): string {
  const a = temp(), b = temp();
  const d = op === 'or' ? 1 : 0;
  return `(${a} = ${x}, ${b} = ${y}, ${a} === ${d} || ${b} === ${d} ? ${d} : ${a} !== ${a} || ${b} !== ${b} ? ${NAN} : ${1 - d})`;
}

/** == and != : 0 when either side is undefined; numbers compared to 9 decimals, string ids exactly. */
export function equality(x: string, y: string, numbers: boolean, yes: number): string {
  const a = temp(), b = temp();
  const same = numbers ? `${r9(a)} === ${r9(b)}` : `${a} === ${b}`;
  return `(${a} = ${x}, ${b} = ${y}, ${a} !== ${a} || ${b} !== ${b} ? 0 : ${same} ? ${yes} : ${1 - yes})`;
}

/** if(c, a, b): undefined when c is, else only the branch taken. */
export function choose(c: string, yes: string, no: string): string {
  const q = temp();
  return `(${q} = ${c}, ${q} !== ${q} ? ${NAN} : ${q} ? ${yes} : ${no})`;
}
