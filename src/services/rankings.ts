import type { Tx } from '../db/connection.js';
import { getPeriod } from '../db/queries/periods.js';
import { unitNames } from '../db/queries/units.js';
import type { RunRow } from '../db/queries/runs.js';
import type { CompiledRuleSet } from '../engine/index.js';
import { totalsChartSvg } from '../report/chart.js';
import type { UnitResult } from '../report/ranking-sheet.js';
import { sanctionReasons, type ReasonedSanction } from '../report/sanction-reason.js';
import { compiledVersion } from './rule-versions.js';
import { requireRun, runResults } from './runs.js';
import { MAX_FOUND_BARS } from './ranking-finder.js';
import { correctionChanges, type CorrectionChanges } from './corrections.js';
import { perDatabase } from './per-database.js';

/**
 * A run's ranking as the township reads it: each unit with its total, its top-level
 * group scores, grade, sanctions (each with its reason: 倒数第二名) and vetoes; filtered by parent (township); the bar
 * chart of totals; and, for a correction, what changed (by the data, by the rules).
 */
export interface RankingView {
  run: RunRow;
  periodTitle: string;
  ruleset: CompiledRuleSet;
  groups: Array<{ id: string; title: string; points: number }>;
  units: Array<UnitResult & { groupScores: Array<number | null>; sanctions: ReasonedSanction[] }>;
  parents: Array<{ id: string; name: string; sanctions: Array<{ label: string }> }>;
  parentFilter: string | null;
  chartSvg: string;
  /** For a correction: the run it corrects, the rule versions, and what changed by the data and by the rules. */
  correction: CorrectionChanges | null;
}

/** Views of recent runs, per database: their results never change, and drawing the chart is the costly part. */
const viewsOf = perDatabase(() => new Map<string, RankingView>());
const MAX_VIEWS = 64;

/** The ranking of a run (by id, or the run as just read: its status is what must be fresh). */
export async function rankingView(db: Tx, which: number | RunRow, parentFilter: string | null): Promise<RankingView> {
  const run = typeof which === 'number' ? await requireRun(db, which) : which;
  const runId = run.id;
  const views = viewsOf(db);
  const key = `${runId}|${parentFilter ?? ''}`;
  const hit = views.get(key);
  // The run's status (draft → published → superseded) is the one thing that changes: read it fresh.
  if (hit) return { ...hit, run };
  const view = await buildView(db, run, parentFilter);
  // A view of no units costs little to build again: kept, a reader cycling through names would push the costly ones out.
  if (view.units.length === 0) return view;
  if (views.size >= MAX_VIEWS) views.delete(views.keys().next().value!);
  views.set(key, view);
  return view;
}

async function buildView(db: Tx, run: RunRow, parentFilter: string | null): Promise<RankingView> {
  const runId = run.id;
  const { ruleset } = await compiledVersion(db, run.rule_sha256);
  const results = await runResults(db, runId, parentFilter ? { parentId: parentFilter } : {});
  const groups = ruleset.top.map((i) => ruleset.nodes[i]).map((n) => ({ id: n.id, title: n.title, points: n.points }));
  const all = parentFilter ? await runResults(db, runId) : results;
  const names = await unitNames(db, all.parents.map((p) => p.id));
  // A rank level is counted within the unit's scope: the reasons are worked out over the whole run.
  const reasons = sanctionReasons(ruleset, all.units);
  const units = results.units.map((u) => ({ ...u, groupScores: groups.map((g) => u.scores[g.id]), sanctions: reasons.get(u.id) ?? [] }));
  const period = await getPeriod(db, run.period_id);
  return {
    run, ruleset, groups, units, parentFilter,
    periodTitle: period?.title ?? run.period_id,
    parents: all.parents.map((p) => ({ id: p.id, name: names.get(p.id) ?? p.id, sanctions: p.sanctions })),
    // A chart of a bar a unit: a county's 300 villages; past that (a province's ranking) the table, a page at a time, says it.
    chartSvg: units.length > MAX_FOUND_BARS ? '' : totalsChartSvg(units.map((u) => ({ label: u.name ?? u.id, value: u.total, vetoed: u.vetoed })), { max: ruleset.totalPoints, decimals: ruleset.precision }),
    correction: await correctionChanges(db, run),
  };
}
