import type { Request, Response } from 'express';
import { actorNames } from '../../services/actors.js';
import { entryList, inputOf } from '../../db/queries/inputs.js';
import { listPeriods } from '../../db/queries/periods.js';
import { unitNames, unitPlace, type UnitRow } from '../../db/queries/units.js';
import { DataInvalid, type CompiledRuleSet, type DataProblem } from '../../engine/index.js';
import { localDate } from '../../local-time.js';
import {
  enteredInputs, periodChoices, periodOf, saveUnitInputs, storedText, trackRules, unitForEntry, type TrackRules,
} from '../../services/entry.js';
import { newestPeriodsFirst, PeriodInvalid, type PeriodSpec } from '../../services/period.js';
import { publishedWarning } from '../../services/publication.js';
import { HttpError, notFound, type Context, type RouteSpec } from '../route.js';
import { dict, own } from '../../engine/own.js';
import { assessmentOptions, assessmentTitle, isAssessment, listAssessments } from '../../services/assessments.js';
import { urlOf } from '../url.js';
import { inputControl, type FieldProblem } from '../input-fields.js';
import { parentChoices } from '../../services/collection-board.js';
import { inputHistory } from '../../services/input-history.js';

/** Data entry: which units have their data in, and a form per unit and period (uploads and templates: entry-files.ts). */

export const MANAGERS: RouteSpec['access'] = ['admin', 'leader'];

export const statusHref = (period: string, track: string, fragment?: string) => urlOf(['entry'], { period, track }, fragment);
const formHref = (period: string, track: string, unitId: string) => urlOf(['entry', period, track, unitId]);

/** The links to a period's template, as XLSX and as CSV (entry-files.ts). */
export const templateLinks = (period: string, track: string) => ({
  xlsx: urlOf(['entry', 'template.xlsx'], { period, track }), csv: urlOf(['entry', 'template.csv'], { period, track }),
});

/** Units the entry list shows a page. */
const ENTRY_PAGE = 50;

/** This year as a township's wall calendar has it (北京时间). */
const thisYear = () => Number(localDate(Date.now()).slice(0, 4));

/** The period a page opens on when none is asked for: the newest one, else this year. */
export async function defaultPeriod(ctx: Context): Promise<string> {
  return newestPeriodsFirst(await listPeriods(ctx.db))[0]?.id ?? String(thisYear());
}

/** The periods a form's select offers (partials/entry/period-field.hbs), in words. */
export async function periodSelect(ctx: Context, selected: string) {
  return periodChoices(newestPeriodsFirst(await listPeriods(ctx.db)).map((p) => p.id), selected, thisYear());
}

// ---- the form's fields: values as text, limits as the engine will check them, problems beside their field ----

