import type { Db, Tx } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import { clearThrottle, saveThrottle, throttleOf } from '../db/queries/throttle.js';
import { getUnit } from '../db/queries/units.js';
import { bumpSessionEpoch, insertUser, listUsers, updateUser, userByName, type Role, type UserRow } from '../db/queries/users.js';
import { generatePassword, hashPassword, passwordMatches, passwordProblem, PASSWORD_MESSAGES } from './passwords.js';

/**
 * Accounts and roles (管理员、乡镇领导、村、工作人员): created with a generated or chosen
 * password, kept as an argon2id hash; login throttled per account and per address,
 * the counts kept in the database so a restart does not reset them.
 */

export const ROLES: Record<Role, string> = { admin: '管理员', leader: '乡镇领导', village: '村', staff: '工作人员' };

export class AccountRefused extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

export interface NewUser { username: string; role: Role; unitId?: string | null; displayName?: string; password?: string; }

export async function addUser(db: Db, u: NewUser, by: string): Promise<{ username: string; password: string }> {
  if (!/^[A-Za-z0-9_.-]{2,64}$/.test(u.username)) throw new AccountRefused('USERNAME_INVALID', '用户名只能由 2—64 个字母、数字、下划线、点或连字符组成');
  if (!(u.role in ROLES)) throw new AccountRefused('ROLE_INVALID', `角色应为 ${Object.keys(ROLES).join('、')} 之一`);
  if ((u.role === 'village' || u.role === 'staff') && !u.unitId) throw new AccountRefused('UNIT_REQUIRED', '村和工作人员账号须指定所属单位（--unit）');
  if (u.unitId && !(await getUnit(db, u.unitId))) throw new AccountRefused('UNIT_NOT_FOUND', `没有编号为 “${u.unitId}” 的单位`);
  if (await userByName(db, u.username)) throw new AccountRefused('USERNAME_TAKEN', `用户名 “${u.username}” 已存在`);
  const password = u.password ?? generatePassword();
  const problem = passwordProblem(password);
  if (problem) throw new AccountRefused(`PASSWORD_${problem}`, PASSWORD_MESSAGES[problem]);
  const at = new Date().toISOString();
  await insertUser(db, {
    username: u.username, display_name: u.displayName ?? u.username, role: u.role, unit_id: u.unitId ?? null,
    password_hash: await hashPassword(password), created_at: at, password_changed_at: at,
  });
  await appendAudit(db, { at, actor: by, action: 'user.add', subject: u.username, detail: JSON.stringify({ role: u.role, unit: u.unitId ?? null }) });
  return { username: u.username, password };
}

export async function resetPassword(db: Db, username: string, by: string, password?: string): Promise<string> {
  const user = await userByName(db, username);
  if (!user) throw new AccountRefused('USER_NOT_FOUND', `没有用户 “${username}”`);
  const next = password ?? generatePassword();
  const problem = passwordProblem(next);
  if (problem) throw new AccountRefused(`PASSWORD_${problem}`, PASSWORD_MESSAGES[problem]);
  const at = new Date().toISOString();
  await updateUser(db, username, { password_hash: await hashPassword(next), password_changed_at: at });
  await bumpSessionEpoch(db, username);
  await appendAudit(db, { at, actor: by, action: 'user.reset', subject: username, detail: null });
  return next;
}

export async function setDisabled(db: Db, username: string, disabled: boolean, by: string): Promise<void> {
  if (!(await updateUser(db, username, { disabled }))) throw new AccountRefused('USER_NOT_FOUND', `没有用户 “${username}”`);
  await bumpSessionEpoch(db, username);
  await appendAudit(db, { at: new Date().toISOString(), actor: by, action: disabled ? 'user.disable' : 'user.enable', subject: username, detail: null });
}

export { listUsers, userByName };

// ---- login throttling ----

interface Limit { max: number; windowMs: number; lockMs: number; }
const PER_ACCOUNT: Limit = { max: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
const PER_ADDRESS: Limit = { max: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

async function lockedUntil(db: Tx, key: string, now: number): Promise<number | null> {
  const row = await throttleOf(db, key);
  const until = row?.locked_until ? Date.parse(row.locked_until) : 0;
  return until > now ? until : null;
}

async function recordFailure(db: Tx, key: string, limit: Limit, now: number): Promise<void> {
  const row = await throttleOf(db, key);
  const fresh = !row || now - Date.parse(row.window_start) > limit.windowMs;
  const failures = fresh ? 1 : row!.failures + 1;
  await saveThrottle(db, {
    key, failures, window_start: fresh ? new Date(now).toISOString() : row!.window_start,
    locked_until: failures >= limit.max ? new Date(now + limit.lockMs).toISOString() : row?.locked_until ?? null,
  });
}

export type LoginResult = { ok: true; user: UserRow } | { ok: false; code: 'LOCKED' | 'BAD_CREDENTIALS'; until?: number };

/**
 * Checks a login. A locked account or address is refused before the password is even
 * checked; every failure counts against both; success clears the account's count.
 */
export async function login(db: Db, username: string, password: string, address: string, now = Date.now()): Promise<LoginResult> {
  const userKey = `user:${username.toLowerCase()}`;
  const addrKey = `addr:${address}`;
  const locked = (await lockedUntil(db, userKey, now)) ?? (await lockedUntil(db, addrKey, now));
  if (locked) return { ok: false, code: 'LOCKED', until: locked };
  const user = await userByName(db, username);
  const ok = user && !user.disabled && [...password].length <= 1024 && (await passwordMatches(user.password_hash, password));
  if (!ok) {
    await recordFailure(db, userKey, PER_ACCOUNT, now);
    await recordFailure(db, addrKey, PER_ADDRESS, now);
    await appendAudit(db, { at: new Date(now).toISOString(), actor: username.slice(0, 64) || '(empty)', action: 'login.fail', subject: address, detail: null });
    return { ok: false, code: 'BAD_CREDENTIALS' };
  }
  await clearThrottle(db, userKey);
  await appendAudit(db, { at: new Date(now).toISOString(), actor: user.username, action: 'login', subject: address, detail: null });
  return { ok: true, user };
}

/** The demo accounts, with passwords generated now and returned once to be printed. */
export async function seedDemoAccounts(db: Db): Promise<Array<{ username: string; password: string; role: Role; unit: string | null }>> {
  const accounts: NewUser[] = [
    { username: 'admin', role: 'admin', displayName: '系统管理员' },
    { username: 'leader', role: 'leader', displayName: '枫林镇领导' },
    { username: 'v01', role: 'village', unitId: 'v01', displayName: '枫林村村支两委' },
    { username: 'v09', role: 'village', unitId: 'v09', displayName: '黄泥坳村村支两委' },
    { username: 's01', role: 'staff', unitId: 's01', displayName: '李秀兰（枫林村计生专干）' },
  ];
  const out = [];
  for (const a of accounts) {
    const { password } = await addUser(db, a, 'system');
    out.push({ username: a.username, password, role: a.role, unit: a.unitId ?? null });
  }
  return out;
}
