import type { CompiledInput, CompiledMethod, CompiledRuleSet } from '../engine/compiled.js';
import type { Expr } from '../engine/expression/ast.js';
import { levelWords, sameExpression } from '../engine/expression/words.js';
import type { Band, Method, Steps } from '../engine/ruleset.js';
import { own } from '../engine/own.js';
import { eventsCallOf, namerOf, peerScopeWords, ruleExpressionWords, treeOf } from '../engine/words.js';

/**
 * The words of the printed 考核细则 (rule-document.ts): Chinese numerals and the outline's numbering, an
 * expression as a township writes it, and each method of scoring as a sentence (每少1个百分点扣2分；
 * 排名第1至5名依次得60、57、54、51、48分). Pure: a compiled rule set in, plain text out.
 */

// ── numbers and numbering ────────────────────────────────────────────────────

const DIGITS = '零一二三四五六七八九';

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 101 → 一百零一 (enough for any outline). */
export function chineseNumeral(n: number): string {
  if (n < 10) return DIGITS[n];
  if (n < 20) return `十${n % 10 ? DIGITS[n % 10] : ''}`;
  if (n < 100) return `${DIGITS[Math.floor(n / 10)]}十${n % 10 ? DIGITS[n % 10] : ''}`;
  if (n >= 10_000) return String(n);
  if (n >= 1000) {
    const below = n % 1000;
    // 一千零一, 一千零一十, 一千一百, 一千二百三十四
    return `${DIGITS[Math.floor(n / 1000)]}千${below === 0 ? '' : below < 100 ? `零${below >= 10 && below < 20 ? `一${chineseNumeral(below)}` : chineseNumeral(below)}` : chineseNumeral(below)}`;
  }
  const rest = n % 100;
  return `${DIGITS[Math.floor(n / 100)]}百${rest === 0 ? '' : rest < 10 ? `零${DIGITS[rest]}` : rest < 20 ? `一${chineseNumeral(rest)}` : chineseNumeral(rest)}`;
}

/** The outline numbering of a township document by depth: 一、 （一） 1. （1）, then ①. */
export function outlineNumber(depth: number, n: number): string {
  switch (depth) {
    case 0: return `${chineseNumeral(n)}、`;
    case 1: return `（${chineseNumeral(n)}）`;
    case 2: return `${n}.`;
    case 3: return `（${n}）`;
    default: return n <= 20 ? String.fromCodePoint(0x2460 + n - 1) : `${n})`;
  }
}

/** Titles in the shipped rule files often carry their own 一、/（一）/1. — those are not numbered twice. */
const OWN_NUMBER = /^\s*(?:[一二三四五六七八九十百]+\s*[、．.]|[（(]\s*[一二三四五六七八九十百\d]+\s*[）)]|\d+\s*[.．、](?!\d)|[①-⑳])/u;

export function hasOwnNumber(title: string): boolean {
  return OWN_NUMBER.test(title);
}

export function numbered(title: string, depth: number, n: number): string {
  return hasOwnNumber(title) ? title.trim() : `${outlineNumber(depth, n)}${title.trim()}`;
}

/** A title without its own numbering, for sentences that quote it. */
export function bare(title: string): string {
  return title.replace(OWN_NUMBER, '').trim();
}

/** A number as a person writes it: no float noise (0.1 + 0.2 prints 0.3). */
export function n(x: number): string {
  return String(Number(x.toFixed(9)));
}

// ── names in words ───────────────────────────────────────────────────────────

interface Quantity { label: string; unit: string; gapUnit: string; fewer: string; more: string; integer: boolean }

