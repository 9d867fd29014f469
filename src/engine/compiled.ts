import type { Compiled } from './expression/compile.js';
import type { Env, StringTable } from './expression/ast.js';
import type { AdjustmentDef, CriterionDef, GradeDef, GroupDef, InputType, Method, Outcome, RuleSetFile } from './ruleset.js';

/**
 * A rule set compiled once (RULES.md §1–5): every expression a closure over a unit's
 * value array, every name a slot. Scoring a unit reads this and parses nothing.
 */

export interface CompiledInput {
  name: string;
  label: string;
  /** `text` is a linked unit's grade: any non-empty text. */
  type: InputType | 'text';
  /** Set for the value of a linked unit's result (village.total): the link's name. */
  link?: string;
  min?: number;
  max?: number;
  unit?: string;
  grades?: readonly string[];
  default?: number | boolean | string;
  slot: number;
}

export interface CompiledMetric {
  name: string;
  /** What the expression gives: a number, a yes/no (1/0) or a string id. */
  type: 'number' | 'boolean' | 'string';
  label: string;
  unit?: string;
  decimals: number;
  slot: number;
  fn: Compiled;
  /** The expression as JavaScript for generated code (codegen.ts). */
  src: string;
}

export interface CompiledMethod {
  def: Method;
  pointer: string;
  /** The points a check, ratio or linear scales: the method's own, else the criterion's. */
  P: number;
  when?: Compiled;
  /** The method's `value` or `count`, where it has one. */
  value?: Compiled;
  /** The method's amount after `when` and `max`; NaN when its value is undefined. */
  amount: (env: Env) => number;
  /** The amount as JavaScript for the generated scorer. */
  src: string;
}

export interface CompiledCriterion {
  kind: 'criterion';
  def: CriterionDef;
  id: string;
  title: string;
  points: number;
  mode: 'award' | 'deduct';
  methods: CompiledMethod[];
  zeroIf?: Compiled;
  vetoIf?: Compiled;
  zeroIfSrc?: string;
  vetoIfSrc?: string;
  ifUndefined: 'full' | 'zero';
  /** The value or count of the first method that has one (the `values` of §6). */
  value?: Compiled;
  /** Index in `nodes` and the slot of its score. */
  index: number;
  slot: number;
  depth: number;
  parent: number;
}

export interface CompiledGroup {
  kind: 'group';
  def: GroupDef;
  id: string;
  title: string;
  points: number;
  children: number[];
  index: number;
  slot: number;
  depth: number;
  parent: number;
}

export type CompiledNode = CompiledCriterion | CompiledGroup;

export interface CompiledAdjustment {
  def: AdjustmentDef;
  id: string;
  title: string;
  method: CompiledMethod;
}

export interface CompiledAdjustments {
  cap?: number;
  items: CompiledAdjustment[];
}

export interface CompiledVeto { id: string; title: string; when: Compiled; src: string; }

export interface CompiledCheck { message: string; when: Compiled; src: string; names: string[]; pointer: string; }

export interface CompiledRanking {
  scope: 'parent' | 'all';
  /** Node indexes compared higher-first after the total. */
  tieBreak: number[];
  vetoedLast: boolean;
  sanctions: Array<Outcome & { place: number }>;
  liability: Outcome[];
}

export interface CompiledRuleSet {
  file: RuleSetFile;
  id: string;
  version: string;
  title: string;
  subject: string;
  totalPoints: number;
  precision: number;
  inputs: CompiledInput[];
  metrics: CompiledMetric[];
  /** Groups and criteria in item order (pre-order). */
  nodes: CompiledNode[];
  criteria: CompiledCriterion[];
  /** Groups children-first, so each is summed after its children. */
  groupsPostOrder: CompiledGroup[];
  /** Indexes of the top-level items. */
  top: number[];
  bonus?: CompiledAdjustments;
  penalty?: CompiledAdjustments;
  checks: CompiledCheck[];
  vetoes: CompiledVeto[];
  grades: GradeDef[];
  ranking: CompiledRanking;
  /** Size of a unit's value array while it is scored: inputs, links, metrics, node scores, total, bonus, penalty. */
  slotCount: number;
  /** How many of those a unit keeps: its inputs, links and metrics (the scores are kept apart). */
  valueSlots: number;
  /** The strings (grades) of the rule set, by id. */
  strings: StringTable;
  /** Values the generated scorer reads as K[i] (bands, grade tables). */
  constants: unknown[];
  totalSlot: number;
  bonusSlot: number;
  penaltySlot: number;
}
