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
import { scorecardCorrections, type ScorecardCorrections } from './corrections.js';
import { allAssessments } from './assessments.js';

/**
 * A unit's scorecard (记分卡) for one run: the clause tree with points, score, the figure
 * and the reason; what vetoed it; its rank and the distance to the unit above; its trend
 * over the published runs on record; and the results of the staff who serve it.
 */

export interface ClauseLine {
  /** `score` null: the item does not apply to the unit (§7.3). */
  id: string; title: string; depth: number; points: number; score: number | null; kind: 'group' | 'criterion';
  value: number | null;
  /** The value as the page shows it: rounded as the reason rounds it, with its unit. */
  figure: string;
  explanation: string; lost: number;
}

/**
 * The clause tree as the page folds it: a group with its lines, and runs of clauses between
 * groups (each run one table). `open`: shown unfolded on a phone, where the unit lost points.
 */
export type OutlineBlock =
  | { group: ClauseLine & { index: number; open: boolean }; blocks: OutlineBlock[] }
  | { rows: ClauseLine[] };

/** Why the unit above stands above: a veto, the tie-break of equal totals, or its total. */
export interface Above {
  name: string | null; id: string; total: number; gap: number;
  /** A condition veto put this unit below one with a lower or equal total (vetoedLast). */
  byVeto: boolean;
  /** This unit is the last of its scope. */
  last: boolean;
  /** Equal totals, ordered by the first tie-break score that differs (总分相同，按……得分排序). */
  tieBreak: { title: string; theirs: number | null; mine: number | null } | null;
}

export interface Scorecard {
  unit: UnitRow;
  run: RunRow;
  ruleset: CompiledRuleSet;
  /** The unit's results, each sanction with its reason (倒数第二名). */
  result: UnitResult & { sanctions: ReasonedSanction[] };
  clauses: ClauseLine[];
  outline: OutlineBlock[];
  /** What vetoed the unit by a condition: the title, and for a unit-level veto the facts that decide it. */
  /** Each veto: its title, the line that tells it (一票否决：… unless the title says so itself) and the facts that decide it. */
  vetoes: Array<{ title: string; line: string; why: string }>;
  adjustments: Array<{ kind: '加分' | '扣分'; title: string; explanation: string }>;
  /** The unit ranked just above, and why it stands there. */
  above: Above | null;
  scopeSize: number;
  /** The units that share the unit's rank (并列): their names. */
  tiedWith: string[];
  trend: TrendLine[];
  /** The trend drawn (SVG): total and rank over the periods; null with fewer than two periods. */
  trendChart: string | null;
  /**
   * For a village, each assessment of staff (双线考核 …) with a run of the period: the staff who serve it, as that
   * ranking gives them: each sanction with its reason (排名最后，通报批评), that rule set's precision.
   */
  staffSections: Array<{ title: string; staff: StaffResult[] }>;
  runs: RunRow[];
  /** The unit's other assessments (a 专项考核 beside 村级千分考核), each with its newest run the reader may see. */
  others: Array<{ track: string; runId: number }>;
  /** 已更正 and by which run; the lines telling what each correction changed for the unit. */
  corrections: ScorecardCorrections;
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

/** A result the units see: under 公示 or final (定稿). */
const isCurrent = (r: RunRow) => r.status === 'published' || r.status === 'final';

/** A result its units have been shown: under 公示, final, or corrected since (never a draft, nor a discarded one). */
export const seenByUnits = (r: Pick<RunRow, 'status'>): boolean => isCurrent(r as RunRow) || r.status === 'superseded';

/**
 * Runs a unit appears in, newest first: those under 公示 or final, and those corrected (a corrected
 * result stays openable, marked 已更正; its correction is newer and comes first); drafts only for
 * those who may see drafts; a discarded draft never.
 */
function runsOf(all: RunRow[], track: string, withDrafts: boolean): RunRow[] {
  return all.filter((r) => r.track === track && (seenByUnits(r) || (withDrafts && r.status === 'draft')));
}

/** What a unit's scorecard shows of one run: it follows from the run's results alone, which never change once sealed. */
type RunCard = Pick<Scorecard, 'ruleset' | 'result' | 'clauses' | 'outline' | 'vetoes' | 'adjustments' | 'above' | 'scopeSize' | 'tiedWith'>;

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

/** The points of a node's items that apply to the unit (§7.3): its own points when all do, none when it does not apply. */
function applicablePointsOf(rs: CompiledRuleSet, index: number, scores: Record<string, number | null>): number {
  const node = rs.nodes[index];
  if (scores[node.id] === null || scores[node.id] === undefined) return 0;
  if (node.kind === 'criterion') return node.points;
  return node.children.reduce((sum, k) => sum + applicablePointsOf(rs, k, scores), 0);
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
    // Nothing is lost of an item that does not apply (RULES.md §7.3): a part loses what it had of the items that apply.
    lost: Math.max(0, Math.round((applicablePointsOf(ruleset, n.index, result.scores) - (result.scores[n.id] ?? 0)) * 1e6) / 1e6),
  }));
  const adjustments = [
    ...(ruleset.bonus?.items ?? []).map((i) => ({ kind: '加分' as const, title: i.title, explanation: result.explanations?.[i.id] ?? '' })),
    ...(ruleset.penalty?.items ?? []).map((i) => ({ kind: '扣分' as const, title: i.title, explanation: result.explanations?.[i.id] ?? '' })),
  ];
  return {
    ruleset, result, clauses, outline: outlineOf(ruleset, clauses, ruleset.top), adjustments, scopeSize: scope.length,
    tiedWith: scope.filter((u) => u.rank === result.rank && u.id !== result.id).map((u) => u.name ?? u.id),
    vetoes: result.vetoes.map((v) => ({
      title: v.title, line: vetoLine(v.title),
      why: (ruleset.vetoes.some((x) => x.id === v.id) ? result.explanations?.[v.id] : result.partVetoReasons?.[v.id]) ?? '',
    })),
    above: aboveUnit ? aboveOf(ruleset, result, aboveUnit, scope) : null,
  };
}

