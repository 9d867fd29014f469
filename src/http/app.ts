import { listAssessments, type AssessmentRow } from '../services/assessments.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import { csrfSync } from 'csrf-sync';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DISK_FULL_MESSAGE, isDiskFull, type Db } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import type { UserRow } from '../db/queries/users.js';
import { ROLES } from '../services/accounts.js';
import { remindDeadlinesNow, unreadMessages, type ReminderLinks } from '../services/inbox.js';
import { dummyHash } from '../services/passwords.js';
import { ROOT } from '../paths.js';
import { currentUser, sessions } from './middleware/session.js';
import { keepNothing, noStore, sameOrigin, securityHeaders } from './middleware/security.js';
import { HttpError, notFound, type Context, type RouteSpec, type UploadLimits } from './route.js';
import { ROUTES } from './routes/index.js';
import { urlOf } from './url.js';
import { canGzip, gzipParts } from './compression.js';
import { createViews, Fragment, type PageParts, type Views } from './views.js';

/**
 * The web application: security headers → static files → no-store for all else → body → session → account →
 * same-origin check → each route's pipeline (access → ownership → a page's unread count → upload → CSRF →
 * handler) → one error page (an id to quote, never a stack trace).
 */

export const UPLOAD_LIMIT_BYTES = 20 * 1024 * 1024;

export interface AppOptions { db: Db; trustProxy?: boolean; log?: (line: Record<string, unknown>) => void; }

/**
 * A form's parser whose failures on a body it cannot read (cut short on a weak connection, a part with no header)
 * answer 400: busboy's errors reach express as plain Errors, which would read as the server's own fault. multer's
 * own (a limit passed, a field it does not take) are its MulterErrors, told in words by the error handler.
 */
function wholeForm(parse: express.RequestHandler): express.RequestHandler {
  return (req, res, next) => parse(req, res, (err?: unknown) => {
    if (err === undefined || err instanceof multer.MulterError || (err as { code?: string }).code !== undefined) return next(err);
    next(new HttpError(400, '上传的表单不完整（可能是网络中断），请重新选择文件后再提交', 'BAD_UPLOAD'));
  });
}

