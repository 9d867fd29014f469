import type { Request, Response } from 'express';
import { getUnit } from '../../db/queries/units.js';
import { listUsers, type Role } from '../../db/queries/users.js';
import { UNIT_ID_MAX_CHARS, UNIT_NAME_MAX_CHARS } from '../../services/unit-ids.js';
import {
  addUnit, DISABLEABLE, moveUnit, renameUnit, setUnitDisabled, UNIT_KINDS, UnitRefused, unitTree, type UnitNode,
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

/** The units another may be placed under: every unit but a staff member, by name in tree order. */
function parentOptions(tree: UnitNode[], chosen: string | null | undefined, except?: string) {
  return tree.filter((n) => n.unit.kind !== 'staff' && n.unit.id !== except)
    .map((n) => ({ id: n.unit.id, label: `${'　'.repeat(Math.min(n.depth, 4))}${n.unit.name}`, selected: n.unit.id === chosen }));
}

interface AddForm { id: string; name: string; kind: string; parent: string; }

async function treePage(ctx: Context, extra: { error?: string; form?: Partial<AddForm> } = {}, status = 200): Promise<void> {
  const tree = await unitTree(ctx.db);
  const form = extra.form ?? { kind: 'village' };
  ctx.render('admin/units', {
    title: '单位管理', error: extra.error, form, idMax: UNIT_ID_MAX_CHARS, nameMax: UNIT_NAME_MAX_CHARS,
    units: tree.map((n) => ({ name: n.unit.name, kindName: n.kindName, depth: n.depth, disabled: !!n.unit.disabled_at, href: urlOf(['admin', 'units', n.unit.id]) })),
    kinds: Object.entries(UNIT_KINDS).map(([id, name]) => ({ id, name, selected: id === form.kind })),
    parents: parentOptions(tree, form.parent),
  }, status);
}

async function unitPage(ctx: Context, id: string, extra: { error?: string } = {}, status = 200): Promise<void> {
  const [tree, users] = await Promise.all([unitTree(ctx.db), listUsers(ctx.db)]);
  const node = tree.find((n) => n.unit.id === id);
  const unit = node?.unit ?? (await getUnit(ctx.db, id));
  if (!unit) throw notFound('单位');
  // Whom disabling the unit keeps out: its accounts.
  const accounts = users.filter((u) => u.unit_id === unit.id)
    .map((u) => ({ displayName: u.display_name, username: u.username, disabled: u.disabled, href: urlOf(['admin', 'accounts', u.username]) }));
  ctx.render('admin/unit', {
    title: `单位：${unit.name}`, unit, kindName: UNIT_KINDS[unit.kind] ?? '其他', parentName: node?.parentName ?? '', disabled: !!unit.disabled_at,
    accounts, disableable: DISABLEABLE.has(unit.kind), base: urlOf(['admin', 'units', unit.id]), nameMax: UNIT_NAME_MAX_CHARS,
    parents: parentOptions(tree, unit.parent_id, unit.id), mayBeTop: !['village', 'group', 'staff'].includes(unit.kind),
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
  { method: 'get', path: '/admin/units', access: ADMIN, handle: async (_req, _res, ctx) => treePage(ctx) },
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
        await treePage(ctx, { error: e.message, form }, 400);
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
