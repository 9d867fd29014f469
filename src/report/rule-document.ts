import type { CompiledMethod, CompiledNode, CompiledRuleSet } from '../engine/compiled.js';
import type { Band, Method, Steps } from '../engine/ruleset.js';
import { own, table } from '../engine/own.js';
import { ruleExpressionWords } from '../engine/words.js';

/**
 * The printed 考核细则, generated from a compiled rule set: the rule file is the single
 * source of truth, so the document a township prints can never drift from what the
 * engine scores. Pure: a rule set in, a tree of plain-text sections out (the page
 * escapes it; the diff compares its lines).
 */

export interface DocBlock {
  /** The numbered heading: 「1.人口出生率控制在8‰以下（60分）」. */
  heading: string;
  depth: number;
  /** Sentences under the heading, each a plain-text line. */
  lines: string[];
  children: DocBlock[];
  /** Shown in bold on the page: a group, or a section after the items. */
  kind: 'group' | 'criterion' | 'section' | 'item';
}

export interface RuleDocument {
  title: string;
  /** 「满分1000分……」: what applies to the whole document. */
  preamble: string[];
  blocks: DocBlock[];
}

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

function numbered(title: string, depth: number, n: number): string {
  return hasOwnNumber(title) ? title.trim() : `${outlineNumber(depth, n)}${title.trim()}`;
}

/** A title without its own numbering, for sentences that quote it. */
function bare(title: string): string {
  return title.replace(OWN_NUMBER, '').trim();
}

/** A number as a person writes it: no float noise (0.1 + 0.2 prints 0.3). */
function n(x: number): string {
  return String(Number(x.toFixed(9)));
}

// ── names in words ───────────────────────────────────────────────────────────

interface Quantity { label: string; unit: string; gapUnit: string; fewer: string; more: string; integer: boolean }

