import { SYSTEM_ACTOR } from './actors.js';
import { databaseOf, type Db } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import { clearThrottle, giveBackAttempt, pruneThrottle, reserveAttempt } from '../db/queries/throttle.js';
import { getUnit } from '../db/queries/units.js';
import { bumpSessionEpoch, insertUser, userByFoldedName, listUsers, updateUser, userByName, type Role, type UserRow } from '../db/queries/users.js';
import { accountKey, addressKey, auditedName, typedName, USERNAME_PATTERN } from './login-keys.js';
import { dummyHash, generatePassword, hashPassword, passwordMatches, passwordProblem, PASSWORD_MESSAGES } from './passwords.js';
import { table } from '../engine/own.js';

/**
 * Accounts and roles (管理员、乡镇领导、村、工作人员): created with a generated or chosen
 * password, kept as an argon2id hash; login throttled per account and per address,
 * the counts kept in the database so a restart does not reset them.
 */

export const ROLES = table<Role, string>({ admin: '管理员', leader: '乡镇领导', village: '村', staff: '工作人员' });

export class AccountRefused extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

export interface NewUser { username: string; role: Role; unitId?: string | null; displayName?: string; password?: string; }

export async function addUser(db: Db, u: NewUser, by: string): Promise<{ username: string; password: string }> {
  if (!USERNAME_PATTERN.test(u.username)) throw new AccountRefused('USERNAME_INVALID', '用户名只能由 2—64 个字母、数字、下划线、点或连字符组成');
  if (!(u.role in ROLES)) throw new AccountRefused('ROLE_INVALID', `角色应为 ${Object.keys(ROLES).join('、')} 之一`);
  if ((u.role === 'village' || u.role === 'staff') && !u.unitId) throw new AccountRefused('UNIT_REQUIRED', '村和工作人员账号须指定所属单位（--unit）');
  if (u.unitId && !(await getUnit(db, u.unitId))) throw new AccountRefused('UNIT_NOT_FOUND', `没有编号为 “${u.unitId}” 的单位`);
  // Names differing only in case would share one login count, and read alike in the audit log.
  const taken = await userByFoldedName(db, u.username);
  if (taken) throw new AccountRefused('USERNAME_TAKEN', `用户名 “${taken.username}” 已存在（用户名不区分大小写）`);
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
export const PER_ACCOUNT: Limit = { max: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
export const PER_ADDRESS: Limit = { max: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
/** Longer than this (in characters) a password is wrong unchecked: none that long can be set (MAX_LENGTH). */
const LOGIN_PASSWORD_CAP = 1024;

/**
 * Every name and address tried leaves a count; those whose window and lock are over are
 * removed, at most once a window for each database, so that a stream of made-up names
 * does not grow the table without end.
 */
const lastPruned = new WeakMap<object, number>();
async function pruneNow(db: Db, now: number): Promise<void> {
  const windowMs = Math.max(PER_ACCOUNT.windowMs, PER_ADDRESS.windowMs);
  if (now - (lastPruned.get(databaseOf(db)) ?? 0) < windowMs) return;
  lastPruned.set(databaseOf(db), now);
  // Tidying, not a guard: a prune that fails leaves counts that would start afresh anyway, and the login goes on.
  await pruneThrottle(db, new Date(now - windowMs).toISOString(), new Date(now).toISOString()).catch(() => 0);
}

export type LoginResult = { ok: true; user: UserRow } | { ok: false; code: 'LOCKED' | 'BAD_CREDENTIALS'; until?: number };

/** How a password is checked against a hash: argon2 by default; a caller may wrap it (tests count the checks). */
export type PasswordCheck = (hash: string, password: string) => Promise<boolean>;

export interface LoginOptions { now?: number; check?: PasswordCheck; }

/**
 * Checks a login. Before any password is checked, one statement reserves the attempt
 * against both the account and the address; an attempt whose number is past either limit
 * is refused unchecked, so however many arrive at once, at most the limit are checked.
 * Every checked attempt costs one argon2 verification, whether or not the account exists
 * or is usable (an unknown name is checked against a dummy hash), so the answer's time
 * does not tell which accounts exist. A success gives its reservations back: the
 * account's count is cleared, the address's goes down by one.
 */
export async function login(db: Db, username: string, password: string, address: string, opts: LoginOptions = {}): Promise<LoginResult> {
  const now = opts.now ?? Date.now();
  const check = opts.check ?? passwordMatches;
  const name = typedName(username);
  const userKey = accountKey(name);
  const addrKey = addressKey(address);
  await pruneNow(db, now);
  const reservations = [{ key: userKey, ...PER_ACCOUNT }, { key: addrKey, ...PER_ADDRESS }];
  const reserved = await reserveAttempt(db, reservations, now);
  const over = reserved.map((r, k) => ({ r, limit: reservations[k] })).filter(({ r, limit }) => r.failures > limit.max);
  if (over.length > 0) {
    return { ok: false, code: 'LOCKED', until: Math.max(...over.map(({ r, limit }) => Date.parse(r.locked_until ?? '') || now + limit.lockMs)) };
  }
  // The cheap test of length first: more than twice the cap in UTF-16 units is more than the cap in characters.
  const withinCap = password.length <= 2 * LOGIN_PASSWORD_CAP && [...password].length <= LOGIN_PASSWORD_CAP;
  const user = USERNAME_PATTERN.test(name) ? await userByName(db, name) : undefined;
  const usable = user && !user.disabled && withinCap ? user : undefined;
  const matches = await check(usable ? usable.password_hash : await dummyHash(), withinCap ? password : '');
  if (!usable || !matches) {
    await appendAudit(db, { at: new Date(now).toISOString(), actor: auditedName(name), action: 'login.fail', subject: address.slice(0, 100), detail: null });
    return { ok: false, code: 'BAD_CREDENTIALS' };
  }
  await clearThrottle(db, userKey);
  await giveBackAttempt(db, addrKey, reserved[1].window_start, PER_ADDRESS.max);
  await appendAudit(db, { at: new Date(now).toISOString(), actor: usable.username, action: 'login', subject: address.slice(0, 100), detail: null });
  return { ok: true, user: usable };
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
    const { password } = await addUser(db, a, SYSTEM_ACTOR);
    out.push({ username: a.username, password, role: a.role, unit: a.unitId ?? null });
  }
  return out;
}
