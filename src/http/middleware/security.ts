import helmet from 'helmet';
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from '../route.js';

/**
 * Security headers on every response (helmet) with a strict Content-Security-Policy:
 * no script at all, styles and images only from this site; charts are SVG drawn on the
 * server, so the pages need none.
 */
export const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'none'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
  },
  strictTransportSecurity: { maxAge: 15552000, includeSubDomains: false },
  referrerPolicy: { policy: 'same-origin' },
});

/** A state-changing request from a page of another site is refused, whatever its token. */
export function sameOrigin(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  const origin = req.get('origin');
  if (origin && origin !== 'null') {
    let host: string;
    try { host = new URL(origin).host; } catch { return next(new HttpError(403, '来源不明的请求已被拒绝', 'FOREIGN_ORIGIN')); }
    if (host !== req.get('host')) return next(new HttpError(403, '来自其他网站的请求已被拒绝', 'FOREIGN_ORIGIN'));
  }
  next();
}

/**
 * Nothing the application answers is kept by a browser or a proxy: every page (behind a
 * login, and the login page with its CSRF token), every export, redirect and error page
 * is `Cache-Control: no-store` — on a township office's shared PC, the next person must
 * not find another village's scorecard in the history or the cache. `Pragma: no-cache`
 * for HTTP/1.0 caches. Only /static (mounted before this) may be cached. Entity tags stay:
 * a browser that stores nothing never revalidates, and a tag is only answered to the
 * session that was sent the page (each page carries its session's CSRF token).
 */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  keepNothing(res);
  next();
}

/** The headers of noStore, set by the error page again: an error raised before noStore ran (a static file that cannot be read) skips it. */
export function keepNothing(res: Response): void {
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
}
