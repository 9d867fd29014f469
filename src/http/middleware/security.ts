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
