import { bandHolds, meetsTarget } from './methods.js';
import { round9, roundHalfUp } from './decimal.js';
import type { CompiledCriterion, CompiledInput, CompiledMethod, CompiledNode, CompiledRuleSet } from './compiled.js';
import type { Env, Expr } from './expression/ast.js';
import { labelled, levelWords, numberInWords } from './expression/words.js';
import type { Band, Steps } from './ruleset.js';
import { givePeerValues, giveScorePeerValues } from './peers.js';
import { readUnits, type DataTable, type Unit } from './units.js';
import { eventsCallOf, namerOf, peerScopeWords, ruleConditionWords, ruleValueWords, treeOf } from './words.js';

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

interface Quantity {
  label: string; unit: string; gapUnit: string; percent: boolean;
  /** Set when the value is a formula, not one input, metric or count of events: it is shown with the unit's figures in it. */
  formula?: string;
}

/** How a method's value is named: the label and unit of the input or metric it reads, or the events it counts, if it is one. */
function quantityOf(rs: CompiledRuleSet, expr: string | undefined, fallback: string, method?: string): Quantity {
  const name = expr?.trim();
  const found = rs.metrics.find((m) => m.name === name) ?? rs.inputs.find((i) => i.name === name);
  let label = (found && namerOf(rs)(found.name)?.label) ?? fallback;
  let own = found?.unit;
  let formula: string | undefined;
  if (!found && expr !== undefined) {
    const events = eventsCallOf(rs, expr);
    if (events) {
      // 较大安全生产事故2起; 安全生产事故累计分值12分.
      label = events.fn === 'sum' ? `${events.input.label}累计分值` : events.level === undefined ? events.input.label : levelWords(events.level, events.input.label);
      own = events.fn === 'sum' ? '分' : events.input.unit ?? '起';
    } else formula = expr;
  }
  // A share with no unit, scored by ratio, reads as a township writes a share: 98.74%, not 0.99.
  const percent = method === 'ratio' && !own;
  const unit = percent ? '%' : own ?? '';
  const gapUnit = unit === '%' ? '个百分点' : unit === '‰' ? '个千分点' : unit;
  return { label, unit, gapUnit, percent, formula };
}

const withUnit = (x: number, q: Quantity) => `${num(q.percent ? x * 100 : x)}${q.unit}`;
/** A label and its value: 「人口出生率5.29‰」, 「PM2.5：35」. */
const valueText = (q: Quantity, x: number) => labelled(q.label, withUnit(x, q));

/** The value as the reason shows it: by its label, or a formula with the unit's figures and its result (隐患整改率92%÷全乡最高值98%＝93.88%). */
function shown(rs: CompiledRuleSet, q: Quantity, x: number, env: Env): string {
  if (q.formula === undefined) return valueText(q, x);
  return `${ruleValueWords(rs, q.formula, env).text}＝${withUnit(x, q)}`;
}

/** A title without the outline number it may carry (一、 （一） 1. ①), for a sentence that names it. */
const bareTitle = (title: string) => title.replace(/^\s*(?:[一二三四五六七八九十百]+\s*[、．.]|[（(]\s*[一二三四五六七八九十百\d]+\s*[）)]|\d+\s*[.．、](?!\d)|[①-⑳])\s*/u, '').trim();

/**
 * A unit's events behind sum(E) (§7.6), most serious level first: 「较大安全生产事故2起×10分，一般安全生产事故1起×5分，
 * 另有1起按4分计，共扣29分」. An event given by points has no level: those are the count less the levels' counts.
 */
function eventsText(input: CompiledInput, env: Env, verb: Verb): string {
  const f = input.figures!;
  const measure = input.unit ?? '起';
  const count = env[f.count], sum = env[f.sum];
  if (!(count > 0)) return `本期无${input.label}记录，${none(verb)}`;
  const levels = Object.entries(input.levels ?? {}).map(([level, points], k) => ({ level, points, k, n: env[f.levels.get(level)!] }))
    .filter((l) => l.n > 0).sort((a, b) => b.points - a.points || a.k - b.k);
  const parts = levels.map((l) => `${levelWords(l.level, input.label)}${num(l.n)}${measure}×${num(l.points)}分`);
  const given = count - levels.reduce((a, l) => a + l.n, 0);
  const givenPoints = sum - levels.reduce((a, l) => a + l.n * l.points, 0);
  if (given > 0) {
    const lead = parts.length ? '另有' : `${input.label}`;
    parts.push(given === 1 ? `${lead}${num(given)}${measure}按${num(givenPoints)}分计` : `${lead}${num(given)}${measure}共计${num(givenPoints)}分`);
  }
  return `${parts.join('，')}，共${verb}${num(sum)}分`;
}