/** The items at `indexes` as the page folds them: each group with its blocks, runs of clauses between. */
function outlineOf(rs: CompiledRuleSet, clauses: ClauseLine[], indexes: number[]): OutlineBlock[] {
  const blocks: OutlineBlock[] = [];
  for (const i of indexes) {
    const node = rs.nodes[i];
    if (node.kind === 'group') {
      blocks.push({ group: { ...clauses[i], index: i, open: clauses[i].lost > 0 }, blocks: outlineOf(rs, clauses, node.children) });
      continue;
    }
    const last = blocks[blocks.length - 1];
    if (last && 'rows' in last) last.rows.push(clauses[i]);
    else blocks.push({ rows: [clauses[i]] });
  }
  return blocks;
}

/** Where the unit above stands, and why (exported for its tests). */
export function aboveOf(rs: CompiledRuleSet, result: UnitResult, above: UnitResult, scope: UnitResult[]): Above {
  // Only a condition veto with vetoedLast puts a unit below one whose total is not higher.
  const byVeto = rs.ranking.vetoedLast && result.vetoes.length > 0 && above.vetoes.length === 0 && above.total <= result.total;
  let tieBreak: Above['tieBreak'] = null;
  if (!byVeto && above.total === result.total) {
    const decisive = rs.ranking.tieBreak.map((i) => rs.nodes[i]).find((n) => above.scores[n.id] !== result.scores[n.id]);
    if (decisive) tieBreak = { title: decisive.title, theirs: above.scores[decisive.id] ?? null, mine: result.scores[decisive.id] ?? null };
  }
  return {
    id: above.id, name: above.name, total: above.total, gap: Math.round((above.total - result.total) * 1e6) / 1e6,
    byVeto, last: scope.every((u) => u.rank <= result.rank), tieBreak,
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
  // The assessment of the run asked for (a 专项考核's, say), else the unit kind's first: its runs make the list and the trend.
  const asked = opts.runId !== undefined ? all.find((r) => r.id === opts.runId) : undefined;
  const assessments = await allAssessments(db);
  const ofKind = assessments.filter((a) => a.unit_kind === (unit.kind === 'staff' ? 'staff' : 'village')).map((a) => a.id);
  // The first with a run the reader may see: a new assessment with only a draft does not hide a village's published results.
  const track = asked?.track ?? opts.track ?? ofKind.find((id) => runsOf(all, id, opts.withDrafts).length > 0) ?? ofKind[0] ?? 'village';
  const runs = runsOf(all, track, opts.withDrafts);
  const candidates = opts.runId !== undefined ? runs.filter((r) => r.id === opts.runId) : runs;
  for (const run of candidates) {
    const card = await runCardOf(db, run, unitId);
    if (!card) continue;
    const trend: TrendLine[] = [];
    for (const r of runs.filter(isCurrent).reverse()) {
      const [row] = (await runResults(db, r.id, { unitId })).units;
      if (row) trend.push({ runId: r.id, period: r.period_id, total: row.total, rank: row.rank, grade: row.grade, vetoed: row.vetoed, gradeText: trendGrade(row.grade, row.vetoed) });
    }
    const staffSections: Scorecard['staffSections'] = [];
    for (const a of unit.kind === 'staff' ? [] : assessments.filter((x) => x.unit_kind === 'staff')) {
      const [staffRun] = runsOf(all, a.id, opts.withDrafts).filter((r) => r.period_id === run.period_id);
      const staff = staffRun ? await staffOf(db, staffRun, unitId) : [];
      if (staff.length) staffSections.push({ title: a.title, staff });
    }
    const corrections = await scorecardCorrections(db, runs, run, unitId, opts.withDrafts);
    // Of the unit's own kind: a village is also in the staff runs, as the unit its staff serve.
    const others = new Map<string, number>(ofKind.filter((id) => id !== track).map((id) => [id, 0]));
    // Each with the newest run the reader may see that has a result for this unit (a unit new this year has none in last year's).
    for (const r of all) {
      if (others.get(r.track) !== 0 || runsOf([r], r.track, opts.withDrafts).length === 0) continue;
      if ((await runResults(db, r.id, { unitId })).units.length > 0) others.set(r.track, r.id);
    }
    return {
      unit, run, ...card, trend, trendChart: trendChart(trend, card.ruleset.precision), staffSections, runs, corrections,
      // In the township's order of its assessments, each with its newest run.
      others: [...others].filter(([, runId]) => runId > 0).map(([t, runId]) => ({ track: t, runId })),
    };
  }
  return null;
}

/**
 * A veto as a line of a scorecard or a 告知单: 一票否决：<title>, but a title that already says
 * 一票否决 (有政策外生育的村实行一票否决) stands alone rather than say it twice.
 */
export function vetoLine(title: string): string {
  return title.includes('一票否决') ? title : `一票否决：${title}`;
}

/** A staff member's result as a village's scorecard lists it. */
export type StaffResult = UnitResult & { sanctions: ReasonedSanction[]; precision: number };

/**
 * The staff who serve a unit in a staff run, each sanction with its reason as the staff ranking
 * gives it (a reason is a place in the whole ranking: read only when one of them has a sanction).
 */
async function staffOf(db: Tx, run: RunRow, unitId: string): Promise<StaffResult[]> {
  const own = (await runResults(db, run.id, { parentId: unitId })).units;
  if (own.length === 0) return [];
  const { ruleset } = await compiledVersion(db, run.rule_sha256);
  const reasons = own.some((u) => u.sanctions.length > 0)
    ? sanctionReasons(ruleset, ruleset.ranking.scope === 'parent' ? own : (await runResults(db, run.id)).units)
    : new Map<string, ReasonedSanction[]>();
  return own.map((u) => ({ ...u, sanctions: reasons.get(u.id) ?? u.sanctions, precision: ruleset.precision }));
}