/** Stored values as the form shows them: booleans as 是/否, numbers as written. */
function storedCells(ruleset: CompiledRuleSet, values: Record<string, unknown>): Record<string, string> {
  const cells = dict<string>();
  for (const input of enteredInputs(ruleset)) {
    const v = storedText(own(values, input.name));
    if (v !== undefined) cells[input.name] = v;
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

/** One field per input, in the rule set's order, with the control the browser should show (no script needed). */
function fieldsOf(ruleset: CompiledRuleSet, values: Record<string, string>, problems: Map<string, FieldProblem[]>) {
  return enteredInputs(ruleset).map((input) => inputControl(input, values[input.name] ?? '', problems.get(input.name) ?? []));
}

// ---- GET /entry: the units of a track for a period, entered or not ----

async function statusPage(req: Request, _res: Response, ctx: Context): Promise<void> {
  // The first assessment in use when none is asked for.
  const track = typeof req.query.track === 'string' && req.query.track ? req.query.track : (await listAssessments(ctx.db))[0]?.id ?? 'village';
  if (!(await isAssessment(ctx.db, track))) throw new HttpError(400, '考核类别无效', 'BAD_TRACK');
  const asked = typeof req.query.period === 'string' && req.query.period.trim() ? req.query.period : await defaultPeriod(ctx);
  const page = { title: '数据录入', tracks: await assessmentOptions(ctx.db, track), trackName: await assessmentTitle(ctx.db, track), periods: await periodSelect(ctx, asked) };
  let period: PeriodSpec;
  try {
    period = periodOf(asked);
  } catch (e) {
    if (!(e instanceof PeriodInvalid)) throw e;
    return ctx.render('entry', { ...page, periodError: e.message }, 400);
  }
  const { ruleset } = await trackRules(ctx.db, track, ctx.user!.username);
  // A page at a time (a province's units are 100,000), filtered by township, name and whether entered.
  const q = req.query as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const filter = {
    parentId: str(q.parent) || undefined, search: [...str(q.q)].slice(0, 50).join('') || undefined,
    entered: str(q.state) === 'entered' ? true : str(q.state) === 'missing' ? false : undefined,
  };
  const pageNo = /^\d{1,6}$/.test(str(q.page)) ? Math.max(1, Number(str(q.page))) : 1;
  const { rows, total, entered } = await entryList(ctx.db, period.id, track, ruleset.subject, { ...filter, limit: ENTRY_PAGE, offset: (pageNo - 1) * ENTRY_PAGE });
  const nameOf = await unitNames(ctx.db, rows.map((u) => u.parent_id));
  const actor = await actorNames(ctx.db, rows.map((r) => r.entered_by));
  const list = rows.map((r) => ({
    id: r.unit_id, name: r.unit_name, parentName: r.parent_id ? nameOf.get(r.parent_id) ?? '' : '', href: formHref(period.id, track, r.unit_id),
    entered: r.entered_at !== null, by: actor(r.entered_by, r.report_id ? r.unit_name : undefined), at: r.entered_at ?? undefined,
    via: r.entered_at === null ? '' : r.report_id ? '单位填报' : r.batch_id === null ? '表单' : '导入',
  }));
  const pages = Math.max(1, Math.ceil(total / ENTRY_PAGE));
  const keep = { period: period.id, track, ...(filter.parentId ? { parent: filter.parentId } : {}), ...(filter.search ? { q: filter.search } : {}), ...(str(q.state) ? { state: str(q.state) } : {}) };
  ctx.render('entry', {
    ...page, period, ruleset: { title: ruleset.title, version: ruleset.version },
    isNew: !page.periods.stored.some((p) => p.id === period.id), units: list, enteredCount: entered,
    track, matching: total, pageNo, pages, paged: pages > 1, filtered: filter.parentId !== undefined || filter.search !== undefined || filter.entered !== undefined,
    filter: { ...filter, state: str(q.state) }, parents: await parentChoices(ctx.db, ruleset.subject, filter.parentId),
    prevHref: pageNo > 1 ? urlOf(['entry'], { ...keep, page: String(pageNo - 1) }) : undefined,
    nextHref: pageNo < pages ? urlOf(['entry'], { ...keep, page: String(pageNo + 1) }) : undefined,
    uploadHref: urlOf(['entry', 'upload'], { period: period.id, track }), templates: templateLinks(period.id, track),
    eventsHref: urlOf(['events'], { period: period.id }), statisticsHref: urlOf(['entry', 'statistics'], { period: period.id, kind: ruleset.subject }),
  });
}

// ---- GET and POST /entry/:period/:track/:unitId: one unit's form ----

interface FormTarget { period: PeriodSpec; track: string; rules: TrackRules; unit: UnitRow; }

/** What the URL names, or 404: a well-formed period, a known track and a unit that track appraises. */
async function formTarget(req: Request, ctx: Context): Promise<FormTarget> {
  const track = String(req.params.track);
  if (!(await isAssessment(ctx.db, track))) throw notFound();
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

async function renderForm(ctx: Context, t: FormTarget, values: Record<string, string>, problems: DataProblem[], status = 200, unconfirmed = false): Promise<void> {
  const { ruleset } = t.rules;
  const published = await publishedWarning(ctx.db, t.period.id, t.track);
  const stored = await inputOf(ctx.db, t.period.id, t.track, t.unit.id);
  const { byField, general } = formProblems(ruleset, problems);
  ctx.render('entry-form', {
    title: `${t.unit.name} · ${t.period.title}数据录入`, unit: t.unit, period: t.period, track: t.track, trackName: await assessmentTitle(ctx.db, t.track),
    ruleset: { title: ruleset.title, version: ruleset.version }, stored, enteredBy: stored ? (await actorNames(ctx.db, [stored.entered_by]))(stored.entered_by, stored.report_id ? t.unit.name : undefined) : '', action: formHref(t.period.id, t.track, t.unit.id),
    backHref: statusHref(t.period.id, t.track), fields: fieldsOf(ruleset, values, byField), general,
    fieldErrorCount: [...byField.values()].reduce((n, list) => n + list.length, 0),
    linkedCount: ruleset.inputs.filter((i) => i.link).length,
    eventInputs: ruleset.inputs.filter((i) => i.type === 'events').map((i) => i.label), eventsHref: urlOf(['events'], { period: t.period.id }),
    published: published && { text: published.text, unconfirmed },
    history: await inputHistory(ctx.db, t.period.id, t.track, t.unit, ruleset),
  }, status);
}

async function formPage(req: Request, _res: Response, ctx: Context): Promise<void> {
  const t = await formTarget(req, ctx);
  const stored = await inputOf(ctx.db, t.period.id, t.track, t.unit.id);
  await renderForm(ctx, t, stored ? storedCells(t.rules.ruleset, JSON.parse(stored.input_values)) : {}, []);
}

async function saveForm(req: Request, res: Response, ctx: Context): Promise<void> {
  const t = await formTarget(req, ctx);
  const cells = postedCells(t.rules.ruleset, req.body ?? {});
  // A period whose result is under 公示 or final: saved only once the form's warning is confirmed.
  if (!req.body?.confirmPublished && (await publishedWarning(ctx.db, t.period.id, t.track))) return renderForm(ctx, t, cells, [], 422, true);
  try {
    await saveUnitInputs(ctx.db, { periodId: t.period.id, track: t.track, unitId: t.unit.id, cells, by: ctx.user!.username });
  } catch (e) {
    if (!(e instanceof DataInvalid)) throw e;
    return renderForm(ctx, t, cells, e.problems, 422);
  }
  req.session.flash = `已保存 ${t.unit.name}（${t.unit.id}）${t.period.title}的数据`;
  // Back to the page of the list the unit is on (a province's list is a thousand pages), at its line.
  const page = Math.floor((await unitPlace(ctx.db, t.rules.ruleset.subject, t.unit.id)) / ENTRY_PAGE) + 1;
  res.redirect(303, page > 1 ? urlOf(['entry'], { period: t.period.id, track: t.track, page: String(page) }, `unit-${t.unit.id}`) : statusHref(t.period.id, t.track, `unit-${t.unit.id}`));
}

export const entryRoutes: RouteSpec[] = [
  { method: 'get', path: '/entry', access: MANAGERS, handle: statusPage },
  { method: 'get', path: '/entry/:period/:track/:unitId', access: MANAGERS, handle: formPage },
  { method: 'post', path: '/entry/:period/:track/:unitId', access: MANAGERS, handle: saveForm },
];
