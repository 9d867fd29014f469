import type { Tx } from '../db/connection.js';
import { openAppealCount } from '../db/queries/appeals.js';
import { inboxOf, unreadCount } from '../db/queries/messages.js';
import { appealCountsOf, countUnitsOfKind, currentRunsOf, inputCounts } from '../db/queries/overview.js';
import { listRuns, type RunRow } from '../db/queries/runs.js';
import { getUnit, type UnitRow } from '../db/queries/units.js';
import type { UserRow } from '../db/queries/users.js';
import { sanctionReasons, type ReasonedSanction } from '../report/sanction-reason.js';
import { safeLink } from './inbox.js';
import { parsePeriod, periodTitle } from './period.js';
import { dateInWords, daysBetween, runState, STATE_TITLES, today, type RunState } from './review-period.js';
import { compiledVersion } from './rule-versions.js';
import { runResults } from './runs.js';
import { reportingGlance, type ReportingGlance } from './collection.js';
import { windowGlance, type WindowGlance } from './collection-board.js';
import { allAssessments, countOfKind, listAssessments } from './assessments.js';

/**
 * The home page of each role (首页). A leader's: the state of the newest period at a glance —
 * for each track, data entered for how many of its units, drafts, the run under 公示 with its
 * days left, open appeals, 定稿 or not — and the next step in words with where to take it
 * (录入数据 → 记分 → 核对草稿并发布公示 → 答复申诉 → 公示期满后定稿). A village's (or a staff
 * member's): its latest published result, its rank among how many, and its appeals.
 * Links are named here as what they are about; the web layer spells them.
 */

/** Where a step leads, as the web layer spells it. */
export type Place =
  | { to: 'entry'; period: string; track: string }
  | { to: 'runs' }
  | { to: 'run'; runId: number }
  | { to: 'appeals' }
  | { to: 'none' };

export interface TrackGlance {
  track: string; trackTitle: string; unitKind: string;
  entered: number; units: number; enteredText: string; allEntered: boolean;
  drafts: number; newestDraft: number | null;
  current: { id: number; state: RunState; stateTitle: string; deadline: string | null; daysLeft: number | null; openAppeals: number } | null;
  final: boolean;
  /** The period's reporting of the assessment (数据填报), where one was opened. */
  reporting?: WindowGlance;
  next: { words: string; place: Place; done: boolean; step: number };
}

export interface PeriodGlance { period: string; title: string; tracks: TrackGlance[]; }

export interface MessageGlance { title: string; at: string; link: string | null; }

export interface LeaderHome {
  periods: PeriodGlance[];
  openAppeals: number;
  unread: number;
  messages: MessageGlance[];
}

/** The periods with data or runs, newest first: a year after its half-years and quarters. */
function newestFirst(ids: string[]): string[] {
  const key = (id: string) => {
    try {
      const p = parsePeriod(id);
      const year = Number(p.id.slice(0, 4));
      // The end of the period within its year, in months: Q1 3, H1 6, Q3 9, a year 12.
      // A month (2024M03) ends with its number; of periods ending together the longest comes first.
      const end = p.kind === 'annual' ? 12 : p.kind === 'half-year' ? Number(p.id[5]) * 6 : p.kind === 'quarter' ? Number(p.id[5]) * 3 : Number(p.id.slice(5));
      return year * 100 + end + (p.kind === 'annual' ? 0.5 : p.kind === 'half-year' ? 0.25 : p.kind === 'quarter' ? 0.1 : 0);
    } catch {
      return -1;
    }
  };
  return [...new Set(ids)].sort((a, b) => key(b) - key(a) || b.localeCompare(a));
}

/** The next step of a period's track, in words, with where to take it. */
export const STEPS = ['录入数据', '记分', '核对草稿并发布公示', '答复申诉', '公示期满后定稿'] as const;

