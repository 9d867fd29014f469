import { IN_CHUNK } from '../chunks.js';
import { likeContaining } from '../like.js';
import { isPostgres, readOnly, type Tx } from '../connection.js';

export type Role = 'admin' | 'leader' | 'village' | 'staff';

export interface UserRow {
  id: number; username: string; display_name: string; role: Role; unit_id: string | null;
  password_hash: string; disabled: boolean; session_epoch: number; created_at: string; password_changed_at: string;
}

export async function insertUser(db: Tx, row: Omit<UserRow, 'id' | 'disabled' | 'session_epoch'>): Promise<void> {
  await db('users').insert({ ...row, disabled: false, session_epoch: 0 });
}

function normalise(row: UserRow | undefined): UserRow | undefined {
  if (row) row.disabled = Boolean(row.disabled);
  return row;
}

export async function userByName(db: Tx, username: string): Promise<UserRow | undefined> {
  return normalise(await db('users').where({ username }).first());
}

/** The account whose name differs from `username` at most in case (names are ASCII: lower() folds them alike on both databases). */
export async function userByFoldedName(db: Tx, username: string): Promise<UserRow | undefined> {
  return normalise(await db('users').whereRaw('lower(username) = ?', [username.toLowerCase()]).first());
}

export async function userById(db: Tx, id: number): Promise<UserRow | undefined> {
  return normalise(await db('users').where({ id }).first());
}

export async function listUsers(db: Tx): Promise<UserRow[]> {
  const rows: UserRow[] = await db('users').orderBy('username');
  return rows.map((r) => normalise(r)!);
}

/** A page of the accounts, by username, whose username or display name holds `search` (taken as typed), and how many there are. */
export async function usersPage(db: Tx, search: string, limit: number, offset: number): Promise<{ rows: UserRow[]; total: number }> {
  const like = likeContaining(search);
  const q = () => (search ? db('users').where((w) => { w.whereRaw("username LIKE ? ESCAPE '\\'", [like]).orWhereRaw("display_name LIKE ? ESCAPE '\\'", [like]); }) : db('users'));
  const [{ n }] = await readOnly<{ n: number | string }>(db, q().count({ n: '*' }));
  const rows = await readOnly<UserRow>(db, q().orderBy('username').limit(limit).offset(offset));
  return { rows: rows.map((r) => normalise(r)!), total: Number(n) };
}

export async function updateUser(db: Tx, username: string, changes: Partial<Pick<UserRow, 'password_hash' | 'password_changed_at' | 'disabled' | 'display_name'>>): Promise<boolean> {
  return (await db('users').where({ username }).update(changes)) === 1;
}

/** Ends every live session of the account: sessions remember the epoch they began in. */
export async function bumpSessionEpoch(db: Tx, username: string): Promise<void> {
  await db('users').where({ username }).increment('session_epoch', 1);
}


/** Every account's display name by account name (for "录入人", "发布人" and the like). */
export async function displayNames(db: Tx): Promise<Array<{ username: string; display_name: string }>> {
  return db('users').select('username', 'display_name');
}

/** Every account's username and display name, by username, when there are at most `most`; undefined when there are more (a province's 100,000 are no list to choose from). */
export async function displayNamesUpTo(db: Tx, most: number): Promise<Array<{ username: string; display_name: string }> | undefined> {
  const rows = await readOnly<{ username: string; display_name: string }>(db, db('users').select('username', 'display_name').orderBy('username').limit(most + 1));
  return rows.length > most ? undefined : rows;
}

/** The accounts a typed name may mean: the one of that username, and those of that display name (a few at most). */
export async function accountsNamed(db: Tx, name: string): Promise<Array<{ username: string; display_name: string }>> {
  return readOnly(db, db('users').where('username', name).orWhere('display_name', name).select('username', 'display_name').orderBy('username').limit(10));
}

/** The display names of these accounts (those the record has): a page names a few of a province's 100,000. */
export async function displayNamesOf(db: Tx, usernames: Iterable<string | null | undefined>): Promise<Array<{ username: string; display_name: string }>> {
  const wanted = [...new Set([...usernames].filter((u): u is string => typeof u === 'string' && u !== ''))];
  const out: Array<{ username: string; display_name: string }> = [];
  for (let i = 0; i < wanted.length; i += IN_CHUNK) out.push(...await readOnly<{ username: string; display_name: string }>(db, db('users').whereIn('username', wanted.slice(i, i + IN_CHUNK)).select('username', 'display_name')));
  return out;
}


/** How many admin accounts are enabled (the last one may not be disabled). */
export async function enabledAdminCount(db: Tx): Promise<number> {
  // On PostgreSQL the rows are locked, so that two admins disabling each other at once cannot both pass the count.
  const q = db('users').where({ role: 'admin', disabled: false }).select('id');
  return (await (isPostgres(db) ? q.forUpdate() : q)).length;
}

/** Ends every live session of the accounts bound to a unit (the unit was disabled). */
export async function bumpSessionEpochOfUnit(db: Tx, unitId: string): Promise<number> {
  return db('users').where({ unit_id: unitId }).increment('session_epoch', 1);
}

/** The accounts bound to one unit (users_by_unit, migration 0010), by username. */
export async function usersOfUnit(db: Tx, unitId: string): Promise<UserRow[]> {
  const rows: UserRow[] = await db('users').where({ unit_id: unitId }).orderBy('username');
  return rows.map((r) => normalise(r)!);
}
