import { isTransaction, type Tx } from '../db/connection.js';
import type { UnitRow } from '../db/queries/units.js';
import { unitWithRuns, type RunRow } from '../db/queries/runs.js';
import { criterionFigure, type CompiledRuleSet } from '../engine/index.js';
import { trendChartSvg } from '../report/chart.js';
import type { UnitResult } from '../report/ranking-sheet.js';
import { sanctionReasons, type ReasonedSanction } from '../report/sanction-reason.js';
import { periodTitle } from './period.js';
import { compiledVersion } from './rule-versions.js';
import { perDatabase } from './per-database.js';
import { runResults, withExplanations } from './runs.js';

/**
 * A unit's scorecard (记分卡) for one run: the clause tree with points, score, the figure
 * and the reason; what vetoed it; its rank and the distance to the unit above; its trend
 * over the published runs on record; and the results of the staff who serve it.
 */

export interface ClauseLine {
  id: string; title: string; depth: number; points: number; score: number; kind: 'group' | 'criterion';
  value: number | null;
  /** The value as the page shows it: rounded as the reason rounds it, with its unit. */
  figure: string;
  explanation: string; lost: number;
}

export interface Scorecard {
  unit: UnitRow;
  run: RunRow;
  ruleset: CompiledRuleSet;
  /** The unit's results, each sanction with its reason (倒数第二名). */
  result: UnitResult & { sanctions: ReasonedSanction[] };
  clauses: ClauseLine[];
  adjustments: Array<{ kind: '加分' | '扣分'; title: string; explanation: string }>;
  /** The unit ranked just above; byVeto when a veto, not its total, put this one below it. */
  above: { name: string | null; id: string; total: number; gap: number; byVeto: boolean } | null;
  scopeSize: number;
  trend: TrendLine[];
  /** The trend drawn (SVG): total and rank over the periods; null with fewer than two periods. */
  trendChart: string | null;
  staff: UnitResult[];
  runs: RunRow[];
}

export interface TrendLine {
  runId: number; period: string; total: number; rank: number; grade: string | null; vetoed: boolean;
  /** The grade as the trend writes it: 一票否决 said once, whether or not the rule set's grade for a veto says it already. */
  gradeText: string;
}

/** 合格（一票否决） for a vetoed unit whose grade does not say so; 不合格（一票否决） as it is. */
export function trendGrade(grade: string | null, vetoed: boolean): string {
  if (!vetoed || (grade ?? '').includes('一票否决')) return grade ?? '';
  return grade ? `${grade}（一票否决）` : '一票否决';
}

/**
 * Trend charts drawn recently, by what they show: drawing is the costly part, and a
 * village's trend changes only when a run is published.
 */
const MAX_TREND_CHARTS = 200;
const trendCharts = new Map<string, string>();

function trendChart(trend: TrendLine[], precision: number): string | null {
  if (trend.length < 2) return null;
  const points = trend.map((t) => ({ label: periodTitle(t.period), total: t.total, rank: t.rank }));
  const key = JSON.stringify([precision, points]);
  let svg = trendCharts.get(key);
  if (svg === undefined) {
    svg = trendChartSvg(points, { precision });
    if (trendCharts.size >= MAX_TREND_CHARTS) trendCharts.delete(trendCharts.keys().next().value!);
    trendCharts.set(key, svg);
  }
  return svg;
}

/** Runs a unit appears in, newest first: the published ones (a superseded run gives way to its correction); drafts only for those who may see drafts. */
function runsOf(all: RunRow[], track: string, withDrafts: boolean): RunRow[] {
  return all.filter((r) => r.track === track && (r.status === 'published' || (withDrafts && r.status === 'draft')));
}

/** What a unit's scorecard shows of one run: it follows from the run's results alone, which never change once sealed. */
type RunCard = Pick<Scorecard, 'ruleset' | 'result' | 'clauses' | 'adjustments' | 'above' | 'scopeSize'>;

/**
 * Run cards read recently, per database, by run, its seal and unit. Working out the
 * reasons is the costly part of a scorecard, and a scorecard is what every village
 * opens: a county's worth of cards is kept, the oldest dropped first (a card and its
 * drawn page part take some 30 KB: a thousand, some 30 MB).
 */
const MAX_CARDS = 1000;
const runCards = perDatabase(() => new Map<string, RunCard | null>());

