import type { CompiledInput, CompiledRuleSet } from './compiled.js';
import { peerCallKey } from './compile-ruleset.js';
import type { Env, Expr } from './expression/ast.js';
import { parseExpression } from './expression/parser.js';
import { conditionInWords, expressionInWords, negated, valueInWords, type CallExpr, type CallValuer, type NameWords, type Namer, type Valuer, type WordsOptions } from './expression/words.js';

/**
 * A rule set's expressions in words (expression/words.ts) with its own names: inputs and
 * metrics by their labels and units, 总分、加分、扣分, an item's score by its title. One place
 * for the printed 细则, a village's reasons and the exports that carry them.
 */

const trees = new WeakMap<CompiledRuleSet, Map<string, Expr | null>>();

/** The tree of an expression of the rule set, parsed once per rule set; null if it does not parse (a file that loaded always does). */
export function treeOf(rs: CompiledRuleSet, src: string): Expr | null {
  let known = trees.get(rs);
  if (!known) { known = new Map(); trees.set(rs, known); }
  let tree = known.get(src);
  if (tree === undefined) {
    try { tree = parseExpression(src); } catch { tree = null; }
    known.set(src, tree);
  }
  return tree;
}

const SCORE_WORDS: Readonly<Record<string, string>> = { total: '总分', bonus: '加分', penalty: '扣分' };

const namers = new WeakMap<CompiledRuleSet, Namer>();

/** How each name of the rule set reads (made once per rule set: an export words every unit's conditions). */
export function namerOf(rs: CompiledRuleSet): Namer {
  let namer = namers.get(rs);
  if (!namer) {
    const known = new Map<string, NameWords | undefined>();
    const find = nameWords(rs);
    namer = (name) => {
      if (!known.has(name)) known.set(name, find(name));
      return known.get(name);
    };
    namers.set(rs, namer);
  }
  return namer;
}

/**
 * The title of another assessment's item or metric (§7.8: `fp.indicators`, `fp.birthRate`), by source and id: only
 * the caller knows those rule sets (the record, which resolves each source to a run), so it may tell the words.
 */
export type SourceTitles = (source: string, field: string) => string | undefined;
const sourceTitles = new WeakMap<CompiledRuleSet, SourceTitles>();

/** Tells the words of a rule set the titles of its sources' items and metrics (before or after its first words). */
export function useSourceTitles(rs: CompiledRuleSet, titles: SourceTitles): void {
  sourceTitles.set(rs, titles);
  namers.delete(rs);
}

const ASCII_LETTER = /[A-Za-z]/;

/**
 * A source's score or metric by its title where it is known (计划生育专项考核“人口计划”得分), else by its place in the
 * source's list (计划生育专项考核所列第1项得分): never the other rule file's id, which a reader cannot read.
 */
function sourceFieldLabel(rs: CompiledRuleSet, label: string, source: CompiledRuleSet['sources'][number] | undefined, field: string): string {
  if (!source) return label;
  const score = source.scores.indexOf(field), metric = source.metrics.indexOf(field);
  if (score < 0 && metric < 0) return label; // total, rank, grade …: labelled where they are compiled
  const title = sourceTitles.get(rs)?.(source.name, field);
  if (title !== undefined && title.trim() !== '') return score >= 0 ? `${source.label}“${title.trim()}”得分` : `${source.label}${title.trim()}`;
  if (!ASCII_LETTER.test(field)) return score >= 0 ? `${source.label}“${field}”得分` : `${source.label}${field}`;
  return score >= 0 ? `${source.label}所列第${score + 1}项得分` : `${source.label}所列第${metric + 1}项指标`;
}

function nameWords(rs: CompiledRuleSet): Namer {
  return (name) => {
    const metric = rs.metrics.find((m) => m.name === name);
    if (metric) return { label: metric.label, unit: metric.unit, type: metric.type };
    const input = rs.inputs.find((i) => i.name === name);
    if (input) {
      const type = input.type === 'boolean' ? 'boolean' : input.type === 'grade' || input.type === 'text' ? 'string' : 'number';
      if (input.type === 'events') return { label: input.label, unit: input.unit, type, measure: input.unit ?? '起' };
      if (input.link) {
        // Another assessment's figure (§7.8): its scores in 分, its rank in 名; a fraction times a score is a weight.
        const field = input.name.slice(input.link.length + 1);
        const source = rs.sources.find((x) => x.name === input.link);
        const metric = !!source && source.metrics.includes(field) && !source.scores.includes(field);
        const scored = type === 'number' && field !== 'rank' && !metric;
        return { label: sourceFieldLabel(rs, input.label, source, field), unit: input.unit ?? (field === 'rank' ? '名' : scored ? '分' : undefined), type, weighted: scored };
      }
      return { label: input.label, unit: input.unit, type };
    }
    if (Object.hasOwn(SCORE_WORDS, name)) return { label: SCORE_WORDS[name], unit: '分', type: 'number' };
    const node = rs.nodes.find((n) => n.id === name);
    if (node) return { label: `“${node.title}”得分`, unit: '分', type: 'number' };
    return undefined;
  };
}

