import type { Knex } from 'knex';
import { isPostgres, type Tx } from '../connection.js';

export interface ThrottleRow { key: string; failures: number; window_start: string; locked_until: string | null; }

export async function throttleOf(db: Tx, key: string): Promise<ThrottleRow | undefined> {
  return db('login_throttle').where({ key }).first();
}

export async function clearThrottle(db: Tx, key: string): Promise<void> {
  await db('login_throttle').where({ key }).delete();
}

/** A count to reserve an attempt against: its key, how many attempts a window allows, how long a window and a lock last. */
export interface Reservation { key: string; max: number; windowMs: number; lockMs: number; }

/** What a reservation found: this attempt's number in its window (more than `max`: refused), and the lock. */
export interface Reserved { key: string; failures: number; window_start: string; locked_until: string | null; }

/**
 * Reserves one attempt against every key at once, in one statement, before any password
 * is checked: each key's count goes up by one and comes back, so concurrent attempts each
 * get their own number and no two read the same count. Per key:
 *  - locked (its lock not yet over): the count goes on, the lock stays as it is;
 *  - its lock over, or its window over: a new window, this attempt the first;
 *  - otherwise: the count goes on, and the attempt that reaches `max` sets the lock.
 * Times are ISO strings of one fixed form (`toISOString`), so they compare as text.
 * Keys are given in one order by every caller (accounts before addresses), so two
 * statements on PostgreSQL always lock rows in the same order and never deadlock.
 */
export async function reserveAttempt(db: Tx, reservations: Reservation[], now: number): Promise<Reserved[]> {
  const nowIso = new Date(now).toISOString();
  const values: unknown[] = [];
  const max: unknown[] = [], cutoff: unknown[] = [], lockUntil: unknown[] = [];
  for (const r of reservations) {
    const until = new Date(now + r.lockMs).toISOString();
    values.push(r.key, nowIso, r.max <= 1 ? until : null);
    max.push(r.key, r.max);
    cutoff.push(r.key, new Date(now - r.windowMs).toISOString());
    lockUntil.push(r.key, until);
  }
  const perKey = (cast: string) => `CASE login_throttle."key" ${reservations.map(() => `WHEN ? THEN ${cast}`).join(' ')} END`;
  const locked = 'login_throttle.locked_until > ?';
  const stale = `(login_throttle.locked_until IS NOT NULL OR login_throttle.window_start < ${perKey('?')})`;
  const sql = `INSERT INTO login_throttle ("key", failures, window_start, locked_until)
    VALUES ${reservations.map(() => '(?, 1, ?, ?)').join(', ')}
    ON CONFLICT ("key") DO UPDATE SET
      failures = CASE WHEN ${locked} THEN login_throttle.failures + 1 WHEN ${stale} THEN 1 ELSE login_throttle.failures + 1 END,
      window_start = CASE WHEN ${locked} THEN login_throttle.window_start WHEN ${stale} THEN excluded.window_start ELSE login_throttle.window_start END,
      locked_until = CASE WHEN ${locked} THEN login_throttle.locked_until WHEN ${stale} THEN excluded.locked_until
        WHEN login_throttle.failures + 1 >= ${perKey('CAST(? AS integer)')} THEN ${perKey('?')} ELSE NULL END
    RETURNING "key", failures, window_start, locked_until`;
  const bindings = [
    ...values,
    nowIso, ...cutoff, // failures
    nowIso, ...cutoff, // window_start
    nowIso, ...cutoff, ...max, ...lockUntil, // locked_until
  ];
  const result = await db.raw(sql, bindings as never[]);
  const rows = (Array.isArray(result) ? result : result.rows) as Reserved[];
  return reservations.map((r) => {
    const row = rows.find((x) => x.key === r.key)!;
    return { ...row, failures: Number(row.failures) };
  });
}

/**
 * Removes the counts whose window began before `cutoff` and that hold no lock after `now`:
 * the next attempt would start them afresh anyway. On PostgreSQL it passes over the rows a
 * reservation holds at that moment, so that it never waits for one (nor one for it, in turn).
 */
export async function pruneThrottle(db: Tx, cutoff: string, now: string): Promise<number> {
  const stale = (q: Knex.QueryBuilder) => q.where('window_start', '<', cutoff).andWhere((w) => w.whereNull('locked_until').orWhere('locked_until', '<=', now));
  if (!isPostgres(db)) return stale(db('login_throttle')).delete();
  return db('login_throttle').whereIn('key', stale(db('login_throttle').select('key')).forUpdate().skipLocked()).delete();
}

/**
 * Gives back an attempt reserved in the window that began at `windowStart` and that turned
 * out not to be a failure; the lock goes with it when the failures left are under `max`.
 */
export async function giveBackAttempt(db: Tx, key: string, windowStart: string, max: number): Promise<void> {
  await db('login_throttle').where({ key, window_start: windowStart }).andWhere('failures', '>', 0).update({
    failures: db.raw('failures - 1'),
    locked_until: db.raw('CASE WHEN failures - 1 < ? THEN NULL ELSE locked_until END', [max]),
  });
}
