import { bandHolds, meetsTarget } from './methods.js';
import { round9, roundHalfUp } from './decimal.js';
import type { CompiledCriterion, CompiledMethod, CompiledRuleSet } from './compiled.js';
import type { Env } from './expression/ast.js';
import { labelled, numberInWords } from './expression/words.js';
import type { Band, Steps } from './ruleset.js';
import { ruleConditionWords } from './words.js';

/**
 * The reason behind each score, in words a village reads:
 * 「避孕节育措施落实率97.3%，低于目标98%，差0.7个百分点，每差1个百分点扣5分，扣3.5分」.
 * Built for one unit's scorecard at a time, never in the scoring loop.
 */

function num(x: number, digits = 2): string {
  return numberInWords(x, digits);
}

type Verb = '得' | '扣' | '加';

/** The verb of an amount below zero: a deduction of −1 is an addition of 1 (加1分, not 扣-1分). */
const OPPOSITE: Readonly<Record<Verb, Verb>> = { 得: '扣', 扣: '加', 加: '扣' };

/** 「扣3.5分」, 「加1分」 for a deduction of −1. */
function points(verb: Verb, x: number, digits = 2): string {
  return x < 0 ? `${OPPOSITE[verb]}${num(-x, digits)}分` : `${verb}${num(x, digits)}分`;
}

/** 「不扣分」「不记分」: nothing of this verb. */
const none = (verb: Verb) => (verb === '扣' ? '不扣分' : verb === '加' ? '不加分' : '不记分');

interface Quantity { label: string; unit: string; gapUnit: string; percent: boolean }

/** How a method's value is named: the label and unit of the input or metric it reads, if it is one. */
function quantityOf(rs: CompiledRuleSet, expr: string | undefined, fallback: string, method?: string): Quantity {
  const name = expr?.trim();
  const found = rs.metrics.find((m) => m.name === name) ?? rs.inputs.find((i) => i.name === name);
  const label = found?.label ?? fallback;
  // A share with no unit, scored by ratio, reads as a township writes a share: 98.74%, not 0.99.
  const percent = method === 'ratio' && !found?.unit;
  const unit = percent ? '%' : found?.unit ?? '';
  const gapUnit = unit === '%' ? '个百分点' : unit === '‰' ? '个千分点' : unit;
  return { label, unit, gapUnit, percent };
}

const withUnit = (x: number, q: Quantity) => `${num(q.percent ? x * 100 : x)}${q.unit}`;
/** A label and its value: 「人口出生率5.29‰」, 「PM2.5：35」. */
const valueText = (q: Quantity, x: number) => labelled(q.label, withUnit(x, q));
const gap = (x: number, q: Quantity) => `${num(x)}${q.gapUnit}`;

function stepNote(steps: Steps, per: number, q: Quantity): string {
  if (steps === 'started') return `（不足${gap(per, q)}按${gap(per, q)}计）`;
  if (steps === 'whole') return `（不足${gap(per, q)}不计）`;
  return '';
}

/** The digits an amount is shown with: enough that rounding it at the rule set's precision gives what the score gives. */
function amountDigits(x: number, precision: number): number {
  const want = roundHalfUp(x, precision);
  for (let d = Math.max(2, precision + 1); d < 9; d++) if (roundHalfUp(roundHalfUp(x, d), precision) === want) return d;
  return 9;
}

