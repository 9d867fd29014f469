import { isPostgres, readAll, type Tx } from '../connection.js';
import type { UserRow } from './users.js';

/**
 * A live session's stored data and, in the same read, the account it names: every page
 * needs both. The table is the one connect-session-knex keeps (sid, JSON sess, expired),
 * and a session is live on its terms: not yet expired at `now`.
 */
export async function liveSessionWithAccount(db: Tx, sid: string, now = new Date()): Promise<{ sess: unknown; user: UserRow | undefined } | undefined> {
  const pg = isPostgres(db);
  const userId = db.raw(pg ? `(sessions.sess->>'userId')::integer` : `json_extract(sessions.sess, '$.userId')`);
  const [row] = (await readAll(db, db('sessions')
    .select('users.*', 'sessions.sess as sess')
    .leftJoin('users', (on) => { on.on('users.id', '=', userId); })
    .where('sessions.sid', sid)
    .andWhereRaw(pg ? 'CAST(? as timestamp with time zone) <= sessions.expired' : 'datetime(?) <= datetime(sessions.expired)', [now.toISOString()])
    .limit(1))) as Array<Record<string, unknown> & { sess: unknown }>;
  if (!row) return undefined;
  const { sess, ...account } = row;
  const user = account.id === null || account.id === undefined ? undefined : { ...account, disabled: Boolean(account.disabled) } as unknown as UserRow;
  return { sess: typeof sess === 'string' ? JSON.parse(sess) : sess, user };
}
