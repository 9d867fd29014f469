import type { Tx } from '../db/connection.js';
import { getUnit } from '../db/queries/units.js';
import { unitWithRuns, type RunRow } from '../db/queries/runs.js';
import type { ReasonedSanction } from '../report/sanction-reason.js';
import { allAssessments } from './assessments.js';
import { appraisalSubject } from './notice.js';
import { periodTitle } from './period.js';
import { stateInWords } from './publication.js';
import { rankingView } from './rankings.js';

/**
 * The ranking a village (or a staff member) may see (issue 19, point 1): the published
 * ranking of its own scope (its township when ranked per township, else the whole run) —
 * names, ranks, totals, grades, sanctions, whether vetoed — from 公示 on. Never a draft or a
 * discarded run; another unit's veto is told as 一票否决, its clause is that unit's own.
 */

export interface SeenRow {
  rank: number; name: string; total: number; grade: string | null; vetoed: boolean;
  sanctions: ReasonedSanction[];
  own: boolean;
  /** The clauses that vetoed it: the unit's own row only. */
  vetoTitles: string[];
  /** 一票否决 said beside another unit's name, where none of its sanctions says it already. */
  vetoWord: boolean;
}

export interface UnitRanking {
  run: RunRow;
  state: ReturnType<typeof stateInWords>;
  heading: string;
  /** The township the ranking is of, when ranked per township. */
  scopeName: string | null;
  precision: number;
  rows: SeenRow[];
  own: SeenRow;
  /** The runs of the track the unit may open, newest first. */
  runs: RunRow[];
}

/** Runs a unit may see the ranking of: from 公示 on (a run its correction superseded stays readable, marked 已更正). */
const SEEN = new Set(['published', 'final', 'superseded']);

export async function unitRanking(db: Tx, unitId: string, kind: 'village' | 'staff', runId?: number): Promise<UnitRanking | null> {
  const found = await unitWithRuns(db, unitId);
  if (!found) return null;
  // A run asked for may be of any assessment that ranked the unit (a 专项考核's); else the newest of the first
  // assessment of the unit's kind, in the township's order, that has one.
  const seen = found.runs.filter((r) => SEEN.has(r.status));
  const ofKind = (await allAssessments(db)).filter((a) => a.unit_kind === kind).map((a) => a.id);
  const track = ofKind.find((id) => seen.some((r) => r.track === id));
  const runs = seen.filter((r) => r.track === track);
  const run = runId !== undefined ? seen.find((r) => r.id === runId) : runs.find((r) => r.status !== 'superseded') ?? runs[0];
  if (!run) return null;
  const ofRun = seen.filter((r) => r.track === run.track);
  const view = await rankingView(db, run, null);
  const mine = view.units.find((u) => u.id === unitId);
  if (!mine) return null;
  const perParent = view.ruleset.ranking.scope === 'parent' && mine.parent !== null;
  const scope = perParent ? view.units.filter((u) => u.parent === mine.parent) : view.units;
  const rows = scope.map((u): SeenRow => ({
    rank: u.rank, name: u.name ?? '', total: u.total, grade: u.grade, vetoed: u.vetoed, sanctions: u.sanctions,
    own: u.id === unitId, vetoTitles: u.id === unitId ? u.vetoes.map((v) => v.title) : [],
    vetoWord: u.vetoed && u.id !== unitId && !u.sanctions.some((s) => s.outcome === 'veto'),
  }));
  return {
    run, state: stateInWords(run), precision: view.ruleset.precision, rows, own: rows.find((r) => r.own)!, runs: ofRun,
    heading: `${periodTitle(run.period_id)}${appraisalSubject(view.ruleset.title)}结果`,
    scopeName: perParent ? (await getUnit(db, mine.parent!))?.name ?? null : null,
  };
}
