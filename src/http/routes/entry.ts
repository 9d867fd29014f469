import type { Request, Response } from 'express';
import { actorNames } from '../../services/actors.js';
import { inputOf, inputsOf } from '../../db/queries/inputs.js';
import { listPeriods } from '../../db/queries/periods.js';
import { listUnits, type UnitRow } from '../../db/queries/units.js';
import { DataInvalid, type CompiledRuleSet, type DataProblem } from '../../engine/index.js';
import type { CompiledInput } from '../../engine/compiled.js';
import { readTable } from '../../io/table.js';
import { enteredInputs, periodOf, saveUnitInputs, trackRules, unitForEntry, type TrackRules } from '../../services/entry.js';
import { importInputs } from '../../services/import-inputs.js';
import { PeriodInvalid, type PeriodSpec } from '../../services/period.js';
// A cycle (app.ts mounts these routes), safe because the limit is only read inside a handler.
import { UPLOAD_LIMIT_BYTES } from '../app.js';
import { HttpError, notFound, type Context, type RouteSpec } from '../route.js';
import { dict, own } from '../../engine/own.js';
import { isTrack, trackOptions, trackTitle } from '../../services/tracks.js';
import { urlOf } from '../url.js';

/** Data entry: which units have their data in, a form per unit and period, and uploads of CSV/XLSX/JSON with their error report. */

const MANAGERS: RouteSpec['access'] = ['admin', 'leader'];
/** Problems listed on the upload page; the count says how many there are in all. */
const REPORT_ROWS = 1000;

const statusHref = (period: string, track: string, fragment?: string) => urlOf(['entry'], { period, track }, fragment);
const formHref = (period: string, track: string, unitId: string) => urlOf(['entry', period, track, unitId]);

/** The period a page opens on when none is asked for: the newest one, else this year. */
async function defaultPeriod(ctx: Context): Promise<string> {
  return (await listPeriods(ctx.db))[0]?.id ?? String(new Date().getFullYear());
}

async function periodChoices(ctx: Context, selected: string) {
  return (await listPeriods(ctx.db)).map((p) => ({ id: p.id, title: p.title, selected: p.id === selected }));
}

// ---- the form's fields: values as text, limits as the engine will check them, problems beside their field ----

interface FieldProblem { code: string; message: string; }

/** What an <input type="number"> can hold (the HTML "valid floating-point number"). */
const BROWSER_NUMBER = /^-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?$/;

/** Stored values as the form shows them: booleans as 是/否, numbers as written. */
function storedCells(ruleset: CompiledRuleSet, values: Record<string, unknown>): Record<string, string> {
  const cells = dict<string>();
  for (const input of enteredInputs(ruleset)) {
    const v = own(values, input.name);
    if (v === undefined || v === null) continue;
    cells[input.name] = typeof v === 'boolean' ? (v ? '是' : '否') : String(v);
  }
  return cells;
}

/** The posted fields named like an input, as text; anything else posted (unit_id, role, …) is dropped here. */
function postedCells(ruleset: CompiledRuleSet, body: Record<string, unknown>): Record<string, string> {
  const cells = dict<string>();
  for (const input of enteredInputs(ruleset)) {
    if (!Object.hasOwn(body, input.name)) continue;
    const v = body[input.name];
    cells[input.name] = Array.isArray(v) ? v.map(String).join(',') : String(v ?? '');
  }
  return cells;
}

/** Each problem beside the field whose column it names; the rest (a failed check names several) above the form. */
function formProblems(ruleset: CompiledRuleSet, problems: DataProblem[]) {
  const byField = new Map<string, FieldProblem[]>();
  const general: Array<FieldProblem & { fields: string }> = [];
  const labelOf = new Map(enteredInputs(ruleset).map((i) => [i.name, i.label]));
  for (const p of problems) {
    if (labelOf.has(p.column)) byField.set(p.column, [...(byField.get(p.column) ?? []), { code: p.code, message: p.message }]);
    else general.push({ code: p.code, message: p.message, fields: p.column.split('、').map((c) => labelOf.get(c) ?? c).join('、') });
  }
  return { byField, general };
}