/** How a value is named in the document: the label and unit of the input or metric it reads. */
function quantity(rs: CompiledRuleSet, expr: string): Quantity {
  const name = expr.trim();
  const found = rs.metrics.find((m) => m.name === name) ?? rs.inputs.find((i) => i.name === name);
  const events = found ? undefined : eventsCallOf(rs, expr);
  // count(E, "较大") is counted in its events' measure: 较大安全生产事故每起扣10分.
  const label = (found && namerOf(rs)(found.name)?.label) ?? (events?.fn === 'count' ? (events.level === undefined ? events.input.label : levelWords(events.level, events.input.label)) : words(rs, name));
  const unit = found?.unit ?? (events ? (events.fn === 'sum' ? '分' : events.input.unit ?? '起') : peerCall(rs, expr, 'peerRank') ? '名' : '');
  const percent = unit === '%' || unit === '‰';
  const integer = rs.inputs.some((i) => i.name === name && i.type === 'integer');
  return {
    label, unit, integer,
    gapUnit: unit === '%' ? '个百分点' : unit === '‰' ? '个千分点' : unit,
    // A rate goes down or over by points; a count is short by or over by so many.
    fewer: percent ? '下降' : '少', more: percent ? '超过' : '多',
  };
}

/**
 * An expression in words (engine/words.ts, the same words a village's reasons use): every
 * input and metric by its label, comparisons with ≥ ≤ < > = ≠, logic as 且、或、非, functions
 * in Chinese (「已签订计生合同数 ≥ 流出已婚育龄妇女数」). A bare yes/no input reads as itself,
 * its negation as 「“…”为否」.
 */
export function words(rs: CompiledRuleSet, expr: string): string {
  return ruleExpressionWords(rs, expr);
}

/** A peer function's call over its argument (§7.7), or undefined. */
function peerCall(rs: CompiledRuleSet, expr: string, fn: string): Expr | undefined {
  const tree = treeOf(rs, expr);
  return tree?.kind === 'call' && tree.fn === fn && tree.args.length === 1 ? tree.args[0] : undefined;
}

/** `x / peerMax(x)` (按第1名的比例得分): the x, or undefined. */
function shareOfBest(rs: CompiledRuleSet, expr: string): Expr | undefined {
  const tree = treeOf(rs, expr);
  if (tree?.kind !== 'binary' || tree.op !== '/') return undefined;
  const best = tree.right;
  return best.kind === 'call' && best.fn === 'peerMax' && best.args.length === 1 && sameExpression(best.args[0], tree.left) ? tree.left : undefined;
}

/**
 * Points by place among the peers (排名赋分), from bands on peerRank(x): 「按隐患整改率在全乡排名，第1至5名依次得60、57、54、51、48分，
 * 其余的得40分」. Undefined where the bands are not places counted from the first (the general wording then says them).
 */
function rankBandsText(rs: CompiledRuleSet, value: string, bands: Band[], verb: Verb, none: string): string | undefined {
  const arg = peerCall(rs, value, 'peerRank');
  if (!arg) return undefined;
  const lowFirst = arg.kind === 'unary' && arg.op === '-';
  const by = lowFirst ? (arg as { operand: Expr }).operand : arg;
  const steps: Array<{ from: number; to: number; points: number }> = [];
  let next = 1, rest: number | undefined, closed = false;
  for (const b of bands) {
    const bounds = [b.atLeast, b.above, b.atMost, b.below].filter((x) => x !== undefined).length;
    if (bounds === 0) { rest = b.points; closed = true; break; }
    const to = bounds === 1 && b.atMost !== undefined ? Math.floor(b.atMost) : bounds === 1 && b.below !== undefined ? Math.ceil(b.below) - 1 : undefined;
    if (to === undefined || to < next) return undefined;
    steps.push({ from: next, to, points: b.points });
    next = to + 1;
  }
  const parts: string[] = [];
  for (let k = 0; k < steps.length;) {
    // A run of single places reads as one sentence: 第1至5名依次得60、57、54、51、48分.
    let end = k;
    while (end + 1 < steps.length && steps[end + 1].from === steps[end + 1].to && steps[k].from === steps[k].to) end++;
    if (end > k) {
      parts.push(`第${steps[k].from}至${steps[end].to}名依次${verb}${steps.slice(k, end + 1).map((x) => n(x.points)).join('、')}分`);
    } else {
      const x = steps[k];
      const place = x.from === x.to ? `第${x.from}名` : `第${x.from}至${x.to}名`;
      parts.push(x.points === 0 ? `${place}${none}` : `${place}${pts(verb, x.points)}`);
    }
    k = end + 1;
  }
  if (!closed || rest === 0) parts.push(`其余的${none}`);
  else parts.push(`其余的${pts(verb, rest!)}`);
  const what = by.kind === 'name' ? words(rs, by.name) : `“${expressionOf(rs, by)}”`;
  return `按${what}在${peerScopeWords(rs)}${lowFirst ? '由低到高' : ''}排名，${parts.join('，')}`;
}

