import type { Request, Response } from 'express';
import { getReportById, reportFile, windowsOf } from '../../db/queries/reports.js';
import { getUnit } from '../../db/queries/units.js';
import { actorNames } from '../../services/actors.js';
import { assessmentOptions, listAssessments } from '../../services/assessments.js';
import { board, BOARD_STATES, boardSheet, parentChoices, remindLate, reviewQueue, type BoardFilter, type BoardState } from '../../services/collection-board.js';
import { toCsv } from '../../io/csv-write.js';
import { writeXlsx } from '../../io/xlsx.js';
import {
  approveReport, closeReporting, openReporting, REPORT_STATES, REPORT_STEPS, ReportRefused, reopenForUnit, reportSteps, returnReport,
} from '../../services/collection.js';
import { reviewLines } from '../../services/report-review.js';
import { EVIDENCE_TYPE_NAMES, sizeInWords, type EvidenceType } from '../../io/evidence.js';
import { parsePeriod, PeriodInvalid } from '../../services/period.js';
import { addWorkingDays, dateInWords, today } from '../../services/review-period.js';
import { sendDownload, sendEvidenceFile } from '../download.js';
import { HttpError, notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';
import { defaultPeriod, periodSelect } from './entry.js';

/**
 * The township's side of data collection: the board of who has reported (亮灯) per period and
 * assessment, opening and closing reporting, reminding the late, reopening for one unit, the review
 * queue and one report's review (审核通过 / 退回修改). What may be done next is asked of the service.
 */

const MANAGERS: RouteSpec['access'] = ['admin', 'leader'];

export const boardHref = (period: string, assessment: string, extra: Record<string, string> = {}) => urlOf(['collection'], { period, assessment, ...extra });
const reviewHref = (id: number) => urlOf(['reports', String(id)]);

function periodOr400(text: unknown) {
  try {
    return parsePeriod(String(text ?? '').trim().toUpperCase());
  } catch (e) {
    if (e instanceof PeriodInvalid) throw new HttpError(400, e.message, 'BAD_PERIOD');
    throw e;
  }
}

async function assessmentOr400(ctx: Context, id: unknown) {
  const found = (await listAssessments(ctx.db)).find((a) => a.id === id) ?? (id === undefined || id === '' ? (await listAssessments(ctx.db))[0] : undefined);
  if (!found) throw new HttpError(400, '考核类别无效', 'BAD_TRACK');
  return found;
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** The board a query asks for: period, assessment and filter (a state or text it cannot be is no filter). */
async function boardQuery(ctx: Context, q: Record<string, unknown>) {
  const period = periodOr400(text(q.period) || await defaultPeriod(ctx));
  const assessment = await assessmentOr400(ctx, text(q.assessment) || undefined);
  const state = text(q.state);
  const filter: BoardFilter = {
    parentId: text(q.parent) || undefined, search: [...text(q.q)].slice(0, 50).join('') || undefined,
    state: (BOARD_STATES as string[]).includes(state) || state === 'late' ? (state as BoardState | 'late') : undefined,
    page: /^\d{1,6}$/.test(text(q.page)) ? Number(text(q.page)) : 1,
  };
  return { period, assessment, filter };
}

async function boardPage(ctx: Context, query: Record<string, unknown>, status = 200, error?: string): Promise<void> {
  const { period, assessment, filter } = await boardQuery(ctx, query);
  const b = await board(ctx.db, period.id, assessment.id, filter);
  const parents = await parentChoices(ctx.db, assessment.unit_kind, filter.parentId);
  const keep = { ...(filter.parentId ? { parent: filter.parentId } : {}), ...(filter.search ? { q: filter.search } : {}), ...(filter.state ? { state: filter.state } : {}) };
  const w = b.window;
  const actor = await actorNames(ctx.db, [w?.opened_by]);
  ctx.render('collection', {
    title: `${period.title}${assessment.title}数据填报进度`, period, assessment, periods: await periodSelect(ctx, period.id), tracks: await assessmentOptions(ctx.db, assessment.id),
    window: w && { deadline: dateInWords(w.deadline), deadlineValue: w.deadline, closed: w.closed_at !== null, openedBy: actor(w.opened_by), passed: today() > w.deadline },
    defaultDeadline: w && w.deadline >= today() ? w.deadline : addWorkingDays(today(), 10), reopenDefault: addWorkingDays(today(), 5), error,
    counts: BOARD_STATES.map((s) => ({ state: s, title: REPORT_STATES[s], n: b.counts[s], href: boardHref(period.id, assessment.id, { ...keep, state: s }) })),
    total: b.total, lateCount: b.lateCount, lateHref: boardHref(period.id, assessment.id, { ...keep, state: 'late' }),
    lines: b.lines.map((l) => ({ ...l, reviewHref: l.reportId !== null ? reviewHref(l.reportId) : undefined })),
    matching: b.matching, page: b.page, pages: b.pages,
    prevHref: b.page > 1 ? boardHref(period.id, assessment.id, { ...keep, page: String(b.page - 1) }) : undefined,
    nextHref: b.page < b.pages ? boardHref(period.id, assessment.id, { ...keep, page: String(b.page + 1) }) : undefined,
    filter: { ...filter, state: filter.state ?? '' }, parents, stateOptions: [...BOARD_STATES.map((s) => ({ value: s, title: REPORT_STATES[s] })), { value: 'late', title: '逾期未交' }],
    queueHref: urlOf(['collection', 'review'], { period: period.id }),
    exports: { csv: urlOf(['collection', 'board.csv'], { period: period.id, assessment: assessment.id, ...keep }), xlsx: urlOf(['collection', 'board.xlsx'], { period: period.id, assessment: assessment.id, ...keep }) },
  }, status);
}

/** A step's answer: back to the board with what was done, or the board again with why not. */
async function step(req: Request, res: Response, ctx: Context, run: (period: string, assessment: string) => Promise<string>): Promise<void> {
  const period = periodOr400(req.body?.period);
  const assessment = await assessmentOr400(ctx, text(req.body?.assessment));
  try {
    req.session.flash = await run(period.id, assessment.id);
  } catch (e) {
    if (!(e instanceof ReportRefused)) throw e;
    return boardPage(ctx, { period: period.id, assessment: assessment.id }, 400, e.message);
  }
  res.redirect(303, boardHref(period.id, assessment.id));
}

async function reportView(req: Request, ctx: Context) {
  if (!/^\d{1,9}$/.test(String(req.params.reportId))) throw notFound('报送');
  const report = await getReportById(ctx.db, Number(req.params.reportId));
  const unit = report && await getUnit(ctx.db, report.unit_id);
  if (!report || !unit) throw notFound('报送');
  return { report, unit };
}

async function renderReview(req: Request, ctx: Context, status = 200, error?: string): Promise<void> {
  const { report, unit } = await reportView(req, ctx);
  const period = parsePeriod(report.period_id);
  const actor = await actorNames(ctx.db, [report.submitted_by, report.reviewed_by]);
  const lines = await reviewLines(ctx.db, report, unit, ctx.user!.username);
  const steps = reportSteps(report.state, ctx.user!.role);
  const windows = await windowsOf(ctx.db, period.id);
  const assessment = (await listAssessments(ctx.db)).find((a) => a.unit_kind === unit.kind && windows.some((w) => w.assessment_id === a.id));
  ctx.render('report-review', {
    title: `${unit.name} · ${period.title}数据报送审核`, unit, period, report, stateTitle: REPORT_STATES[report.state],
    submittedBy: actor(report.submitted_by, unit.name), reviewedBy: actor(report.reviewed_by), error,
    lines: lines.map((l) => ({ ...l, files: l.files.map((f) => ({ name: f.file_name, size: sizeInWords(f.size), type: EVIDENCE_TYPE_NAMES[f.media_type as EvidenceType] ?? '文件', image: f.media_type.startsWith('image/'), href: urlOf(['reports', String(report.id), 'files', String(f.id)]) })) })),
    flagged: lines.filter((l) => l.flags.length).length,
    canApprove: steps.includes('approve'), canReturn: steps.includes('return'), stepTitles: { approve: REPORT_STEPS.approve.title, return: REPORT_STEPS.return.title },
    approveAction: urlOf(['reports', String(report.id), 'approve']), returnAction: urlOf(['reports', String(report.id), 'return']),
    backHref: assessment ? boardHref(period.id, assessment.id) : urlOf(['collection'], { period: period.id }),
    queueHref: urlOf(['collection', 'review'], { period: period.id }),
  }, status);
}

export const collectionRoutes: RouteSpec[] = [
  { method: 'get', path: '/collection', access: MANAGERS, handle: (req, _res, ctx) => boardPage(ctx, req.query as Record<string, unknown>) },
  {
    method: 'get', path: '/collection/board.:format', access: MANAGERS,
    handle: async (req, res, ctx) => {
      const format = String(req.params.format);
      if (format !== 'csv' && format !== 'xlsx') throw notFound('文件');
      const { period, assessment, filter } = await boardQuery(ctx, req.query as Record<string, unknown>);
      const { title, rows } = await boardSheet(ctx.db, period.id, assessment.id, filter);
      const name = `${title}-${today()}.${format}`;
      if (format === 'csv') return sendDownload(res, name, 'csv', Buffer.from(toCsv(rows), 'utf8'));
      sendDownload(res, name, 'xlsx', await writeXlsx([{ name: '填报进度', title: [title], rows, widths: [24, 16, 10, 8, 18, 18, 18] }]));
    },
  },
  {
    method: 'post', path: '/collection/open', access: MANAGERS,
    handle: (req, res, ctx) => step(req, res, ctx, async (period, assessment) => {
      const w = await openReporting(ctx.db, { periodId: period, assessmentId: assessment, deadline: text(req.body?.deadline), by: ctx.user!.username });
      return `已开启数据填报，截止${dateInWords(w.deadline)}；已通知各单位`;
    }),
  },
  {
    method: 'post', path: '/collection/close', access: MANAGERS,
    handle: (req, res, ctx) => step(req, res, ctx, async (period, assessment) => {
      await closeReporting(ctx.db, { periodId: period, assessmentId: assessment, by: ctx.user!.username });
      return '已关闭数据填报；已报送的数据不受影响';
    }),
  },
  {
    method: 'post', path: '/collection/remind', access: MANAGERS,
    handle: (req, res, ctx) => step(req, res, ctx, async (period, assessment) => {
      const n = await remindLate(ctx.db, { periodId: period, assessmentId: assessment, by: ctx.user!.username });
      return n ? `已提醒${n}个尚未提交的单位（每个单位每天最多提醒一次）` : '所有单位均已提交，无需提醒';
    }),
  },
  {
    method: 'post', path: '/collection/reopen', access: MANAGERS,
    handle: (req, res, ctx) => step(req, res, ctx, async (period) => {
      const unit = await getUnit(ctx.db, text(req.body?.unit));
      await reopenForUnit(ctx.db, { periodId: period, unitId: text(req.body?.unit), until: text(req.body?.until), by: ctx.user!.username });
      return `已为${unit?.name ?? '该单位'}开放补报，截止${dateInWords(text(req.body?.until))}`;
    }),
  },
  {
    method: 'get', path: '/collection/review', access: MANAGERS,
    handle: async (req, _res, ctx) => {
      const period = periodOr400(text(req.query.period) || await defaultPeriod(ctx));
      const page = /^\d{1,6}$/.test(text(req.query.page)) ? Number(text(req.query.page)) : 1;
      const queue = await reviewQueue(ctx.db, period.id, undefined, page);
      ctx.render('collection-review', {
        title: `${period.title}待审核的数据报送`, period, periods: await periodSelect(ctx, period.id), ...queue,
        lines: queue.lines.map((l) => ({ ...l, href: reviewHref(l.reportId) })),
        prevHref: queue.page > 1 ? urlOf(['collection', 'review'], { period: period.id, page: String(queue.page - 1) }) : undefined,
        nextHref: queue.page < queue.pages ? urlOf(['collection', 'review'], { period: period.id, page: String(queue.page + 1) }) : undefined,
      });
    },
  },
  { method: 'get', path: '/reports/:reportId', access: MANAGERS, handle: (req, _res, ctx) => renderReview(req, ctx) },
  {
    method: 'post', path: '/reports/:reportId/approve', access: MANAGERS,
    handle: async (req, res, ctx) => {
      const { report, unit } = await reportView(req, ctx);
      try {
        await approveReport(ctx.db, { reportId: report.id, by: ctx.user!.username });
      } catch (e) {
        if (!(e instanceof ReportRefused)) throw e;
        return renderReview(req, ctx, 409, e.message);
      }
      req.session.flash = `已审核通过${unit.name}的数据，已计入${parsePeriod(report.period_id).title}的考核数据`;
      res.redirect(303, urlOf(['collection', 'review'], { period: report.period_id }));
    },
  },
  {
    method: 'post', path: '/reports/:reportId/return', access: MANAGERS,
    handle: async (req, res, ctx) => {
      const { report, unit } = await reportView(req, ctx);
      const notes: Record<string, unknown> = {};
      for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) if (k.startsWith('note:')) notes[k.slice(5)] = v;
      try {
        await returnReport(ctx.db, { reportId: report.id, notes, comment: req.body?.comment, by: ctx.user!.username });
      } catch (e) {
        if (!(e instanceof ReportRefused)) throw e;
        return renderReview(req, ctx, 400, e.message);
      }
      req.session.flash = `已将${unit.name}的数据退回修改，并已通知该单位`;
      res.redirect(303, urlOf(['collection', 'review'], { period: report.period_id }));
    },
  },
  {
    method: 'get', path: '/reports/:reportId/files/:evidenceId', access: MANAGERS,
    handle: async (req, res, ctx) => {
      const { report } = await reportView(req, ctx);
      if (!/^\d{1,9}$/.test(String(req.params.evidenceId))) throw notFound('文件');
      const file = await reportFile(ctx.db, report.id, Number(req.params.evidenceId));
      if (!file) throw notFound('文件');
      sendEvidenceFile(res, file.file_name, file.content);
    },
  },
];