async function runCardOf(db: Tx, run: RunRow, unitId: string): Promise<RunCard | null> {
  const cards = runCards(db);
  // The seal names the results: a card is only ever reused for the very results it was made from.
  const key = `${run.id}|${run.results_sha256}|${unitId}`;
  const hit = cards.get(key);
  if (hit !== undefined) return hit;
  const card = await buildRunCard(db, run, unitId);
  if (run.results_sha256 !== '' && !isTransaction(db)) {
    if (cards.size >= MAX_CARDS) cards.delete(cards.keys().next().value!);
    cards.set(key, card);
  }
  return card;
}

async function buildRunCard(db: Tx, run: RunRow, unitId: string): Promise<RunCard | null> {
  const [found] = (await runResults(db, run.id, { unitId })).units;
  if (!found) return null;
  const [explained] = await withExplanations(db, run, [found]);
  const { ruleset } = await compiledVersion(db, run.rule_sha256);
  const sameScope = ruleset.ranking.scope === 'parent' && explained.parent !== null ? { parentId: explained.parent } : {};
  const scope = (await runResults(db, run.id, sameScope)).units;
  const result = { ...explained, sanctions: sanctionReasons(ruleset, scope).get(explained.id) ?? [] };
  const aboveUnit = [...scope].reverse().find((u) => u.rank < result.rank);
  const clauses: ClauseLine[] = ruleset.nodes.map((n) => ({
    id: n.id, title: n.title, depth: n.depth, points: n.points, score: result.scores[n.id], kind: n.kind,
    value: n.kind === 'criterion' ? result.values[n.id] ?? null : null,
    figure: n.kind === 'criterion' ? criterionFigure(ruleset, n, result.values[n.id] ?? null) : '',
    explanation: n.kind === 'criterion' ? result.explanations?.[n.id] ?? '' : '',
    lost: Math.max(0, Math.round((n.points - result.scores[n.id]) * 1e6) / 1e6),
  }));
  const adjustments = [
    ...(ruleset.bonus?.items ?? []).map((i) => ({ kind: '加分' as const, title: i.title, explanation: result.explanations?.[i.id] ?? '' })),
    ...(ruleset.penalty?.items ?? []).map((i) => ({ kind: '扣分' as const, title: i.title, explanation: result.explanations?.[i.id] ?? '' })),
  ];
  return {
    ruleset, result, clauses, adjustments, scopeSize: scope.length,
    above: aboveUnit ? {
      id: aboveUnit.id, name: aboveUnit.name, total: aboveUnit.total, gap: Math.round((aboveUnit.total - result.total) * 1e6) / 1e6,
      // Ranked below a unit with a lower total: only a veto puts it there (vetoedLast).
      byVeto: result.vetoed && aboveUnit.total < result.total,
    } : null,
  };
}

/**
 * The scorecard of a unit. The run list is read on every call (one query: runs are
 * created, published and superseded while the pages are read), and so is the unit; what
 * follows from a run's results comes from memory once worked out.
 */
export async function scorecardOf(db: Tx, unitId: string, opts: { runId?: number; withDrafts: boolean; track?: string }): Promise<Scorecard | null> {
  const found = await unitWithRuns(db, unitId);
  if (!found) return null;
  const { unit, runs: all } = found;
  const track = opts.track ?? (unit.kind === 'staff' ? 'staff' : 'village');
  const runs = runsOf(all, track, opts.withDrafts);
  const candidates = opts.runId !== undefined ? runs.filter((r) => r.id === opts.runId) : runs;
  for (const run of candidates) {
    const card = await runCardOf(db, run, unitId);
    if (!card) continue;
    const trend: TrendLine[] = [];
    for (const r of runs.filter((x) => x.status === 'published').reverse()) {
      const [row] = (await runResults(db, r.id, { unitId })).units;
      if (row) trend.push({ runId: r.id, period: r.period_id, total: row.total, rank: row.rank, grade: row.grade, vetoed: row.vetoed, gradeText: trendGrade(row.grade, row.vetoed) });
    }
    const staffRuns = track === 'village' ? runsOf(all, 'staff', opts.withDrafts).filter((r) => r.period_id === run.period_id) : [];
    const staff = staffRuns.length ? (await runResults(db, staffRuns[0].id, { parentId: unitId })).units : [];
    return { unit, run, ...card, trend, trendChart: trendChart(trend, card.ruleset.precision), staff, runs };
  }
  return null;
}