function limitsText(input: CompiledInput): string {
  const unit = input.unit ?? '';
  if (input.type === 'boolean') return '是 / 否';
  if (input.type === 'grade') return (input.grades ?? []).join(' / ');
  const kind = input.type === 'integer' ? '整数' : '数值';
  if (input.min !== undefined && input.max !== undefined) return `${kind}，${input.min}～${input.max}${unit}`;
  if (input.min !== undefined) return `${kind}，不小于 ${input.min}${unit}`;
  if (input.max !== undefined) return `${kind}，不大于 ${input.max}${unit}`;
  return kind;
}

function defaultText(input: CompiledInput): string | undefined {
  if (input.default === undefined) return undefined;
  return typeof input.default === 'boolean' ? (input.default ? '是' : '否') : `${input.default}${input.unit ?? ''}`;
}

/** One field per input, in the rule set's order, with the control the browser should show (no script needed). */
function fieldsOf(ruleset: CompiledRuleSet, values: Record<string, string>, problems: Map<string, FieldProblem[]>) {
  return enteredInputs(ruleset).map((input) => {
    const value = values[input.name] ?? '';
    const choices = input.type === 'boolean' ? ['是', '否'] : input.type === 'grade' ? [...(input.grades ?? [])] : undefined;
    return {
      name: input.name, label: input.label, unit: input.unit, limits: limitsText(input), defaultText: defaultText(input),
      required: input.default === undefined, value, errors: problems.get(input.name) ?? [],
      number: choices ? undefined : {
        // A kept value a number field cannot hold ("abc") would show blank there: shown as text instead, to be corrected.
        type: value === '' || BROWSER_NUMBER.test(value) ? 'number' : 'text',
        step: input.type === 'integer' ? '1' : 'any', mode: input.type === 'integer' ? 'numeric' : 'decimal',
        // As text, so that a limit of 0 still renders.
        min: input.min === undefined ? undefined : String(input.min), max: input.max === undefined ? undefined : String(input.max),
      },
      // A stored or posted value the choices do not hold (a bad upload, a typo) is kept visible, to be corrected.
      options: choices?.map((c) => ({ value: c, selected: c === value }))
        .concat(choices.includes(value) || value === '' ? [] : [{ value, selected: true }]),
    };
  });
}

// ---- GET /entry: the units of a track for a period, entered or not ----

async function statusPage(req: Request, _res: Response, ctx: Context): Promise<void> {
  const track = typeof req.query.track === 'string' && req.query.track ? req.query.track : 'village';
  if (!isTrack(track)) throw new HttpError(400, '考核类别无效', 'BAD_TRACK');
  const asked = typeof req.query.period === 'string' && req.query.period.trim() ? req.query.period : await defaultPeriod(ctx);
  const page = { title: '数据录入', periodText: asked, tracks: trackOptions(track), trackName: trackTitle(track), periods: await periodChoices(ctx, asked) };
  let period: PeriodSpec;
  try {
    period = periodOf(asked);
  } catch (e) {
    if (!(e instanceof PeriodInvalid)) throw e;
    return ctx.render('entry', { ...page, periodError: e.message }, 400);
  }
  const { ruleset } = await trackRules(ctx.db, track, ctx.user!.username);
  const [units, everyUnit, rows] = await Promise.all([
    listUnits(ctx.db, ruleset.subject), listUnits(ctx.db), inputsOf(ctx.db, period.id, ruleset.subject),
  ]);
  const nameOf = new Map(everyUnit.map((u) => [u.id, u.name]));
  const entered = new Map(rows.map((r) => [r.unit_id, r]));
  const actor = await actorNames(ctx.db);
  const list = units.map((u) => {
    const row = entered.get(u.id);
    return {
      id: u.id, name: u.name, parentName: u.parent_id ? nameOf.get(u.parent_id) ?? u.parent_id : '', href: formHref(period.id, track, u.id),
      entered: !!row, by: actor(row?.entered_by), at: row?.entered_at, via: row ? (row.batch_id === null ? '表单' : '导入') : '',
    };
  });
  ctx.render('entry', {
    ...page, periodText: period.id, period, ruleset: { title: ruleset.title, version: ruleset.version },
    isNew: !page.periods.some((p) => p.id === period.id), units: list, enteredCount: list.filter((u) => u.entered).length,
    uploadHref: urlOf(['entry', 'upload'], { period: period.id, track }),
  });
}

