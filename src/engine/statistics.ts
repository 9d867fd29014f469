import type { Env } from './expression/ast.js';
import type { CompiledRuleSet } from './compiled.js';
import { round9, roundHalfUp } from './decimal.js';
import { DataInvalid, type DataProblem } from './problems.js';
import { inputValue, type Unit } from './units.js';
import { dict, own } from './own.js';

/**
 * The statistics report (上半年形势分析, DOMAIN.md): every input and metric of a rule set
 * for every unit and for every parent up to the root. A parent's numeric inputs are the
 * sums of its children's, and its metrics are computed from those sums by the rule set's
 * own expressions: a district's birth rate is its births over its population, never an
 * average of its villages' rates. Booleans and grades cannot be summed: a parent has none.
 *
 * Metrics are shown rounded half-up to their `decimals`; the change on the same period
 * last year (比去年同期) is what a printed table shows: this period's displayed value
 * minus last period's displayed value.
 */

export interface UnitSet {
  /** The data file the units were read from, to name it in a problem. */
  file: string;
  units: Unit[];
}

export type Shown = number | boolean | string | null;

export interface StatisticsRow {
  id: string;
  name: string | null;
  parent: string | null;
  /** 0 for a root, 1 for its children … */
  depth: number;
  inputs: Record<string, Shown>;
  metrics: Record<string, Shown>;
  /** Per input and metric: displayed this period − displayed last period; null where either is unknown. Null without a comparison. */
  change: Record<string, number | null> | null;
}

export interface Statistics {
  /** Parents before their children, siblings by id. */
  rows: StatisticsRow[];
  /** Units that have a row of their own and children: their figures are their children's sums, their own are not used. */
  replacedByChildren: string[];
}

const EMPTY = new Float64Array(0);

interface Node {
  id: string;
  name: string | null;
  parent: string | null;
  row?: number;
  unit?: Unit;
  children: Node[];
  depth: number;
  env: Env;
}

/** The rows of the report for `current`, with the change on `last` when given (units matched by id). */
export function statistics(rs: CompiledRuleSet, current: UnitSet, last?: UnitSet): Statistics {
  const problems: DataProblem[] = [];
  const now = buildTree(rs, current, problems);
  const before = last ? buildTree(rs, last, problems) : undefined;
  if (problems.length) throw new DataInvalid(problems);

  const beforeById = new Map((before?.order ?? []).map((n) => [n.id, n]));
  const rows = now.order.map((node): StatisticsRow => {
    const shown = display(rs, node.env);
    let change: StatisticsRow['change'] = null;
    if (before) {
      const prior = beforeById.get(node.id);
      const priorShown = prior ? display(rs, prior.env) : undefined;
      change = dict<number | null>();
      for (const input of rs.inputs) change[input.name] = difference(shown.inputs[input.name], own(priorShown?.inputs, input.name), 9);
      for (const m of rs.metrics) change[m.name] = difference(shown.metrics[m.name], own(priorShown?.metrics, m.name), m.decimals);
    }
    return { id: node.id, name: node.name, parent: node.parent, depth: node.depth, inputs: shown.inputs, metrics: shown.metrics, change };
  });
  const replacedByChildren = now.order.filter((n) => n.unit && n.children.length).map((n) => n.id);
  return { rows, replacedByChildren };
}

function buildTree(rs: CompiledRuleSet, set: UnitSet, problems: DataProblem[]): { order: Node[] } {
  const nodes = new Map<string, Node>();
  for (const unit of set.units) {
    nodes.set(unit.id, { id: unit.id, name: unit.name, parent: unit.parent, row: unit.row, unit, children: [], depth: 0, env: EMPTY });
  }
  // A parent named only in the `parent` column is a unit of the report too, with no parent of its own.
  for (const unit of set.units) {
    if (unit.parent !== null && !nodes.has(unit.parent)) {
      nodes.set(unit.parent, { id: unit.parent, name: null, parent: null, children: [], depth: 0, env: EMPTY });
    }
  }
  for (const node of nodes.values()) if (node.parent !== null) nodes.get(node.parent)!.children.push(node);
  const byId = (a: Node, b: Node) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  for (const node of nodes.values()) node.children.sort(byId);

  const order: Node[] = [];
  const visit = (node: Node, depth: number) => {
    node.depth = depth;
    order.push(node);
    for (const child of node.children) visit(child, depth + 1);
  };
  for (const root of [...nodes.values()].filter((n) => n.parent === null).sort(byId)) visit(root, 0);

  // Whatever was not reached from a root hangs in a loop of parents (a → b → a).
  const reached = new Set(order);
  for (const node of nodes.values()) {
    if (!reached.has(node)) {
      problems.push({
        code: 'PARENT_CYCLE', file: set.file, row: node.row ?? 1, column: 'parent',
        message: `单位 “${node.id}” 的上级单位绕回了自己（${node.id} → ${node.parent} …），无法汇总`,
      });
    }
  }
  if (problems.length) return { order };

  // Children first, so that every parent sums figures already complete.
  for (let k = order.length - 1; k >= 0; k--) order[k].env = envOf(rs, order[k]);
  return { order };
}

function envOf(rs: CompiledRuleSet, node: Node): Env {
  const env = new Float64Array(rs.slotCount).fill(NaN);
  if (node.children.length === 0 && node.unit) {
    env.set(node.unit.env);
  } else {
    for (const input of rs.inputs) {
      if (input.type !== 'integer' && input.type !== 'number') continue; // a grade or a yes/no has no sum
      let sum = 0;
      for (const child of node.children) sum += child.env![input.slot]; // NaN (undefined) anywhere: NaN
      env[input.slot] = round9(sum);
    }
  }
  for (const m of rs.metrics) env[m.slot] = m.fn(env);
  return env;
}

function display(rs: CompiledRuleSet, env: Env): { inputs: Record<string, Shown> ; metrics: Record<string, Shown> } {
  const inputs = dict<Shown>();
  for (const input of rs.inputs) {
    const v = inputValue(rs, input, env[input.slot]);
    inputs[input.name] = typeof v === 'number' ? (v - v === 0 ? roundHalfUp(v, 9) : null) : v;
  }
  const metrics = dict<Shown>();
  for (const m of rs.metrics) {
    const v = env[m.slot];
    metrics[m.name] = v - v !== 0 ? null : m.type === 'boolean' ? v === 1 : m.type === 'string' ? rs.strings.text(v) ?? null : roundHalfUp(v, m.decimals);
  }
  return { inputs, metrics };
}

function difference(now: Shown | undefined, before: Shown | undefined, decimals: number): number | null {
  if (typeof now !== 'number' || typeof before !== 'number') return null;
  return roundHalfUp(now - before, decimals);
}
