import session, { type SessionData } from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../../db/connection.js';
import { liveSessionWithAccount } from '../../db/queries/sessions.js';
import { userById, type UserRow } from '../../db/queries/users.js';

/**
 * Sessions kept in the database (they survive a restart and are shared by several app
 * processes on PostgreSQL). The cookie is HttpOnly and SameSite, and Secure whenever
 * the request came over TLS. A session ends after 30 idle minutes, after 12 hours
 * whatever happens, and when its account is disabled or its password reset.
 */

export const IDLE_MS = 30 * 60_000;
export const ABSOLUTE_MS = 12 * 60 * 60_000;

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    epoch?: number;
    startedAt?: number;
    flash?: string;
  }
}

export function sessions(db: Db, log: (line: Record<string, unknown>) => void) {
  const store = sessionStore(db, log);
  throttleTouches(store);
  return session({
    name: 'appraisal.sid',
    secret: sessionSecret(),
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: IDLE_MS },
  });
}

/**
 * The account each request's session named when it was read, in the same query as the
 * session (every page needs both: one read instead of two). Only for the session as it
 * was loaded: one made or changed during the request is looked up on its own.
 */
const accountsRead = new WeakMap<object, { userId: unknown; user: UserRow | undefined }>();

export class SessionStore extends ConnectSessionKnexStore {
  /** Sessions read with their account, until express-session makes each into its request's session. */
  private readonly pending = new WeakMap<object, UserRow | undefined>();
  /**
   * Each session's write still under way. express-session sends a response's head (a
   * redirect, say) before its session is saved, and reads go through other connections
   * than writes (SQLite's read-only ones), so the next request could read the session as
   * it was: a read of a session waits for its writes first.
   */
  private readonly writing = new Map<string, Promise<unknown>>();

  private written<T>(sid: string, work: Promise<T>): Promise<T> {
    const settled = work.then(() => undefined, () => undefined);
    this.writing.set(sid, settled);
    void settled.then(() => { if (this.writing.get(sid) === settled) this.writing.delete(sid); });
    return work;
  }

  /**
   * Called express-session's way (with a callback), a failure goes to the callback alone:
   * express-session drops the promise, and one that rejected would end the process as an
   * unhandled rejection (a page read while the server shuts its database, say).
   */
  private answered<T>(work: Promise<T>, callback: ((err?: unknown) => void) | undefined, calledOnError: boolean): Promise<T> {
    if (!callback) return work;
    return work.catch((err: unknown) => {
      if (!calledOnError) callback(err);
      return undefined as T;
    });
  }

  // connect-session-knex calls the callback with a failure of set and destroy, not of touch.
  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): Promise<void> {
    // A session that names no account yet (the login page's form token) is written without
    // the page waiting for it: on SQLite a long write (an import of 100,000 rows holds the one
    // writer for seconds) would hold every visitor's login page. The next read of the session
    // waits for the write (get, above); one that failed leaves a form to send again.
    if (callback && session.userId === undefined) return this.inBackground(sid, super.set(sid, session), callback);
    return this.answered(this.written(sid, super.set(sid, session, callback)), callback, true);
  }

  /**
   * A touch only moves the idle expiry on (once a minute, throttleTouches): no page waits for it, nor does the next
   * read of the session. What that read would miss is a later expiry of a session live anyway; waiting for it made
   * every request of the session wait out the write's flush to disk (half a second on a busy disk, once a minute).
   */
  override touch(sid: string, session: SessionData, callback?: (err?: unknown) => void): Promise<void> {
    const work = super.touch(sid, session);
    if (callback) {
      callback();
      return work.catch(() => undefined);
    }
    return work;
  }

  private inBackground(sid: string, work: Promise<void>, callback: (err?: unknown) => void): Promise<void> {
    const quiet = this.written(sid, work).catch(() => undefined);
    callback();
    return quiet;
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): Promise<number> {
    return this.answered(this.written(sid, super.destroy(sid, callback)), callback, true);
  }

  override async get(sid: string, callback?: (err: unknown, session?: SessionData | null) => void): Promise<SessionData | null> {
    let session: SessionData | null = null;
    try {
      await this.ready;
      await this.writing.get(sid);
      const found = await liveSessionWithAccount(this.options.knex, sid);
      if (found) {
        session = found.sess as SessionData;
        this.pending.set(session, found.user);
      }
    } catch (err) {
      if (!callback) throw err;
      callback(err);
      return null;
    }
    callback?.(null, session);
    return session;
  }

  override createSession(req: Request, data: SessionData): session.Session & Partial<SessionData> {
    if (this.pending.has(data)) {
      accountsRead.set(req, { userId: data.userId, user: this.pending.get(data) });
      this.pending.delete(data);
    }
    return super.createSession(req, data);
  }
}

/**
 * A rolling session is touched on every request, which would be one database write per
 * page. The expiry only needs to move once a minute: the idle timeout is 30 minutes.
 */
const TOUCH_EVERY_MS = 60_000;
function throttleTouches(store: ConnectSessionKnexStore): void {
  const touch = store.touch.bind(store);
  const last = new Map<string, number>();
  store.touch = async (sid, session, callback) => {
    const now = Date.now();
    if (now - (last.get(sid) ?? 0) < TOUCH_EVERY_MS) return callback?.();
    if (last.size > 10_000) for (const [k, at] of last) if (now - at > IDLE_MS) last.delete(k);
    last.set(sid, now);
    return touch(sid, session, callback);
  };
}

/** The signing secret: SESSION_SECRET, or one made per process (sessions then end with the process). */
let generated: string | undefined;
function sessionSecret(): string {
  return process.env.SESSION_SECRET ?? (generated ??= crypto.randomUUID() + crypto.randomUUID());
}

/**
 * The sessions' store, which deletes expired sessions at once and then every ten minutes. `log`:
 * where a failed deletion is told (the app's log, one JSON line); one that failed because the
 * database was closed meanwhile (a server or test shutting down while the first one was under way)
 * is no fault, and is not told.
 */
export function sessionStore(db: Db, log: (line: Record<string, unknown>) => void): SessionStore {
  return new SessionStore({
    knex: db, tableName: 'sessions', createTable: false, cleanupInterval: 10 * 60_000,
    onDbCleanupError: (err: unknown) => { if (!closed(db)) log({ level: 'error', event: 'session.cleanup', error: String(err) }); },
  });
}

/** Whether knex has been destroyed (its pool is gone). */
function closed(db: Db): boolean {
  return (db.client as { pool?: unknown }).pool === undefined;
}

/** Loads the signed-in account into res.locals.user, ending sessions that must end. */
export function currentUser(db: Db) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    res.locals.user = null;
    const s = req.session;
    if (!s?.userId) return next();
    let user: UserRow | undefined;
    const read = accountsRead.get(req);
    if (read && read.userId === s.userId) {
      user = read.user;
    } else {
      try {
        user = await userById(db, s.userId);
      } catch (e) {
        return next(e);
      }
    }
    const expired = !s.startedAt || Date.now() - s.startedAt > ABSOLUTE_MS;
    if (!user || user.disabled || user.session_epoch !== s.epoch || expired) {
      s.destroy(() => {
        res.locals.user = null;
        next();
      });
      return;
    }
    res.locals.user = user;
    next();
  };
}
