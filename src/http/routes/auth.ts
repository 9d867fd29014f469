import type { RouteSpec } from '../route.js';
import { login } from '../../services/accounts.js';
import { localClock, zoneName } from '../../local-time.js';

/** Signing in and out. The session id is renewed at login, so a planted id is worth nothing. */

const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/');

export const authRoutes: RouteSpec[] = [
  {
    method: 'get', path: '/login', access: 'public',
    handle: async (req, res, ctx) => {
      if (ctx.user) return res.redirect('/');
      ctx.render('login', { title: '登录', next: safeNext(req.query.next) });
    },
  },
  {
    method: 'post', path: '/login', access: 'public',
    handle: async (req, res, ctx) => {
      const username = String(req.body.username ?? '').trim();
      const password = String(req.body.password ?? '');
      const next = safeNext(req.body.next);
      const result = await login(ctx.db, username, password, req.ip ?? 'unknown');
      if (!result.ok) {
        const error = result.code === 'LOCKED'
          ? `登录失败次数过多，请于${zoneName()} ${localClock(result.until!)} 后再试`
          : '用户名或密码不正确';
        return ctx.render('login', { title: '登录', next, username: username.slice(0, 64), error }, result.code === 'LOCKED' ? 429 : 401);
      }
      const user = result.user;
      req.session.regenerate((err) => {
        if (err) return res.status(500).end();
        req.session.userId = user.id;
        req.session.epoch = user.session_epoch;
        req.session.startedAt = Date.now();
        req.session.save(() => res.redirect(303, next));
      });
    },
  },
  {
    method: 'post', path: '/logout', access: ['admin', 'leader', 'village', 'staff'],
    handle: async (req, res) => {
      req.session.destroy(() => {
        res.clearCookie('appraisal.sid');
        res.redirect(303, '/login');
      });
    },
  },
];
