import type { Compiled } from './expression/compile.js';
import type { Env, EventFigures, PeerFunction, StringTable } from './expression/ast.js';
import type { AdjustmentDef, CriterionDef, GradeDef, GroupDef, InputType, Method, Outcome, RuleSetFile, SourceDef } from './ruleset.js';

/**
 * A rule set compiled once (RULES.md §1–5): every expression a closure over a unit's
 * value array, every name a slot. Scoring a unit reads this and parses nothing.
 */

export interface CompiledInput {
  name: string;
  label: string;
  /** `text` is a linked unit's grade: any non-empty text. */
  type: InputType | 'text';
  /** Set for the value of a source's result (fp.total, village.total): the source's (or link's) name. */
  link?: string;
  /**
   * Of a source's field: true when no expression, method or condition of the rule set names it. The
   * reading of a clean row then leaves it undefined rather than read it (at 100,000 units each field read
   * is a place in a column far from the cache); a listed score or metric is read all the same, for a
   * result that lacks it is a problem.
   */
  unread?: boolean;
  /** Of an events input (§7.6): its levels' points, the range of given points, and the slots of its figures. */
  levels?: Readonly<Record<string, number>>;
  range?: readonly [number, number];
  figures?: EventFigures;
  reportedBy: 'unit' | 'township';
  evidence?: 'required' | 'optional';
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

/** What a group and a criterion share: the conditions of §7.2–7.3. */
interface NodeConditions {
  appliesIf?: Compiled;
  appliesIfSrc?: string;
  zeroIf?: Compiled;
  zeroIfSrc?: string;
  vetoIf?: Compiled;
  vetoIfSrc?: string;
  /** The title its veto is reported under: `vetoTitle`, else its own title. */
  vetoTitle: string;
}

export interface CompiledCriterion extends NodeConditions {
  kind: 'criterion';
  def: CriterionDef;
  id: string;
  title: string;
  points: number;
  /** The lowest score (§7.4): 0, or below for 该项可倒扣. */
  floor: number;
  mode: 'award' | 'deduct';
  methods: CompiledMethod[];
  ifUndefined: 'full' | 'zero';
  /** The value or count of the first method that has one (the `values` of §6). */
  value?: Compiled;
  /** Index in `nodes` and the slot of its score. */
  index: number;
  slot: number;
  depth: number;
  parent: number;
}

export interface CompiledGroup extends NodeConditions {
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
  /** Slots of whether it applies and whether it is zeroed, in a rule set with conditions on its groups (-1 otherwise). */
  appliesSlot: number;
  zeroSlot: number;
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

export interface CompiledCheck { message: string; when: Compiled; src: string; names: string[]; pointer: string; peers: boolean; }

/**
 * A peer function's call (§7.7): its argument, evaluated for every unit of a scope before any is
 * scored, and the slot its value is written to. `score` calls read scores or the total
 * (高于全乡平均分), so they are taken after the units are scored; they stand only in unit-level
 * vetoes and sanction conditions, which decide no score.
 */
export interface CompiledPeer {
  fn: PeerFunction; slot: number; tier: 'value' | 'score';
  /** The argument as generated code (codegen.ts generateArgumentTaker): every unit's is taken by it, never by a closure. */
  argSrc: string;
  /** The inputs the argument reads, directly or through metrics: all a first reading for the peers' values needs. */
  reads: string[];
}

/** A source (§7.8) or a link, as a source read through the parent. */
export interface CompiledSource extends Required<Pick<SourceDef, 'ruleset' | 'period' | 'match' | 'required'>> {
  name: string;
  label: string;
  scores: string[];
  metrics: string[];
  /** Declared under `links` (the project's extension). */
  link: boolean;
}

export interface CompiledSanction extends Outcome {
  place?: number;
  rank?: readonly [number, number];
  when?: Compiled;
  /** The condition reads the total alone (总分不低于90分): it is decided from the ranked total, without scoring the unit again. */
  whenTotalOnly?: boolean;
  group?: string;
}

export interface CompiledRanking {
  scope: 'parent' | 'all';
  /** Node indexes compared higher-first after the total. */
  tieBreak: number[];
  vetoedLast: boolean;
  sanctions: CompiledSanction[];
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
  /** The groups and criteria with a vetoIf, in document order (a group before the items inside it). */
  vetoNodes: CompiledNode[];
  sources: CompiledSource[];
  peers: CompiledPeer[];
  /**
   * The slot of each peer call by its words (`peerCallKey`: the function and its argument's tree), so
   * that a reason can give a unit's value of `peerRank(x)` where it is written (explain.ts).
   */
  peerCalls?: ReadonlyMap<string, number>;
  /** Whether any item carries appliesIf, or any group a condition: the scorer then walks conditions (§7.2–7.3). */
  conditional: boolean;
  /** The slot of the unit's applicable points (§7.3). */
  applicableSlot: number;
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