/** A unit's value of each input and metric, from its value array. */
export function valuerOf(rs: CompiledRuleSet, env: Env): Valuer {
  return (name) => {
    const named = rs.metrics.find((m) => m.name === name) ?? rs.inputs.find((i) => i.name === name);
    if (!named) return NaN;
    const v = env[named.slot];
    const text = named.type === 'grade' || named.type === 'text' || named.type === 'string';
    return text ? rs.strings.text(v) ?? NaN : v;
  };
}

/**
 * A unit's value of each call the engine works out before scoring it, where the engine wrote it:
 * count(E) and sum(E) at its events' figures, a peer function at its call's slot (§7.6–7.7).
 */
export function callValuerOf(rs: CompiledRuleSet, env: Env): CallValuer {
  return (call: CallExpr) => {
    const first = call.args[0];
    if (call.fn === 'count' || call.fn === 'sum') {
      const figures = first?.kind === 'name' ? rs.inputs.find((i) => i.name === first.name)?.figures : undefined;
      if (!figures) return NaN;
      if (call.fn === 'sum') return env[figures.sum];
      const level = call.args[1];
      const slot = level === undefined ? figures.count : level.kind === 'string' ? figures.levels.get(level.value) : undefined;
      return slot === undefined ? NaN : env[slot];
    }
    const slot = first === undefined ? undefined : rs.peerCalls?.get(peerCallKey(call.fn, first));
    return slot === undefined ? NaN : env[slot];
  };
}

const SUBJECT_SCOPE: Readonly<Record<string, string>> = { village: '全乡' };

/** The unit's peers (§7.7) in words, by the ranking's scope: 全乡 for villages ranked in their township; 全部参考单位; else 同一上级单位内. */
export function peerScopeWords(rs: CompiledRuleSet): string {
  if (rs.ranking.scope === 'all') return '全部参考单位';
  return Object.hasOwn(SUBJECT_SCOPE, rs.subject) ? SUBJECT_SCOPE[rs.subject] : '同一上级单位内';
}

/** An expression of the rule set in words, without values: 「已签订计生合同数 ≥ 流出已婚育龄妇女数」. */
export function ruleExpressionWords(rs: CompiledRuleSet, src: string | Expr, options: WordsOptions = {}): string {
  const tree = typeof src === 'string' ? treeOf(rs, src) : src;
  return tree ? expressionInWords(tree, namerOf(rs), { scope: peerScopeWords(rs), ...options }) : '（按细则规定的条件）';
}

/** That a condition of the rule set does not hold, in words: 「“是否农场”为是」 for `not farm` (an item that does not apply). */
export function ruleNegationWords(rs: CompiledRuleSet, src: string, options: WordsOptions = {}): string {
  const tree = treeOf(rs, src);
  return tree ? expressionInWords(negated(tree), namerOf(rs), { scope: peerScopeWords(rs), ...options }) : '（按细则规定的条件）';
}

/** The events input a count() or sum() of the rule set reads, and the level it counts (§7.6). */
export function eventsCallOf(rs: CompiledRuleSet, src: string | Expr | null): { input: CompiledInput; fn: 'count' | 'sum'; level?: string } | undefined {
  const tree = typeof src === 'string' ? treeOf(rs, src) : src;
  if (tree?.kind !== 'call' || (tree.fn !== 'count' && tree.fn !== 'sum')) return undefined;
  const [first, level] = tree.args;
  const input = first?.kind === 'name' ? rs.inputs.find((i) => i.name === first.name && i.type === 'events') : undefined;
  return input && { input, fn: tree.fn, level: level?.kind === 'string' ? level.value : undefined };
}

/** Whether a condition of the rule set holds for a unit, and the unit's facts that decide it, in words. */
export function ruleConditionWords(rs: CompiledRuleSet, src: string, env: Env): { holds: boolean; text: string } {
  const tree = treeOf(rs, src);
  if (!tree) return { holds: false, text: '（按细则规定的条件）' };
  return conditionInWords(tree, namerOf(rs), valuerOf(rs, env), 2, { scope: peerScopeWords(rs), call: callValuerOf(rs, env) });
}

/** A formula of the rule set with a unit's figures in it, and its value: 「计划生育专项考核总分96.5分×40%+…」. */
export function ruleValueWords(rs: CompiledRuleSet, src: string | Expr, env: Env): { value: number; text: string } {
  const tree = typeof src === 'string' ? treeOf(rs, src) : src;
  if (!tree) return { value: NaN, text: '（按细则规定的公式）' };
  return valueInWords(tree, namerOf(rs), valuerOf(rs, env), 2, { scope: peerScopeWords(rs), call: callValuerOf(rs, env) });
}
