import type { Request, Response } from 'express';
import { DataInvalid, type DataTable } from '../../engine/index.js';
import { SheetProblems, type ColumnNumbers } from '../../io/sheet-cells.js';
import { readTable } from '../../io/table.js';
import { listAssessments, UNIT_KIND_TITLES } from '../../services/assessments.js';
import { periodOf, trackRules } from '../../services/entry.js';
import { PeriodInvalid, type PeriodSpec } from '../../services/period.js';
import { importStatistics, statisticsTemplateFile, StatisticsRefused } from '../../services/statistics-sheet.js';
import { clipped, REPORT_TEXT_CHARS } from '../../services/upload-report.js';
import { UPLOAD_LIMIT_BYTES } from '../app.js';
import { sendDownload } from '../download.js';
import { HttpError, notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';
import { defaultPeriod, MANAGERS, periodSelect, statusHref } from './entry.js';
import { uploadedName, uploadReport } from './entry-files.js';

/**
 * The statistics sheet of a period (统计表): one template for every assessment of a kind of unit, each
 * figure once; uploaded, it fills every assessment's inputs it carries, all or nothing (services/statistics-sheet.ts).
 */

interface SheetForm { period: string; kind: string; }

const kindOf = (v: unknown): string => (typeof v === 'string' && Object.hasOwn(UNIT_KIND_TITLES, v) ? v : 'village');

async function renderSheet(ctx: Context, form: SheetForm, extra: Record<string, unknown>, status = 200): Promise<void> {
  let chosen: PeriodSpec | undefined;
  try { chosen = periodOf(form.period); } catch (e) { if (!(e instanceof PeriodInvalid)) throw e; }
  const assessments = (await listAssessments(ctx.db)).filter((a) => a.unit_kind === form.kind).map((a) => a.title);
  ctx.render('entry-statistics', {
    title: '统计表（各项考核共用）', form, periods: await periodSelect(ctx, form.period), assessments, limitMb: UPLOAD_LIMIT_BYTES / 1024 / 1024,
    kinds: Object.entries(UNIT_KIND_TITLES).map(([id, name]) => ({ id, name, selected: id === form.kind })),
    backHref: statusHref(chosen?.id ?? form.period, (await listAssessments(ctx.db)).find((a) => a.unit_kind === form.kind)?.id ?? 'village'),
    templates: chosen && { periodTitle: chosen.title, xlsx: urlOf(['entry', 'statistics.xlsx'], { period: chosen.id, kind: form.kind }), csv: urlOf(['entry', 'statistics.csv'], { period: chosen.id, kind: form.kind }) },
    ...extra,
  }, status);
}

async function sheetPage(req: Request, _res: Response, ctx: Context): Promise<void> {
  const period = typeof req.query.period === 'string' && req.query.period.trim() ? req.query.period.trim() : await defaultPeriod(ctx);
  await renderSheet(ctx, { period, kind: kindOf(req.query.kind) }, {});
}

async function upload(req: Request, res: Response, ctx: Context): Promise<void> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const form: SheetForm = { period: String(body.period ?? '').trim(), kind: kindOf(body.kind) };
  let period: PeriodSpec;
  try {
    period = periodOf(form.period);
  } catch (e) {
    if (!(e instanceof PeriodInvalid)) throw e;
    return renderSheet(ctx, form, { error: e.message }, 422);
  }
  const file = req.file;
  if (!file) return renderSheet(ctx, form, { error: '请选择填好的统计表（CSV 或 XLSX）' }, 422);
  const fileName = uploadedName(file.originalname);
  const shownName = clipped(fileName, REPORT_TEXT_CHARS.column);
  let table: DataTable | undefined;
  let columnAt: ColumnNumbers | undefined;
  try {
    const read = await readTable(file.buffer, fileName);
    ({ columnAt } = read);
    table = read;
    const result = await importStatistics(ctx.db, { periodId: period.id, kind: form.kind, table: read, fileBytes: file.buffer, by: ctx.user!.username });
    const ignored = result.ignoredColumns.length ? `；以下列不是考核细则的指标，已忽略：${result.ignoredColumns.slice(0, 10).map((c) => clipped(c, 40)).join('、')}` : '';
    req.session.flash = result.units
      ? `已从 ${shownName} 导入 ${result.units} 个单位${period.title}的数据，计入：${result.assessments.join('、')}${ignored}`
      : `${shownName} 中没有填写任何数据，未导入${ignored}`;
    res.redirect(303, urlOf(['entry', 'statistics'], { period: period.id, kind: form.kind }));
  } catch (e) {
    if (e instanceof StatisticsRefused) return renderSheet(ctx, form, { error: e.message }, 422);
    if (!(e instanceof DataInvalid)) throw e;
    if (e instanceof SheetProblems) columnAt = e.columnAt;
    const first = (await listAssessments(ctx.db)).find((a) => a.unit_kind === form.kind);
    if (!first) throw new HttpError(400, '没有考核这类单位的考核', 'BAD_KIND');
    const { ruleset } = await trackRules(ctx.db, first.id, ctx.user!.username);
    await renderSheet(ctx, form, { report: await uploadReport(ctx, ruleset, e.problems, { table, columnAt }, { file: shownName, periodTitle: period.title, trackName: '统计表' }) }, 422);
  }
}

async function templateDownload(req: Request, res: Response, ctx: Context): Promise<void> {
  const format = req.params.format;
  if (format !== 'xlsx' && format !== 'csv') throw notFound();
  const asked = typeof req.query.period === 'string' && req.query.period.trim() ? req.query.period : await defaultPeriod(ctx);
  let period: PeriodSpec;
  try {
    period = periodOf(asked);
  } catch (e) {
    if (e instanceof PeriodInvalid) throw new HttpError(400, e.message, e.code);
    throw e;
  }
  const out = await statisticsTemplateFile(ctx.db, period.id, kindOf(req.query.kind), format, ctx.user!.username);
  sendDownload(res, out.fileName, format, out.bytes);
}

export const statisticsSheetRoutes: RouteSpec[] = [
  { method: 'get', path: '/entry/statistics', access: MANAGERS, handle: sheetPage },
  { method: 'post', path: '/entry/statistics', access: MANAGERS, upload: true, handle: upload },
  { method: 'get', path: '/entry/statistics.:format', access: MANAGERS, handle: templateDownload },
];