/** The next step of a period's track, in words, with where to take it, and which of STEPS it is (5: all done). */
export function nextStep(g: Omit<TrackGlance, 'next'>, periodId: string): TrackGlance['next'] {
  const c = g.current;
  // Appeals are answered first: a correction they lead to is the draft that follows.
  if (c && c.state !== 'final' && c.openAppeals > 0) return { words: `答复申诉（${c.openAppeals}件未答复）`, place: { to: 'appeals' }, done: false, step: 3 };
  // A draft beside a published result is its correction (or a new scoring) to review before it replaces it.
  if (c && g.newestDraft !== null) return { words: `核对更正草稿第${g.newestDraft}号并发布公示`, place: { to: 'run', runId: g.newestDraft }, done: false, step: 2 };
  if (c?.state === 'final') return { words: '已定稿，本期考核完成', place: { to: 'run', runId: c.id }, done: true, step: 5 };
  if (c?.state === 'review') {
    return { words: `公示中，${c.daysLeft === 0 ? '今天截止' : `还剩${c.daysLeft}天`}；公示期满后定稿`, place: { to: 'run', runId: c.id }, done: false, step: 4 };
  }
  if (c?.state === 'review-ended') return { words: '公示期满，申诉均已答复：可以定稿', place: { to: 'run', runId: c.id }, done: false, step: 4 };
  if (g.newestDraft !== null) return { words: `核对草稿第${g.newestDraft}号并发布公示`, place: { to: 'run', runId: g.newestDraft }, done: false, step: 2 };
  if (!g.allEntered) {
    const left = g.units - g.entered;
    return { words: g.entered === 0 ? '录入数据（尚未录入）' : `录入数据（还有${countOfKind(g.unitKind, left)}未录入）`, place: { to: 'entry', period: periodId, track: g.track }, done: false, step: 0 };
  }
  return { words: '数据已录齐：记分并生成草稿', place: { to: 'runs' }, done: false, step: 1 };
}

/** How many periods the leader's home shows: the newest, and the one before it. */
const PERIODS_SHOWN = 2;

export async function leaderHome(db: Tx, user: UserRow, now: number = Date.now()): Promise<LeaderHome> {
  const counts = await inputCounts(db);
  const runs = await listRuns(db);
  const periods = newestFirst([...counts.map((c) => c.period_id), ...runs.map((r) => r.period_id)]).slice(0, PERIODS_SHOWN);
  const unitsOf = new Map<string, number>();
  for (const kind of ['village', 'staff']) unitsOf.set(kind, await countUnitsOfKind(db, kind));
  // Each assessment in use; one disabled since shows where its period has data or runs.
  const inUse = new Set((await listAssessments(db)).map((a) => a.id));
  const assessments = await allAssessments(db);
  const glances: PeriodGlance[] = [];
  for (const period of periods) {
    const tracks: TrackGlance[] = [];
    for (const assessment of assessments) {
      const { id: track, title, unit_kind: unitKind } = assessment;
      const ofTrack = runs.filter((r) => r.period_id === period && r.track === track);
      const entered = counts.find((c) => c.period_id === period && c.track === track)?.n ?? 0;
      if (entered === 0 && ofTrack.length === 0 && (period !== periods[0] || !inUse.has(track))) continue;
      const units = unitsOf.get(unitKind) ?? 0;
      const drafts = ofTrack.filter((r) => r.status === 'draft');
      const current = ofTrack.find((r) => r.status === 'published' || r.status === 'final');
      const glance: Omit<TrackGlance, 'next'> = {
        track, trackTitle: title, unitKind, entered, units,
        enteredText: `${countOfKind(unitKind, entered)}／${countOfKind(unitKind, units)}`, allEntered: units > 0 && entered >= units,
        drafts: drafts.length, newestDraft: drafts[0]?.id ?? null,
        current: current ? await currentGlance(db, current, now) : null,
        final: current?.status === 'final',
        reporting: await windowGlance(db, period, assessment, today(now)),
      };
      tracks.push({ ...glance, next: nextStep(glance, period) });
    }
    glances.push({ period, title: periodTitle(period), tracks });
  }
  return {
    periods: glances, openAppeals: await openAppealCount(db), unread: await unreadCount(db, user.id),
    messages: await unreadGlance(db, user.id),
  };
}