/** A value that is a unit's place among its peers (peerRank(x), §7.7): what it ranks by, and whether lower ranks first. */
function rankOf(rs: CompiledRuleSet, expr: string | undefined): { by: Expr; lowFirst: boolean } | undefined {
  const tree = expr === undefined ? null : treeOf(rs, expr);
  if (tree?.kind !== 'call' || tree.fn !== 'peerRank' || tree.args.length !== 1) return undefined;
  const arg = tree.args[0];
  return arg.kind === 'unary' && arg.op === '-' ? { by: arg.operand, lowFirst: true } : { by: arg, lowFirst: false };
}
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
      if (meetsTarget(v, def.target, def.better)) return `${shown(rs, q, v, env)}，达到目标（${target}），${none(verb)}`;
      const diff = Math.abs(v - def.target);
      // How a part of a step counts matters only where the gap has one.
      const partial = !Number.isInteger(round9(diff / def.per));
      const note = partial ? stepNote(def.steps ?? 'proportional', def.per, q) : '';
      return `${shown(rs, q, v, env)}，${def.better === 'higher' ? '低于' : '高于'}目标${withUnit(def.target, q)}，`
        + `差${gap(diff, q)}${note}，每差${gap(def.per, q)}${points(verb, def.points)}，${amountText}${cap}`;
    }
    case 'per': {
      const q = quantityOf(rs, def.count, title);
      if (v === undefined) return `${q.label}无法计算`;
      const unit = q.unit || '个';
      // 「每人扣30分」「每2户加1分」, as a township writes a step.
      const each = `每${(def.per ?? 1) === 1 ? '' : num(def.per!)}${unit}${points(verb, def.points)}`;
      if (def.allowed) {
        if (round9(v) <= round9(def.allowed)) return `${shown(rs, q, v, env)}，在${num(def.allowed)}${unit}以内，${none(verb)}`;
        return `${shown(rs, q, v, env)}，${num(def.allowed)}${unit}以内${none(verb)}，超出${num(v - def.allowed)}${unit}，${each}，${amountText}${cap}`;
      }
      if (amount === 0 && round9(v) === 0) return `${shown(rs, q, v, env)}，${none(verb)}`;
      return `${shown(rs, q, v, env)}，${each}，${amountText}${cap}`;
    }
    case 'ratio': {
      const q = quantityOf(rs, def.value, title, 'ratio');
      if (v === undefined) return `${q.label}无法计算`;
      return `${shown(rs, q, v, env)}，按比例${verb === '扣' ? '扣分' : '记分'}：${num(m.P)}分×${withUnit(v, q)}，${amountText}${cap}`;
    }
    case 'linear': {
      const q = quantityOf(rs, def.value, title);
      if (v === undefined) return `${q.label}无法计算`;
      const up = def.fullAt > def.zeroAt;
      const [x, full, zero] = [round9(v), round9(def.fullAt), round9(def.zeroAt)];
      if (up ? x >= full : x <= full) return `${shown(rs, q, v, env)}，达到${withUnit(def.fullAt, q)}，${amountText}${cap}`;
      if (up ? x <= zero : x >= zero) return `${shown(rs, q, v, env)}，${up ? '未超过' : '不低于'}${withUnit(def.zeroAt, q)}，${none(verb)}`;
      return `${shown(rs, q, v, env)}，${withUnit(def.zeroAt, q)}为0分、${withUnit(def.fullAt, q)}为${num(m.P)}分，其间按比例${amountText}${cap}`;
    }
    case 'bands': {
      const k = v === undefined ? -1 : def.bands.findIndex((b) => bandHolds(b, v));
      const rank = rankOf(rs, def.value);
      if (rank) {
        // 排名赋分: 「隐患整改率92%，全乡第3名，得54分」.
        const by = ruleValueWords(rs, rank.by, env).text;
        if (v === undefined) return `${by}，无法排出名次`;
        const place = `${peerScopeWords(rs)}${rank.lowFirst ? '由低到高' : ''}第${num(v)}名`;
        return k >= 0 ? `${by}，${place}，${amountText}${cap}` : `${by}，${place}，不在记分名次内，${none(verb)}`;
      }
      const q = quantityOf(rs, def.value, title);
      if (v === undefined) return `${q.label}无法计算`;
      return k >= 0 ? `${shown(rs, q, v, env)}，属于“${bandText(def.bands[k], def.bands[k - 1], q)}”档，${amountText}${cap}` : `${shown(rs, q, v, env)}，不在任何一档，${none(verb)}`;
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
      const events = eventsCallOf(rs, def.value);
      if (events?.fn === 'sum') return `${eventsText(events.input, env, verb)}${cap}`;
      const q = quantityOf(rs, def.value, title);
      if (v === undefined) return `${q.formula === undefined ? q.label : ruleValueWords(rs, q.formula, env).text}无法计算`;
      // A formula of the unit's figures (综合得分: 计生专项96.5分×40%+…) is its amount: said once, with the points.
      return q.formula === undefined ? `${valueText(q, v)}，${amountText}${cap}` : `${ruleValueWords(rs, q.formula, env).text}，${amountText}${cap}`;
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
  // A place among the peers (排名赋分) reads as one: 第3名.
  if (rankOf(rs, def?.value)) return `第${num(value)}名`;
  return withUnit(value, quantityOf(rs, def?.value ?? def?.count, c.title, def?.method));
}