function describeMethod(rs: CompiledRuleSet, verb: Verb, m: CompiledMethod, env: Env, title: string): string {
  const def = m.def;
  if (def.when !== undefined && m.when && m.when(env) !== 1) {
    const why = ruleConditionWords(rs, def.when, env).text;
    return `不适用${why ? `（${why}）` : ''}，${none(verb)}`;
  }
  const raw = m.value ? m.value(env) : NaN;
  const v = raw === raw ? raw : undefined; // NaN: the value is undefined
  const amountRaw = m.amount(env);
  const amount = amountRaw === amountRaw ? amountRaw : undefined;
  const amountText = amount === undefined ? '' : points(verb, amount, amountDigits(amount, rs.precision));
  const cap = def.max !== undefined && amount !== undefined && amount >= def.max ? `（以${num(def.max)}分为限）` : '';
  switch (def.method) {
    case 'fixed':
      return points(verb, def.points);
    case 'check': {
      const { holds, text } = ruleConditionWords(rs, def.test, env);
      return holds ? `${text}，${amountText}` : `${text}，${none(verb)}`;
    }
    case 'shortfall': {
      const q = quantityOf(rs, def.value, title);
      if (v === undefined) return `${q.label}无法计算`;
      const target = `${def.better === 'higher' ? '不低于' : '不高于'}${withUnit(def.target, q)}`;
      if (meetsTarget(v, def.target, def.better)) return `${valueText(q, v)}，达到目标（${target}），${none(verb)}`;
      const diff = Math.abs(v - def.target);
      // How a part of a step counts matters only where the gap has one.
      const partial = !Number.isInteger(round9(diff / def.per));
      const note = partial ? stepNote(def.steps ?? 'proportional', def.per, q) : '';
      return `${valueText(q, v)}，${def.better === 'higher' ? '低于' : '高于'}目标${withUnit(def.target, q)}，`
        + `差${gap(diff, q)}${note}，每差${gap(def.per, q)}${points(verb, def.points)}，${amountText}${cap}`;
    }
    case 'per': {
      const q = quantityOf(rs, def.count, title);
      if (v === undefined) return `${q.label}无法计算`;
      const unit = q.unit || '个';
      // 「每人扣30分」「每2户加1分」, as a township writes a step.
      const each = `每${(def.per ?? 1) === 1 ? '' : num(def.per!)}${unit}${points(verb, def.points)}`;
      if (def.allowed) {
        if (round9(v) <= round9(def.allowed)) return `${valueText(q, v)}，在${num(def.allowed)}${unit}以内，${none(verb)}`;
        return `${valueText(q, v)}，${num(def.allowed)}${unit}以内${none(verb)}，超出${num(v - def.allowed)}${unit}，${each}，${amountText}${cap}`;
      }
      if (amount === 0 && round9(v) === 0) return `${valueText(q, v)}，${none(verb)}`;
      return `${valueText(q, v)}，${each}，${amountText}${cap}`;
    }
    case 'ratio': {
      const q = quantityOf(rs, def.value, title, 'ratio');
      if (v === undefined) return `${q.label}无法计算`;
      return `${valueText(q, v)}，按比例${verb === '扣' ? '扣分' : '记分'}：${num(m.P)}分×${withUnit(v, q)}，${amountText}${cap}`;
    }
    case 'linear': {
      const q = quantityOf(rs, def.value, title);
      if (v === undefined) return `${q.label}无法计算`;
      const up = def.fullAt > def.zeroAt;
      const [x, full, zero] = [round9(v), round9(def.fullAt), round9(def.zeroAt)];
      if (up ? x >= full : x <= full) return `${valueText(q, v)}，达到${withUnit(def.fullAt, q)}，${amountText}${cap}`;
      if (up ? x <= zero : x >= zero) return `${valueText(q, v)}，${up ? '未超过' : '不低于'}${withUnit(def.zeroAt, q)}，${none(verb)}`;
      return `${valueText(q, v)}，${withUnit(def.zeroAt, q)}为0分、${withUnit(def.fullAt, q)}为${num(m.P)}分，其间按比例${amountText}${cap}`;
    }
    case 'bands': {
      const q = quantityOf(rs, def.value, title);
      if (v === undefined) return `${q.label}无法计算`;
      const k = def.bands.findIndex((b) => bandHolds(b, v));
      return k >= 0 ? `${valueText(q, v)}，属于“${bandText(def.bands[k], def.bands[k - 1], q)}”档，${amountText}${cap}` : `${valueText(q, v)}，不在任何一档，${none(verb)}`;
    }
    case 'grade': {
      const input = rs.inputs.find((i) => i.name === def.input || i.label === def.input);
      const g = input ? rs.strings.text(env[input.slot]) : undefined;
      return `${input?.label ?? '考核组评定'}：${g ?? '未评定'}，${amountText}${cap}`;
    }
    case 'manual': {
      const input = rs.inputs.find((i) => i.name === def.input || i.label === def.input);
      return `${input?.label ?? '考核组酌情评分'}：${amountText}${cap}`;
    }
    case 'amount': {
      const q = quantityOf(rs, def.value, title);
      if (v === undefined) return `${q.label}无法计算`;
      return `${valueText(q, v)}，${amountText}${cap}`;
    }
  }
}

/**
 * A band's bounds: its own, and the upper bound the band before it sets when it has none
 * (the first band that holds is taken: after 「≥50%」, 「≥40%」 is 「≥40%且<50%」).
 */
function bandText(b: Band, before: Band | undefined, q: Quantity): string {
  const parts: string[] = [];
  const ownUpper = b.atMost !== undefined || b.below !== undefined;
  const upper = ownUpper || !before ? undefined
    : before.atMost === undefined && before.below === undefined ? (before.atLeast !== undefined ? `<${withUnit(before.atLeast, q)}` : before.above !== undefined ? `≤${withUnit(before.above, q)}` : undefined)
    : undefined;
  if (b.atLeast !== undefined) parts.push(`≥${withUnit(b.atLeast, q)}`);
  if (b.above !== undefined) parts.push(`>${withUnit(b.above, q)}`);
  if (b.atMost !== undefined) parts.push(`≤${withUnit(b.atMost, q)}`);
  if (b.below !== undefined) parts.push(`<${withUnit(b.below, q)}`);
  if (upper) parts.push(upper);
  return b.label ?? (parts.length ? parts.join('且') : '其他');
}

