import type { Request, Response } from 'express';
import { filesOfEvents, type EventFileRow, type EventRow } from '../../db/queries/events.js';
import { sizeInWords } from '../../io/evidence.js';
import { EVENT_UPLOAD, eventFileRoute, eventOf, sentFiles } from './event-files.js';
import { DataInvalid } from '../../engine/index.js';
import { SheetProblems } from '../../io/sheet-cells.js';
import { readTable } from '../../io/table.js';
import { actorNames } from '../../services/actors.js';
import { periodOf } from '../../services/entry.js';
import { cellOf, eventsTemplateFile, importEvents } from '../../services/events-import.js';
import {
  addEvent, allowedText, editEvent, EVENT_COLUMNS, eventPoints, EventMissing, EventRefused, filterUnit, inputFor, knowUnitsOf, ledgerEvents, ledgerInputs, ledgerUnits, NOTE_MAX,
  withdrawLedgerEvent, type EventField, type EventFields, type LedgerUnits,
} from '../../services/events-ledger.js';
import { PeriodInvalid, type PeriodSpec } from '../../services/period.js';
import { publishedWarning } from '../../services/publication.js';
import { dateInWords, today } from '../../services/review-period.js';
import { clipped, REPORT_TEXT_CHARS } from '../../services/upload-report.js';
import { sendDownload } from '../download.js';
import { HttpError, notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';
import { defaultPeriod, MANAGERS, periodSelect } from './entry.js';
import { uploadedName } from './entry-files.js';

/**
 * The events ledger (事件台账) of a period, for the township: the events by unit, input and date,
 * filtered by unit and input; an event added from lists (unit and input by name, level from a
 * list), changed, or withdrawn after a confirmation; a sheet imported whole or not at all, and its
 * template. No script: each step is a form.
 */

const ledgerHref = (period: string, extra: Record<string, string> = {}, fragment?: string) => urlOf(['events'], { period, ...extra }, fragment);
const eventHref = (id: number) => urlOf(['events', id]);

/** The posted fields of an event, as text (a list posted twice is refused as the text it makes). */
function postedFields(body: Record<string, unknown>): EventFields {
  const one = (v: unknown) => (Array.isArray(v) ? v.map(String).join(',') : v === undefined || v === null ? '' : String(v));
  return { unit: one(body.unit), input: one(body.input), level: one(body.level), points: one(body.points), date: one(body.date), note: one(body.note) };
}

/** The form's text, each field cut to what a form may show again (a name is anything a browser sends). */
function formValues(fields: EventFields): Record<EventField, string> {
  const cut = (v: unknown, n: number) => clipped(typeof v === 'string' ? v : '', n);
  return { unit: cut(fields.unit, 100), input: cut(fields.input, 100), level: cut(fields.level, 40), points: cut(fields.points, 20), date: cut(fields.date, 20), note: cut(fields.note, NOTE_MAX * 2) };
}

type FieldErrors = Record<string, Array<{ code: string; message: string }>>;

function errorsOf(e: EventRefused): FieldErrors {
  const out: FieldErrors = {};
  for (const p of e.problems) (out[p.field] ??= []).push({ code: p.code, message: p.message });
  return out;
}

interface LedgerData extends LedgerUnits { period: PeriodSpec; }

async function ledgerData(ctx: Context, period: PeriodSpec): Promise<LedgerData> {
  return { period, ...await ledgerUnits(ctx.db, period.id, ctx.user!.username) };
}

/** The add and edit form's choices: units by name (within their parent), or a field to type one in; inputs by label, levels grouped by input. */
function formChoices(d: LedgerData, values: Record<EventField, string>) {
  const parentName = (id: string | null) => (id ? d.known.get(id)?.name ?? '' : '');
  return {
    units: d.units?.map((u) => ({ id: u.id, name: u.name, parent: parentName(u.parent_id), selected: u.id === values.unit })),
    unitText: d.units ? '' : d.known.get(values.unit)?.name ?? values.unit,
    inputs: d.inputs.map((i) => ({ name: i.name, label: i.label, allowed: allowedText(i), selected: i.name === values.input || i.label === values.input })),
    levelGroups: d.inputs.filter((i) => i.levels.length).map((i) => ({
      label: i.label, levels: i.levels.map((l) => ({ name: l.name, points: l.points, unit: '分', selected: l.name === values.level })),
    })),
    hasRange: d.inputs.some((i) => i.range),
    maxDate: today(), noteMax: NOTE_MAX,
  };
}

/** Who recorded, changed and withdrew an event: the accounts its line names. */
function actorsOfEvent(e: EventRow): Array<string | null> {
  return [e.recorded_by, e.changed_by, e.withdrawn_by];
}

function eventLine(d: LedgerData, e: EventRow, actor: (u: string | null) => string, files: EventFileRow[] = []) {
  const unit = d.known.get(e.unit_id);
  const kind = unit && !unit.disabled_at && d.inputs.some((i) => i.subject === unit.kind) ? unit.kind : undefined;
  const input = kind ? inputFor(d.inputs, kind, e.input) : d.inputs.find((i) => i.name === e.input);
  const points = eventPoints(input, e);
  return {
    id: e.id, unit: unit?.name ?? '（已删除的单位）', input: input?.label ?? '（细则中已没有的台账）',
    level: e.level, points: points === undefined ? '' : `${points}分`, date: e.happened_on, dateWords: dateInWords(e.happened_on), note: e.note,
    recordedBy: actor(e.recorded_by), recordedAt: e.recorded_at, changedBy: e.changed_by ? actor(e.changed_by) : '', changedAt: e.changed_at,
    withdrawn: e.withdrawn_at !== null, withdrawnBy: e.withdrawn_by ? actor(e.withdrawn_by) : '', withdrawnAt: e.withdrawn_at, href: eventHref(e.id),
    files: files.filter((f) => f.event_id === e.id).map((f) => ({ name: f.file_name, size: sizeInWords(f.size), href: urlOf(['events', e.id, 'files', f.id]) })),
  };
}

async function askedPeriod(req: Request, ctx: Context): Promise<string> {
  return typeof req.query.period === 'string' && req.query.period.trim() ? req.query.period.trim().slice(0, 40) : defaultPeriod(ctx);
}

// ---- GET /events: the ledger of a period; POST /events: add an event ----

async function renderLedger(ctx: Context, asked: string, query: { unit?: string; input?: string }, form: { values?: Record<EventField, string>; errors?: FieldErrors }, status = 200): Promise<void> {
  const page = { title: '事件台账', periods: await periodSelect(ctx, asked) };
  let period: PeriodSpec;
  try {
    period = periodOf(asked);
  } catch (e) {
    if (!(e instanceof PeriodInvalid)) throw e;
    return ctx.render('events', { ...page, periodError: e.message }, 400);
  }
  const d = await ledgerData(ctx, period);
  // A filter the form does not offer (an unknown unit, a 2,000-character input) is left out, and said so.
  const unit = await filterUnit(ctx.db, d, query.unit);
  const input = query.input && d.inputs.some((i) => i.name === query.input) ? query.input : undefined;
  const ignored = (!!query.unit && !unit) || (!!query.input && !input);
  const events = await ledgerEvents(ctx.db, period.id, { unitId: unit, input });
  await knowUnitsOf(ctx.db, d, events);
  const actor = await actorNames(ctx.db, events.flatMap(actorsOfEvent));
  const files = await filesOfEvents(ctx.db, events.map((e) => e.id));
  const rows = events.map((e) => eventLine(d, e, actor, files));
  const values = form.values ?? { unit: unit ?? '', input: input ?? (d.inputs.length === 1 ? d.inputs[0].name : ''), level: '', points: '', date: '', note: '' };
  const standing = rows.filter((r) => !r.withdrawn).length;
  // A period whose result is under 公示 or final: a change here changes no published result (a correction does).
  const published = (await Promise.all([...new Set(d.inputs.map((i) => i.subject))].map((s) => publishedWarning(ctx.db, period.id, s))))
    .filter((w) => w !== null).map((w) => w.text);
  ctx.render('events', {
    ...page, period, hasInputs: d.inputs.length > 0, ignored, published,
    filter: d.inputs.length === 0 ? undefined : {
      units: d.units?.map((u) => ({ id: u.id, name: u.name, selected: u.id === unit })), unitText: query.unit ?? '',
      inputs: d.inputs.map((i) => ({ name: i.name, label: i.label, selected: i.name === input })), filtered: !!unit || !!input,
      clearHref: ledgerHref(period.id),
    },
    rows, standing, withdrawn: rows.length - standing,
    inputs: d.inputs.map((i) => ({ label: i.label, allowed: allowedText(i), rulesetTitle: i.rulesetTitle })),
    form: { ...formChoices(d, values), values, errors: form.errors ?? {}, errorCount: Object.values(form.errors ?? {}).flat().length, action: urlOf(['events']) },
    uploadHref: urlOf(['events', 'upload'], { period: period.id }),
    templates: { xlsx: urlOf(['events', 'template.xlsx'], { period: period.id }), csv: urlOf(['events', 'template.csv'], { period: period.id }) },
  }, status);
}

const queryText = (v: unknown) => (typeof v === 'string' && v.length <= 100 ? v : typeof v === 'string' || Array.isArray(v) ? '\u0000' : undefined);

async function ledgerPage(req: Request, _res: Response, ctx: Context): Promise<void> {
  await renderLedger(ctx, await askedPeriod(req, ctx), { unit: queryText(req.query.unit), input: queryText(req.query.input) }, {});
}

function postedPeriod(body: Record<string, unknown>): PeriodSpec {
  try {
    return periodOf(typeof body.period === 'string' ? body.period : '');
  } catch (e) {
    if (e instanceof PeriodInvalid) throw new HttpError(400, e.message, e.code);
    throw e;
  }
}

async function add(req: Request, res: Response, ctx: Context): Promise<void> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const period = postedPeriod(body);
  const fields = postedFields(body);
  try {
    await addEvent(ctx.db, { periodId: period.id, fields, by: ctx.user!.username, files: sentFiles(req) });
  } catch (e) {
    if (e instanceof PeriodInvalid) throw new HttpError(400, e.message, e.code);
    if (!(e instanceof EventRefused)) throw e;
    return renderLedger(ctx, period.id, {}, { values: formValues(fields), errors: errorsOf(e) }, 422);
  }
  req.session.flash = '已记录一起事件';
  res.redirect(303, ledgerHref(period.id, {}, 'ledger'));
}

