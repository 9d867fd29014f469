/**
 * The scoring engine: a rule file in, scores, ranks and sanctions out. It depends on
 * nothing but its inputs (no files, no database, no web): callers read the bytes.
 */
import type { CompiledRuleSet } from './compiled.js';
import { rankUnits, type Ranking } from './rank.js';
import { scoringAsRead } from './score.js';
import { readUnits, type DataTable } from './units.js';

export { loadRuleSet, type LoadedRuleSet } from './load.js';
export { readUnits, inputValue, inputValues, Unit, HeldUnit, type DataTable } from './units.js';
export { scoreUnit, scoreUnits, scoreAgainInto, type UnitScore } from './score.js';
export { rankUnits, type Ranking, type RankedUnit, type ParentResult, type Sanction } from './rank.js';
export { explainCriterion, explainAdjustment, explainVeto, criterionFigure } from './explain.js';
export { ruleExpressionWords, ruleConditionWords } from './words.js';
export { linkTable, linkedResultsOf, metricValues, linkedResultsFromScoreJson, type LinkedResult } from './links.js';
export { scoreJson, unitJson, type ScoreJson, type UnitJson } from './output.js';
export { RuleFileInvalid, DataInvalid, formatRuleProblem, formatDataProblem, type RuleProblem, type DataProblem } from './problems.js';
export type { CompiledRuleSet } from './compiled.js';
export type { RuleSetFile } from './ruleset.js';

export interface Appraisal extends Ranking {
  ignoredColumns: string[];
}

/** Reads, checks, scores and ranks a table of units under a compiled rule set. */
export function appraise(rs: CompiledRuleSet, table: DataTable): Appraisal {
  // Each unit is scored as it is read, so the units read are scored units.
  const { units, ignoredColumns } = readUnits(rs, table, scoringAsRead(rs, table.rows.length)); // throws DataInvalid before anything is ranked
  return { ...rankUnits(rs, units, { inPlace: true }), ignoredColumns };
}