export function createApp(opts: AppOptions): express.Express {
  const { db } = opts;
  const log = opts.log ?? ((line) => process.stderr.write(`${JSON.stringify(line)}\n`));
  const views = createViews(path.join(ROOT, 'views'));
  // Made now, so that the first login naming no account costs what every later one does.
  void dummyHash();
  const app = express();
  app.disable('x-powered-by');
  if (opts.trustProxy) app.set('trust proxy', 1);
  app.use(securityHeaders);
  app.use('/static', express.static(path.join(ROOT, 'public'), { maxAge: '1h', index: false }));
  app.use(noStore);
  app.use(express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 5000 }));
  app.use(sessions(db, log));
  app.use(currentUser(db));
  app.use(sameOrigin);

  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => (req.body?._csrf as string | undefined) ?? req.get('x-csrf-token'),
  });
  // Browsers send a file's name as UTF-8 bytes without saying so: read them as UTF-8, so 村级数据.csv arrives intact.
  const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 20 } });
  /** A route's own limits (an appeal's evidence: five files of 10 MB): its field, files and size, told in words when exceeded. */
  const uploadOf = (limits: UploadLimits): express.RequestHandler[] => {
    const parser = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: limits.fileSize, files: limits.files, fields: limits.fields ?? 20 } });
    // '*': files under any field (a report's, one field per figure: file:<input>), the route reads only its own.
    const parse = limits.field === '*' ? parser.any() : parser.array(limits.field, limits.files);
    return [
      (_req, res, next) => { res.locals.uploadLimits = limits; next(); },
      declaredSizeWithinLimit,
      wholeForm(parse),
    ];
  };

  /**
   * What the frame of every page shows (main.hbs): the signed-in user with their role, the menu,
   * and the form token its 退出 sends. An error page asks for a token only for a signed-in user,
   * and shows itself without one when its session cannot take it.
   */
  const frameOf = (req: Request, res: Response, onError = false) => {
    const user = res.locals.user as UserRow | null;
    let csrfToken = '';
    if (req.session && (!onError || user)) {
      try { csrfToken = generateToken(req); } catch (e) { if (!onError) throw e; }
    }
    return {
      user, roleName: user ? ROLES[user.role] : null, csrfToken, nav: navigationFor(user, res.locals.unread as number | undefined),
      assessmentNav: assessmentNavigation(user, res.locals.assessments as AssessmentRow[] | undefined),
    };
  };

  const contextFor = (req: Request, res: Response): Context => ({
    db, views, user: res.locals.user as UserRow | null,
    render(page, data, status = 200) {
      const flash = req.session?.flash;
      if (flash) delete req.session.flash;
      const html = views.render(page, { ...data, ...frameOf(req, res), flash });
      res.status(status).type('html');
      if (typeof html === 'string') res.send(html);
      else sendParts(req, res, html);
    },
  });

  for (const route of ROUTES) {
    const pipeline: express.RequestHandler[] = [];
    pipeline.push((req, res, next) => {
      const user = res.locals.user as UserRow | null;
      if (route.access === 'public') return next();
      if (!user) {
        if (req.method === 'GET') return res.redirect(urlOf(['login'], { next: req.originalUrl }));
        return next(new HttpError(401, '请先登录', 'NOT_SIGNED_IN'));
      }
      if (!route.access.includes(user.role)) return denied(req, user, route, next);
      if (route.ownUnit && (user.role === 'village' || user.role === 'staff') && req.params[route.ownUnit] !== user.unit_id) {
        return denied(req, user, route, next);
      }
      if (route.owner && (user.role === 'village' || user.role === 'staff')) {
        return route.owner(req, db).then((unit) => (unit !== undefined && unit === user.unit_id ? next() : denied(req, user, route, next)), next);
      }
      next();
    });
    if (route.method === 'get' && route.access !== 'public') pipeline.push(messagesOfPage);
    if (route.method === 'post') {
      if (route.upload === true) pipeline.push(declaredSizeWithinLimit, wholeForm(upload.single('file')));
      else if (route.upload) pipeline.push(...uploadOf(route.upload));
      pipeline.push(csrfSynchronisedProtection);
    }
    pipeline.push((req, res, next) => {
      route.handle(req, res, contextFor(req, res)).catch(next);
    });
    app[route.method](route.path, ...pipeline);
  }

  /**
   * What a signed-in account's page shows of its inbox: the unread count in the header (one
   * indexed count, on a read-only connection). Serving a page is also when due 公示 reminders
   * are looked for (services/inbox.ts says why), in the background: no page waits for them.
   */
  async function messagesOfPage(_req: Request, res: Response, next: NextFunction): Promise<void> {
    const user = res.locals.user as UserRow;
    remindDeadlinesNow(db, REMINDER_LINKS, (e) => log({ level: 'error', event: 'review.deadline', error: String((e as Error)?.stack ?? e) }));
    try {
      res.locals.unread = await unreadMessages(db, user.id);
      // The assessments the managers' menu lists (kept in memory: no query on most pages).
      if (user.role === 'admin' || user.role === 'leader') res.locals.assessments = await listAssessments(db);
    } catch (e) {
      return next(e);
    }
    next();
  }

  /** Another's record is answered as if it did not exist, and the attempt is written down. */
  function denied(req: Request, user: UserRow, route: RouteSpec, next: NextFunction): void {
    appendAudit(db, {
      at: new Date().toISOString(), actor: user.username, action: 'access.denied', subject: `${req.method} ${req.originalUrl}`.slice(0, 500),
      detail: JSON.stringify({ route: route.path, role: user.role, unit: user.unit_id }),
    }).then(() => next(notFound()), next);
  }

  app.use((_req, _res, next) => next(notFound()));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const id = randomBytes(4).toString('hex');
    let status = 500, message = '服务器出错了，请把下面的错误编号告诉管理员', code = 'INTERNAL';
    const e = err as { status?: number; statusCode?: number; code?: string; message?: string };
    if (err instanceof HttpError) ({ status, message, code } = err);
    else if (e?.code === 'EBADCSRFTOKEN' || (e?.statusCode === 403 && /csrf/i.test(e.message ?? ''))) {
      status = 403; code = 'CSRF'; message = '表单已过期或来源不明，请刷新页面后重试';
    } else if (e?.code === 'LIMIT_FILE_SIZE' || e?.statusCode === 413 || e?.status === 413) {
      const limits = res.locals.uploadLimits as UploadLimits | undefined;
      status = 413; code = 'TOO_LARGE';
      message = limits ? `上传的文件太大：每个文件不超过 ${limits.fileSize / 1024 / 1024} MB，最多 ${limits.files} 个` : `上传的文件太大（不超过 ${UPLOAD_LIMIT_BYTES / 1024 / 1024} MB）`;
    } else if (e?.code === 'LIMIT_FILE_COUNT' && res.locals.uploadLimits) {
      status = 400; code = 'TOO_MANY_FILES'; message = `最多上传 ${(res.locals.uploadLimits as UploadLimits).files} 个文件，请减少后重新提交`;
    } else if (err instanceof multer.MulterError) {
      // A form the upload page never sends (another file field, too many parts): the request is wrong, not the server.
      status = 400; code = 'BAD_UPLOAD'; message = '上传的表单无效，请从上传页面重新选择文件';
    } else if (isDiskFull(err)) {
      // 507 Insufficient Storage (RFC 4918): the server cannot store what the request asks it
      // to, until someone frees space; 503 would invite a retry that fails again the same way.
      status = 507; code = 'DISK_FULL'; message = DISK_FULL_MESSAGE;
    } else if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      status = e.status; code = 'BAD_REQUEST'; message = '请求无效';
    }
    log({ level: status >= 500 ? 'error' : 'warn', id, status, code, method: req.method, url: req.originalUrl, error: status >= 500 ? String((err as Error)?.stack ?? err) : message });
    if (res.headersSent) return;
    keepNothing(res);
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(status).json({ error: { code, message, id } });
      return;
    }
    // In the frame every other page has: its title, and the signed-in user with their role and a working 退出.
    // Headed in words, not by the status number. The reference (in the log beside the code) is shown where someone
    // will pass it on: a fault of the server's own, or to the administrator; a village is told what to do, no more.
    const title = status === 404 ? '找不到页面' : status === 507 ? '存储空间已满' : status === 403 ? '无法处理该请求' : status === 413 ? '文件太大' : status >= 500 ? '服务器出错了' : '请求无效';
    res.status(status).type('html').send(views.render('error', { status, message, id, title, showReference: status >= 500 || (res.locals.user as UserRow | null)?.role === 'admin', ...frameOf(req, res, true) }));
  });
  return app;
}

