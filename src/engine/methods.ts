import { clamp, round9 } from './decimal.js';
import { num, type Typed } from './expression/compile.js';
import * as I from './inline.js';
import type { Env, StringTable, ValueType } from './expression/ast.js';
import type { Compiled } from './expression/compile.js';
import type { CompiledInput, CompiledMethod } from './compiled.js';
import type { Band, Method, Steps } from './ruleset.js';

/**
 * The methods of RULES.md §2, each turned into a function from a unit's values to an
 * amount of points. The amount is NaN (undefined) only when the value or count it
 * needs is undefined; the criterion then scores by `ifUndefined`.
 */

export interface MethodContext {
  /** Compiles the expression at `pointer` (a field of the method) expecting `type`. */
  expr(field: string, type: ValueType): Typed | undefined;
  input(field: string): CompiledInput | undefined;
  problem(code: string, field: string, message: string): void;
  strings: StringTable;
  /** Keeps a value for the generated scorer and gives its index in `K`. */
  constant(value: unknown): number;
}

type Amount = (env: Env) => number;

/** n(s) of §2: proportional s, started ceil(s) (不足一个按一个计), whole floor(s). */
export function stepCount(s: number, steps: Steps): number {
  const r = round9(s);
  return steps === 'started' ? Math.ceil(r) : steps === 'whole' ? Math.floor(r) : r;
}

/** Whether a value meets a shortfall's target (>= for higher, <= for lower). */
export function meetsTarget(value: number, target: number, better: 'higher' | 'lower'): boolean {
  const v = round9(value), t = round9(target);
  return better === 'higher' ? v >= t : v <= t;
}

export function bandHolds(band: Band, value: number): boolean {
  const v = round9(value);
  return (band.atLeast === undefined || v >= round9(band.atLeast))
    && (band.atMost === undefined || v <= round9(band.atMost))
    && (band.above === undefined || v > round9(band.above))
    && (band.below === undefined || v < round9(band.below));
}

/** The points of the first band that holds for x; undefined when x is. */
export function bandPoints(bands: readonly Band[], x: number): number {
  if (x !== x) return NaN;
  for (const b of bands) if (bandHolds(b, x)) return b.points;
  return 0;
}

/** Bands written inline into the generated scorer, up to this many; a longer list is looked up (bandPoints). */
export const INLINE_BANDS = 64;

const NEVER: Typed = { type: 'number', fn: () => NaN, src: I.NAN };

