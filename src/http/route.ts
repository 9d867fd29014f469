import type { Request, Response } from 'express';
import type { Db } from '../db/connection.js';
import type { Role, UserRow } from '../db/queries/users.js';
import type { Views } from './views.js';

/**
 * A route as data (Kutt's pipeline, Ghost's plain objects): who may use it, which of
 * its parameters is a unit a village or staff account may only name as its own, and the
 * handler. The app mounts the pipeline; the access test walks this same table.
 */
export type Access = 'public' | Role[];

export interface RouteSpec {
  method: 'get' | 'post';
  path: string;
  access: Access;
  /** For village and staff accounts: this route parameter must be their own unit, or the answer is 404. */
  ownUnit?: string;
  /**
   * For village and staff accounts: the unit whose record the request names, looked up (an
   * appeal's unit); not their own, or none, and the answer is 404, written to the audit log.
   */
  owner?: (req: Request, db: Db) => Promise<string | undefined>;
  /**
   * A multipart upload (parsed before the CSRF check reads the form): `true` for one file in
   * the field `file` of at most 20 MB, or the field, how many files and how large each may be.
   */
  upload?: boolean | UploadLimits;
  handle: (req: Request, res: Response, ctx: Context) => Promise<void>;
}

/** `field` '*': files under any field name (each route reads the names it knows). */
export interface UploadLimits { field: string; files: number; fileSize: number; fields?: number; }

export interface Context {
  db: Db;
  views: Views;
  user: UserRow | null;
  /** Renders a page into the layout with the common locals (user, CSRF token, navigation). */
  render(page: string, data: Record<string, unknown>, status?: number): void;
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code = 'HTTP_ERROR') { super(message); }
}

export const notFound = (what = '页面') => new HttpError(404, `找不到该${what}`, 'NOT_FOUND');