/** 「按1位小数计」, 「按整数计」: how a score is rounded. */
const roundedAt = (precision: number) => (precision === 0 ? '按整数计' : `按${precision}位小数计`);

/**
 * The closing words of a reason: the clause's points and score. Where the score was rounded
 * at the rule set's precision, the unrounded figure is named with it (「得19.747分，按1位小数计
 * 19.7分」), so that no reader takes the rounding for an error. A deduction past the points is
 * 扣完为止, or 倒扣 below zero where the clause may go negative (§7.4: 倒扣9分，得−9分).
 */
function closing(rs: CompiledRuleSet, c: CompiledCriterion, exact: number | undefined, score: number, amountShown: boolean, over = 0): string {
  const head = `本项${num(c.points)}分`;
  const scoreText = num(score, rs.precision);
  const exactText = exact === undefined ? scoreText : num(exact, amountDigits(exact, rs.precision));
  if (over > 0) {
    if (c.floor === 0) return `${head}，扣完为止，得0分`;
    const below = exact === undefined ? over : -exact;
    const floored = exact !== undefined && round9(exact) <= round9(c.floor) && round9(over) > round9(-c.floor);
    return `${head}，${floored ? `最多倒扣${num(-c.floor)}分` : `倒扣${num(below, amountDigits(below, rs.precision))}分`}，得${scoreText}分`;
  }
  if (exactText === scoreText) return `${head}，得${scoreText}分`;
  // One award method already named the unrounded amount: the rounding is enough.
  if (amountShown) return `${head}，${roundedAt(rs.precision)}${scoreText}分`;
  return `${head}，得${exactText}分，${roundedAt(rs.precision)}${scoreText}分`;
}

/** The items from the top down to a node: its outermost group first, the node itself last. */
function lineage(rs: CompiledRuleSet, node: CompiledNode): CompiledNode[] {
  const chain: CompiledNode[] = [];
  for (let k = node.index; k >= 0; k = rs.nodes[k].parent) chain.unshift(rs.nodes[k]);
  return chain;
}

/** A node's condition for one unit: whether it holds (undefined counts as false, §7.10a), and the facts that decide it. */
function condition(rs: CompiledRuleSet, src: string | undefined, env: Env): { holds: boolean; text: string } {
  return src === undefined ? { holds: false, text: '' } : ruleConditionWords(rs, src, env);
}

/**
 * The unit's applicable points (§7.3): the total less the points of the outermost items that do not
 * apply to it, as the engine counts them (an item inside one that does not apply is not asked).
 */
export function applicablePointsOf(rs: CompiledRuleSet, env: Env): number {
  const applies = new Uint8Array(rs.nodes.length);
  let notApplicable = 0;
  for (const node of rs.nodes) {
    if (node.parent >= 0 && applies[node.parent] === 0) continue;
    const own = !node.appliesIf || node.appliesIf(env) === 1;
    if (own) applies[node.index] = 1;
    else notApplicable += node.points;
  }
  return rs.totalPoints - notApplicable;
}

/** 「本项不适用（是否农场：是），其余项目按850分折算为1000分」: why an item does not apply, and what its absence does to the total. */
function notApplicable(rs: CompiledRuleSet, c: CompiledCriterion, env: Env): string {
  const outermost = lineage(rs, c).find((n) => n.appliesIf && n.appliesIf(env) !== 1);
  const why = outermost?.def.appliesIf === undefined ? '' : ruleConditionWords(rs, outermost.def.appliesIf, env).text;
  const where = !outermost || outermost === c ? '本项不适用' : `所在部分“${bareTitle(outermost.title)}”不适用`;
  const applicable = applicablePointsOf(rs, env);
  const rest = round9(applicable) <= 0 ? '本细则各项均不适用，记0分'
    : `其余项目按${num(applicable, rs.precision)}分折算为${num(rs.totalPoints)}分`;
  return `${where}${why ? `（${why}）` : ''}，${rest}`;
}

