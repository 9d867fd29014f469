/** The rule file as written (RULES.md §1–2): the shapes the JSON Schema admits. */

export type InputType = 'integer' | 'number' | 'boolean' | 'grade';

export interface InputDef {
  label?: string;
  type: InputType;
  min?: number;
  max?: number;
  unit?: string;
  grades?: string[];
  default?: number | boolean | string;
}

/**
 * A link to the results of another track's unit (rules/README.md): the staff row's
 * `parent` names the village whose total, rank, grade, vetoed flag and metrics the
 * staff rule set may read as `village.total` and so on.
 */
export interface LinkDef {
  label?: string;
  /** Metric names of the linked unit this rule set reads (each a number). */
  metrics?: string[];
}

export interface MetricDef {
  label?: string;
  unit?: string;
  expr: string;
  /** Decimals for display in reports (default 2). */
  decimals?: number;
}

export type Steps = 'proportional' | 'started' | 'whole';

export interface Band { atLeast?: number; atMost?: number; above?: number; below?: number; points: number; label?: string }

interface MethodCommon { when?: string; max?: number }

export type Method = MethodCommon & (
  | { method: 'fixed'; points: number }
  | { method: 'check'; test: string; points?: number }
  | { method: 'shortfall'; value: string; target: number; better: 'higher' | 'lower'; per: number; points: number; steps?: Steps }
  | { method: 'per'; count: string; per?: number; points: number; allowed?: number; steps?: Steps }
  | { method: 'ratio'; value: string; points?: number }
  | { method: 'linear'; value: string; zeroAt: number; fullAt: number; points?: number }
  | { method: 'bands'; value: string; bands: Band[] }
  | { method: 'grade'; input: string; points: Record<string, number> }
  | { method: 'manual'; input: string }
);

export interface CriterionDef {
  id: string;
  title: string;
  points: number;
  award?: Method;
  deduct?: Method[];
  zeroIf?: string;
  vetoIf?: string;
  ifUndefined?: 'full' | 'zero';
}

export interface GroupDef {
  id: string;
  title: string;
  points: number;
  items: ItemDef[];
}

export type ItemDef = GroupDef | CriterionDef;

export type AdjustmentDef = { id: string; title: string } & Method;

export interface Outcome { outcome: 'commendation' | 'criticism' | 'veto'; label: string }

export interface RankingDef {
  scope?: 'parent' | 'all';
  tieBreak?: string[];
  vetoedLast?: boolean;
  sanctions?: Array<Outcome & { place: number }>;
  liability?: Array<Outcome & { when: 'childVetoed' }>;
}

export interface GradeDef { atLeast?: number; vetoed?: true; label: string }

export interface RuleSetFile {
  id: string;
  version: string;
  title: string;
  subject?: string;
  totalPoints: number;
  precision?: number;
  inputs?: Record<string, InputDef>;
  links?: Record<string, LinkDef>;
  metrics?: Record<string, MetricDef>;
  items: ItemDef[];
  bonus?: { cap?: number; items: AdjustmentDef[] };
  penalty?: { cap?: number; items: AdjustmentDef[] };
  checks?: Array<{ when: string; message: string }>;
  vetoes?: Array<{ id: string; title: string; when: string }>;
  grades?: GradeDef[];
  ranking?: RankingDef;
}

export function isGroup(item: ItemDef): item is GroupDef {
  return Array.isArray((item as GroupDef).items);
}
