import { round9, roundHalfUp } from '../decimal.js';
import { PEER_FUNCTIONS, type BinaryOp, type Expr } from './ast.js';

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
  /** An events input (§7.6), read by count() and sum(): the word its events are counted in (起、件、次). */
  measure?: string;
  /** A figure of another assessment (综合考核): a fraction that multiplies it is its weight, read as a share (×40%). */
  weighted?: boolean;
}
export type Namer = (name: string) => NameWords | undefined;

/** A name's value for one unit: a number (NaN where undefined; a yes/no is 1 or 0) or the text of a grade. */
export type Valuer = (name: string) => number | string;

export type CallExpr = Extract<Expr, { kind: 'call' }>;

/**
 * The value for one unit of a call the engine works out before it scores the unit — count(E),
 * sum(E) over its events, peerMax(x) … over its peers — as the engine wrote it; NaN where unknown.
 */
export type CallValuer = (call: CallExpr) => number;

export interface WordsOptions {
  /** The unit's peers in words (§7.7): 全乡, 全部参考单位. */
  scope?: string;
  /** Comparisons in words (总分不低于90分), where a sentence reads better without signs. */
  prose?: boolean;
}

const SIGN: Readonly<Record<string, string>> = { '==': '=', '!=': '≠', '<': '<', '<=': '≤', '>': '>', '>=': '≥' };
const NEGATED: Readonly<Record<string, BinaryOp>> = { '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };
/** The same comparisons in words, for a sentence: 总分不低于90分. */
const PROSE: Readonly<Record<string, string>> = { '==': '为', '!=': '不为', '<': '低于', '<=': '不高于', '>': '高于', '>=': '不低于' };
const ARITHMETIC: Readonly<Record<string, string>> = { '+': '+', '-': '−', '*': '×', '/': '÷' };
/** The peer functions (§7.7) in words, before or after the argument: 全乡隐患整改率最高值. */
const PEER_WORDS: Readonly<Record<string, string>> = { peerMax: '最高值', peerMin: '最低值', peerAvg: '平均水平', peerSum: '合计' };
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

interface Context { namer: Namer; value?: Valuer; call?: CallValuer; digits: number; scope: string; prose: boolean; }

/** An operand's unit, when it is a name (or a figure of one) that has one: a literal beside it reads with it (8‰, not 8; 3名). */
function unitOf(e: Expr, ctx: Context): string {
  if (e.kind === 'name') return ctx.namer(e.name)?.unit ?? '';
  if (e.kind !== 'call') return '';
  if (e.fn === 'peerRank') return '名';
  if (e.fn === 'peerCount') return '个';
  if (e.fn === 'sum') return '分';
  if (e.fn === 'count') return eventsOf(e, ctx)?.measure ?? '';
  return PEER_FUNCTIONS.has(e.fn) ? unitOf(e.args[0], ctx) : '';
}

/** The events input a count() or sum() reads, by its words. */
function eventsOf(e: CallExpr, ctx: Context): (NameWords & { measure: string }) | undefined {
  const first = e.args[0];
  const named = first?.kind === 'name' ? ctx.namer(first.name) : undefined;
  return named ? { ...named, measure: named.measure ?? '起' } : undefined;
}

/**
 * An events input at one of its levels: 较大安全生产事故 for a level of a word or two, the level
 * alone where it names the events itself (较大事故).
 */
export function levelWords(level: string, label: string): string {
  return [...level].length <= 2 ? `${level}${label}` : level;
}

/** Whether two trees are the same expression (offsets aside): x and the x of peerMax(x). */
export function sameExpression(a: Expr, b: Expr): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'number': case 'boolean': case 'string': return a.value === (b as typeof a).value;
    case 'name': return a.name === (b as typeof a).name;
    case 'unary': return a.op === (b as typeof a).op && sameExpression(a.operand, (b as typeof a).operand);
    case 'binary': { const o = b as typeof a; return a.op === o.op && sameExpression(a.left, o.left) && sameExpression(a.right, o.right); }
    case 'call': { const o = b as typeof a; return a.fn === o.fn && a.args.length === o.args.length && a.args.every((x, k) => sameExpression(x, o.args[k])); }
  }
}

