import { inTransaction, isTransaction, type Db, type Tx } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import { boardRows, getWindow, reportsInState, stateCounts, type BoardRow, type ReportState, type WindowRow } from '../db/queries/reports.js';
import { getUnit, parentsOfKind, unitNames, type UnitRow } from '../db/queries/units.js';
import { perDatabase } from './per-database.js';
import { MOST_CHOICES } from './choices.js';
import { getAssessment, type AssessmentRow } from './assessments.js';
import { REPORT_STATES, ReportRefused } from './collection.js';
import { notify } from './inbox.js';
import { parsePeriod, type PeriodSpec } from './period.js';
import { dateInWords, today } from './review-period.js';
import type { Cell } from '../io/csv-write.js';
import { localDateTime } from '../local-time.js';

/**
 * Who is late (亮灯): the board of a period's reporting for one assessment — every unit of its kind
 * and where its report stands, overdue ones marked, counts at the top, filtered by township, state
 * and name, a page at a time (a province's 100,000 villages are never read at once); the township
 * reminds every late unit at once; the review queue lists the reports waiting for approval.
 */

export const BOARD_PAGE = 50;

export type BoardState = ReportState | 'none';
export const BOARD_STATES: BoardState[] = ['none', 'draft', 'returned', 'submitted', 'approved'];

export interface BoardFilter { parentId?: string; search?: string; state?: BoardState | 'late'; page?: number; }

export interface BoardLine {
  unitId: string; name: string; parentName: string; state: BoardState; stateTitle: string;
  overdue: boolean; updatedAt: string | null; submittedAt: string | null; reviewedAt: string | null; reopenedUntil: string | null; reportId: number | null;
}

export interface Board {
  period: PeriodSpec; assessment: AssessmentRow; window: WindowRow | undefined;
  counts: Record<BoardState, number>; total: number; lateCount: number;
  lines: BoardLine[]; matching: number; page: number; pages: number;
}

/** Whether a unit in this state is late: its window's deadline (or its own later one) has passed and nothing is submitted. */
export function isLate(state: BoardState, deadline: string | undefined, reopenedUntil: string | null, now = today()): boolean {
  if (!deadline || state === 'submitted' || state === 'approved') return false;
  const last = reopenedUntil !== null && reopenedUntil > deadline ? reopenedUntil : deadline;
  return now > last;
}

/** States a unit late in reporting may be in. */
const NOT_IN: Array<ReportState | 'none'> = ['none', 'draft', 'returned'];

/** A window's reporting at a glance (the leader's home): its deadline, how many units stand where, how many are late. */
export interface WindowGlance { deadline: string; closed: boolean; counts: Record<BoardState, number>; late: number; }

export async function windowGlance(db: Tx, periodId: string, assessment: AssessmentRow, now = today()): Promise<WindowGlance | undefined> {
  const window = await getWindow(db, periodId, assessment.id);
  if (!window) return undefined;
  const counts = await stateCounts(db, periodId, assessment.unit_kind);
  const late = window.closed_at === null && now > window.deadline
    ? (await boardRows(db, periodId, { kind: assessment.unit_kind, states: NOT_IN, notReopenedFrom: now, limit: 0, offset: 0 })).total : 0;
  return { deadline: dateInWords(window.deadline), closed: window.closed_at !== null, counts, late };
}