/**
 * The figure behind a criterion (its first method's value or count) as its reason writes it:
 * rounded as the reason rounds it, with the unit of the input or metric it reads (5.29‰, 96.3%);
 * '' where it is undefined or the criterion reads none.
 */
export function criterionFigure(rs: CompiledRuleSet, c: CompiledCriterion, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '';
  const def = c.methods.find((m) => m.value)?.def as { method: string; value?: string; count?: string } | undefined;
  return withUnit(value, quantityOf(rs, def?.value ?? def?.count, c.title, def?.method));
}

/** 「按1位小数计」, 「按整数计」: how a score is rounded. */
const roundedAt = (precision: number) => (precision === 0 ? '按整数计' : `按${precision}位小数计`);

/**
 * The closing words of a reason: the clause's points and score. Where the score was rounded
 * at the rule set's precision, the unrounded figure is named with it (「得19.747分，按1位小数计
 * 19.7分」), so that no reader takes the rounding for an error.
 */
function closing(rs: CompiledRuleSet, c: CompiledCriterion, exact: number | undefined, score: number, amountShown: boolean, exhausted = false): string {
  const head = `本项${num(c.points)}分`;
  const scoreText = num(score, rs.precision);
  const exactText = exact === undefined ? scoreText : num(exact, amountDigits(exact, rs.precision));
  if (exhausted) return `${head}，扣完为止，得0分`;
  if (exactText === scoreText) return `${head}，得${scoreText}分`;
  // One award method already named the unrounded amount: the rounding is enough.
  if (amountShown) return `${head}，${roundedAt(rs.precision)}${scoreText}分`;
  return `${head}，得${exactText}分，${roundedAt(rs.precision)}${scoreText}分`;
}

/** Why a criterion scored what it did, for one unit. */
export function explainCriterion(rs: CompiledRuleSet, c: CompiledCriterion, env: Env, score: number): string {
  if (c.zeroIf && c.zeroIf(env) === 1) {
    const why = ruleConditionWords(rs, c.def.zeroIf!, env).text;
    return `符合不记分情形${why ? `（${why}）` : ''}，记0分`;
  }
  const verb: Verb = c.mode === 'award' ? '得' : '扣';
  const parts = c.methods.map((m) => describeMethod(rs, verb, m, env, c.title));
  const applies = (m: CompiledMethod) => !m.when || m.when(env) === 1;
  const undef = c.methods.some((m) => applies(m) && Number.isNaN(m.amount(env)));
  if (undef) {
    return `${parts.join('；')}（无此项工作，如分母为0），按规定${c.ifUndefined === 'zero' ? '记0分' : '不扣分、记满分'}；本项${num(c.points)}分，得${num(score, rs.precision)}分`;
  }
  const amounts = c.methods.map((m) => (applies(m) ? m.amount(env) : 0));
  const sum = amounts.reduce((a, b) => a + b, 0);
  const exact = Math.min(c.points, Math.max(0, c.mode === 'award' ? sum : c.points - sum));
  const amountShown = c.mode === 'award' && c.methods.length === 1 && roundHalfUp(sum, 9) === roundHalfUp(exact, 9);
  const vetoed = c.vetoIf && c.vetoIf(env) === 1;
  const why = vetoed ? ruleConditionWords(rs, c.def.vetoIf!, env).text : '';
  const veto = vetoed ? `；触发一票否决${why ? `（${why}）` : ''}` : '';
  return `${parts.join('；')}；${closing(rs, c, exact, score, amountShown, c.mode === 'deduct' && round9(sum) > round9(c.points))}${veto}`;
}

/** Why a bonus or penalty item gave what it did. */
export function explainAdjustment(rs: CompiledRuleSet, method: CompiledMethod, env: Env, title: string, kind: 'bonus' | 'penalty'): string {
  const text = describeMethod(rs, kind === 'bonus' ? '加' : '扣', method, env, title);
  return Number.isNaN(method.amount(env)) ? `${text}，不计` : text;
}

/** The facts of a unit that decide a unit-level veto (「政策外出生数1人 > 0人」), for the line that names it. */
export function explainVeto(rs: CompiledRuleSet, vetoId: string, env: Env): string {
  const when = rs.file.vetoes?.find((v) => v.id === vetoId)?.when;
  return when === undefined ? '' : ruleConditionWords(rs, when, env).text;
}