/** How a value is named in the document: the label and unit of the input or metric it reads. */
function quantity(rs: CompiledRuleSet, expr: string): Quantity {
  const name = expr.trim();
  const found = rs.metrics.find((m) => m.name === name) ?? rs.inputs.find((i) => i.name === name);
  const label = found?.label ?? words(rs, name);
  const unit = found?.unit ?? '';
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

function gradeInput(rs: CompiledRuleSet, ref: string) {
  return rs.inputs.find((i) => i.name === ref || i.label === ref);
}

// ── methods in words ─────────────────────────────────────────────────────────

type Verb = '得' | '扣' | '加';

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
      const q = quantity(rs, def.value);
      text = `按比例记分：${verb}分＝${n(P)}分×${q.label}，最多${verb}${n(P)}分`;
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

function criterionLines(rs: CompiledRuleSet, node: Extract<CompiledNode, { kind: 'criterion' }>): string[] {
  const verb: Verb = node.mode === 'award' ? '得' : '扣';
  const alone = node.methods.length === 1 ? node.points : undefined;
  const sentences = node.methods.map((m) => methodText(rs, m, verb, alone));
  const lines = [`${sentences.join('；')}${node.mode === 'deduct' ? '，扣完为止' : ''}。`];
  if (node.def.ifUndefined === 'full') lines.push('无此项工作（无应考核对象）的，不扣分。');
  if (node.def.ifUndefined === 'zero') lines.push('无此项工作（无应考核对象）的，本项不得分。');
  if (node.zeroIf) lines.push(`${words(rs, node.def.zeroIf!)}的，本项不记分。`);
  if (node.vetoIf) lines.push(`${words(rs, node.def.vetoIf!)}的，实行一票否决。`);
  return lines;
}

function itemBlock(rs: CompiledRuleSet, index: number, position: number): DocBlock {
  const node = rs.nodes[index];
  const heading = `${numbered(node.title, node.depth, position)}（${n(node.points)}分）`;
  if (node.kind === 'group') {
    return { heading, depth: node.depth, lines: [], kind: 'group', children: node.children.map((c, k) => itemBlock(rs, c, k + 1)) };
  }
  return { heading, depth: node.depth, lines: criterionLines(rs, node), kind: 'criterion', children: [] };
}

function adjustmentSection(rs: CompiledRuleSet, kind: 'bonus' | 'penalty', position: number): DocBlock | undefined {
  const block = kind === 'bonus' ? rs.bonus : rs.penalty;
  if (!block?.items.length) return undefined;
  const name = kind === 'bonus' ? '加分项目' : '扣分项目';
  const cap = block.cap !== undefined ? `（${kind === 'bonus' ? '加' : '扣'}分合计不超过${n(block.cap)}分）` : '';
  const verb: Verb = kind === 'bonus' ? '加' : '扣';
  return {
    heading: `${outlineNumber(0, position)}${name}${cap}`, depth: 0, kind: 'section', lines: [],
    children: block.items.map((item, k) => ({
      heading: numbered(item.title, 1, k + 1), depth: 1, kind: 'item', children: [],
      lines: [`${methodText(rs, item.method, verb)}。`],
    })),
  };
}

const SUBJECT_NOUN: Readonly<Record<string, string>> = table({ village: '村', staff: '人员' });

function placeText(place: number): string {
  if (place > 0) return `第${chineseNumeral(place)}名`;
  return place === -1 ? '最后一名' : `倒数第${chineseNumeral(-place)}名`;
}

/** Where a sanction falls and on what condition: 排名最后一名, 排名前二名且总分不低于90分. */
function sanctionText(rs: CompiledRuleSet, s: { place?: number; rank?: readonly [number, number] }, index: number): string {
  let where: string;
  if (s.place !== undefined) where = `排名${placeText(s.place)}`;
  else {
    const [from, to] = s.rank ?? [1, 1];
    where = from === to ? `排名第${chineseNumeral(from)}名` : from === 1 ? `排名前${chineseNumeral(to)}名` : `排名第${chineseNumeral(from)}至${chineseNumeral(to)}名`;
  }
  const when = rs.file.ranking?.sanctions?.[index]?.when;
  return when ? `${where}且${words(rs, when)}` : where;
}

function vetoSection(rs: CompiledRuleSet, position: number): DocBlock | undefined {
  const noun = SUBJECT_NOUN[rs.subject] ?? '单位';
  const lines: string[] = [];
  for (const c of rs.criteria) if (c.vetoIf) lines.push(`${words(rs, c.def.vetoIf!)}的（“${bare(c.title)}”），实行一票否决。`);
  for (const v of rs.vetoes) lines.push(`${bare(v.title)}（${words(rs, rs.file.vetoes?.find((x) => x.id === v.id)?.when ?? '')}）。`);
  rs.ranking.sanctions.forEach((s, k) => { if (s.outcome === 'veto') lines.push(`${sanctionText(rs, s, k)}的${noun}，${s.label === '一票否决' ? '一票否决' : `${s.label}（一票否决）`}。`); });
  if (!lines.length) return undefined;
  lines.push(`凡被一票否决的${noun}，不论得分多少，一律定为${vetoedGrade(rs)}。`);
  return { heading: `${outlineNumber(0, position)}一票否决`, depth: 0, kind: 'section', lines, children: [] };
}

function vetoedGrade(rs: CompiledRuleSet): string {
  return rs.grades.find((g) => g.vetoed)?.label ?? '不合格';
}

function gradeSection(rs: CompiledRuleSet, position: number): DocBlock | undefined {
  if (!rs.grades.length) return undefined;
  const lines: string[] = [];
  let open = false;
  for (const g of rs.grades) {
    if (g.vetoed) continue;
    if (g.atLeast !== undefined) lines.push(`总分${n(g.atLeast)}分及以上的，定为${g.label}。`);
    else if (!open) { lines.push(`其余的，定为${g.label}。`); open = true; }
  }
  lines.push(`凡被一票否决的${SUBJECT_NOUN[rs.subject] ?? '单位'}一律定为${vetoedGrade(rs)}。`);
  return { heading: `${outlineNumber(0, position)}考核等次`, depth: 0, kind: 'section', lines, children: [] };
}

function rankingSection(rs: CompiledRuleSet, position: number): DocBlock {
  const noun = SUBJECT_NOUN[rs.subject] ?? '单位';
  const r = rs.ranking;
  const lines = [r.scope === 'parent' ? `各${noun}在所属单位（如本乡镇）内按总分由高到低排名。` : `全部参加考核的${noun}统一按总分由高到低排名。`];
  const ties = r.tieBreak.map((i) => `“${bare(rs.nodes[i].title)}”`);
  lines.push(ties.length ? `总分相同的，依次比较${ties.join('、')}得分，高者在前；仍相同的名次并列。` : '总分相同的，名次并列。');
  // Sentences about vetoes only where the rule set can veto at all.
  const conditions = rs.vetoes.length > 0 || rs.criteria.some((c) => c.vetoIf);
  const canVeto = conditions || r.sanctions.some((s) => s.outcome === 'veto');
  if (r.vetoedLast && conditions) lines.push(`因否决情形被一票否决的${noun}，排在最后。`);
  r.sanctions.forEach((s, k) => lines.push(`${sanctionText(rs, s, k)}的${noun}，${s.label}。`));
  if (r.sanctions.some((s) => s.group !== undefined)) lines.push('同一类奖惩，每个单位只取其中排在前面的一项。');
  if (r.sanctions.length) lines.push('名次并列的，同等对待。');
  if (canVeto && r.sanctions.some((s) => s.outcome === 'commendation')) lines.push('被一票否决的，不予表彰。');
  for (const l of r.liability) lines.push(`所辖${noun}因否决情形被一票否决的，所属单位负连带责任，给予${l.label}。`);
  return { heading: `${outlineNumber(0, position)}排名与奖惩`, depth: 0, kind: 'section', lines, children: [] };
}

function checksSection(rs: CompiledRuleSet, position: number): DocBlock | undefined {
  const lines: string[] = rs.metrics.map((m) => `${m.label}${m.unit ? `（${m.unit}）` : ''}＝${words(rs, rs.file.metrics?.[m.name]?.expr ?? '')}。`);
  for (const c of rs.checks) lines.push(`数据须符合：${c.message}。`);
  if (!lines.length) return undefined;
  return { heading: `${outlineNumber(0, position)}指标口径与数据要求`, depth: 0, kind: 'section', lines, children: [] };
}

export function ruleDocument(rs: CompiledRuleSet): RuleDocument {
  const blocks = rs.top.map((index, k) => itemBlock(rs, index, k + 1));
  const more = [
    (p: number) => adjustmentSection(rs, 'bonus', p),
    (p: number) => adjustmentSection(rs, 'penalty', p),
    (p: number) => vetoSection(rs, p),
    (p: number) => gradeSection(rs, p),
    (p: number) => rankingSection(rs, p),
    (p: number) => checksSection(rs, p),
  ];
  for (const make of more) {
    const block = make(blocks.length + 1);
    if (block) blocks.push(block);
  }
  const preamble = [`本细则满分${n(rs.totalPoints)}分${rs.bonus?.items.length ? '（另设加分项目）' : ''}，各项得分保留${rs.precision}位小数。`];
  return { title: rs.title, preamble, blocks };
}

/** The document as plain-text lines (indented by depth with full-width spaces), for diffs and tests. */
export function documentLines(doc: RuleDocument): string[] {
  const out = [doc.title, ...doc.preamble];
  const walk = (b: DocBlock) => {
    const pad = '　'.repeat(b.depth);
    out.push(`${pad}${b.heading}`);
    for (const line of b.lines) out.push(`${pad}　${line}`);
    b.children.forEach(walk);
  };
  doc.blocks.forEach(walk);
  return out;
}
