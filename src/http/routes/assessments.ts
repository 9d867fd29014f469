import type { Request, Response } from 'express';
import type { Role } from '../../db/queries/users.js';
import { rulesetTitles } from '../../db/queries/overview.js';
import {
  addAssessment, allAssessments, ASSESSMENT_TITLE_MAX_CHARS, AssessmentRefused, moveAssessment, renameAssessment, ruleSetChoices,
  setAssessmentDisabled, UNIT_KIND_TITLES, type AssessmentRow,
} from '../../services/assessments.js';
import { notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';

/**
 * The assessments (考核) in the browser (管理员 only): the list in the township's order, adding
 * one (its title, the kind of unit it appraises, the shipped rule set it is scored with),
 * renaming, moving up and down, disabling and enabling. Runs keep their results whatever
 * is changed here (services/assessments.ts).
 */

const ADMIN: Role[] = ['admin'];
const field = (req: Request, name: string) => (typeof req.body?.[name] === 'string' ? (req.body[name] as string) : '');

interface AddForm { title: string; unitKind: string; ruleset: string; }

/** Rule set titles by id: the shipped ones, and any other the record holds. */
async function ruleTitles(ctx: Context): Promise<Map<string, string>> {
  const titles = await rulesetTitles(ctx.db);
  for (const kind of Object.keys(UNIT_KIND_TITLES)) for (const r of ruleSetChoices(kind)) titles.set(r.id, r.title);
  return titles;
}

async function listPage(ctx: Context, extra: { error?: string; form?: Partial<AddForm> } = {}, status = 200): Promise<void> {
  const all = await allAssessments(ctx.db);
  const titles = await ruleTitles(ctx);
  const form = extra.form ?? { unitKind: 'village' };
  ctx.render('admin/assessments', {
    title: '考核管理', error: extra.error, form, titleMax: ASSESSMENT_TITLE_MAX_CHARS,
    assessments: all.map((a, k) => ({
      title: a.title, kindName: UNIT_KIND_TITLES[a.unit_kind] ?? '', ruleTitle: titles.get(a.ruleset_id) ?? '（细则未导入）', disabled: !!a.disabled_at,
      place: k + 1, href: urlOf(['admin', 'assessments', a.id]), first: k === 0, last: k === all.length - 1,
    })),
    kinds: Object.entries(UNIT_KIND_TITLES).map(([id, name]) => ({ id, name, selected: id === form.unitKind })),
    // One group of rule sets per kind of unit: the form works without script, the service checks the pair.
    ruleGroups: Object.entries(UNIT_KIND_TITLES).map(([kind, name]) => ({
      label: `考核${name}的细则`, rules: ruleSetChoices(kind).map((r) => ({ id: r.id, title: r.title, selected: r.id === form.ruleset })),
    })).filter((g) => g.rules.length > 0),
  }, status);
}

async function assessmentPage(ctx: Context, a: AssessmentRow, extra: { error?: string } = {}, status = 200): Promise<void> {
  const all = await allAssessments(ctx.db);
  const k = all.findIndex((x) => x.id === a.id);
  ctx.render('admin/assessment', {
    title: `考核：${a.title}`, assessment: a, kindName: UNIT_KIND_TITLES[a.unit_kind] ?? '', ruleTitle: (await ruleTitles(ctx)).get(a.ruleset_id) ?? '（细则未导入）',
    disabled: !!a.disabled_at, place: k + 1, count: all.length, first: k === 0, last: k === all.length - 1,
    base: urlOf(['admin', 'assessments', a.id]), titleMax: ASSESSMENT_TITLE_MAX_CHARS, runsHref: urlOf(['runs'], { assessment: a.id }),
    ...extra,
  }, status);
}

async function existing(ctx: Context, req: Request): Promise<AssessmentRow> {
  const id = String(req.params.assessmentId);
  const a = (await allAssessments(ctx.db)).find((x) => x.id === id);
  if (!a) throw notFound('考核');
  return a;
}

/** A change to one assessment: done, back to where it was asked with what was done; refused, its page with why. */
async function onAssessment(req: Request, res: Response, ctx: Context, change: (a: AssessmentRow) => Promise<string>, back?: string): Promise<void> {
  const a = await existing(ctx, req);
  let done: string;
  try {
    done = await change(a);
  } catch (e) {
    if (!(e instanceof AssessmentRefused)) throw e;
    return assessmentPage(ctx, a, { error: e.message }, 400);
  }
  req.session.flash = done;
  res.redirect(303, back ?? urlOf(['admin', 'assessments', a.id]));
}

export const assessmentRoutes: RouteSpec[] = [
  { method: 'get', path: '/admin/assessments', access: ADMIN, handle: async (_req, _res, ctx) => listPage(ctx) },
  {
    method: 'post', path: '/admin/assessments', access: ADMIN,
    handle: async (req, res, ctx) => {
      const form: AddForm = { title: field(req, 'title').slice(0, 1000), unitKind: field(req, 'unitKind').slice(0, 16), ruleset: field(req, 'ruleset').slice(0, 200) };
      try {
        const a = await addAssessment(ctx.db, { title: form.title, unitKind: form.unitKind, rulesetId: form.ruleset }, ctx.user!.username);
        req.session.flash = `已新增考核“${a.title}”：可在数据录入中选择它录入数据`;
        res.redirect(303, '/admin/assessments');
      } catch (e) {
        if (!(e instanceof AssessmentRefused)) throw e;
        await listPage(ctx, { error: e.message, form }, 400);
      }
    },
  },
  { method: 'get', path: '/admin/assessments/:assessmentId', access: ADMIN, handle: async (req, _res, ctx) => assessmentPage(ctx, await existing(ctx, req)) },
  {
    method: 'post', path: '/admin/assessments/:assessmentId/rename', access: ADMIN,
    handle: (req, res, ctx) => onAssessment(req, res, ctx, async (a) => {
      await renameAssessment(ctx.db, a.id, field(req, 'title').slice(0, 1000), ctx.user!.username);
      return '已修改考核名称；已有的考核结果不变，页面上显示新名称';
    }),
  },
  {
    method: 'post', path: '/admin/assessments/:assessmentId/move', access: ADMIN,
    handle: (req, res, ctx) => onAssessment(req, res, ctx, async (a) => {
      await moveAssessment(ctx.db, a.id, field(req, 'direction') === 'down' ? 1 : -1, ctx.user!.username);
      return '已调整考核的顺序';
    }, '/admin/assessments'),
  },
  {
    method: 'post', path: '/admin/assessments/:assessmentId/disable', access: ADMIN,
    handle: (req, res, ctx) => onAssessment(req, res, ctx, async (a) => {
      await setAssessmentDisabled(ctx.db, a.id, true, ctx.user!.username);
      return '已停用该考核：不再出现在导航、数据录入和新的考核中；已有的考核结果不变，可随时启用';
    }),
  },
  {
    method: 'post', path: '/admin/assessments/:assessmentId/enable', access: ADMIN,
    handle: (req, res, ctx) => onAssessment(req, res, ctx, async (a) => {
      await setAssessmentDisabled(ctx.db, a.id, false, ctx.user!.username);
      return '已启用该考核';
    }),
  },
];