/**
 * An upload whose declared length is already over the limit is answered 413 at once,
 * before a byte of its body is read (multer would read up to the limit first). The
 * multipart framing adds a little, so the allowance is the limit plus 64 KB.
 */
function declaredSizeWithinLimit(req: Request, res: Response, next: NextFunction): void {
  const declared = Number(req.get('content-length'));
  const limits = res.locals.uploadLimits as UploadLimits | undefined;
  const total = limits ? limits.fileSize * limits.files : UPLOAD_LIMIT_BYTES;
  if (Number.isFinite(declared) && declared > total + 64 * 1024) {
    // The rest of the body is not wanted: the connection closes once the answer is sent.
    res.set('Connection', 'close');
    const message = limits ? `上传的文件太大：每个文件不超过 ${limits.fileSize / 1024 / 1024} MB，最多 ${limits.files} 个` : `上传的文件太大（不超过 ${UPLOAD_LIMIT_BYTES / 1024 / 1024} MB）`;
    return next(new HttpError(413, message, 'TOO_LARGE'));
  }
  next();
}

/**
 * A page made of parts, sent as they are (what res.send does for one body: the entity
 * tag, 304 when the reader has it already, nothing but headers for HEAD), without
 * copying a large kept fragment into one buffer or hashing it again for each reader;
 * gzip-compressed for a reader who accepts it (kept fragments are compressed once).
 */