// ---- GET and POST /entry/:period/:track/:unitId: one unit's form ----

interface FormTarget { period: PeriodSpec; track: string; rules: TrackRules; unit: UnitRow; }

/** What the URL names, or 404: a well-formed period, a known track and a unit that track appraises. */
async function formTarget(req: Request, ctx: Context): Promise<FormTarget> {
  const track = String(req.params.track);
  if (!isTrack(track)) throw notFound();
  let period: PeriodSpec;
  try {
    period = periodOf(String(req.params.period));
  } catch (e) {
    if (e instanceof PeriodInvalid) throw notFound('考核期');
    throw e;
  }
  const rules = await trackRules(ctx.db, track, ctx.user!.username);
  const unit = await unitForEntry(ctx.db, rules.ruleset, String(req.params.unitId));
  if (!unit) throw notFound('单位');
  return { period, track, rules, unit };
}

async function renderForm(ctx: Context, t: FormTarget, values: Record<string, string>, problems: DataProblem[], status = 200): Promise<void> {
  const { ruleset } = t.rules;
  const stored = await inputOf(ctx.db, t.period.id, ruleset.subject, t.unit.id);
  const { byField, general } = formProblems(ruleset, problems);
  ctx.render('entry-form', {
    title: `${t.unit.name} · ${t.period.title}数据录入`, unit: t.unit, period: t.period, track: t.track, trackName: trackTitle(t.track),
    ruleset: { title: ruleset.title, version: ruleset.version }, stored, enteredBy: stored ? (await actorNames(ctx.db))(stored.entered_by) : '', action: formHref(t.period.id, t.track, t.unit.id),
    backHref: statusHref(t.period.id, t.track), fields: fieldsOf(ruleset, values, byField), general,
    fieldErrorCount: [...byField.values()].reduce((n, list) => n + list.length, 0),
    linkedCount: ruleset.inputs.length - enteredInputs(ruleset).length,
  }, status);
}

async function formPage(req: Request, _res: Response, ctx: Context): Promise<void> {
  const t = await formTarget(req, ctx);
  const stored = await inputOf(ctx.db, t.period.id, t.rules.ruleset.subject, t.unit.id);
  await renderForm(ctx, t, stored ? storedCells(t.rules.ruleset, JSON.parse(stored.input_values)) : {}, []);
}

async function saveForm(req: Request, res: Response, ctx: Context): Promise<void> {
  const t = await formTarget(req, ctx);
  const cells = postedCells(t.rules.ruleset, req.body ?? {});
  try {
    await saveUnitInputs(ctx.db, { periodId: t.period.id, track: t.track, unitId: t.unit.id, cells, by: ctx.user!.username });
  } catch (e) {
    if (!(e instanceof DataInvalid)) throw e;
    return renderForm(ctx, t, cells, e.problems, 422);
  }
  req.session.flash = `已保存 ${t.unit.name}（${t.unit.id}）${t.period.title}的数据`;
  res.redirect(303, statusHref(t.period.id, t.track, `unit-${t.unit.id}`));
}

// ---- GET and POST /entry/upload: a whole file, all or nothing ----

interface UploadForm { period: string; track: string; replace: boolean; }

async function renderUpload(ctx: Context, form: UploadForm, extra: Record<string, unknown>, status = 200): Promise<void> {
  const { ruleset } = await trackRules(ctx.db, form.track, ctx.user!.username);
  ctx.render('entry-upload', {
    title: '上传数据文件', form, tracks: trackOptions(form.track), periods: await periodChoices(ctx, form.period),
    limitMb: UPLOAD_LIMIT_BYTES / 1024 / 1024, backHref: statusHref(form.period, form.track),
    columns: enteredInputs(ruleset).map((i) => ({ name: i.name, label: i.label, optional: i.default !== undefined })), rulesetTitle: ruleset.title,
    ...extra,
  }, status);
}

