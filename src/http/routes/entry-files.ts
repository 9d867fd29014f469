import path from 'node:path';
import type { Request, Response } from 'express';
import { listUnits } from '../../db/queries/units.js';
import { DataInvalid, type CompiledRuleSet, type DataProblem, type DataTable } from '../../engine/index.js';
import { SheetProblems, type ColumnNumbers } from '../../io/sheet-cells.js';
import { readTable } from '../../io/table.js';
import { enteredInputs, periodOf, trackRules } from '../../services/entry.js';
import { importInputs } from '../../services/import-inputs.js';
import { PeriodInvalid, type PeriodSpec } from '../../services/period.js';
import { publishedWarning } from '../../services/publication.js';
import { inputTemplateFile, templateMismatch } from '../../services/templates.js';
import { assessmentOptions, assessmentTitle, isAssessment, listAssessments } from '../../services/assessments.js';
import {
  clipped, keepReport, keptReport, REPORT_FILE_LINES, REPORT_TEXT_CHARS, reportLines, reportRows, type UploadReport,
} from '../../services/upload-report.js';
// A cycle (app.ts mounts these routes), safe because the limit is only read inside a handler.
import { UPLOAD_LIMIT_BYTES } from '../app.js';
import { sendDownload } from '../download.js';
import { HttpError, notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';
import { defaultPeriod, MANAGERS, periodSelect, statusHref, templateLinks } from './entry.js';

/**
 * Data entry by file: the template of a period (XLSX or CSV) to fill in, the upload of a
 * filled-in file (CSV, XLSX or JSON, all or nothing), and its error report on the page and
 * as a file to download.
 */

/** Problems listed on the upload page; the count says how many there are in all, the downloaded report lists more. */
const REPORT_ROWS = 1000;

interface UploadForm { period: string; track: string; replace: boolean; }

async function renderUpload(ctx: Context, form: UploadForm, extra: Record<string, unknown>, status = 200): Promise<void> {
  const { ruleset } = await trackRules(ctx.db, form.track, ctx.user!.username);
  let chosen: PeriodSpec | undefined;
  try { chosen = periodOf(form.period); } catch (e) { if (!(e instanceof PeriodInvalid)) throw e; }
  const published = chosen && (await publishedWarning(ctx.db, chosen.id, form.track));
  ctx.render('entry-upload', {
    published: published && { text: published.text, unconfirmed: extra.unconfirmed === true },
    title: '上传数据文件', form, tracks: await assessmentOptions(ctx.db, form.track), periods: await periodSelect(ctx, form.period),
    limitMb: UPLOAD_LIMIT_BYTES / 1024 / 1024, backHref: statusHref(chosen?.id ?? form.period, form.track),
    template: chosen && { periodTitle: chosen.title, trackName: await assessmentTitle(ctx.db, form.track), ...templateLinks(chosen.id, form.track) },
    columns: enteredInputs(ruleset).map((i) => ({ label: i.label, unit: i.unit, optional: i.default !== undefined })), rulesetTitle: ruleset.title,
    ...extra,
  }, status);
}

/** The assessment a link names, else the first in use. */
async function trackOf(ctx: Context, v: unknown): Promise<string> {
  return typeof v === 'string' && (await isAssessment(ctx.db, v)) ? v : (await listAssessments(ctx.db))[0]?.id ?? 'village';
}

async function uploadPage(req: Request, _res: Response, ctx: Context): Promise<void> {
  const period = typeof req.query.period === 'string' && req.query.period.trim() ? req.query.period.trim() : await defaultPeriod(ctx);
  await renderUpload(ctx, { period, track: await trackOf(ctx, req.query.track), replace: false }, {});
}

/**
 * multer reads a part's filename as Latin-1 unless the browser says otherwise, and browsers
 * send UTF-8 bytes: 村级数据.csv would come out garbled. Decoded again only when that gives
 * valid UTF-8, so a name that was already right stays as it is.
 */
export function uploadedName(name: string): string {
  if (!/[\u0080-\u00ff]/.test(name) || /[^\u0000-\u00ff]/.test(name)) return name;
  const utf8 = Buffer.from(name, 'latin1').toString('utf8');
  return utf8.includes('\uFFFD') ? name : utf8;
}

/** The columns an import left out, as the message after it names them: the first ten, each cut short (a header is anything a file holds). */
function ignoredText(columns: readonly string[]): string {
  const named = columns.slice(0, 10).map((c) => clipped(c, REPORT_TEXT_CHARS.column)).join('、');
  return columns.length > 10 ? `${named}等${columns.length}列` : named;
}

async function upload(req: Request, res: Response, ctx: Context): Promise<void> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const form: UploadForm = { period: String(body.period ?? '').trim(), track: String(body.track ?? 'village'), replace: !!body.replace };
  if (!(await isAssessment(ctx.db, form.track))) throw new HttpError(400, '考核类别无效', 'BAD_TRACK');
  let period: PeriodSpec;
  try {
    period = periodOf(form.period);
  } catch (e) {
    if (!(e instanceof PeriodInvalid)) throw e;
    return renderUpload(ctx, form, { error: e.message }, 422);
  }
  // A period whose result is under 公示 or final: imported only once the page's warning is confirmed.
  if (!body.confirmPublished && (await publishedWarning(ctx.db, period.id, form.track))) return renderUpload(ctx, form, { unconfirmed: true }, 422);
  const file = req.file;
  if (!file) return renderUpload(ctx, form, { error: '请选择要上传的数据文件（CSV、XLSX 或 JSON）' }, 422);
  const fileName = uploadedName(file.originalname);
  // As the page, the message after it and the report's file name tell it: a name is anything a browser sends.
  const shownName = clipped(fileName, REPORT_TEXT_CHARS.column);
  let table: DataTable | undefined;
  let columnAt: ColumnNumbers | undefined;
  try {
    const read = await readTable(file.buffer, fileName);
    ({ columnAt } = read);
    table = read;
    const trackName = (await assessmentTitle(ctx.db, form.track)) ?? '';
    const other = read.templateTitle === null ? {} : templateMismatch(read.templateTitle, period.id, trackName);
    if (other.track !== undefined) {
      return renderUpload(ctx, form, { error: `${shownName} 是“${clipped(other.track, 40)}”的录入模板，不是所选的“${trackName}”的：请选择与模板相同的考核类别，或下载“${trackName}”的模板填写后上传` }, 422);
    }
    if (read.template && read.rows.length === 0) {
      return renderUpload(ctx, form, { error: `${shownName} 是录入模板，但其中没有填写任何单位的数据，未导入` }, 422);
    }
    const result = await importInputs(ctx.db, {
      periodId: period.id, track: form.track, table: read, fileBytes: file.buffer, by: ctx.user!.username, replace: form.replace,
      knownUnitsOnly: read.template,
    });
    const ignored = result.ignoredColumns.length ? `；以下列不是本细则的输入，已忽略：${ignoredText(result.ignoredColumns)}` : '';
    const blank = read.blankUnits ? `；另有 ${read.blankUnits} 个单位在模板中没有填写，未导入` : '';
    // A template of another period imports (last year's, filled in again, is a way to begin), but not without saying so.
    const otherPeriod = other.period !== undefined ? `；注意：这是${clipped(other.period, 40)}的模板，其中的数据已作为${period.title}的数据导入，请核对` : '';
    req.session.flash = `已从 ${shownName} 导入 ${result.rows} 个单位${period.title}的数据${form.replace ? '（已替换原有数据）' : ''}${otherPeriod}${ignored}${blank}`;
    res.redirect(303, statusHref(period.id, form.track));
  } catch (e) {
    if (!(e instanceof DataInvalid)) throw e;
    if (e instanceof SheetProblems) columnAt = e.columnAt;
    const { ruleset } = await trackRules(ctx.db, form.track, ctx.user!.username);
    const report = await uploadReport(ctx, ruleset, e.problems, { table, columnAt }, { file: shownName, periodTitle: period.title, trackName: (await assessmentTitle(ctx.db, form.track)) ?? '' });
    await renderUpload(ctx, form, { report }, 422);
  }
}

