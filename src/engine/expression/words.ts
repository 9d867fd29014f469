import { round9, roundHalfUp } from '../decimal.js';
import type { BinaryOp, Expr } from './ast.js';

/**
 * An expression in the words a township writes (RULES.md §3 read aloud): every name by its
 * label, comparisons with the signs of a printed 细则 (≥ ≤ < > = ≠), logic as 且、或、非,
 * arithmetic as + − × ÷, functions in Chinese. The printed 考核细则 and a village's reasons
 * both come from here, so that no raw expression, English word or identifier of a rule file
 * reaches a reader. For one unit, `conditionInWords` says why a condition held or not with
 * the unit's own values: 「已签订计生合同数18人 < 流出已婚育龄妇女数20人」.
 */

/** How a name reads: its label, its unit, what it holds. */
export interface NameWords {
  label: string;
  unit?: string;
  type: 'number' | 'boolean' | 'string';
}
export type Namer = (name: string) => NameWords | undefined;

/** A name's value for one unit: a number (NaN where undefined; a yes/no is 1 or 0) or the text of a grade. */
export type Valuer = (name: string) => number | string;

const SIGN: Readonly<Record<string, string>> = { '==': '=', '!=': '≠', '<': '<', '<=': '≤', '>': '>', '>=': '≥' };
const NEGATED: Readonly<Record<string, BinaryOp>> = { '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };
const ARITHMETIC: Readonly<Record<string, string>> = { '+': '+', '-': '−', '*': '×', '/': '÷' };
const isComparison = (op: BinaryOp) => op in SIGN;

/** How tightly each kind of node binds, loosest first, as the parser reads them. */
function binding(e: Expr): number {
  switch (e.kind) {
    case 'binary':
      if (e.op === 'or') return 1;
      if (e.op === 'and') return 2;
      if (isComparison(e.op)) return 4;
      return e.op === '+' || e.op === '-' ? 5 : 6;
    case 'unary': return e.op === 'not' ? 3 : 7;
    // A function in words is a phrase (「甲、乙中的较大者」): bracketed wherever it is an operand.
    case 'call': return e.fn === 'abs' ? 8 : 0;
    default: return 9;
  }
}

/** A number as a person writes it: no float noise (0.1 + 0.2 reads 0.3), at most `digits` decimals. */
export function numberInWords(x: number, digits = 9): string {
  if (Number.isNaN(x)) return '（无法计算）';
  if (!Number.isFinite(x)) return x < 0 ? '负无穷大' : '无穷大';
  const r = roundHalfUp(x, digits);
  return r < 0 ? `−${plainDigits(-r, digits)}` : plainDigits(r === 0 ? 0 : r, digits);
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** A number that is not negative in digits, never an exponent (1e+21, 1e-7 are no way to write a count or a score). */
function plainDigits(r: number, digits: number): string {
  const s = String(r);
  if (!/e/i.test(s)) return s;
  if (r >= 1e21) {
    // Past what a count or a score can be: six figures and a power of ten (1.5×10²¹), not 22 digits of which 16 are noise.
    const [mantissa, power] = r.toPrecision(6).split('e');
    const figures = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    return `${figures}×10${[...String(Number(power))].map((d) => SUPERSCRIPT[Number(d)]).join('')}`;
  }
  const fixed = r.toFixed(Math.min(Math.max(digits, 0), 20));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** A label followed by its value: separated where the label ends in a digit or letter (「PM2.5：35」, not 「PM2.535」). */
export function labelled(label: string, value: string): string {
  return /[0-9０-９A-Za-z.]$/u.test(label) && /^[0-9−\-.]/u.test(value) ? `${label}：${value}` : `${label}${value}`;
}

interface Context { namer: Namer; value?: Valuer; digits: number; }

/** An operand's unit, when it is a name that has one: a literal beside it reads with it (8‰, not 8). */
function unitOf(e: Expr, ctx: Context): string {
  return e.kind === 'name' ? ctx.namer(e.name)?.unit ?? '' : '';
}

function nameText(name: string, ctx: Context, unit?: string): string {
  const named = ctx.namer(name);
  const label = named?.label ?? name;
  if (!ctx.value) return label;
  const v = ctx.value(name);
  if (typeof v === 'string') return `${label}：${v}`;
  if (Number.isNaN(v)) return `${label}（无法计算）`;
  if (named?.type === 'boolean') return `${label}：${v ? '是' : '否'}`;
  return labelled(label, `${numberInWords(v, ctx.digits)}${unit ?? named?.unit ?? ''}`);
}

function render(e: Expr, ctx: Context, outer = 0, literalUnit = ''): string {
  const wrap = (text: string) => (binding(e) < outer ? `（${text}）` : text);
  switch (e.kind) {
    case 'number': return `${numberInWords(e.value)}${literalUnit}`;
    case 'boolean': return e.value ? '是' : '否';
    case 'string': return `“${e.value}”`;
    case 'name': return nameText(e.name, ctx);
    case 'unary': {
      if (e.op === '-') return wrap(`−${render(e.operand, ctx, 8)}`);
      const o = e.operand;
      if (o.kind === 'name' && ctx.namer(o.name)?.type === 'boolean' && !ctx.value) return `“${ctx.namer(o.name)!.label}”为否`;
      return wrap(`非${render(o, ctx, 9)}`);
    }
    case 'binary': {
      const level = binding(e);
      if (e.op === 'and' || e.op === 'or') {
        return wrap(`${render(e.left, ctx, level)} ${e.op === 'and' ? '且' : '或'} ${render(e.right, ctx, level + 1)}`);
      }
      if (isComparison(e.op)) {
        const left = render(e.left, ctx, level + 1, unitOf(e.right, ctx));
        const right = render(e.right, ctx, level + 1, unitOf(e.left, ctx));
        return wrap(`${left} ${SIGN[e.op]} ${right}`);
      }
      // Left-associative: a right operand of the same binding keeps its brackets (a − (b − c)).
      return wrap(`${render(e.left, ctx, level)}${ARITHMETIC[e.op]}${render(e.right, ctx, level + 1)}`);
    }
    case 'call': {
      // Each argument is rendered once: rendering one twice would double the work at every level of a nesting
      // (abs(abs(…)) 28 deep took minutes).
      if (e.fn === 'abs') return `${render(e.args[0], ctx, 8)}的绝对值`;
      const args = e.args.map((a) => render(a, ctx, 1));
      let text: string;
      switch (e.fn) {
        case 'min': text = args.length === 1 ? args[0] : `${args.join('、')}中的较小者`; break;
        case 'max': text = args.length === 1 ? args[0] : `${args.join('、')}中的较大者`; break;
        case 'round': text = `${args[0]}保留${args[1]}位小数`; break;
        case 'if': text = `${args[0]}时取${args[1]}，否则取${args[2]}`; break;
        // Functions the language may add later: named in Chinese, never by the rule file's word.
        default: text = `按规定计算的${args.join('、')}`;
      }
      return outer > 0 ? `（${text}）` : text;
    }
  }
}

/** An expression in words, without values: for the printed 细则 (「已签订计生合同数 ≥ 流出已婚育龄妇女数」). */
export function expressionInWords(e: Expr, namer: Namer): string {
  return render(e, { namer, digits: 9 });
}

// ── one unit's values ────────────────────────────────────────────────────────

type Val = number | string;
const undefinedValue = (v: Val) => typeof v === 'number' && Number.isNaN(v);

/** The value of an expression for one unit, as the engine gives it (RULES.md §3, §7.10a), from its names' values. */
function evaluate(e: Expr, value: Valuer): Val {
  switch (e.kind) {
    case 'number': return e.value;
    case 'boolean': return e.value ? 1 : 0;
    case 'string': return e.value;
    case 'name': return value(e.name);
    case 'unary': {
      const v = evaluate(e.operand, value);
      if (typeof v !== 'number' || Number.isNaN(v)) return NaN;
      return e.op === '-' ? -v : v ? 0 : 1;
    }
    case 'binary': {
      const l = evaluate(e.left, value), r = evaluate(e.right, value);
      if (e.op === 'and') return l === 0 || r === 0 ? 0 : undefinedValue(l) || undefinedValue(r) ? NaN : 1;
      if (e.op === 'or') return l === 1 || r === 1 ? 1 : undefinedValue(l) || undefinedValue(r) ? NaN : 0;
      if (isComparison(e.op)) return compare(e.op, l, r);
      if (typeof l !== 'number' || typeof r !== 'number') return NaN;
      switch (e.op) {
        case '+': return l + r;
        case '-': return l - r;
        case '*': return l * r;
        default: return r === 0 ? NaN : l / r;
      }
    }
    case 'call': {
      const args = e.args.map((a) => evaluate(a, value));
      if (e.fn === 'if') return args[0] === 1 ? args[1] : args[0] === 0 ? args[2] : NaN;
      const nums = args.map((a) => (typeof a === 'number' ? a : NaN));
      if (nums.some(Number.isNaN)) return NaN;
      switch (e.fn) {
        case 'min': return Math.min(...nums);
        case 'max': return Math.max(...nums);
        case 'abs': return Math.abs(nums[0]);
        case 'round': return roundHalfUp(nums[0], nums[1]);
        default: return NaN;
      }
    }
  }
}

/** A comparison as the engine makes it: false where either side is undefined, numbers at 9 decimals. */
function compare(op: BinaryOp, l: Val, r: Val): number {
  if (undefinedValue(l) || undefinedValue(r)) return 0;
  if (typeof l === 'string' || typeof r === 'string') {
    const same = l === r;
    return op === '==' ? Number(same) : op === '!=' ? Number(!same) : 0;
  }
  const a = round9(l), b = round9(r);
  switch (op) {
    case '==': return Number(a === b);
    case '!=': return Number(a !== b);
    case '<': return Number(a < b);
    case '<=': return Number(a <= b);
    case '>': return Number(a > b);
    default: return Number(a >= b);
  }
}

/**
 * The facts of one unit that decide a condition: a comparison with the relation that holds
 * (its sign turned round when it does not: 18 < 20 for 「合同数 ≥ 流出数」 that fails), a
 * yes/no by its answer, and of 且/或 only the parts that decide the outcome.
 */
function facts(e: Expr, ctx: Context & { value: Valuer }): string[] {
  const v = evaluate(e, ctx.value);
  if (e.kind === 'boolean') return [];
  if (e.kind === 'unary' && e.op === 'not') return facts(e.operand, ctx);
  if (e.kind === 'binary' && (e.op === 'and' || e.op === 'or')) {
    const parts = [e.left, e.right];
    const values = parts.map((p) => evaluate(p, ctx.value));
    // What decides: for 且 that fails, the parts that fail; for 或 that holds, the parts that hold; else all.
    const decisive = Number.isNaN(v) ? values.map(undefinedValue)
      : e.op === 'and' && v === 0 ? values.map((x) => x === 0)
      : e.op === 'or' && v === 1 ? values.map((x) => x === 1)
      : values.map(() => true);
    return parts.flatMap((p, k) => (decisive[k] ? facts(p, ctx) : []));
  }
  if (e.kind === 'binary' && isComparison(e.op)) {
    const l = evaluate(e.left, ctx.value), r = evaluate(e.right, ctx.value);
    if (undefinedValue(l) || undefinedValue(r)) {
      const unknown = [e.left, e.right].filter((s) => undefinedValue(evaluate(s, ctx.value)));
      return unknown.map((s) => `${s.kind === 'name' ? ctx.namer(s.name)?.label ?? s.name : expressionInWords(s, ctx.namer)}无法计算`);
    }
    const op = v === 1 ? e.op : NEGATED[e.op];
    // A count that is nothing reads as such: 「发现案件数为0」, not 「发现案件数0起 ≤ 0」.
    if (e.left.kind === 'name' && e.right.kind === 'number' && e.right.value === 0 && l === 0 && (op === '<=' || op === '==' || op === '>=')) {
      return [`${ctx.namer(e.left.name)?.label ?? e.left.name}为0`];
    }
    return [render({ ...e, op }, ctx)];
  }
  if (e.kind === 'name' && typeof v === 'number') return [nameText(e.name, ctx)];
  const text = render(e, ctx);
  return [Number.isNaN(v) ? `${text}无法计算` : `“${text}”${v ? '成立' : '不成立'}`];
}

/**
 * Whether a condition holds for one unit, and the facts that decide it, in words:
 * 「已签订计生合同数18人 < 流出已婚育龄妇女数20人」. `holds` is false where the condition
 * is undefined (an undefined `when`, `test`, `zeroIf` or `vetoIf` counts as false).
 */
export function conditionInWords(e: Expr, namer: Namer, value: Valuer, digits = 2): { holds: boolean; text: string } {
  const v = evaluate(e, value);
  const text = facts(e, { namer, value, digits }).join('，');
  return { holds: v === 1, text };
}