// ---- GET /events/:id: change or withdraw one event; POST /events/:id, POST /events/:id/withdraw ----


async function renderEvent(ctx: Context, row: EventRow, form: { values?: Record<EventField, string>; errors?: FieldErrors }, status = 200): Promise<void> {
  const period = periodOf(row.period_id);
  const d = await ledgerData(ctx, period);
  await knowUnitsOf(ctx.db, d, [row]);
  const line = eventLine(d, row, await actorNames(ctx.db, actorsOfEvent(row)), await filesOfEvents(ctx.db, [row.id]));
  const values = form.values ?? { unit: row.unit_id, input: row.input, level: row.level ?? '', points: row.points === null ? '' : String(row.points), date: row.happened_on, note: row.note };
  ctx.render('event', {
    title: `修改事件 · ${line.unit}`, period, event: line,
    form: { ...formChoices(d, values), values, errors: form.errors ?? {}, errorCount: Object.values(form.errors ?? {}).flat().length, action: eventHref(row.id) },
    withdrawAction: urlOf(['events', row.id, 'withdraw']), backHref: ledgerHref(period.id, {}, 'ledger'),
  }, status);
}

async function eventPage(req: Request, _res: Response, ctx: Context): Promise<void> {
  await renderEvent(ctx, await eventOf(req, ctx), {});
}