/** A tree of the rule set in words. */
function expressionOf(rs: CompiledRuleSet, tree: Expr): string {
  return ruleExpressionWords(rs, tree);
}

/**
 * The events behind sum(E) (§7.6), as a township prints them: 「每发生一起一般安全生产事故扣5分、较大安全生产事故扣10分，
 * 其他安全生产事故每起扣2至5分（由考核组按情节认定）」.
 */
function eventsRule(input: CompiledInput, verb: Verb): string {
  const measure = input.unit ?? '起';
  const levels = Object.entries(input.levels ?? {}).map(([level, points]) => `${levelWords(level, input.label)}${pts(verb, points)}`);
  const range = input.range && `${input.range[0] === input.range[1] ? n(input.range[0]) : `${n(input.range[0])}至${n(input.range[1])}`}分`;
  const given = range && `每${measure}${verb}${range}（由考核组按情节认定）`;
  if (!levels.length) return `${input.label}${given ?? ''}`;
  return `每发生一${measure}${levels.join('、')}${given ? `，其他${input.label}${given}` : ''}`;
}

function gradeInput(rs: CompiledRuleSet, ref: string) {
  return rs.inputs.find((i) => i.name === ref || i.label === ref);
}

// ── methods in words ─────────────────────────────────────────────────────────

export type Verb = '得' | '扣' | '加';

/** 「扣5分」, and a negative amount by the opposite verb: a deduction of −1 is 「加1分」, never 「扣-1分」. */
function pts(verb: Verb, x: number): string {
  if (x >= 0) return `${verb}${n(x)}分`;
  return `${verb === '扣' ? '加' : '扣'}${n(-x)}分`;
}

function stepsText(steps: Steps, per: number, q: Quantity, verb: Verb): string {
  const unit = `${n(per)}${q.gapUnit}`;
  if (steps === 'started') return `不足${unit}的按${unit}计`;
  if (steps === 'whole') return `不足${unit}的不${verb === '扣' ? '扣' : '计'}分`;
  return '';
}

function boundsText(b: Band, q: Quantity): string {
  const u = (x: number) => `${n(x)}${q.unit}`;
  const parts: string[] = [];
  if (b.atLeast !== undefined) parts.push(`${u(b.atLeast)}及以上`);
  if (b.above !== undefined) parts.push(`高于${u(b.above)}`);
  if (b.atMost !== undefined) parts.push(`${u(b.atMost)}及以下`);
  if (b.below !== undefined) parts.push(`低于${u(b.below)}`);
  return parts.join('且');
}

/**
 * One method as the sentence a township prints. `full` is the criterion's points when
 * this method alone decides it (「达98%的得40分」), else undefined (「达98%的不扣分」).
 */
