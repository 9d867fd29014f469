import { inboxLines, INBOX_LIMIT, markMessagesRead } from '../../services/inbox.js';
import { HttpError, type RouteSpec } from '../route.js';

/** Each account's messages (消息): 公示 started or near its end, appeals filed and answered, corrections. */

export const inboxRoutes: RouteSpec[] = [
  {
    method: 'get', path: '/inbox', access: ['admin', 'leader', 'village', 'staff'],
    handle: async (_req, _res, ctx) => {
      const inbox = await inboxLines(ctx.db, ctx.user!.id);
      ctx.render('inbox', { title: '消息', ...inbox, more: inbox.total > inbox.lines.length, limit: INBOX_LIMIT });
    },
  },
  {
    // Marks one message read (id), or all of them (no id); only ever the account's own.
    method: 'post', path: '/inbox/read', access: ['admin', 'leader', 'village', 'staff'],
    handle: async (req, res, ctx) => {
      const raw = req.body.id;
      let id: number | undefined;
      if (raw !== undefined && raw !== '') {
        id = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
        if (!Number.isInteger(id) || id <= 0) throw new HttpError(400, '要标记的消息无效', 'BAD_MESSAGE');
      }
      const n = await markMessagesRead(ctx.db, ctx.user!.id, id);
      if (id === undefined) req.session.flash = n > 0 ? `已将${n}条消息标为已读` : '没有未读消息';
      res.redirect(303, '/inbox');
    },
  },
];
