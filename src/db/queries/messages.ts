import { IN_CHUNK, insertMany } from '../chunks.js';
import { pageRead, type Tx } from '../connection.js';
import type { Role } from './users.js';

export interface MessageRow {
  id: number; user_id: number; kind: string; title: string; body: string | null; link: string | null;
  created_at: string; read_at: string | null; dedupe: string | null;
}

/** The ids of the enabled accounts with one of these roles, or bound to one of these units. */
export async function recipientIds(db: Tx, to: { roles?: Role[]; unitIds?: string[]; userIds?: number[] }): Promise<number[]> {
  const q = db('users').select('id').where({ disabled: false }).where((w) => {
    if (to.roles?.length) w.orWhereIn('role', to.roles);
    if (to.unitIds?.length) w.orWhereIn('unit_id', to.unitIds);
    if (to.userIds?.length) w.orWhereIn('id', to.userIds);
    if (!to.roles?.length && !to.unitIds?.length && !to.userIds?.length) w.whereRaw('1 = 0');
  });
  return (await q).map((r: { id: number }) => r.id);
}

/** Puts a message in each account's inbox (in parts: a province's are 100,000); a message with a dedupe key already there is not put again. */
export async function insertMessages(db: Tx, rows: Array<Omit<MessageRow, 'id' | 'read_at'>>): Promise<void> {
  if (rows.length === 0) return;
  await insertMany(db, 'messages', rows, { ignore: ['user_id', 'dedupe'] });
}

/** The enabled accounts bound to these units, each with its unit: read in parts from the accounts' index by unit. */
export async function accountsOfUnits(db: Tx, unitIds: string[]): Promise<Array<{ id: number; unit_id: string }>> {
  const out: Array<{ id: number; unit_id: string }> = [];
  for (let i = 0; i < unitIds.length; i += IN_CHUNK) {
    out.push(...await db('users').select('id', 'unit_id').where({ disabled: false }).whereIn('unit_id', unitIds.slice(i, i + IN_CHUNK)).orderBy('id'));
  }
  return out;
}


export async function messagesOf(db: Tx, userId: number, opts: { unreadOnly?: boolean; limit?: number } = {}): Promise<MessageRow[]> {
  const q = db('messages').where({ user_id: userId }).orderBy('id', 'desc').limit(opts.limit ?? 50);
  if (opts.unreadOnly) q.whereNull('read_at');
  return q;
}

export async function unreadCount(db: Tx, userId: number): Promise<number> {
  const [row] = await db('messages').where({ user_id: userId }).whereNull('read_at').count({ n: '*' });
  return Number((row as { n: number | string }).n);
}

/** Marks messages of the account read (all of them, or the one given). */
export async function markRead(db: Tx, userId: number, at: string, id?: number): Promise<number> {
  const q = db('messages').where({ user_id: userId }).whereNull('read_at');
  if (id !== undefined) q.where({ id });
  return q.update({ read_at: at });
}

/** An account's inbox as its page lists it: unread first, then newest first, at most `limit`. */
export async function inboxOf(db: Tx, userId: number, limit: number): Promise<MessageRow[]> {
  return db('messages').where({ user_id: userId })
    .orderByRaw('CASE WHEN read_at IS NULL THEN 0 ELSE 1 END').orderBy('id', 'desc').limit(limit);
}

export async function messageCount(db: Tx, userId: number): Promise<number> {
  const [row] = await db('messages').where({ user_id: userId }).count({ n: '*' });
  return Number((row as { n: number | string }).n);
}

const unreadOf = pageRead((db, userId: number) => db('messages').where('user_id', userId).whereNull('read_at').count({ n: '*' }));

/** The unread count every page's header shows: one indexed count (user_id, read_at), on a read-only connection where there is one. */
export async function unreadForHeader(db: Tx, userId: number): Promise<number> {
  const [row] = await unreadOf(db, userId);
  return Number((row as { n: number | string } | undefined)?.n ?? 0);
}

/** Whether any account was already sent a message with this key. */
export async function dedupeSent(db: Tx, dedupe: string): Promise<boolean> {
  return (await db('messages').select('id').where({ dedupe }).first()) !== undefined;
}
