import type { CompiledRuleSet } from './compiled.js';
import type { Env, Expr } from './expression/ast.js';
import { parseExpression } from './expression/parser.js';
import { conditionInWords, expressionInWords, type NameWords, type Namer, type Valuer } from './expression/words.js';

/**
 * A rule set's expressions in words (expression/words.ts) with its own names: inputs and
 * metrics by their labels and units, 总分、加分、扣分, an item's score by its title. One place
 * for the printed 细则, a village's reasons and the exports that carry them.
 */

const trees = new WeakMap<CompiledRuleSet, Map<string, Expr | null>>();

/** The tree of an expression of the rule set, parsed once per rule set; null if it does not parse (a file that loaded always does). */
function treeOf(rs: CompiledRuleSet, src: string): Expr | null {
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

function nameWords(rs: CompiledRuleSet): Namer {
  return (name) => {
    const metric = rs.metrics.find((m) => m.name === name);
    if (metric) return { label: metric.label, unit: metric.unit, type: metric.type };
    const input = rs.inputs.find((i) => i.name === name);
    if (input) {
      const type = input.type === 'boolean' ? 'boolean' : input.type === 'grade' || input.type === 'text' ? 'string' : 'number';
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

/** An expression of the rule set in words, without values: 「已签订计生合同数 ≥ 流出已婚育龄妇女数」. */
export function ruleExpressionWords(rs: CompiledRuleSet, src: string): string {
  const tree = treeOf(rs, src);
  return tree ? expressionInWords(tree, namerOf(rs)) : '（按细则规定的条件）';
}

/** Whether a condition of the rule set holds for a unit, and the unit's facts that decide it, in words. */
export function ruleConditionWords(rs: CompiledRuleSet, src: string, env: Env): { holds: boolean; text: string } {
  const tree = treeOf(rs, src);
  if (!tree) return { holds: false, text: '（按细则规定的条件）' };
  return conditionInWords(tree, namerOf(rs), valuerOf(rs, env));
}