/** A peer call over the other side of its operator (x ÷ peerMax(x), x ≥ peerAvg(x)): said short, 全乡最高值. */
const isPeerOf = (e: Expr, other: Expr): boolean =>
  e.kind === 'call' && e.fn !== 'peerRank' && e.fn !== 'peerCount' && PEER_FUNCTIONS.has(e.fn) && e.args.length === 1 && sameExpression(e.args[0], other);

/** A fraction that weights another assessment's figure (综合得分＝计生专项总分×40%+…): a share, not a decimal. */
const isWeight = (e: Expr, other: Expr, ctx: Context): boolean => e.kind === 'number' && e.value > 0 && e.value < 1 && weighted(other, ctx);

/** A figure of another assessment, or one scaled by × and ÷ (fp.total ÷ 1000 × 100): what a weight may multiply. */
function weighted(e: Expr, ctx: Context): boolean {
  if (e.kind === 'name') return ctx.namer(e.name)?.weighted === true;
  if (e.kind !== 'binary' || (e.op !== '*' && e.op !== '/')) return false;
  return weighted(e.left, ctx) || (e.op === '*' && weighted(e.right, ctx));
}

function nameText(name: string, ctx: Context, unit?: string): string {
  const named = ctx.namer(name);
  const label = named?.label ?? name;
  // 「是否农场」 alone says nothing of which answer: 「“是否农场”为是」 (计划生育专项考核是否被一票否决 too).
  if (!ctx.value) return named?.type === 'boolean' && label.includes('是否') ? `“${label}”为是` : label;
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
      const side = (x: Expr, other: Expr, outer: number, unit: string) =>
        isPeerOf(x, other) ? peerText(x as CallExpr, ctx, true)
        : e.op === '*' && isWeight(x, other, ctx) ? `${numberInWords((x as { value: number }).value * 100)}%`
        : render(x, ctx, outer, unit);
      if (isComparison(e.op)) {
        // 「有重大安全生产事故」 for count(E, "重大") > 0, 「无…」 for == 0, in the printed 细则.
        const bound = e.right.kind === 'number' ? e.right.value : undefined;
        if (!ctx.value && e.left.kind === 'call' && e.left.fn === 'count' && bound !== undefined) {
          if (bound === 0 && (e.op === '>' || e.op === '!=' || e.op === '==' || e.op === '<=')) return `${e.op === '>' || e.op === '!=' ? '有' : '无'}${countedWords(e.left, ctx)}`;
          if (bound === 1 && e.op === '>=') return `有${countedWords(e.left, ctx)}`;
        }
        const left = side(e.left, e.right, level + 1, unitOf(e.right, ctx));
        const right = side(e.right, e.left, level + 1, unitOf(e.left, ctx));
        return wrap(ctx.prose ? `${left}${PROSE[e.op]}${right}` : `${left} ${SIGN[e.op]} ${right}`);
      }
      // Left-associative: a right operand of the same binding keeps its brackets (a − (b − c)).
      return wrap(`${side(e.left, e.right, level, '')}${ARITHMETIC[e.op]}${side(e.right, e.left, level + 1, '')}`);
    }
    case 'call': {
      if (e.fn === 'count' || e.fn === 'sum') return eventsText(e, ctx);
      if (PEER_FUNCTIONS.has(e.fn)) return peerText(e, ctx);
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

/** A call's value for the unit, in words with its unit: 2起, 98%; '' without values. */
function callValue(e: CallExpr, ctx: Context): string | undefined {
  if (!ctx.value) return undefined;
  const v = ctx.call ? ctx.call(e) : NaN;
  return Number.isNaN(v) ? '（无法计算）' : `${numberInWords(v, ctx.digits)}${unitOf(e, ctx)}`;
}

/** What count(E) counts: 安全生产事故, 较大安全生产事故. */
function countedWords(e: CallExpr, ctx: Context): string {
  const label = eventsOf(e, ctx)?.label ?? '事件';
  return e.args[1]?.kind === 'string' ? levelWords(e.args[1].value, label) : label;
}

/** count(E) 安全生产事故起数 (2起 for a unit), count(E, "较大") 较大安全生产事故起数, sum(E) 安全生产事故累计分值. */
function eventsText(e: CallExpr, ctx: Context): string {
  const events = eventsOf(e, ctx);
  const label = events?.label ?? '事件';
  const level = e.args[1]?.kind === 'string' ? e.args[1].value : undefined;
  const value = callValue(e, ctx);
  if (e.fn === 'sum') return value === undefined ? `${label}累计分值` : labelled(`${label}累计分值`, value);
  const counted = level === undefined ? label : levelWords(level, label);
  return value === undefined ? `${counted}${events?.measure ?? '起'}数` : labelled(counted, value);
}

/**
 * A peer function (§7.7) in words: 全乡隐患整改率最高值, 全乡隐患整改率平均水平, 隐患整改率在全乡的名次
 * (由低到高 for peerRank(−x)); `short` beside its own argument: 全乡最高值. With values, the unit's figure follows.
 */
function peerText(e: CallExpr, ctx: Context, short = false): string {
  const arg = e.args[0];
  const scope = ctx.scope;
  // The argument is named, never valued: its figure for this unit is not the figure of the call.
  const plain: Context = { ...ctx, value: undefined, call: undefined };
  const named = (x: Expr) => (x.kind === 'name' || (x.kind === 'call' && (x.fn === 'count' || x.fn === 'sum')) ? render(x, plain) : `“${render(x, plain)}”`);
  const value = callValue(e, ctx);
  let text: string;
  switch (e.fn) {
    case 'peerRank': {
      const lowFirst = arg.kind === 'unary' && arg.op === '-';
      const what = named(lowFirst ? (arg as { operand: Expr }).operand : arg);
      const order = lowFirst ? '由低到高' : '';
      if (value !== undefined) return ctx.call && !Number.isNaN(ctx.call(e)) ? `${what}在${scope}${order}排第${numberInWords(ctx.call(e))}名` : `${what}在${scope}的名次无法计算`;
      return `${what}在${scope}${order}的名次`;
    }
    case 'peerCount':
      text = `${scope}${named(arg)}有数据的单位数`;
      break;
    default:
      text = short ? `${scope}${PEER_WORDS[e.fn]}` : `${scope}${named(arg)}${PEER_WORDS[e.fn] ?? ''}`;
  }
  return value === undefined ? text : labelled(text, value);
}

/** The words of §7.7's scope when none is given: the unit's peers. */
const PEERS = '同类单位';

/**
 * The condition that an expression does not hold, as a tree (De Morgan, comparisons turned round):
 * what the printed 细则 says of an item that does not apply (appliesIf `not farm` → 「“是否农场”为是的，本项不适用」).
 */
export function negated(e: Expr): Expr {
  if (e.kind === 'unary' && e.op === 'not') return e.operand;
  if (e.kind === 'boolean') return { ...e, value: !e.value };
  if (e.kind === 'binary' && (e.op === 'and' || e.op === 'or')) return { ...e, op: e.op === 'and' ? 'or' : 'and', left: negated(e.left), right: negated(e.right) };
  if (e.kind === 'binary' && isComparison(e.op)) return { ...e, op: NEGATED[e.op] };
  return { kind: 'unary', op: 'not', operand: e, at: e.at };
}

/** An expression in words, without values: for the printed 细则 (「已签订计生合同数 ≥ 流出已婚育龄妇女数」). */
export function expressionInWords(e: Expr, namer: Namer, options: WordsOptions = {}): string {
  return render(e, { namer, digits: 9, scope: options.scope ?? PEERS, prose: options.prose ?? false });
}

// ── one unit's values ────────────────────────────────────────────────────────

type Val = number | string;
const undefinedValue = (v: Val) => typeof v === 'number' && Number.isNaN(v);

/** The value of an expression for one unit, as the engine gives it (RULES.md §3, §7.10a), from its names' values. */
function evaluate(e: Expr, value: Valuer, call?: CallValuer): Val {
  switch (e.kind) {
    case 'number': return e.value;
    case 'boolean': return e.value ? 1 : 0;
    case 'string': return e.value;
    case 'name': return value(e.name);
    case 'unary': {
      const v = evaluate(e.operand, value, call);
      if (typeof v !== 'number' || Number.isNaN(v)) return NaN;
      return e.op === '-' ? -v : v ? 0 : 1;
    }
    case 'binary': {
      const l = evaluate(e.left, value, call), r = evaluate(e.right, value, call);
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
      if (e.fn === 'count' || e.fn === 'sum' || PEER_FUNCTIONS.has(e.fn)) return call ? call(e) : NaN;
      const args = e.args.map((a) => evaluate(a, value, call));
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
  const v = evaluate(e, ctx.value, ctx.call);
  if (e.kind === 'boolean') return [];
  if (e.kind === 'unary' && e.op === 'not') return facts(e.operand, ctx);
  if (e.kind === 'binary' && (e.op === 'and' || e.op === 'or')) {
    const parts = [e.left, e.right];
    const values = parts.map((p) => evaluate(p, ctx.value, ctx.call));
    // What decides: for 且 that fails, the parts that fail; for 或 that holds, the parts that hold; else all.
    const decisive = Number.isNaN(v) ? values.map(undefinedValue)
      : e.op === 'and' && v === 0 ? values.map((x) => x === 0)
      : e.op === 'or' && v === 1 ? values.map((x) => x === 1)
      : values.map(() => true);
    return parts.flatMap((p, k) => (decisive[k] ? facts(p, ctx) : []));
  }
  if (e.kind === 'binary' && isComparison(e.op)) {
    const l = evaluate(e.left, ctx.value, ctx.call), r = evaluate(e.right, ctx.value, ctx.call);
    if (undefinedValue(l) || undefinedValue(r)) {
      const unknown = [e.left, e.right].filter((s) => undefinedValue(evaluate(s, ctx.value, ctx.call)));
      return unknown.map((s) => `${s.kind === 'name' ? ctx.namer(s.name)?.label ?? s.name : render(s, { ...ctx, value: undefined, call: undefined })}无法计算`);
    }
    const op = v === 1 ? e.op : NEGATED[e.op];
    // A count that is nothing reads as such: 「发现案件数为0」, not 「发现案件数0起 ≤ 0」.
    const counted = e.left.kind === 'name' || (e.left.kind === 'call' && e.left.fn === 'count');
    if (counted && e.right.kind === 'number' && e.right.value === 0 && l === 0 && (op === '<=' || op === '==' || op === '>=')) {
      return [`${e.left.kind === 'name' ? ctx.namer(e.left.name)?.label ?? e.left.name : render(e.left, { ...ctx, value: undefined, call: undefined })}为0`];
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
export function conditionInWords(e: Expr, namer: Namer, value: Valuer, digits = 2, options: WordsOptions & { call?: CallValuer } = {}): { holds: boolean; text: string } {
  const v = evaluate(e, value, options.call);
  const text = facts(e, { namer, value, call: options.call, digits, scope: options.scope ?? PEERS, prose: options.prose ?? false }).join('，');
  return { holds: v === 1, text };
}

/** The value of an expression for one unit, as the engine gives it (NaN where undefined): for a reason that shows a formula's result. */
export function valueInWords(e: Expr, namer: Namer, value: Valuer, digits = 2, options: WordsOptions & { call?: CallValuer } = {}): { value: number; text: string } {
  const v = evaluate(e, value, options.call);
  const text = render(e, { namer, value, call: options.call, digits, scope: options.scope ?? PEERS, prose: options.prose ?? false });
  return { value: typeof v === 'number' ? v : NaN, text };
}