export function methodText(rs: CompiledRuleSet, m: CompiledMethod | Method, verb: Verb, full?: number): string {
  const def: Method = 'def' in m ? m.def : m;
  const P = 'def' in m ? m.P : ('points' in def && typeof def.points === 'number' ? def.points : full ?? 0);
  const none = verb === '扣' ? '不扣分' : '不得分';
  let text: string;
  switch (def.method) {
    case 'fixed':
      text = pts(verb, def.points);
      break;
    case 'check':
      text = `${words(rs, def.test)}的，${pts(verb, P)}${verb === '得' ? '，否则不得分' : ''}`;
      break;
    case 'shortfall': {
      const q = quantity(rs, def.value);
      const target = `${n(def.target)}${q.unit}`;
      const met = def.better === 'higher' ? `达到${target}及以上` : `控制在${target}及以下`;
      const step = `每${def.better === 'higher' ? q.fewer : q.more}${n(def.per)}${q.gapUnit}${pts(verb, def.points)}`;
      // 「不足1次的不扣分」 says nothing about a whole count: left out there.
      const obvious = q.integer && Number.isInteger(def.per) && def.steps === 'whole';
      const steps = obvious ? '' : stepsText(def.steps ?? 'proportional', def.per, q, verb);
      text = `${q.label}${met}的${full !== undefined ? `得${n(full)}分` : '不扣分'}，${step}${steps ? `，${steps}` : ''}`;
      break;
    }
    case 'per': {
      const q = quantity(rs, def.count);
      const each = `每${def.per && def.per !== 1 ? n(def.per) : ''}${q.unit || '个'}`;
      const steps = stepsText(def.steps ?? 'whole', def.per ?? 1, { ...q, gapUnit: q.unit || '个' }, verb);
      const scaled = (def.steps ?? 'whole') !== 'whole' ? `，${steps}` : '';
      text = def.allowed
        ? `${q.label}在${n(def.allowed)}${q.unit || '个'}以内的不${verb === '扣' ? '扣' : '计'}分，超过的${each}${pts(verb, def.points)}${scaled}`
        : `${q.label}${each}${pts(verb, def.points)}${scaled}`;
      break;
    }
    case 'ratio': {
      const best = shareOfBest(rs, def.value);
      const q = quantity(rs, def.value);
      // 第2名起按与第1名的比例得分: x ÷ peerMax(x).
      const lead = best ? `按${expressionOf(rs, best)}与${peerScopeWords(rs)}最高值的比例${verb === '扣' ? '扣分' : '得分'}` : '按比例记分';
      text = `${lead}：${verb}分＝${n(P)}分×${q.label}，最多${verb}${n(P)}分`;
      break;
    }
    case 'linear': {
      const q = quantity(rs, def.value);
      const up = def.fullAt > def.zeroAt;
      const fullAt = up ? `达到${n(def.fullAt)}${q.unit}及以上` : `在${n(def.fullAt)}${q.unit}及以下`;
      const zeroAt = `${n(def.zeroAt)}${q.unit}${up ? '及以下' : '及以上'}`;
      text = `${q.label}${fullAt}的${verb}${n(P)}分，${zeroAt}的${none}，其间按比例记分`;
      break;
    }
    case 'bands': {
      const byRank = rankBandsText(rs, def.value, def.bands, verb, none);
      if (byRank) { text = byRank; break; }
      const q = quantity(rs, def.value);
      const parts = def.bands.map((b, k) => {
        const bounds = boundsText(b, q);
        const label = b.label ? `“${b.label}”` : '';
        const when = bounds ? `${label}${bounds}的` : k === 0 ? `${label}一律` : `${label}其余的`;
        return b.points === 0 ? `${when}${none}` : `${when}${pts(verb, b.points)}`;
      });
      const last = def.bands[def.bands.length - 1];
      if (last && boundsText(last, q)) parts.push(`其余的${none}`);
      text = `${q.label}${parts.join('；')}`;
      break;
    }
    case 'grade': {
      const input = gradeInput(rs, def.input);
      const order = input?.grades?.filter((g) => Object.hasOwn(def.points, g)) ?? [];
      const grades = [...order, ...Object.keys(def.points).filter((g) => !order.includes(g))];
      text = `由考核组评定${input ? `“${input.label}”` : ''}：${grades.map((g) => `${g}${verb}${n(own(def.points, g) ?? 0)}分`).join('，')}`;
      break;
    }
    case 'manual': {
      const input = gradeInput(rs, def.input);
      text = `由考核组酌情${verb === '得' ? '记' : verb}分${input ? `（记入“${input.label}”）` : ''}${full !== undefined ? `，最多${verb}${n(full)}分` : ''}`;
      break;
    }
    case 'amount': {
      const events = eventsCallOf(rs, def.value);
      if (events?.fn === 'sum') { text = eventsRule(events.input, verb); break; }
      const q = quantity(rs, def.value);
      text = `${verb}分＝${q.label}`;
      break;
    }
  }
  if (def.when) text = `${words(rs, def.when)}时，${text}`;
  if (def.max !== undefined) text += `，最多${verb}${n(def.max)}分`;
  return text;
}

// ── the document ─────────────────────────────────────────────────────────────
