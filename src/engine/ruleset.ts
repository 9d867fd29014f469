/** The rule file as written (RULES.md §1–2): the shapes the JSON Schema admits. */

export type InputType = 'integer' | 'number' | 'boolean' | 'grade' | 'events';

export interface InputDef {
  label?: string;
  type: InputType;
  min?: number;
  max?: number;
  unit?: string;
  grades?: string[];
  default?: number | boolean | string;
  /** Of type events (§7.6): level name → points, and the [min, max] of points an assessor may give. */
  levels?: Record<string, number>;
  range?: [number, number];
  /** Who reports it (§7.11): never changes a score. */
  reportedBy?: 'unit' | 'township';
  evidence?: 'required' | 'optional';
  note?: string;
}

/** Another assessment's results, read per unit (综合考核, §7.8). */
export interface SourceDef {
  label?: string;
  ruleset: string;
  period?: string;
  match?: 'self' | 'parent';
  required?: boolean;
  scores?: string[];
  metrics?: string[];
  note?: string;
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

interface MethodCommon { when?: string; max?: number; title?: string; note?: string }

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
  | { method: 'amount'; value: string }
);

export interface CriterionDef {
  id: string;
  title: string;
  points: number;
  award?: Method;
  deduct?: Method[];
  zeroIf?: string;
  vetoIf?: string;
  vetoTitle?: string;
  appliesIf?: string;
  ifUndefined?: 'full' | 'zero';
  /** The lowest score (≤ 0, default 0): 该项可倒扣 (§7.4). */
  floor?: number;
  note?: string;
}

export interface GroupDef {
  id: string;
  title: string;
  points: number;
  items: ItemDef[];
  zeroIf?: string;
  vetoIf?: string;
  vetoTitle?: string;
  appliesIf?: string;
  note?: string;
}

export type ItemDef = GroupDef | CriterionDef;

export type AdjustmentDef = { id: string; title: string } & Method;

export interface Outcome { outcome: 'commendation' | 'criticism' | 'veto'; label: string }

/** A sanction by rank level (`place`) or rank range (`rank`), with a condition and an exclusive group (§5, §7.9). */
export type SanctionDef = Outcome & { place?: number; rank?: [number, number]; when?: string; group?: string };

export interface RankingDef {
  scope?: 'parent' | 'all';
  tieBreak?: string[];
  vetoedLast?: boolean;
  sanctions?: SanctionDef[];
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
  sources?: Record<string, SourceDef>;
  metrics?: Record<string, MetricDef>;
  items: ItemDef[];
  bonus?: { cap?: number; items: AdjustmentDef[] };
  penalty?: { cap?: number; items: AdjustmentDef[] };
  checks?: Array<{ id?: string; when: string; message: string }>;
  vetoes?: Array<{ id: string; title: string; when: string; note?: string }>;
  grades?: GradeDef[];
  ranking?: RankingDef;
}

export function isGroup(item: ItemDef): item is GroupDef {
  return Array.isArray((item as GroupDef).items);
}