async function edit(req: Request, res: Response, ctx: Context): Promise<void> {
  const row = await eventOf(req, ctx);
  const fields = postedFields((req.body ?? {}) as Record<string, unknown>);
  try {
    await editEvent(ctx.db, { periodId: row.period_id, id: row.id, fields, by: ctx.user!.username, files: sentFiles(req) });
  } catch (e) {
    if (e instanceof EventRefused) return renderEvent(ctx, row, { values: formValues(fields), errors: errorsOf(e) }, 422);
    if (e instanceof EventMissing) throw new HttpError(409, e.message, e.code);
    throw e;
  }
  req.session.flash = '已修改这一事件';
  res.redirect(303, ledgerHref(row.period_id, {}, 'ledger'));
}

async function withdraw(req: Request, res: Response, ctx: Context): Promise<void> {
  const row = await eventOf(req, ctx);
  if (!(req.body as Record<string, unknown> | undefined)?.confirm) return renderEvent(ctx, row, { errors: { withdraw: [{ code: 'WITHDRAW_UNCONFIRMED', message: '请勾选“确认撤回”后再撤回' }] } }, 422);
  try {
    await withdrawLedgerEvent(ctx.db, { periodId: row.period_id, id: row.id, by: ctx.user!.username });
  } catch (e) {
    if (e instanceof EventMissing) throw new HttpError(409, e.message, e.code);
    throw e;
  }
  req.session.flash = '已撤回这一事件：它留在台账中，不再计分';
  res.redirect(303, ledgerHref(row.period_id, {}, 'ledger'));
}

