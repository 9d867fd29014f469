import { above9, atLeast9, round9, roundTo } from '../decimal.js';
import * as I from '../inline.js';
import { num } from '../inline.js';
import { PEER_FUNCTIONS, type Env, type Expr, type ExprProblem, type NameInfo, type PeerFunction, type StringTable, type ValueType } from './ast.js';

/**
 * Type-checks an expression tree against the names in scope and turns it into a
 * closure over a unit's values (`env[slot]`, a Float64Array), so that scoring a unit
 * never parses, looks anything up by name, or allocates. Undefined (§3) is NaN: `x / 0`
 * is NaN, arithmetic and functions over NaN give NaN (as JavaScript's do), and a
 * comparison with it is false. Booleans are 1 and 0; strings are ids in the rule set's
 * table of strings.
 */
export type Compiled = (env: Env) => number;

export interface Typed {
  type: ValueType;
  fn: Compiled;
  /**
   * The same expression as JavaScript for the generated scorer (codegen.ts): only slot
   * numbers, numbers re-printed from their values, string ids and the helpers `H.*` —
   * never a name or any other text of the rule file.
   */
  src: string;
  /** Set when the expression is one grade input: the grades it can take. */
  grades?: readonly string[];
  /** Set when the expression is a string constant. */
  text?: string;
}

export type Scope = (name: string) => NameInfo | undefined;

/**
 * Where a peer function's value is found (§7.7): `peer` is given the function and its checked
 * argument and answers the slot the value of that call is written to before the unit is
 * scored; undefined where peer functions may not stand. Absent: no peer function is known.
 */
export interface ExprContext {
  peer?: (fn: PeerFunction, arg: Typed, tree: Expr) => number | undefined;
}

/** The language's functions and their arities: a Map, so that `toString(x)` or `constructor(x)` is no function. */
const FUNCTIONS = new Map<string, { min: number; max: number }>([
  ['min', { min: 1, max: Infinity }],
  ['max', { min: 1, max: Infinity }],
  ['abs', { min: 1, max: 1 }],
  ['round', { min: 2, max: 2 }],
  ['if', { min: 3, max: 3 }],
  ['count', { min: 1, max: 2 }],
  ['sum', { min: 1, max: 1 }],
  ...[...PEER_FUNCTIONS].map((f): [string, { min: number; max: number }] => [f, { min: 1, max: 1 }]),
]);

const TYPE_NAMES: Record<ValueType, string> = { number: '数值', boolean: '真假值', string: '文字' };

