import type { Request } from 'express';
import { filesOfReport, openWindows, reportFile, type ReportFileRow } from '../../db/queries/reports.js';
import { getUnit, type UnitRow } from '../../db/queries/units.js';
import { EVIDENCE_MAX_BYTES, EVIDENCE_TYPE_NAMES, sizeInWords, type EvidenceType } from '../../io/evidence.js';
import { listAssessments } from '../../services/assessments.js';
import {
  fieldNotes, FILES_PER_FIELD, REPORT_STATES, REPORT_STEPS, ReportRefused, reportPlan, reportSteps, reportValues, saveReport,
  type FieldProblem, type ReportPlan,
} from '../../services/collection.js';
import { newestPeriodsFirst, parsePeriod, PeriodInvalid } from '../../services/period.js';
import { dateInWords, daysBetween, today } from '../../services/review-period.js';
import { sendEvidenceFile } from '../download.js';
import { inputControl } from '../input-fields.js';
import { notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';

/** A village's or staff member's own report of a period (数据填报): its figures, its files, its deadline. */

const UNITS: RouteSpec['access'] = ['village', 'staff'];

/** Files one post may carry: enough for every figure that asks for one; each at most 10 MB. */
const FILES_PER_POST = 20;

const formHref = (period: string) => urlOf(['reporting', period]);

/** The signed-in account's own unit; a report is only ever its own. */
async function ownUnit(ctx: Context): Promise<UnitRow> {
  const unit = ctx.user?.unit_id ? await getUnit(ctx.db, ctx.user.unit_id) : undefined;
  if (!unit || unit.disabled_at) throw notFound('单位');
  return unit;
}

function periodOrNotFound(req: Request) {
  try {
    return parsePeriod(String(req.params.period));
  } catch (e) {
    if (e instanceof PeriodInvalid) throw notFound('考核期');
    throw e;
  }
}

/** 还剩3天 / 今天截止 / 已截止 */
function daysLeftText(deadline: string, now = today()): string {
  const n = daysBetween(now, deadline);
  return n > 0 ? `还剩${n}天` : n === 0 ? '今天截止' : '已截止';
}

const fileLine = (period: string) => (f: ReportFileRow) => ({
  id: f.id, name: f.file_name, size: sizeInWords(f.size), type: EVIDENCE_TYPE_NAMES[f.media_type as EvidenceType] ?? '文件', image: f.media_type.startsWith('image/'),
  href: urlOf(['reporting', period, 'files', String(f.id)]),
});

async function renderForm(ctx: Context, plan: ReportPlan, typed: Record<string, string> | undefined, problems: FieldProblem[], status = 200, error?: string): Promise<void> {
  const values = typed ?? reportValues(plan.report);
  const notes = fieldNotes(plan.report);
  const files = plan.report ? await filesOfReport(ctx.db, plan.report.id) : [];
  const state = plan.report?.state ?? 'none';
  const editable = reportSteps(state, ctx.user!.role).includes('submit') && plan.fields.some((f) => f.open);
  const fields = plan.fields.map((f) => ({
    ...inputControl(f.input, values[f.name] ?? '', problems.filter((p) => p.field === f.name)),
    // Every figure asked is required on submission (but one with a default); a draft may leave it blank.
    open: f.open && editable, askedBy: f.askedBy.map((w) => w.assessment.title), shared: f.askedBy.length > 1,
    evidence: f.evidence, note: notes[f.name], files: files.filter((x) => x.input_name === f.name).map(fileLine(plan.period.id)),
    fileField: `file:${f.name}`,
  }));
  const missing = plan.fields.filter((f) => f.open && (values[f.name] ?? '') === '' && f.input.default === undefined).length;
  ctx.render('reporting', {
    title: `${plan.period.title}数据填报`, unit: plan.unit, period: plan.period, state, stateTitle: REPORT_STATES[state],
    report: plan.report, editable, fields, missing, error, problemCount: problems.length,
    generalNote: notes[''] ?? plan.report?.review_comment ?? undefined, returned: state === 'returned',
    windows: plan.windows.map((w) => ({ title: w.assessment.title, deadline: dateInWords(w.deadline), left: daysLeftText(w.deadline), open: w.open, overdue: w.overdue })),
    action: formHref(plan.period.id), stepTitles: { save: REPORT_STEPS.save.title, submit: REPORT_STEPS.submit.title },
    maxFileSize: sizeInWords(EVIDENCE_MAX_BYTES), filesPerField: FILES_PER_FIELD,
  }, status);
}

export const reportingRoutes: RouteSpec[] = [
  {
    // The newest period with reporting open to the unit's kind, else a page that says there is none.
    method: 'get', path: '/reporting', access: UNITS,
    handle: async (_req, _res, ctx) => {
      const unit = await ownUnit(ctx);
      const kinds = new Set((await listAssessments(ctx.db)).filter((a) => a.unit_kind === unit.kind).map((a) => a.id));
      const periods = newestPeriodsFirst((await openWindows(ctx.db)).filter((w) => kinds.has(w.assessment_id)).map((w) => ({ id: w.period_id })));
      // The newest period's form itself (no redirect: the menu's link is a page of its own); it posts to its period's address.
      if (periods.length) return renderForm(ctx, await reportPlan(ctx.db, periods[0].id, unit, ctx.user!.username), undefined, []);
      ctx.render('reporting', { title: '数据填报', unit, nothingOpen: true });
    },
  },
  {
    method: 'get', path: '/reporting/:period', access: UNITS,
    handle: async (req, _res, ctx) => {
      const unit = await ownUnit(ctx);
      await renderForm(ctx, await reportPlan(ctx.db, periodOrNotFound(req).id, unit, ctx.user!.username), undefined, []);
    },
  },
  {
    method: 'post', path: '/reporting/:period', access: UNITS,
    upload: { field: '*', files: FILES_PER_POST, fileSize: EVIDENCE_MAX_BYTES, fields: 200 },
    handle: async (req, res, ctx) => {
      const unit = await ownUnit(ctx);
      const period = periodOrNotFound(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const submit = body.step === 'submit';
      const uploads = ((req.files ?? []) as Express.Multer.File[])
        .filter((f) => f.fieldname.startsWith('file:') && f.size > 0)
        .map((f) => ({ field: f.fieldname.slice(5), upload: { name: f.originalname, content: f.buffer } }));
      const remove = ([] as unknown[]).concat(body.removeFile ?? []).map(Number).filter((n) => Number.isSafeInteger(n));
      try {
        await saveReport(ctx.db, { periodId: period.id, unitId: unit.id, cells: body, files: uploads, removeFiles: remove, submit, by: ctx.user!.username });
      } catch (e) {
        if (!(e instanceof ReportRefused)) throw e;
        const plan = await reportPlan(ctx.db, period.id, unit, ctx.user!.username);
        const typed = { ...reportValues(plan.report) };
        for (const f of plan.fields) if (typeof body[f.name] === 'string') typed[f.name] = String(body[f.name]);
        return renderForm(ctx, plan, typed, e.problems, e.problems.length ? 422 : 409, e.message);
      }
      req.session.flash = submit ? `已提交${period.title}的数据，等待乡镇审核` : '草稿已保存（尚未提交）';
      res.redirect(303, formHref(period.id));
    },
  },
  {
    // A file of the unit's own report, as a download only.
    method: 'get', path: '/reporting/:period/files/:evidenceId', access: UNITS,
    handle: async (req, res, ctx) => {
      const unit = await ownUnit(ctx);
      const period = periodOrNotFound(req);
      if (!/^\d{1,9}$/.test(String(req.params.evidenceId))) throw notFound('文件');
      const plan = await reportPlan(ctx.db, period.id, unit, ctx.user!.username);
      const file = plan.report && await reportFile(ctx.db, plan.report.id, Number(req.params.evidenceId));
      if (!file) throw notFound('文件');
      sendEvidenceFile(res, file.file_name, file.content);
    },
  },
];