// ---- importing a sheet, and its template ----

async function renderUpload(ctx: Context, asked: string, extra: Record<string, unknown>, status = 200): Promise<void> {
  let period: PeriodSpec | undefined;
  try { period = periodOf(asked); } catch (e) { if (!(e instanceof PeriodInvalid)) throw e; }
  const inputs = period ? await ledgerInputs(ctx.db, period.id, ctx.user!.username) : [];
  ctx.render('events-upload', {
    title: '导入事件台账', periods: await periodSelect(ctx, asked), period, columns: Object.values(EVENT_COLUMNS),
    inputs: inputs.map((i) => ({ label: i.label, allowed: allowedText(i) })),
    templates: period && { xlsx: urlOf(['events', 'template.xlsx'], { period: period.id }), csv: urlOf(['events', 'template.csv'], { period: period.id }) },
    backHref: ledgerHref(period?.id ?? asked), ...extra,
  }, status);
}

async function uploadPage(req: Request, _res: Response, ctx: Context): Promise<void> {
  await renderUpload(ctx, await askedPeriod(req, ctx), {});
}

/** Problems the page lists; the count says how many there are in all. */
const REPORT_ROWS = 1000;

async function upload(req: Request, res: Response, ctx: Context): Promise<void> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const period = postedPeriod(body);
  const file = req.file;
  if (!file) return renderUpload(ctx, period.id, { error: '请选择要导入的事件台账文件（CSV 或 XLSX）' }, 422);
  const fileName = uploadedName(file.originalname);
  const shownName = clipped(fileName, REPORT_TEXT_CHARS.column);
  if (/\.json$/i.test(fileName)) return renderUpload(ctx, period.id, { error: `${shownName} 不是 CSV 或 XLSX 文件` }, 422);
  let table;
  try {
    table = await readTable(file.buffer, fileName);
    const result = await importEvents(ctx.db, { periodId: period.id, table, fileBytes: file.buffer, by: ctx.user!.username });
    req.session.flash = `已从 ${shownName} 导入${period.title}的 ${result.events} 起事件${result.blankRows ? `；另有 ${result.blankRows} 行没有填写事件，未导入` : ''}`;
    res.redirect(303, ledgerHref(period.id, {}, 'ledger'));
  } catch (e) {
    if (!(e instanceof DataInvalid)) throw e;
    const sheet = e instanceof SheetProblems ? { ...(table ?? { file: '', columns: [], rows: [] }), columnAt: e.columnAt } : table ?? { file: '', columns: [], rows: [] };
    const problems = e.problems.slice(0, REPORT_ROWS).map((p) => ({
      row: p.row, cell: cellOf(p, sheet), column: clipped(p.column, REPORT_TEXT_CHARS.column), code: p.code, message: clipped(p.message, REPORT_TEXT_CHARS.message),
    }));
    await renderUpload(ctx, period.id, { report: { file: shownName, count: e.problems.length, shown: problems.length, more: e.problems.length > problems.length, problems } }, 422);
  }
}

async function templateDownload(req: Request, res: Response, ctx: Context): Promise<void> {
  const format = req.params.format;
  if (format !== 'xlsx' && format !== 'csv') throw notFound();
  let period: PeriodSpec;
  try {
    period = periodOf(await askedPeriod(req, ctx));
  } catch (e) {
    if (e instanceof PeriodInvalid) throw new HttpError(400, e.message, e.code);
    throw e;
  }
  const out = await eventsTemplateFile(ctx.db, period.id, format, ctx.user!.username);
  sendDownload(res, out.fileName, format, out.bytes);
}

export const eventRoutes: RouteSpec[] = [
  { method: 'get', path: '/events', access: MANAGERS, handle: ledgerPage },
  { method: 'post', path: '/events', access: MANAGERS, upload: EVENT_UPLOAD, handle: add },
  { method: 'get', path: '/events/upload', access: MANAGERS, handle: uploadPage },
  { method: 'post', path: '/events/upload', access: MANAGERS, upload: true, handle: upload },
  { method: 'get', path: '/events/template.:format', access: MANAGERS, handle: templateDownload },
  { method: 'get', path: '/events/:id', access: MANAGERS, handle: eventPage },
  { method: 'post', path: '/events/:id', access: MANAGERS, upload: EVENT_UPLOAD, handle: edit },
  { method: 'post', path: '/events/:id/withdraw', access: MANAGERS, handle: withdraw },
  eventFileRoute,
];
