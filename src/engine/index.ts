/**
 * The scoring engine: a rule file in, scores, ranks and sanctions out. It depends on
 * nothing but its inputs (no files, no database, no web): callers read the bytes.
 */
import type { CompiledRuleSet } from './compiled.js';
import { withEvents, type EventRow } from './events.js';
import { attachSource, carriesSource, type SourceResults } from './links.js';
import { givePeerValues, giveScorePeerValues, hasScorePeers } from './peers.js';
import type { DataProblem } from './problems.js';
import { rankScored, type Ranking } from './rank.js';
import { scoringRows } from './score.js';
import { readUnits, withKeys, type DataTable } from './units.js';

export { loadRuleSet, type LoadedRuleSet } from './load.js';
export { readUnits, inputValue, inputValues, Unit, HeldUnit, type DataTable } from './units.js';
export { checkGivenInputs, type GivenInputs } from './given-inputs.js';
export { scoreUnit, scoreUnits, scoreAgainInto, type UnitScore } from './score.js';
export { rankUnits, type Ranking, type RankedUnit, type ParentResult, type Sanction } from './rank.js';
export { explainCriterion, explainAdjustment, explainVeto, explainPartVeto, criterionFigure, unitsForReasons } from './explain.js';
export { ruleExpressionWords, ruleConditionWords, useSourceTitles, type SourceTitles } from './words.js';
export {
  linkTable, metricValues, sourceResultsOf, sourceResultsFromScoreJson, sourceTable, carriesSource,
  SourceResults, type SourceResult,
} from './links.js';
export { withEvents, type EventRow } from './events.js';
export { scoreJson, unitJson, metricJson, type ScoreJson, type UnitJson } from './output.js';
export { RuleFileInvalid, DataInvalid, formatRuleProblem, formatDataProblem, type RuleProblem, type DataProblem } from './problems.js';
export type { CompiledRuleSet } from './compiled.js';
export type { RuleSetFile } from './ruleset.js';

export interface Appraisal extends Ranking {
  ignoredColumns: string[];
}

export interface AppraiseOptions {
  /** Events from an events file (§7.6), added to the inline ones; `eventsFile` names it in problems. */
  events?: EventRow[];
  eventsFile?: string;
  /** Each source's results by name (§7.8). A source neither given here nor carried by the table (a snapshot) has no result for any unit. */
  sources?: Map<string, SourceResults>;
}

/**
 * Reads, checks, scores and ranks a table of units under a compiled rule set: its events and its
 * sources' results added to the rows, its peer functions worked out over each scope (§7.7), then each
 * unit scored as it is read; every problem of all of these reported at once, nothing scored if any.
 */
export function appraise(rs: CompiledRuleSet, table: DataTable, opts: AppraiseOptions = {}): Appraisal {
  const problems: DataProblem[] = [];
  // Each row's id and parent read once, for the sources, the peers, the reading and the ranking.
  let t = withKeys(withEvents(rs, table, opts.events ?? [], opts.eventsFile ?? 'events', problems));
  for (const given of opts.sources?.keys() ?? []) {
    if (!rs.sources.some((s) => s.name === given)) problems.push({ code: 'SOURCE_UNKNOWN', message: `细则没有名为 “${given}” 的来源`, file: given, row: 1, column: given });
  }
  for (const source of rs.sources) {
    const given = opts.sources?.get(source.name);
    if (given || !carriesSource(rs, t, source.name)) t = attachSource(rs, t, source.name, given, source.label, problems);
  }
  const peers = givePeerValues(rs, t);
  t = peers.table;
  // Each unit is scored as it is read, so the units read are scored units; every problem of every row is found here.
  // Kept in their batch alone, the units made only once ranked (score.ts ScoredRows).
  let scoring = scoringRows(rs, t);
  const read = readUnits(rs, t, { maker: scoring.maker, problems, withoutPeerChecks: !peers.complete }); // throws DataInvalid before anything is ranked
  // 高于全乡平均分: over the scores, which no veto or sanction changes; the units are scored again with them.
  const withScores = hasScorePeers(rs) ? giveScorePeerValues(rs, t, scoring.scored.units().map((u) => u.unit)) : undefined;
  if (withScores) {
    scoring = scoringRows(rs, withScores);
    readUnits(rs, withScores, { maker: scoring.maker, problems });
  }
  return { ...rankScored(rs, scoring.scored), ignoredColumns: read.ignoredColumns };
}
