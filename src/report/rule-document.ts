import type { CompiledNode, CompiledRuleSet } from '../engine/compiled.js';
import { table } from '../engine/own.js';
import { ruleExpressionWords, ruleNegationWords } from '../engine/words.js';
import { bare, chineseNumeral, hasOwnNumber, methodText, n, numbered, outlineNumber, words, type Verb } from './rule-words.js';

export { chineseNumeral, hasOwnNumber, outlineNumber } from './rule-words.js';

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

/** 「本项可倒扣，最低−10分」 (§7.4), or 扣完为止 for a deduction that stops at zero. */
function floorText(node: Extract<CompiledNode, { kind: 'criterion' }>): string {
  if (node.floor < 0) return `，本项可倒扣，最低−${n(-node.floor)}分`;
  return node.mode === 'deduct' ? '，扣完为止' : '';
}

/** The conditions an item or a part carries (§7.2–7.3), each a sentence: 不适用、不得分、一票否决 under its own title. */
function conditionLines(rs: CompiledRuleSet, node: CompiledNode): string[] {
  const what = node.kind === 'group' ? '本部分' : '本项';
  const lines: string[] = [];
  if (node.def.appliesIf !== undefined) lines.push(`${ruleNegationWords(rs, node.def.appliesIf)}的，${what}不适用，按其余项目得分率折算。`);
  if (node.def.zeroIf !== undefined) lines.push(`${words(rs, node.def.zeroIf)}的，${what}${node.kind === 'group' ? '不得分' : '不记分'}。`);
  if (node.def.vetoIf !== undefined) lines.push(`${words(rs, node.def.vetoIf)}的，实行一票否决${node.vetoTitle !== node.title ? `（${bare(node.vetoTitle)}）` : ''}。`);
  return lines;
}

function criterionLines(rs: CompiledRuleSet, node: Extract<CompiledNode, { kind: 'criterion' }>): string[] {
  const verb: Verb = node.mode === 'award' ? '得' : '扣';
  const alone = node.methods.length === 1 ? node.points : undefined;
  const sentences = node.methods.map((m) => methodText(rs, m, verb, alone));
  const lines = [`${sentences.join('；')}${floorText(node)}。`];
  if (node.def.ifUndefined === 'full') lines.push('无此项工作（无应考核对象）的，不扣分。');
  if (node.def.ifUndefined === 'zero') lines.push('无此项工作（无应考核对象）的，本项不得分。');
  lines.push(...conditionLines(rs, node));
  return lines;
}

function itemBlock(rs: CompiledRuleSet, index: number, position: number): DocBlock {
  const node = rs.nodes[index];
  const heading = `${numbered(node.title, node.depth, position)}（${n(node.points)}分）`;
  if (node.kind === 'group') {
    return { heading, depth: node.depth, lines: conditionLines(rs, node), kind: 'group', children: node.children.map((c, k) => itemBlock(rs, c, k + 1)) };
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
  return when ? `${where}且${ruleExpressionWords(rs, when, { prose: true })}` : where;
}

/** A sanction's outcome as the sentence ends: 评为一等奖, 通报批评. */
function outcomeText(label: string): string {
  return /奖$|先进|标兵|优秀|示范/u.test(label) && !label.startsWith('评为') ? `评为${label}` : label;
}

function vetoSection(rs: CompiledRuleSet, position: number): DocBlock | undefined {
  const noun = SUBJECT_NOUN[rs.subject] ?? '单位';
  const lines: string[] = [];
  // Every vetoIf in document order, a part before the items inside it, each under the title its veto is told by (§7.2).
  for (const c of rs.vetoNodes) {
    const when = words(rs, c.def.vetoIf!);
    // A veto with a title of its own is told by it, as a unit-level veto is (出现政策外多孩生育（…）); else by its item's.
    lines.push(c.vetoTitle !== c.title ? `${bare(c.vetoTitle)}（${when}），实行一票否决。` : `${when}的（“${bare(c.title)}”），实行一票否决。`);
  }
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
  r.sanctions.forEach((s, k) => lines.push(`${sanctionText(rs, s, k)}的${noun}，${outcomeText(s.label)}。`));
  // Sanctions of one group (§7.9): a unit takes the first that falls on it.
  const groups = new Map<string, string[]>();
  for (const s of r.sanctions) if (s.group !== undefined) groups.set(s.group, [...(groups.get(s.group) ?? []), s.label]);
  for (const labels of groups.values()) {
    const distinct = [...new Set(labels)];
    if (distinct.length > 1) lines.push(`${distinct.join('、')}不重复评定，每个${noun}只评其中一项，按上列顺序先评。`);
  }
  if (r.sanctions.length) lines.push('名次并列的，同等对待。');
  if (canVeto && r.sanctions.some((s) => s.outcome === 'commendation')) lines.push('被一票否决的，不予表彰。');
  // A label that names the liability itself (负有连带责任，通报批评) is not said twice.
  for (const l of r.liability) lines.push(`所辖${noun}因否决情形被一票否决的，所属单位${l.label.includes('连带责任') ? l.label : `负连带责任，给予${l.label}`}。`);
  return { heading: `${outlineNumber(0, position)}排名与奖惩`, depth: 0, kind: 'section', lines, children: [] };
}

/** A source's period (§7.8) in words: 本期, 上一期, 上年同期, 本年上半年, 本年第一季度, 本年3月. */
function periodWords(period: string): string {
  if (period === 'same') return '本期';
  if (period === 'previous') return '上一期';
  if (period === 'lastYear') return '上年同期';
  if (period === 'H1' || period === 'H2') return `本年${period === 'H1' ? '上' : '下'}半年`;
  const quarter = /^Q([1-4])$/.exec(period);
  if (quarter) return `本年第${chineseNumeral(Number(quarter[1]))}季度`;
  const month = /^M(0[1-9]|1[0-2])$/.exec(period);
  if (month) return `本年${Number(month[1])}月`;
  return '规定期间';
}

function checksSection(rs: CompiledRuleSet, position: number): DocBlock | undefined {
  const lines: string[] = rs.metrics.map((m) => `${m.label}${m.unit ? `（${m.unit}）` : ''}＝${words(rs, rs.file.metrics?.[m.name]?.expr ?? '')}。`);
  for (const c of rs.checks) lines.push(`数据须符合：${c.message}。`);
  // Where another assessment's figures come from (§7.8): 计划生育专项考核的结果取自本期该项考核.
  for (const source of rs.sources) {
    if (source.link) continue;
    const whose = source.match === 'parent' ? '所在上级单位' : '本单位';
    const missing = source.required ? '' : '，无此结果的，相关项目按无法计算处理';
    lines.push(`“${source.label}”的得分、名次等，取${periodWords(source.period)}该项考核中${whose}的结果${missing}。`);
  }
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
  // §7.3: the items that apply are scaled to the full score.
  if (rs.nodes.some((node) => node.appliesIf)) preamble.push(`有不适用项目的，以适用项目的得分按其分值折算为${n(rs.totalPoints)}分。`);
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