function sendParts(req: Request, res: Response, page: PageParts): void {
  res.vary('Accept-Encoding');
  const gzip = canGzip && req.acceptsEncodings('gzip', 'identity') === 'gzip';
  res.set('ETag', gzip ? page.etag.replace(/"$/, '-gzip"') : page.etag);
  if (req.fresh) {
    res.status(304);
    res.removeHeader('Content-Type');
    res.end();
    return;
  }
  const parts = gzip ? gzipParts(page) : page.parts.map((p) => (p instanceof Fragment ? p.bytes : p));
  if (gzip) res.set('Content-Encoding', 'gzip');
  res.set('Content-Length', String(parts.reduce((n, p) => n + p.length, 0)));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  res.cork();
  for (const part of parts) res.write(part);
  res.uncork();
  res.end();
}

/** Where a 公示 reminder leads: a unit's appeals of the run, or the run's page. */
const REMINDER_LINKS: ReminderLinks = {
  unitAppeals: (unitId, unitKind, runId) => urlOf([unitKind === 'staff' ? 'staff' : 'units', unitId, 'appeals'], { run: runId }),
  run: (runId) => urlOf(['runs', runId]),
};

interface NavItem { href: string; label: string; count?: number }

/** The managers' second menu: each assessment in use by its title, leading to its runs and rankings. */
function assessmentNavigation(user: UserRow | null, assessments: AssessmentRow[] | undefined): NavItem[] {
  if (!user || (user.role !== 'admin' && user.role !== 'leader') || !assessments) return [];
  return assessments.map((a) => ({ href: urlOf(['runs'], { assessment: a.id }), label: a.title }));
}

/** The menu a role sees; 消息 with its unread count, when the page knows it. */
function navigationFor(user: UserRow | null, unread?: number): NavItem[] {
  if (!user) return [];
  const messages: NavItem = { href: '/inbox', label: '消息', count: unread || undefined };
  switch (user.role) {
    case 'admin': return [{ href: '/runs', label: '考核与排名' }, { href: '/rules', label: '考核细则' }, { href: '/entry', label: '数据录入' }, { href: '/collection', label: '填报进度' }, { href: '/events', label: '事件台账' }, { href: '/report', label: '统计分析' }, { href: '/appeals', label: '申诉' }, { href: '/audit', label: '审计记录' }, { href: '/admin/accounts', label: '账号' }, { href: '/admin/units', label: '单位' }, { href: '/admin/assessments', label: '考核设置' }, { href: '/admin/backup', label: '备份' }, messages];
    case 'leader': return [{ href: '/runs', label: '考核与排名' }, { href: '/rules', label: '考核细则' }, { href: '/entry', label: '数据录入' }, { href: '/collection', label: '填报进度' }, { href: '/events', label: '事件台账' }, { href: '/report', label: '统计分析' }, { href: '/appeals', label: '申诉' }, { href: '/audit', label: '审计记录' }, messages];
    case 'village': return [{ href: urlOf(['units', user.unit_id ?? '']), label: '本村记分卡' }, { href: '/reporting', label: '数据填报' }, { href: urlOf(['units', user.unit_id ?? '', 'appeals']), label: '申诉' }, messages];
    case 'staff': return [{ href: urlOf(['staff', user.unit_id ?? '']), label: '我的考核' }, { href: '/reporting', label: '数据填报' }, { href: urlOf(['staff', user.unit_id ?? '', 'appeals']), label: '申诉' }, messages];
  }
}
