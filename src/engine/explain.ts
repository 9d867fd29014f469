import { bandHolds, meetsTarget } from './methods.js';
import { roundHalfUp } from './decimal.js';
import type { CompiledCriterion, CompiledMethod, CompiledRuleSet } from './compiled.js';
import type { Env } from './expression/ast.js';
import type { Band, Steps } from './ruleset.js';

/**
 * The reason behind each score, in words a village reads:
 * 「避孕节育措施落实率97.3%，低于目标98%，差0.7个百分点，每差1个百分点扣5分，扣3.5分」.
 * Built for one unit's scorecard at a time, never in the scoring loop.
 */

function num(x: number, digits = 2): string {
  return String(roundHalfUp(x, digits));
}

interface Quantity { label: string; unit: string; gapUnit: string }

/** How a method's value is named: the label and unit of the input or metric it reads, if it is one. */
function quantityOf(rs: CompiledRuleSet, expr: string | undefined, fallback: string): Quantity {
  const name = expr?.trim();
  const found = rs.metrics.find((m) => m.name === name) ?? rs.inputs.find((i) => i.name === name);
  const label = found?.label ?? fallback;
  const unit = found?.unit ?? '';
  const gapUnit = unit === '%' ? '个百分点' : unit === '‰' ? '个千分点' : unit;
  return { label, unit, gapUnit };
}

const withUnit = (x: number, q: Quantity) => `${num(x)}${q.unit}`;
const gap = (x: number, q: Quantity) => `${num(x)}${q.gapUnit}`;

function stepNote(steps: Steps, per: number, q: Quantity): string {
  if (steps === 'started') return `（不足${gap(per, q)}按${gap(per, q)}计）`;
  if (steps === 'whole') return `（不足${gap(per, q)}不计）`;
  return '';
}

function describeMethod(rs: CompiledRuleSet, verb: '得' | '扣' | '加', m: CompiledMethod, env: Env, title: string): string {
  const def = m.def;
  if (m.when && m.when(env) !== 1) return `不适用（条件“${def.when}”不成立），不${verb === '扣' ? '扣' : '记'}分`;
  const raw = m.value ? m.value(env) : NaN;
  const v = raw === raw ? raw : undefined; // NaN: the value is undefined
  const amountRaw = m.amount(env);
  const amount = amountRaw === amountRaw ? amountRaw : undefined;
  const amountText = amount === undefined ? '' : `${verb}${num(amount)}分`;
  const cap = def.max !== undefined && amount !== undefined && amount >= def.max ? `（以${def.max}分为限）` : '';
  switch (def.method) {
    case 'fixed':
      return `${verb}${num(def.points)}分`;
    case 'check': {
      const holds = amount !== undefined && amount > 0;
      return holds ? `${conditionText(rs, def.test, true)}，${amountText}` : `${conditionText(rs, def.test, false)}，不${verb === '扣' ? '扣' : '记'}分`;
    }
    case 'shortfall': {
      const q = quantityOf(rs, def.value, title);
      if (v === undefined) return `${q.label}无法计算`;
      const target = `${def.better === 'higher' ? '不低于' : '不高于'}${withUnit(def.target, q)}`;
      if (meetsTarget(v, def.target, def.better)) return `${q.label}${withUnit(v, q)}，达到目标（${target}），不扣分`;
      const diff = Math.abs(v - def.target);
      return `${q.label}${withUnit(v, q)}，${def.better === 'higher' ? '低于' : '高于'}目标${withUnit(def.target, q)}，`
        + `差${gap(diff, q)}${stepNote(def.steps ?? 'proportional', def.per, q)}，每差${gap(def.per, q)}扣${num(def.points)}分，${amountText}${cap}`;
    }
    case 'per': {
      const q = quantityOf(rs, def.count, title);
      if (v === undefined) return `${q.label}无法计算`;
      const allowed = def.allowed ? `，允许${num(def.allowed)}${q.unit}` : '';
      return `${q.label}${withUnit(v, q)}${allowed}，每${num(def.per ?? 1)}${q.unit || '个'}${verb}${num(def.points)}分，${amountText}${cap}`;
    }
    case 'ratio': {
      const q = quantityOf(rs, def.value, title);
      if (v === undefined) return `${q.label}无法计算`;
      return `${q.label}${withUnit(v, q)}，按比例${verb}分（满${num(m.P)}分），${amountText}${cap}`;
    }
    case 'linear': {
      const q = quantityOf(rs, def.value, title);
      if (v === undefined) return `${q.label}无法计算`;
      return `${q.label}${withUnit(v, q)}，${withUnit(def.zeroAt, q)}为0分、${withUnit(def.fullAt, q)}为${num(m.P)}分，其间按比例，${amountText}${cap}`;
    }
    case 'bands': {
      const q = quantityOf(rs, def.value, title);
      if (v === undefined) return `${q.label}无法计算`;
      const band = def.bands.find((b) => bandHolds(b, v));
      return band ? `${q.label}${withUnit(v, q)}，属于“${bandText(band, q)}”档，${amountText}${cap}` : `${q.label}${withUnit(v, q)}，不在任何一档，不${verb}分`;
    }
    case 'grade': {
      const input = rs.inputs.find((i) => i.name === def.input || i.label === def.input);
      const g = input ? rs.strings.text(env[input.slot]) : undefined;
      return `${input?.label ?? def.input}：${g ?? '未评定'}，${amountText}${cap}`;
    }
    case 'manual': {
      const input = rs.inputs.find((i) => i.name === def.input || i.label === def.input);
      return `${input?.label ?? '考核组酌情评分'}：${amountText}${cap}`;
    }
  }
}

