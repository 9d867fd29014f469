import type { Request, Response } from 'express';
import { getUnit, listEnabledUnits, listUnits } from '../../db/queries/units.js';
import type { Role, UserRow } from '../../db/queries/users.js';
import {
  AccountRefused, addUser, DISPLAY_NAME_MAX_CHARS, listUsers, renameUser, resetPassword, ROLES, setDisabled, UNIT_KIND_OF_ROLE, userByName,
} from '../../services/accounts.js';
import { notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';

/**
 * Accounts in the browser (管理员 only): the list, adding an account (a village or staff
 * account bound to its unit), the name people read, disabling and enabling, and a new
 * password. A password is shown once, on the page that answers the POST (every page is
 * no-store); never in a link, a flash or the log.
 */

const ADMIN: Role[] = ['admin'];
const field = (req: Request, name: string) => (typeof req.body?.[name] === 'string' ? (req.body[name] as string) : '');

interface AddForm { username: string; displayName: string; role: string; villageUnit: string; staffUnit: string; }

async function listPage(ctx: Context, extra: { error?: string; form?: Partial<AddForm>; created?: { user: UserRow; password: string } } = {}, status = 200): Promise<void> {
  const [users, units, enabled] = await Promise.all([listUsers(ctx.db), listUnits(ctx.db), listEnabledUnits(ctx.db)]);
  const nameOf = new Map(units.map((u) => [u.id, u]));
  const accounts = users.map((u) => ({
    username: u.username, displayName: u.display_name, roleName: ROLES[u.role], href: urlOf(['admin', 'accounts', u.username]),
    unitName: u.unit_id ? nameOf.get(u.unit_id)?.name ?? '（单位已不存在）' : '', unitDisabled: !!(u.unit_id && nameOf.get(u.unit_id)?.disabled_at),
    disabled: u.disabled, passwordChangedAt: u.password_changed_at, self: u.username === ctx.user!.username,
  }));
  const form = extra.form ?? {};
  const options = (kind: string, chosen: string | undefined) => enabled.filter((u) => u.kind === kind)
    .map((u) => ({ id: u.id, name: u.name, parentName: u.parent_id ? nameOf.get(u.parent_id)?.name ?? '' : '', selected: u.id === chosen }));
  ctx.render('admin/accounts', {
    title: '账号管理', accounts, error: extra.error, created: extra.created && { ...extra.created, roleName: ROLES[extra.created.user.role] },
    form, nameMax: DISPLAY_NAME_MAX_CHARS,
    roles: Object.entries(ROLES).map(([id, name]) => ({ id, name, selected: id === (form.role ?? 'village') })),
    villages: options('village', form.villageUnit), staff: options('staff', form.staffUnit),
  }, status);
}

async function accountOr404(ctx: Context, req: Request): Promise<UserRow> {
  const user = await userByName(ctx.db, String(req.params.username));
  if (!user) throw notFound('账号');
  return user;
}

async function accountPage(ctx: Context, user: UserRow, extra: { error?: string; password?: string } = {}, status = 200): Promise<void> {
  const unit = user.unit_id ? await getUnit(ctx.db, user.unit_id) : undefined;
  const self = user.username === ctx.user!.username;
  ctx.render('admin/account', {
    title: `账号：${user.display_name}`, account: user, accountRole: ROLES[user.role], unitName: unit?.name ?? '', unitDisabled: !!unit?.disabled_at,
    self, base: urlOf(['admin', 'accounts', user.username]), nameMax: DISPLAY_NAME_MAX_CHARS, ...extra,
  }, status);
}

/** A refused change answers on the account's page with the reason; anything else is the server's fault. */
async function onAccount(req: Request, res: Response, ctx: Context, change: (user: UserRow) => Promise<string | { password: string }>): Promise<void> {
  const user = await accountOr404(ctx, req);
  let done: string | { password: string };
  try {
    done = await change(user);
  } catch (e) {
    if (!(e instanceof AccountRefused)) throw e;
    return accountPage(ctx, user, { error: e.message }, e.code === 'USER_NOT_FOUND' ? 404 : 400);
  }
  if (typeof done === 'string') {
    req.session.flash = done;
    return res.redirect(303, urlOf(['admin', 'accounts', user.username]));
  }
  // The new password, on this page only.
  await accountPage(ctx, (await userByName(ctx.db, user.username))!, { password: done.password });
}

export const accountRoutes: RouteSpec[] = [
  { method: 'get', path: '/admin/accounts', access: ADMIN, handle: async (_req, _res, ctx) => listPage(ctx) },
  {
    method: 'post', path: '/admin/accounts', access: ADMIN,
    handle: async (req, _res, ctx) => {
      const form: AddForm = {
        username: field(req, 'username').trim().slice(0, 64), displayName: field(req, 'displayName').slice(0, 1000), role: field(req, 'role'),
        villageUnit: field(req, 'villageUnit'), staffUnit: field(req, 'staffUnit'),
      };
      const role = form.role as Role;
      const kind = Object.hasOwn(UNIT_KIND_OF_ROLE, role) ? UNIT_KIND_OF_ROLE[role] : undefined;
      const unitId = kind === 'village' ? form.villageUnit : kind === 'staff' ? form.staffUnit : '';
      try {
        const { username, password } = await addUser(ctx.db, { username: form.username, role, unitId: unitId || null, displayName: form.displayName.trim() || undefined }, ctx.user!.username);
        await listPage(ctx, { created: { user: (await userByName(ctx.db, username))!, password } });
      } catch (e) {
        if (!(e instanceof AccountRefused)) throw e;
        await listPage(ctx, { error: e.message, form }, 400);
      }
    },
  },
  { method: 'get', path: '/admin/accounts/:username', access: ADMIN, handle: async (req, _res, ctx) => accountPage(ctx, await accountOr404(ctx, req)) },
  {
    method: 'post', path: '/admin/accounts/:username/rename', access: ADMIN,
    handle: (req, res, ctx) => onAccount(req, res, ctx, async (user) => {
      await renameUser(ctx.db, user.username, field(req, 'displayName').slice(0, 1000), ctx.user!.username);
      return '已修改名称';
    }),
  },
  {
    method: 'post', path: '/admin/accounts/:username/disable', access: ADMIN,
    handle: (req, res, ctx) => onAccount(req, res, ctx, async (user) => {
      await setDisabled(ctx.db, user.username, true, ctx.user!.username);
      return `已停用账号 ${user.username}，其所有已登录的会话已结束`;
    }),
  },
  {
    method: 'post', path: '/admin/accounts/:username/enable', access: ADMIN,
    handle: (req, res, ctx) => onAccount(req, res, ctx, async (user) => {
      await setDisabled(ctx.db, user.username, false, ctx.user!.username);
      return `已启用账号 ${user.username}`;
    }),
  },
  {
    method: 'post', path: '/admin/accounts/:username/reset', access: ADMIN,
    handle: (req, res, ctx) => onAccount(req, res, ctx, async (user) => ({ password: await resetPassword(ctx.db, user.username, ctx.user!.username) })),
  },
];