export async function board(db: Tx, periodId: string, assessmentId: string, filter: BoardFilter = {}, now = today()): Promise<Board> {
  const period = parsePeriod(periodId);
  const assessment = await getAssessment(db, assessmentId);
  if (!assessment || assessment.disabled_at) throw new ReportRefused('ASSESSMENT_NOT_FOUND', '没有这项考核，或该考核已停用');
  const window = await getWindow(db, period.id, assessment.id);
  const counts = await stateCounts(db, period.id, assessment.unit_kind, filter.parentId);
  const deadlinePassed = window !== undefined && now > window.deadline;
  const states = filter.state === 'late' ? (deadlinePassed ? NOT_IN : []) : filter.state ? [filter.state] : undefined;
  const page = Math.max(1, Math.floor(filter.page ?? 1));
  const { rows, total } = states && states.length === 0
    ? { rows: [] as BoardRow[], total: 0 }
    : await boardRows(db, period.id, {
      kind: assessment.unit_kind, parentId: filter.parentId, search: filter.search, states, limit: BOARD_PAGE, offset: (page - 1) * BOARD_PAGE,
      // What the counts at the top already hold is not counted again.
      ...(!filter.search && filter.state !== 'late' ? { known: states ? states.reduce((n, s) => n + counts[s], 0) : BOARD_STATES.reduce((n, s) => n + counts[s], 0) } : {}),
      // Late: not submitted, and not given a day of its own that is still to come.
      ...(filter.state === 'late' ? { notReopenedFrom: now } : {}),
    });
  const parents = await unitNames(db, rows.map((r) => r.parent_id));
  const lines = rows.map((r): BoardLine => {
    const state: BoardState = r.state ?? 'none';
    return {
      unitId: r.unit_id, name: r.unit_name, parentName: r.parent_id ? parents.get(r.parent_id) ?? '' : '', state, stateTitle: REPORT_STATES[state],
      overdue: window !== undefined && window.closed_at === null && isLate(state, window.deadline, r.reopened_until, now),
      updatedAt: r.updated_at, submittedAt: r.submitted_at, reviewedAt: r.reviewed_at, reopenedUntil: r.reopened_until, reportId: r.report_id,
    };
  });
  const all = BOARD_STATES.reduce((n, s) => n + counts[s], 0);
  // Not submitted after the deadline, and not given a later day of its own that is still to come: as the late filter lists them.
  const lateCount = deadlinePassed && window?.closed_at === null
    ? (await boardRows(db, period.id, { kind: assessment.unit_kind, parentId: filter.parentId, states: NOT_IN, notReopenedFrom: now, limit: 0, offset: 0 })).total : 0;
  return {
    period, assessment, window, counts, total: all, lateCount,
    lines, matching: total, page, pages: Math.max(1, Math.ceil(total / BOARD_PAGE)),
  };
}

/**
 * Reminds every unit of the assessment's kind that has not submitted its report (未填报、草稿、已退回) —
 * before the deadline, a reminder; after it, they are late —, each account once a day. How many units.
 */
export async function remindLate(db: Db, req: { periodId: string; assessmentId: string; by: string; now?: string }): Promise<number> {
  const period = parsePeriod(req.periodId);
  const now = req.now ?? today();
  const assessment = await getAssessment(db, req.assessmentId);
  const window = assessment && await getWindow(db, period.id, assessment.id);
  if (!assessment || !window || window.closed_at !== null) throw new ReportRefused('WINDOW_NOT_OPEN', '该考核的数据填报未开启或已关闭');
  const unitIds: string[] = [];
  for (let page = 0; ; page++) {
    const { rows } = await boardRows(db, period.id, { kind: assessment.unit_kind, states: NOT_IN, limit: 5000, offset: page * 5000 });
    unitIds.push(...rows.map((r) => r.unit_id));
    if (rows.length < 5000) break;
  }
  if (unitIds.length === 0) return 0;
  const late = now > window.deadline;
  const at = new Date().toISOString();
  await inTransaction(db, async (tx) => {
    for (let i = 0; i < unitIds.length; i += 5000) {
      await notify(tx, { unitIds: unitIds.slice(i, i + 5000) }, {
        kind: 'collection.reminder',
        title: late ? `${period.title}${assessment.title}数据填报已于${dateInWords(window.deadline)}截止，本单位尚未提交，请尽快联系乡镇` : `请于${dateInWords(window.deadline)}前完成${period.title}${assessment.title}数据填报并提交`,
        link: `/reporting/${period.id}`, dedupe: `collection.reminder:${period.id}:${assessment.id}:${now}`,
      });
    }
    await appendAudit(tx, { at, actor: req.by, action: 'collection.remind', subject: `${period.id}/${assessment.id}`, detail: JSON.stringify({ units: unitIds.length, late }) });
  });
  return unitIds.length;
}