async function currentGlance(db: Tx, run: RunRow, now: number): Promise<NonNullable<TrackGlance['current']>> {
  const state = runState(run, now);
  return {
    id: run.id, state, stateTitle: STATE_TITLES[state],
    deadline: run.review_until ? dateInWords(run.review_until) : null,
    daysLeft: state === 'review' && run.review_until ? daysBetween(today(now), run.review_until) : null,
    openAppeals: await openAppealCount(db, run.id),
  };
}

/** The newest unread messages (five), for a home page. */
async function unreadGlance(db: Tx, userId: number): Promise<MessageGlance[]> {
  const brief = (t: string) => ([...t].length > 80 ? `${[...t].slice(0, 79).join('')}…` : t);
  return (await inboxOf(db, userId, 5)).filter((m) => m.read_at === null).map((m) => ({ title: brief(m.title), at: m.created_at, link: safeLink(m.link) }));
}

export interface UnitHome {
  unit: UnitRow;
  track: string;
  result: null | {
    runId: number; period: string; trackTitle: string; state: RunState; stateTitle: string; deadline: string | null; daysLeft: number | null;
    total: number; precision: number; rank: number; scopeSize: number; grade: string | null; vetoed: boolean;
    vetoes: string[]; sanctions: ReasonedSanction[];
  };
  /** The newest result of each other assessment of the unit's kind, in the township's order of its assessments. */
  others: Array<NonNullable<UnitHome['result']>>;
  appeals: { open: number; answered: number };
  /** Each period with reporting open to the unit: its state, deadline and what is still missing (数据填报). */
  reporting: ReportingGlance[];
  unread: number;
  messages: MessageGlance[];
}

/** A unit's result in a run as its home shows it: rank among its scope, total, grade, vetoes, sanctions with their reason. */
async function resultGlance(db: Tx, run: RunRow, unitId: string, trackTitle: string, now: number): Promise<UnitHome['result']> {
  const [mine] = (await runResults(db, run.id, { unitId })).units;
  if (!mine) return null;
  const { ruleset } = await compiledVersion(db, run.rule_sha256);
  const scope = (await runResults(db, run.id, ruleset.ranking.scope === 'parent' && mine.parent !== null ? { parentId: mine.parent } : {})).units;
  const state = runState(run, now);
  return {
    runId: run.id, period: periodTitle(run.period_id), trackTitle, state, stateTitle: STATE_TITLES[state],
    deadline: run.review_until ? dateInWords(run.review_until) : null,
    daysLeft: state === 'review' && run.review_until ? daysBetween(today(now), run.review_until) : null,
    total: mine.total, precision: ruleset.precision, rank: mine.rank, scopeSize: scope.length, grade: mine.grade, vetoed: mine.vetoed,
    vetoes: mine.vetoes.map((v) => v.title), sanctions: sanctionReasons(ruleset, scope).get(mine.id) ?? [],
  };
}

/** A village's or staff member's home: its latest result under 公示 or final, and its appeals. Null when the account has no unit. */
export async function unitHome(db: Tx, user: UserRow, now: number = Date.now()): Promise<UnitHome | null> {
  if (!user.unit_id) return null;
  const unit = await getUnit(db, user.unit_id);
  if (!unit) return null;
  const track = user.role === 'staff' ? 'staff' : 'village';
  // The newest result of any assessment of the unit's kind (村级千分考核, a 专项考核 …) in full; the newest of each other one in a line.
  const assessments = (await allAssessments(db)).filter((a) => a.unit_kind === track);
  const runs = await currentRunsOf(db, unit.id, assessments.map((a) => a.id));
  // In the township's order of its assessments; the newest of them is shown in full.
  const results: NonNullable<UnitHome['result']>[] = [];
  for (const a of assessments) {
    const run = runs.find((r) => r.track === a.id);
    const read = run && await resultGlance(db, run, unit.id, a.title, now);
    if (read) results.push(read);
  }
  const result = results.reduce<UnitHome['result']>((newest, r) => (newest === null || r.runId > newest.runId ? r : newest), null);
  return {
    unit, track, result, others: results.filter((r) => r !== result), appeals: await appealCountsOf(db, unit.id),
    reporting: await reportingGlance(db, unit, user.username, today(now)), unread: await unreadCount(db, user.id),
    messages: await unreadGlance(db, user.id),
  };
}