export function compileMethod(def: Method, pointer: string, criterionPoints: number | undefined, ctx: MethodContext): CompiledMethod {
  const P = ('points' in def && typeof def.points === 'number' ? def.points : criterionPoints) ?? 0;
  const whenT = def.when !== undefined ? ctx.expr('when', 'boolean') ?? NEVER : undefined;
  const when = whenT?.fn;
  let valueT: Typed | undefined;
  let base: Amount;
  let src: string;

  switch (def.method) {
    case 'fixed': {
      const points = def.points;
      base = () => points;
      src = num(points);
      break;
    }
    case 'check': {
      const testT = ctx.expr('test', 'boolean') ?? NEVER;
      const test = testT.fn;
      base = (env) => (test(env) === 1 ? P : 0);
      src = `(${testT.src}===1?${num(P)}:0)`;
      break;
    }
    case 'shortfall': {
      valueT = ctx.expr('value', 'number') ?? NEVER;
      const v = valueT.fn;
      const { target, better, per, points } = def;
      const steps = def.steps ?? 'proportional';
      src = I.shortfall(valueT.src, target, better, per, points, steps);
      base = (env) => {
        const x = v(env);
        if (x !== x) return NaN;
        if (meetsTarget(x, target, better)) return 0;
        return points * stepCount(Math.abs(x - target) / per, steps);
      };
      break;
    }
    case 'per': {
      valueT = ctx.expr('count', 'number') ?? NEVER;
      const c = valueT.fn;
      const per = def.per ?? 1, allowed = def.allowed ?? 0, points = def.points;
      const steps = def.steps ?? 'whole';
      src = I.per(valueT.src, per, allowed, points, steps);
      base = (env) => {
        const x = c(env);
        return x !== x ? NaN : points * stepCount(Math.max(0, x - allowed) / per, steps);
      };
      break;
    }
    case 'ratio': {
      valueT = ctx.expr('value', 'number') ?? NEVER;
      const v = valueT.fn;
      base = (env) => {
        const x = v(env);
        return x !== x ? NaN : P * clamp(x, 0, 1);
      };
      src = I.ratio(valueT.src, P);
      break;
    }
    case 'linear': {
      valueT = ctx.expr('value', 'number') ?? NEVER;
      const v = valueT.fn;
      const { zeroAt, fullAt } = def;
      src = I.linear(valueT.src, zeroAt, fullAt, P);
      if (round9(zeroAt) === round9(fullAt)) ctx.problem('LINEAR_DEGENERATE', 'fullAt', `zeroAt 与 fullAt 相同（${zeroAt}），无法按线性记分`);
      base = (env) => {
        const x = v(env);
        return x !== x ? NaN : P * clamp((x - zeroAt) / (fullAt - zeroAt), 0, 1);
      };
      break;
    }
    case 'bands': {
      valueT = ctx.expr('value', 'number') ?? NEVER;
      const v = valueT.fn;
      const bands = def.bands;
      // A long list is looked up, not written out: V8 parses a chain of ?: by recursion, and
      // 20,000 bands (a file well under its size limit) would overflow its stack.
      src = bands.length <= INLINE_BANDS ? I.bands(valueT.src, bands) : `H.bands(K[${ctx.constant(bands)}],${valueT.src})`;
      base = (env) => bandPoints(bands, v(env));
      break;
    }
    case 'grade': {
      const input = ctx.input('input');
      if (input && input.type !== 'grade') {
        ctx.problem('GRADE_INPUT_TYPE', 'input', `grade 方法的输入 “${input.name}” 不是等级（grade）类型，而是 ${input.type}`);
      } else if (input) {
        for (const g of Object.keys(def.points)) {
          if (!input.grades?.includes(g)) ctx.problem('UNKNOWN_GRADE', `points/${g}`, `等级 “${g}” 不在输入 “${input.name}” 的等级 ${input.grades?.join('/')} 之中`);
        }
      }
      // Points by string id, looked up without a string in sight.
      const byId: number[] = [];
      for (const [g, pts] of Object.entries(def.points)) byId[ctx.strings.id(g)] = pts;
      const slot = input?.slot ?? -1;
      base = (env) => byId[env[slot]] ?? 0;
      src = slot < 0 ? '0' : `(K[${ctx.constant(byId)}][e[${slot}]]??0)`;
      break;
    }
    case 'amount': {
      // The value itself, of either sign (§7.5): a percentage of a figure, a weighted sum of other results.
      valueT = ctx.expr('value', 'number') ?? NEVER;
      base = valueT.fn;
      src = valueT.src;
      break;
    }
    case 'manual': {
      const input = ctx.input('input');
      if (input && input.type !== 'integer' && input.type !== 'number') {
        ctx.problem('MANUAL_INPUT_TYPE', 'input', `manual 方法的输入 “${input.name}” 应为数值，却是 ${input.type}`);
      }
      const slot = input?.slot ?? -1;
      base = (env) => (slot < 0 ? NaN : env[slot]);
      src = slot < 0 ? I.NAN : `e[${slot}]`;
      break;
    }
  }

  const max = def.max;
  let amount: Amount = base;
  if (max !== undefined) {
    const inner = amount;
    amount = (env) => Math.min(inner(env), max); // NaN stays NaN
    src = `Math.min(${src},${num(max)})`;
  }
  if (when) {
    const inner = amount;
    amount = (env) => (when(env) === 1 ? inner(env) : 0);
    src = `(${whenT!.src}===1?${src}:0)`;
  }
  return { def, pointer, P, when, value: valueT?.fn, amount, src };
}