async function uploadPage(req: Request, _res: Response, ctx: Context): Promise<void> {
  const track = typeof req.query.track === 'string' && isTrack(req.query.track) ? req.query.track : 'village';
  const period = typeof req.query.period === 'string' && req.query.period.trim() ? req.query.period.trim() : await defaultPeriod(ctx);
  await renderUpload(ctx, { period, track, replace: false }, {});
}

/**
 * multer reads a part's filename as Latin-1 unless the browser says otherwise, and browsers
 * send UTF-8 bytes: 村级数据.csv would come out garbled. Decoded again only when that gives
 * valid UTF-8, so a name that was already right stays as it is.
 */
function uploadedName(name: string): string {
  if (!/[\u0080-\u00ff]/.test(name) || /[^\u0000-\u00ff]/.test(name)) return name;
  const utf8 = Buffer.from(name, 'latin1').toString('utf8');
  return utf8.includes('\uFFFD') ? name : utf8;
}

async function upload(req: Request, res: Response, ctx: Context): Promise<void> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const form: UploadForm = { period: String(body.period ?? '').trim(), track: String(body.track ?? 'village'), replace: !!body.replace };
  if (!isTrack(form.track)) throw new HttpError(400, '考核类别无效', 'BAD_TRACK');
  let period: PeriodSpec;
  try {
    period = periodOf(form.period);
  } catch (e) {
    if (!(e instanceof PeriodInvalid)) throw e;
    return renderUpload(ctx, form, { error: e.message }, 422);
  }
  const file = req.file;
  if (!file) return renderUpload(ctx, form, { error: '请选择要上传的数据文件（CSV、XLSX 或 JSON）' }, 422);
  const fileName = uploadedName(file.originalname);
  try {
    const table = await readTable(file.buffer, fileName);
    const result = await importInputs(ctx.db, {
      periodId: period.id, track: form.track, table, fileBytes: file.buffer, by: ctx.user!.username, replace: form.replace,
    });
    const ignored = result.ignoredColumns.length ? `；以下列不是本细则的输入，已忽略：${result.ignoredColumns.join('、')}` : '';
    req.session.flash = `已从 ${fileName} 导入 ${result.rows} 个单位${period.title}的数据${form.replace ? '（已替换原有数据）' : ''}${ignored}`;
    res.redirect(303, statusHref(period.id, form.track));
  } catch (e) {
    if (!(e instanceof DataInvalid)) throw e;
    const { ruleset } = await trackRules(ctx.db, form.track, ctx.user!.username);
    // Every problem is counted; the first REPORT_ROWS are listed (200,000 bad rows would be a page no one can open).
    const shown = e.problems.slice(0, REPORT_ROWS).map((p) => problemRow(ruleset, p));
    await renderUpload(ctx, form, { report: { file: fileName, count: e.problems.length, shown: shown.length, more: e.problems.length > shown.length, problems: shown } }, 422);
  }
}

/** A problem as the report shows it: the column by its header, with the input's label when the header is its name. */
function problemRow(ruleset: CompiledRuleSet, p: DataProblem) {
  const input = ruleset.inputs.find((i) => i.name === p.column);
  return { ...p, columnText: input ? `${p.column}（${input.label}）` : p.column };
}

export const entryRoutes: RouteSpec[] = [
  { method: 'get', path: '/entry', access: MANAGERS, handle: statusPage },
  { method: 'get', path: '/entry/upload', access: MANAGERS, handle: uploadPage },
  { method: 'post', path: '/entry/upload', access: MANAGERS, upload: true, handle: upload },
  { method: 'get', path: '/entry/:period/:track/:unitId', access: MANAGERS, handle: formPage },
  { method: 'post', path: '/entry/:period/:track/:unitId', access: MANAGERS, handle: saveForm },
];
