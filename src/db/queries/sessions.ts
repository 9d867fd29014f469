import { isPostgres, pageRead, type Tx } from '../connection.js';
import type { UserRow } from './users.js';

const sessionWithAccount = pageRead((db, sid: string, now: string) => {
  const pg = isPostgres(db);
  const userId = db.raw(pg ? `(sessions.sess->>'userId')::integer` : `json_extract(sessions.sess, '$.userId')`);
  return db('sessions')
    .select('users.*', 'sessions.sess as sess')
    .leftJoin('users', (on) => { on.on('users.id', '=', userId); })
    .where('sessions.sid', sid)
    .andWhereRaw(pg ? 'CAST(? as timestamp with time zone) <= sessions.expired' : 'datetime(?) <= datetime(sessions.expired)', [now])
    .limit(1);
});

/**
 * A live session's stored data and, in the same read, the account it names: every page
 * needs both. The table is the one connect-session-knex keeps (sid, JSON sess, expired),
 * and a session is live on its terms: not yet expired at `now`.
 */
export async function liveSessionWithAccount(db: Tx, sid: string, now = new Date()): Promise<{ sess: unknown; user: UserRow | undefined } | undefined> {
  const [row] = (await sessionWithAccount(db, sid, now.toISOString())) as Array<Record<string, unknown> & { sess: unknown }>;
  if (!row) return undefined;
  const { sess, ...account } = row;
  const user = account.id === null || account.id === undefined ? undefined : { ...account, disabled: Boolean(account.disabled) } as unknown as UserRow;
  return { sess: typeof sess === 'string' ? JSON.parse(sess) : sess, user };
}