export interface QueueLine { reportId: number; unitId: string; name: string; parentName: string; submittedAt: string | null; }

/** The reports of a period waiting for review, oldest submission first, a page at a time. */
export async function reviewQueue(db: Tx, periodId: string, kind: string | undefined, page = 1): Promise<{ lines: QueueLine[]; total: number; page: number; pages: number }> {
  const period = parsePeriod(periodId);
  const p = Math.max(1, Math.floor(page));
  const { rows, total } = await reportsInState(db, period.id, 'submitted', kind, BOARD_PAGE, (p - 1) * BOARD_PAGE);
  const parents = await unitNames(db, rows.map((r) => r.parent_id));
  return {
    lines: rows.map((r) => ({ reportId: r.id, unitId: r.unit_id, name: r.unit_name, parentName: r.parent_id ? parents.get(r.parent_id) ?? '' : '', submittedAt: r.submitted_at })),
    total, page: p, pages: Math.max(1, Math.ceil(total / BOARD_PAGE)),
  };
}

/** The most parents a board's filter lists to choose from; with more (a province's townships) the one chosen is kept, and the rest found by a unit's name. */
export const PARENT_CHOICES = MOST_CHOICES;

const PARENTS_KEPT_MS = 60_000;
const parentsKept = perDatabase(() => new Map<string, { at: number; rows: UnitRow[]; total: number }>());

/** The parents a board may be filtered by (乡镇 for villages), by name; the one chosen always among them. */
export async function parentChoices(db: Tx, kind: string, selected?: string): Promise<{ options: Array<{ id: string; name: string; selected: boolean }>; more: boolean }> {
  // Read at most once a minute a kind (finding a province's 5,000 townships walks its 100,000 villages): a unit added or moved shows within a minute.
  const kept = parentsKept(db).get(kind);
  const fresh = kept && Date.now() - kept.at < PARENTS_KEPT_MS ? kept : { at: Date.now(), ...(await parentsOfKind(db, kind, PARENT_CHOICES)) };
  if (fresh !== kept && !isTransaction(db)) parentsKept(db).set(kind, fresh);
  const { rows, total } = fresh;
  const chosen = selected && !rows.some((r) => r.id === selected) ? await getUnit(db, selected) : undefined;
  return {
    options: [...(chosen ? [chosen] : []), ...rows].map((u) => ({ id: u.id, name: u.name, selected: u.id === selected })),
    more: total > rows.length,
  };
}

/** The board as a sheet (filtered as shown, every page): 单位, 所属, 状态, 是否逾期, and the times in 北京时间. */
export async function boardSheet(db: Tx, periodId: string, assessmentId: string, filter: BoardFilter, now = today()): Promise<{ title: string; rows: Cell[][] }> {
  const first = await board(db, periodId, assessmentId, { ...filter, page: 1 }, now);
  const rows: Cell[][] = [['单位', '所属', '填报状态', '是否逾期', '最后保存', '提交时间', '审核时间']];
  const at = (iso: string | null) => (iso ? localDateTime(iso) : '');
  for (let page = 1; page <= first.pages; page++) {
    const b = page === 1 ? first : await board(db, periodId, assessmentId, { ...filter, page }, now);
    for (const l of b.lines) rows.push([l.name, l.parentName, l.stateTitle, l.overdue ? '逾期' : '', at(l.updatedAt), at(l.submittedAt), at(l.reviewedAt)]);
  }
  return { title: `${first.period.title}${first.assessment.title}数据填报进度`, rows };
}
