import type { Request, Response } from 'express';
import { getUnit, unitsByIds, unitsUpTo } from '../../db/queries/units.js';
import { usersPage, type Role, type UserRow } from '../../db/queries/users.js';
import {
  AccountRefused, accountUnit, addUser, DISPLAY_NAME_MAX_CHARS, renameUser, resetPassword, ROLES, setDisabled, UNIT_KIND_OF_ROLE, userByName,
} from '../../services/accounts.js';
import { MOST_CHOICES } from '../../services/choices.js';
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

/** Accounts the list shows a page (a province has 100,000). */
const ACCOUNTS_PAGE = 100;

/** The list's search and page, as the query asks (anything else is none). */
function listQuery(req: Request): { q: string; page: number } {
  const q = typeof req.query.q === 'string' ? [...req.query.q.trim()].slice(0, 64).join('') : '';
  const page = typeof req.query.page === 'string' && /^\d{1,6}$/.test(req.query.page) ? Math.max(1, Number(req.query.page)) : 1;
  return { q, page };
}

async function listPage(ctx: Context, query: { q: string; page: number }, extra: { error?: string; form?: Partial<AddForm>; created?: { user: UserRow; password: string } } = {}, status = 200): Promise<void> {
  const { rows: users, total } = await usersPage(ctx.db, query.q, ACCOUNTS_PAGE, (query.page - 1) * ACCOUNTS_PAGE);
  const [villages, staffUnits] = await Promise.all([unitsUpTo(ctx.db, MOST_CHOICES, { kinds: ['village'], enabled: true }), unitsUpTo(ctx.db, MOST_CHOICES, { kinds: ['staff'], enabled: true })]);
  const units = await unitsByIds(ctx.db, [...users.map((u) => u.unit_id), ...[...(villages ?? []), ...(staffUnits ?? [])].flatMap((u) => [u.id, u.parent_id])]);
  const nameOf = new Map(units.map((u) => [u.id, u]));
  const pages = Math.max(1, Math.ceil(total / ACCOUNTS_PAGE));
  const keep = query.q ? { q: query.q } : {};
  const accounts = users.map((u) => ({
    username: u.username, displayName: u.display_name, roleName: ROLES[u.role], href: urlOf(['admin', 'accounts', u.username]),
    unitName: u.unit_id ? nameOf.get(u.unit_id)?.name ?? '（单位已不存在）' : '', unitDisabled: !!(u.unit_id && nameOf.get(u.unit_id)?.disabled_at),
    disabled: u.disabled, passwordChangedAt: u.password_changed_at, self: u.username === ctx.user!.username,
  }));
  const form = extra.form ?? {};
  const options = (list: typeof villages, chosen: string | undefined) => list
    ?.map((u) => ({ id: u.id, name: u.name, parentName: u.parent_id ? nameOf.get(u.parent_id)?.name ?? '' : '', selected: u.id === chosen }));
  ctx.render('admin/accounts', {
    title: '账号管理', accounts, error: extra.error, created: extra.created && { ...extra.created, roleName: ROLES[extra.created.user.role] },
    form, nameMax: DISPLAY_NAME_MAX_CHARS, q: query.q, total, page: query.page, pages,
    prevHref: query.page > 1 ? urlOf(['admin', 'accounts'], { ...keep, page: String(query.page - 1) }) : undefined,
    nextHref: query.page < pages ? urlOf(['admin', 'accounts'], { ...keep, page: String(query.page + 1) }) : undefined,
    roles: Object.entries(ROLES).map(([id, name]) => ({ id, name, selected: id === (form.role ?? 'village') })),
    villages: options(villages, form.villageUnit), staff: options(staffUnits, form.staffUnit),
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
  { method: 'get', path: '/admin/accounts', access: ADMIN, handle: async (req, _res, ctx) => listPage(ctx, listQuery(req)) },
  {
    method: 'post', path: '/admin/accounts', access: ADMIN,
    handle: async (req, _res, ctx) => {
      const form: AddForm = {
        username: field(req, 'username').trim().slice(0, 64), displayName: field(req, 'displayName').slice(0, 1000), role: field(req, 'role'),
        villageUnit: field(req, 'villageUnit'), staffUnit: field(req, 'staffUnit'),
      };
      const role = form.role as Role;
      const kind = Object.hasOwn(UNIT_KIND_OF_ROLE, role) ? UNIT_KIND_OF_ROLE[role] : undefined;
      const unitText = (kind === 'village' ? form.villageUnit : kind === 'staff' ? form.staffUnit : '').trim().slice(0, 100);
      try {
        const unitId = kind ? await accountUnit(ctx.db, kind, unitText) : unitText;
        const { username, password } = await addUser(ctx.db, { username: form.username, role, unitId: unitId || null, displayName: form.displayName.trim() || undefined }, ctx.user!.username);
        await listPage(ctx, { q: '', page: 1 }, { created: { user: (await userByName(ctx.db, username))!, password } });
      } catch (e) {
        if (!(e instanceof AccountRefused)) throw e;
        await listPage(ctx, { q: '', page: 1 }, { error: e.message, form }, 400);
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