/**
 * A condition in words: a yes/no input by its label (「有村民自治章程：否」), anything else
 * with each name replaced by its label (「签订合同人数 >= 流出人数」成立).
 */
function conditionText(rs: CompiledRuleSet, test: string, holds: boolean): string {
  const t = test.trim();
  const bare = /^(not\s+)?([\p{L}_][\p{L}\p{N}_]*)$/u.exec(t);
  const input = bare && rs.inputs.find((i) => i.name === bare[2]);
  if (bare && input && input.type === 'boolean') {
    const value = bare[1] ? !holds : holds;
    return `${input.label}：${value ? '是' : '否'}`;
  }
  const words = t.replace(/[\p{L}_][\p{L}\p{N}_]*/gu, (name) => {
    if (name === 'and') return '且';
    if (name === 'or') return '或';
    if (name === 'not') return '非';
    return (rs.metrics.find((m) => m.name === name) ?? rs.inputs.find((i) => i.name === name))?.label ?? name;
  });
  return `“${words}”${holds ? '成立' : '不成立'}`;
}

function bandText(b: Band, q: Quantity): string {
  const parts: string[] = [];
  if (b.atLeast !== undefined) parts.push(`≥${withUnit(b.atLeast, q)}`);
  if (b.above !== undefined) parts.push(`>${withUnit(b.above, q)}`);
  if (b.atMost !== undefined) parts.push(`≤${withUnit(b.atMost, q)}`);
  if (b.below !== undefined) parts.push(`<${withUnit(b.below, q)}`);
  return b.label ?? (parts.length ? parts.join('且') : '其他');
}

/**
 * The figure behind a criterion (its first method's value or count) as its reason writes it:
 * rounded as the reason rounds it, with the unit of the input or metric it reads (5.29‰, 96.3%);
 * '' where it is undefined or the criterion reads none.
 */
export function criterionFigure(rs: CompiledRuleSet, c: CompiledCriterion, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '';
  const def = c.methods.find((m) => m.value)?.def as { value?: string; count?: string } | undefined;
  return withUnit(value, quantityOf(rs, def?.value ?? def?.count, c.title));
}

/** Why a criterion scored what it did, for one unit. */
export function explainCriterion(rs: CompiledRuleSet, c: CompiledCriterion, env: Env, score: number): string {
  const out = `本项${num(c.points)}分，得${num(score, rs.precision)}分`;
  if (c.zeroIf && c.zeroIf(env) === 1) return `符合不记分情形（${c.def.zeroIf}），记0分`;
  const parts = c.methods.map((m) => describeMethod(rs, c.mode === 'award' ? '得' : '扣', m, env, c.title));
  const undef = c.methods.some((m) => (!m.when || m.when(env) === 1) && Number.isNaN(m.amount(env)));
  if (undef) {
    return `${parts.join('；')}（无此项工作，如分母为0），按规定${c.ifUndefined === 'zero' ? '记0分' : '不扣分、记满分'}；${out}`;
  }
  const veto = c.vetoIf && c.vetoIf(env) === 1 ? '；触发一票否决' : '';
  return `${parts.join('；')}；${out}${veto}`;
}

/** Why a bonus or penalty item gave what it did. */
export function explainAdjustment(rs: CompiledRuleSet, method: CompiledMethod, env: Env, title: string, kind: 'bonus' | 'penalty'): string {
  const text = describeMethod(rs, kind === 'bonus' ? '加' : '扣', method, env, title);
  return Number.isNaN(method.amount(env)) ? `${text}，不计` : text;
}