/** Why a criterion scored what it did, for one unit. */
export function explainCriterion(rs: CompiledRuleSet, c: CompiledCriterion, env: Env, score: number): string {
  if (score !== score) return notApplicable(rs, c, env);
  // A group around it that is zeroed zeroes it (本部分不得分, §7.2), the outermost first.
  const zeroedBy = lineage(rs, c).find((n) => n !== c && n.zeroIf && n.zeroIf(env) === 1);
  if (zeroedBy) {
    const why = condition(rs, zeroedBy.def.zeroIf, env).text;
    return `所在部分符合不得分情形${why ? `（${why}）` : ''}，记0分`;
  }
  if (c.zeroIf && c.zeroIf(env) === 1) {
    const why = ruleConditionWords(rs, c.def.zeroIf!, env).text;
    return `符合不记分情形${why ? `（${why}）` : ''}，记0分`;
  }
  const verb: Verb = c.mode === 'award' ? '得' : '扣';
  const parts = c.methods.map((m) => describeMethod(rs, verb, m, env, c.title));
  const applies = (m: CompiledMethod) => !m.when || m.when(env) === 1;
  const undef = c.methods.some((m) => applies(m) && Number.isNaN(m.amount(env)));
  if (undef) {
    // The rule for 无此项工作 is named only where it gave the score: values read without their peers (a unit read
    // alone) leave a figure undefined that was not when the unit was scored.
    const ruled = round9(score) === round9(c.ifUndefined === 'zero' ? 0 : c.points);
    const rule = ruled ? `（无此项工作，如分母为0），按规定${c.ifUndefined === 'zero' ? '记0分' : '不扣分、记满分'}` : '';
    return `${parts.join('；')}${rule}；本项${num(c.points)}分，得${num(score, rs.precision)}分`;
  }
  const amounts = c.methods.map((m) => (applies(m) ? m.amount(env) : 0));
  const sum = amounts.reduce((a, b) => a + b, 0);
  const exact = Math.min(c.points, Math.max(c.floor, c.mode === 'award' ? sum : c.points - sum));
  const amountShown = c.mode === 'award' && c.methods.length === 1 && roundHalfUp(sum, 9) === roundHalfUp(exact, 9);
  const vetoed = c.vetoIf && c.vetoIf(env) === 1;
  const why = vetoed ? ruleConditionWords(rs, c.def.vetoIf!, env).text : '';
  // A veto told under its own title (vetoTitle, §7.2) names it: 触发一票否决：出现政策外多孩生育.
  const titled = vetoed && c.vetoTitle !== c.title ? `：${c.vetoTitle}` : '';
  const veto = vetoed ? `；触发一票否决${titled}${why ? `（${why}）` : ''}` : '';
  const over = c.mode === 'deduct' ? round9(sum - c.points) : 0;
  return `${parts.join('；')}；${closing(rs, c, exact, score, amountShown, over)}${veto}`;
}

/** Why a bonus or penalty item gave what it did. */
export function explainAdjustment(rs: CompiledRuleSet, method: CompiledMethod, env: Env, title: string, kind: 'bonus' | 'penalty'): string {
  const text = describeMethod(rs, kind === 'bonus' ? '加' : '扣', method, env, title);
  const amount = method.amount(env);
  if (Number.isNaN(amount)) return `${text}，不计`;
  // An adjustment never turns round (§7.4): below zero it counts 0.
  return round9(amount) < 0 ? `${text}，低于0分的按0分计` : text;
}

/** The facts of a unit that decide a unit-level veto (「政策外出生数1人 > 0人」), for the line that names it. */
export function explainVeto(rs: CompiledRuleSet, vetoId: string, env: Env): string {
  const when = rs.file.vetoes?.find((v) => v.id === vetoId)?.when;
  return when === undefined ? '' : ruleConditionWords(rs, when, env).text;
}

/** The facts that decide a part's own veto (an item's or a group's vetoIf, §7.2), in words with the unit's figures. */
export function explainPartVeto(rs: CompiledRuleSet, nodeId: string, env: Env): string {
  const when = rs.vetoNodes.find((n) => n.id === nodeId)?.def.vetoIf;
  return when === undefined ? '' : ruleConditionWords(rs, when, env).text;
}

/**
 * Units read again for their reasons, with the values of their peer calls (§7.7): the table must hold every
 * unit of the scopes asked about (a run's whole snapshot when it ranks all together, the township's units when
 * by parent), read as appraise reads them — peer calls over each scope, then those over scores. A unit read
 * alone has no peers, and its reasons would say 无法排出名次 where 全乡第3名 is due.
 */
export function unitsForReasons(rs: CompiledRuleSet, table: DataTable): Unit[] {
  const withPeers = givePeerValues(rs, table).table;
  const units = readUnits(rs, withPeers).units;
  const withScores = giveScorePeerValues(rs, withPeers, units);
  return withScores ? readUnits(rs, withScores).units : units;
}