export function compileExpression(tree: Expr, scope: Scope, problems: ExprProblem[], strings: StringTable, ctx: ExprContext = {}): Typed {
  const fail = (code: ExprProblem['code'], message: string, at: number, name?: string): Typed => {
    problems.push({ code, message, at, ...(name === undefined ? {} : { name }) });
    return { type: 'number', fn: () => NaN, src: I.NAN };
  };
  const need = (t: Typed, type: ValueType, at: number, what: string): boolean => {
    if (t.type === type) return true;
    problems.push({ code: 'EXPR_TYPE', message: `${what}应为${TYPE_NAMES[type]}，却是${TYPE_NAMES[t.type]}`, at });
    return false;
  };

  function visit(e: Expr): Typed {
    switch (e.kind) {
      case 'number': { const v = e.value; return { type: 'number', fn: () => v, src: num(v) }; }
      case 'boolean': { const v = e.value ? 1 : 0; return { type: 'boolean', fn: () => v, src: String(v) }; }
      case 'string': { const v = strings.id(e.value); return { type: 'string', fn: () => v, text: e.value, src: String(v) }; }
      case 'name': {
        const info = scope(e.name);
        if (!info) return fail('EXPR_UNKNOWN_NAME', `未知的名称 “${e.name}”`, e.at, e.name);
        if (info.events) return fail('EXPR_TYPE', `事件台账 “${e.name}” 只能写在 count(${e.name}) 或 sum(${e.name}) 中`, e.at);
        const slot = info.slot;
        return { type: info.type, fn: (env) => env[slot], grades: info.grades, src: `e[${slot}]` };
      }
      case 'unary': {
        const operand = visit(e.operand);
        const f = operand.fn;
        if (e.op === '-') {
          need(operand, 'number', e.operand.at, '负号的运算对象');
          return { type: 'number', fn: (env) => -f(env), src: `(-${operand.src})` };
        }
        need(operand, 'boolean', e.operand.at, '“not” 的运算对象');
        return { type: 'boolean', fn: (env) => 1 - f(env), src: `(1-${operand.src})` }; // NaN stays NaN
      }
      case 'binary': return binary(e);
      case 'call': return call(e);
    }
  }

  function binary(e: Extract<Expr, { kind: 'binary' }>): Typed {
    const l = visit(e.left);
    const r = visit(e.right);
    const a = l.fn, b = r.fn;
    switch (e.op) {
      case 'and':
      case 'or': {
        need(l, 'boolean', e.left.at, `“${e.op}” 的左边`);
        need(r, 'boolean', e.right.at, `“${e.op}” 的右边`);
        // Three-valued (Kleene) logic: false decides `and`, true decides `or`, whatever the other side.
        const decisive = e.op === 'or' ? 1 : 0;
        return {
          type: 'boolean',
          fn: (env) => {
            const x = a(env);
            if (x === decisive) return decisive;
            const y = b(env);
            if (y === decisive) return decisive;
            return x !== x || y !== y ? NaN : 1 - decisive;
          },
          src: I.logic(e.op, l.src, r.src),
        };
      }
      case '==':
      case '!=': {
        if (l.type !== r.type) {
          problems.push({ code: 'EXPR_TYPE', message: `不能比较${TYPE_NAMES[l.type]}与${TYPE_NAMES[r.type]}`, at: e.at });
        } else {
          checkGrade(l, r, e.right.at);
          checkGrade(r, l, e.left.at);
        }
        const yes = e.op === '==' ? 1 : 0, no = 1 - yes;
        if (l.type === 'number') {
          return { type: 'boolean', fn: (env) => {
            const x = a(env), y = b(env);
            if (x !== x || y !== y) return 0;
            return round9(x) === round9(y) ? yes : no;
          }, src: I.equality(l.src, r.src, true, yes) };
        }
        return { type: 'boolean', fn: (env) => {
          const x = a(env), y = b(env);
          if (x !== x || y !== y) return 0;
          return x === y ? yes : no;
        }, src: I.equality(l.src, r.src, false, yes) };
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        need(l, 'number', e.left.at, `“${e.op}” 的左边`);
        need(r, 'number', e.right.at, `“${e.op}” 的右边`);
        // At 9 decimals (§4), rounding only what could decide otherwise (decimal.ts atLeast9, above9); NaN compares
        // false, as §3 wants of undefined. a < b is b > a, a <= b is b >= a, each side evaluated in its own order.
        const [fn, h] = COMPARE[e.op];
        const src = e.op === '>' || e.op === '>=' ? `(H.${h}(${l.src}, ${r.src}) ? 1 : 0)` : `(${I.swapped(h, l.src, r.src)} ? 1 : 0)`;
        return { type: 'boolean', fn: (env) => (fn(a(env), b(env)) ? 1 : 0), src };
      }
      default: {
        need(l, 'number', e.left.at, `“${e.op}” 的左边`);
        need(r, 'number', e.right.at, `“${e.op}” 的右边`);
        switch (e.op) {
          case '+': return { type: 'number', fn: (env) => a(env) + b(env), src: `(${l.src}+${r.src})` };
          case '-': return { type: 'number', fn: (env) => a(env) - b(env), src: `(${l.src}-${r.src})` };
          case '*': return { type: 'number', fn: (env) => a(env) * b(env), src: `(${l.src}*${r.src})` };
          default: return { type: 'number', fn: (env) => { const x = a(env), y = b(env); return round9(y) === 0 ? NaN : x / y; }, src: I.divide(l.src, r.src) };
        }
      }
    }
  }

  function checkGrade(side: Typed, other: Typed, at: number): void {
    if (side.grades && other.text !== undefined && !side.grades.includes(other.text)) {
      problems.push({ code: 'UNKNOWN_GRADE', message: `等级 “${other.text}” 不在 ${side.grades.join('/')} 之中`, at });
    }
  }

  function call(e: Extract<Expr, { kind: 'call' }>): Typed {
    const spec = FUNCTIONS.get(e.fn);
    if (!spec) return fail('EXPR_UNKNOWN_FUNCTION', `未知的函数 “${e.fn}”（可用：min、max、abs、round、if、count、sum、peerMax、peerMin、peerSum、peerCount、peerAvg、peerRank）`, e.at);
    if (e.fn === 'count' || e.fn === 'sum') return eventsCall(e, spec);
    if (PEER_FUNCTIONS.has(e.fn)) return peerCall(e);
    const args = e.args.map(visit);
    if (args.length < spec.min || args.length > spec.max) {
      const expected = spec.min === spec.max ? `${spec.min}` : spec.max === Infinity ? `至少${spec.min}` : `${spec.min}到${spec.max}`;
      return fail('EXPR_ARITY', `函数 ${e.fn} 需要${expected}个参数，却给了${args.length}个`, e.at);
    }
    const fns = args.map((x) => x.fn);
    if (e.fn === 'if') {
      need(args[0], 'boolean', e.args[0].at, 'if 的条件');
      if (args[1].type !== args[2].type) {
        problems.push({ code: 'EXPR_TYPE', message: `if 的两个结果类型不同：${TYPE_NAMES[args[1].type]}与${TYPE_NAMES[args[2].type]}`, at: e.args[2].at });
      }
      const [c, yes, no] = fns;
      // Only the branch taken is evaluated: if(due > 0, done / due, 1) guards a division by zero.
      return { type: args[1].type, fn: (env) => { const k = c(env); return k !== k ? NaN : k ? yes(env) : no(env); }, src: I.choose(args[0].src, args[1].src, args[2].src) };
    }
    args.forEach((x, i) => need(x, 'number', e.args[i].at, `函数 ${e.fn} 的第${i + 1}个参数`));
    switch (e.fn) {
      case 'abs': { const [x] = fns; return { type: 'number', fn: (env) => Math.abs(x(env)), src: `Math.abs(${args[0].src})` }; }
      case 'round': {
        const [x, dx] = fns;
        return { type: 'number', fn: (env) => roundTo(x(env), dx(env)), src: `H.round(${args[0].src},${args[1].src})` };
      }
      default: {
        // Math.min and Math.max already give NaN when any argument is NaN.
        const pick = e.fn === 'min' ? Math.min : Math.max;
        const src = `Math.${e.fn}(${args.map((x) => x.src).join(',')})`;
        if (fns.length === 2) { const [x, y] = fns; return { type: 'number', fn: (env) => pick(x(env), y(env)), src }; }
        return { type: 'number', fn: (env) => {
          let best = fns[0](env);
          for (let k = 1; k < fns.length; k++) best = pick(best, fns[k](env));
          return best;
        }, src };
      }
    }
  }

  /** count(E), count(E, "较大"), sum(E) over an events input (§7.6): each a figure read with the unit's events. */
  function eventsCall(e: Extract<Expr, { kind: 'call' }>, spec: { min: number; max: number }): Typed {
    if (e.args.length < spec.min || e.args.length > spec.max) {
      return fail('EXPR_ARITY', `函数 ${e.fn} 需要${spec.min === spec.max ? spec.min : `${spec.min}到${spec.max}`}个参数，却给了${e.args.length}个`, e.at);
    }
    const [first, level] = e.args;
    const info = first.kind === 'name' ? scope(first.name) : undefined;
    if (first.kind === 'name' && !info) return fail('EXPR_UNKNOWN_NAME', `未知的名称 “${first.name}”`, first.at, first.name);
    if (!info?.events) return fail('EXPR_TYPE', `函数 ${e.fn} 的第1个参数应为事件台账输入的名称`, first.at);
    let slot = e.fn === 'sum' ? info.events.sum : info.events.count;
    if (level !== undefined) {
      if (level.kind !== 'string') return fail('EXPR_TYPE', 'count 的第2个参数应为用引号写出的等级，如 "较大"', level.at);
      const at = info.events.levels.get(level.value);
      if (at === undefined) {
        const known = [...info.events.levels.keys()];
        return fail('UNKNOWN_LEVEL', known.length ? `等级 “${level.value}” 不在 ${known.join('/')} 之中` : `“${(first as { name: string }).name}” 没有设等级（只有每起分值范围），不能按等级计数`, level.at);
      }
      slot = at;
    }
    return { type: 'number', fn: (env) => env[slot], src: `e[${slot}]` };
  }

  /** peerMax(e) …: the value of the call over the unit's peers, written to its slot before the unit is scored (§7.7). */
  function peerCall(e: Extract<Expr, { kind: 'call' }>): Typed {
    if (e.args.length !== 1) return fail('EXPR_ARITY', `函数 ${e.fn} 需要1个参数，却给了${e.args.length}个`, e.at);
    const arg = visit(e.args[0]);
    if (arg.type !== 'number') {
      return fail('EXPR_TYPE', `函数 ${e.fn} 的参数应为数值，却是${TYPE_NAMES[arg.type]}`, e.args[0].at);
    }
    if (usesPeers(e.args[0], scope)) return fail('PEER_NESTED', `函数 ${e.fn} 的参数中不能再用同类比较函数（直接或通过指标）`, e.args[0].at);
    const slot = ctx.peer?.(e.fn as PeerFunction, arg, e.args[0]);
    if (slot === undefined) return fail('PEER_NOT_ALLOWED', `此处不能用 ${e.fn}`, e.at);
    return { type: 'number', fn: (env) => env[slot], src: `e[${slot}]` };
  }

  return visit(tree);
}

/** Whether an expression calls a peer function, directly or through a metric it names. */
export function usesPeers(e: Expr, scope: Scope): boolean {
  switch (e.kind) {
    case 'name': return scope(e.name)?.peers === true;
    case 'unary': return usesPeers(e.operand, scope);
    case 'binary': return usesPeers(e.left, scope) || usesPeers(e.right, scope);
    case 'call': return PEER_FUNCTIONS.has(e.fn) || e.args.some((a) => usesPeers(a, scope));
    default: return false;
  }
}

export { num };

/** Each comparison at 9 decimals: as a closure, and the helper (codegen.ts H) the generated code calls. */
const COMPARE: Record<'<' | '<=' | '>' | '>=', [(x: number, y: number) => boolean, 'above9' | 'atLeast9']> = {
  '<': [(x, y) => above9(y, x), 'above9'],
  '<=': [(x, y) => atLeast9(y, x), 'atLeast9'],
  '>': [(x, y) => above9(x, y), 'above9'],
  '>=': [(x, y) => atLeast9(x, y), 'atLeast9'],
};
