import type { Request, Response } from 'express';
import { getUnit } from '../../db/queries/units.js';
import { usersOfUnit, type Role } from '../../db/queries/users.js';
import { UNIT_ID_MAX_CHARS, UNIT_NAME_MAX_CHARS } from '../../services/unit-ids.js';
import {
  addUnit, browseUnits, DISABLEABLE, moveUnit, parentChoices, renameUnit, setUnitDisabled, UNIT_KINDS, UNITS_PAGE, UnitRefused,
  type UnitLine, type UnitNode,
} from '../../services/unit-records.js';
import { notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';

/**
 * The unit tree in the browser (管理员 only): the tree by name, adding a unit, renaming,
 * moving it under another parent and disabling a village or a staff member. Runs keep
 * the snapshot and names they were made with (unit-records.ts).
 */

const ADMIN: Role[] = ['admin'];
const field = (req: Request, name: string) => (typeof req.body?.[name] === 'string' ? (req.body[name] as string) : '');

/** The parent select's options (tree order, indented), or none where the parent is typed (parentChoices). */
function parentOptions(choices: UnitNode[] | undefined, chosen: string | null | undefined) {
  return choices?.map((n) => ({ id: n.unit.id, label: `${'　'.repeat(Math.min(n.depth, 4))}${n.unit.name}`, selected: n.unit.id === chosen }));
}

interface AddForm { id: string; name: string; kind: string; parent: string; }

/** The list's place, as the query asks: a unit to look under, a search, a page (anything else is none). */
function listQuery(req: Request): { under?: string; q?: string; page: number } {
  const under = typeof req.query.under === 'string' && req.query.under !== '' ? req.query.under.slice(0, 200) : undefined;
  const q = typeof req.query.q === 'string' ? [...req.query.q.trim()].slice(0, 64).join('') : '';
  const page = typeof req.query.page === 'string' && /^\d{1,6}$/.test(req.query.page) ? Math.max(1, Number(req.query.page)) : 1;
  return { under, q: q || undefined, page };
}

async function treePage(ctx: Context, ask: { under?: string; q?: string; page: number }, extra: { error?: string; form?: Partial<AddForm> } = {}, status = 200): Promise<void> {
  const [found, choices] = await Promise.all([browseUnits(ctx.db, ask), parentChoices(ctx.db)]);
  if (!found) throw notFound('单位');
  const form = extra.form ?? { kind: 'village' };
  const line = (l: UnitLine) => ({
    name: l.unit.name, kindName: l.kindName, parentName: l.parentName, disabled: !!l.unit.disabled_at, href: urlOf(['admin', 'units', l.unit.id]),
    children: l.children, childrenHref: l.children > 0 ? urlOf(['admin', 'units'], { under: l.unit.id }) : undefined,
  });
  const listed = 'tree' in found ? undefined : { total: found.total, pages: Math.max(1, Math.ceil(found.total / UNITS_PAGE)) };
  const keep = 'q' in found ? { q: found.q } : 'under' in found && found.under ? { under: found.under.id } : {};
  const pageHref = (page: number) => (listed && page >= 1 && page <= listed.pages && page !== ask.page ? urlOf(['admin', 'units'], { ...keep, page: String(page) }) : undefined);
  ctx.render('admin/units', {
    title: '单位管理', error: extra.error, form, idMax: UNIT_ID_MAX_CHARS, nameMax: UNIT_NAME_MAX_CHARS, q: ask.q ?? '',
    units: 'tree' in found ? found.tree.map((n) => ({ name: n.unit.name, kindName: n.kindName, depth: n.depth, disabled: !!n.unit.disabled_at, href: urlOf(['admin', 'units', n.unit.id]) })) : undefined,
    lines: 'lines' in found ? found.lines.map(line) : undefined,
    searched: 'q' in found, underName: 'under' in found ? found.under?.name : undefined,
    path: 'path' in found ? found.path.map((u) => ({ name: u.name, href: urlOf(['admin', 'units'], { under: u.id }) })) : undefined,
    total: listed?.total, page: ask.page, pages: listed?.pages, prevHref: pageHref(ask.page - 1), nextHref: pageHref(ask.page + 1),
    kinds: Object.entries(UNIT_KINDS).map(([id, name]) => ({ id, name, selected: id === form.kind })),
    parents: parentOptions(choices, form.parent), parentText: choices ? undefined : form.parent ?? '',
  }, status);
}

async function unitPage(ctx: Context, id: string, extra: { error?: string } = {}, status = 200): Promise<void> {
  const unit = await getUnit(ctx.db, id);
  if (!unit) throw notFound('单位');
  const [parent, users, choices] = await Promise.all([unit.parent_id ? getUnit(ctx.db, unit.parent_id) : undefined, usersOfUnit(ctx.db, unit.id), parentChoices(ctx.db, unit.id)]);
  // Whom disabling the unit keeps out: its accounts.
  const accounts = users.map((u) => ({ displayName: u.display_name, username: u.username, disabled: u.disabled, href: urlOf(['admin', 'accounts', u.username]) }));
  ctx.render('admin/unit', {
    title: `单位：${unit.name}`, unit, kindName: UNIT_KINDS[unit.kind] ?? '其他', parentName: parent?.name ?? '', disabled: !!unit.disabled_at,
    parentHref: parent ? urlOf(['admin', 'units', parent.id]) : undefined, childrenHref: unit.kind === 'staff' ? undefined : urlOf(['admin', 'units'], { under: unit.id }),
    accounts, disableable: DISABLEABLE.has(unit.kind), base: urlOf(['admin', 'units', unit.id]), nameMax: UNIT_NAME_MAX_CHARS,
    parents: parentOptions(choices, unit.parent_id), parentText: choices ? undefined : '', mayBeTop: !['village', 'group', 'staff'].includes(unit.kind),
    ...extra,
  }, status);
}

async function onUnit(req: Request, res: Response, ctx: Context, change: (id: string) => Promise<string>): Promise<void> {
  const id = String(req.params.unitId);
  if (!(await getUnit(ctx.db, id))) throw notFound('单位');
  let done: string;
  try {
    done = await change(id);
  } catch (e) {
    if (!(e instanceof UnitRefused)) throw e;
    return unitPage(ctx, id, { error: e.message }, 400);
  }
  req.session.flash = done;
  res.redirect(303, urlOf(['admin', 'units', id]));
}

export const unitRecordRoutes: RouteSpec[] = [
  { method: 'get', path: '/admin/units', access: ADMIN, handle: async (req, _res, ctx) => treePage(ctx, listQuery(req)) },
  {
    method: 'post', path: '/admin/units', access: ADMIN,
    handle: async (req, res, ctx) => {
      const form: AddForm = { id: field(req, 'id').slice(0, 1000), name: field(req, 'name').slice(0, 1000), kind: field(req, 'kind'), parent: field(req, 'parent') };
      try {
        const unit = await addUnit(ctx.db, { id: form.id, name: form.name, kind: form.kind, parentId: form.parent || null }, ctx.user!.username);
        req.session.flash = `已新增单位“${unit.name}”`;
        res.redirect(303, urlOf(['admin', 'units', unit.id]));
      } catch (e) {
        if (!(e instanceof UnitRefused)) throw e;
        await treePage(ctx, { page: 1 }, { error: e.message, form }, 400);
      }
    },
  },
  { method: 'get', path: '/admin/units/:unitId', access: ADMIN, handle: async (req, _res, ctx) => unitPage(ctx, String(req.params.unitId)) },
  {
    method: 'post', path: '/admin/units/:unitId/rename', access: ADMIN,
    handle: (req, res, ctx) => onUnit(req, res, ctx, async (id) => {
      await renameUnit(ctx.db, id, field(req, 'name').slice(0, 1000), ctx.user!.username);
      return '已修改单位名称；已有的考核结果仍用当时的名称';
    }),
  },
  {
    method: 'post', path: '/admin/units/:unitId/move', access: ADMIN,
    handle: (req, res, ctx) => onUnit(req, res, ctx, async (id) => {
      await moveUnit(ctx.db, id, field(req, 'parent'), ctx.user!.username);
      return '已调整上级单位';
    }),
  },
  {
    method: 'post', path: '/admin/units/:unitId/disable', access: ADMIN,
    handle: (req, res, ctx) => onUnit(req, res, ctx, async (id) => {
      await setUnitDisabled(ctx.db, id, true, ctx.user!.username);
      return '已停用该单位：不再出现在数据录入、模板和新的考核中，其账号不能登录；已有的考核结果不变';
    }),
  },
  {
    method: 'post', path: '/admin/units/:unitId/enable', access: ADMIN,
    handle: (req, res, ctx) => onUnit(req, res, ctx, async (id) => {
      await setUnitDisabled(ctx.db, id, false, ctx.user!.username);
      return '已启用该单位';
    }),
  },
];