/**
 * An upload's problems as its page shows them (partials/entry/upload-report.hbs), kept an hour for the uploader
 * to download as a workbook: every problem counted, the first REPORT_ROWS listed (200,000 bad rows would be a page
 * no one can open), each at its unit (by name) and cell.
 */
export async function uploadReport(ctx: Context, ruleset: CompiledRuleSet, problems: DataProblem[], source: { table?: DataTable; columnAt?: ColumnNumbers }, about: Pick<UploadReport, 'file' | 'periodTitle' | 'trackName'>) {
  const unitNames = new Map((await listUnits(ctx.db, ruleset.subject)).map((u) => [u.id, u.name]));
  const lines = reportLines(ruleset, problems, { ...source, unitNames }, REPORT_FILE_LINES);
  const report: UploadReport = { ...about, lines, count: problems.length };
  const token = keepReport(ctx.user!.username, report);
  const shown = lines.slice(0, REPORT_ROWS);
  return {
    file: about.file, count: report.count, shown: shown.length, more: report.count > shown.length, problems: shown,
    href: urlOf(['entry', 'report', `${token}.xlsx`]), inFile: lines.length,
  };
}

async function templateDownload(req: Request, res: Response, ctx: Context): Promise<void> {
  const format = req.params.format;
  if (format !== 'xlsx' && format !== 'csv') throw notFound();
  const track = await trackOf(ctx, req.query.track);
  const asked = typeof req.query.period === 'string' && req.query.period.trim() ? req.query.period : await defaultPeriod(ctx);
  let period: PeriodSpec;
  try {
    period = periodOf(asked);
  } catch (e) {
    if (e instanceof PeriodInvalid) throw new HttpError(400, e.message, e.code);
    throw e;
  }
  const out = await inputTemplateFile(ctx.db, period.id, track, format, ctx.user!.username);
  sendDownload(res, out.fileName, format, out.bytes);
}

async function reportDownload(req: Request, res: Response, ctx: Context): Promise<void> {
  const token = /^([0-9a-f]{32})\.xlsx$/.exec(String(req.params.file))?.[1];
  const report = token && keptReport(ctx.user!.username, token);
  if (!report) {
    // Kept an hour, by the process that took the upload: gone, the upload makes it again.
    req.session.flash = '这份错误报告已过期，请重新上传文件以得到新的报告';
    return res.redirect(303, urlOf(['entry', 'upload']));
  }
  const { writeXlsx } = await import('../../io/xlsx.js');
  const bytes = await writeXlsx([{ name: '错误报告', rows: reportRows(report), widths: [18, 10, 20, 60] }]);
  const base = path.basename(report.file, path.extname(report.file));
  sendDownload(res, `${base}-错误报告.xlsx`, 'xlsx', bytes);
}

export const entryFileRoutes: RouteSpec[] = [
  { method: 'get', path: '/entry/upload', access: MANAGERS, handle: uploadPage },
  { method: 'post', path: '/entry/upload', access: MANAGERS, upload: true, handle: upload },
  { method: 'get', path: '/entry/template.:format', access: MANAGERS, handle: templateDownload },
  { method: 'get', path: '/entry/report/:file', access: MANAGERS, handle: reportDownload },
];
