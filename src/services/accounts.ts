import { SYSTEM_ACTOR, SYSTEM_NAME } from './actors.js';
import { databaseOf, type Db, type Tx } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import { clearThrottle, giveBackAttempt, pruneThrottle, reserveAttempt } from '../db/queries/throttle.js';
import { getUnit, unitDisabled } from '../db/queries/units.js';
import { bumpSessionEpoch, enabledAdminCount, insertUser, userByFoldedName, listUsers, updateUser, userByName, type Role, type UserRow } from '../db/queries/users.js';
import { accountKey, addressKey, auditedName, typedName, USERNAME_PATTERN } from './login-keys.js';
import { dummyHash, generatePassword, hashPassword, passwordMatches, passwordProblem, PASSWORD_MESSAGES } from './passwords.js';
import { table } from '../engine/own.js';
import { quoted, unitTyped } from './choices.js';
import { UNFIT_MARK } from '../io/text.js';

/**
 * Accounts and roles (管理员、乡镇领导、村、工作人员): created with a generated or chosen
 * password, kept as an argon2id hash; login throttled per account and per address,
 * the counts kept in the database so a restart does not reset them.
 */

export const ROLES = table<Role, string>({ admin: '管理员', leader: '乡镇领导', village: '村', staff: '工作人员' });

export class AccountRefused extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

/**
 * The unit a new account's form names for a role of this kind: its number as chosen from the list, or typed (a
 * province's villages are too many to list) by number or by the one enabled unit of the kind with that name. A text
 * that is no such unit is given back as it is, for addUser to refuse; a name several units share is refused here.
 */
export async function accountUnit(db: Tx, kind: string, text: string): Promise<string> {
  const meant = await unitTyped(db, text, (u) => u.kind === kind && !u.disabled_at);
  if ('unit' in meant) return meant.unit.id;
  if (meant.none === 'several') throw new AccountRefused('UNIT_AMBIGUOUS', `有多个${kind === 'village' ? '村' : '工作人员'}名为“${quoted(text, 30)}”，请填写单位编号`);
  return text;
}

export interface NewUser { username: string; role: Role; unitId?: string | null; displayName?: string; password?: string; }

/** The unit kind each role's accounts are bound to; admin and leader accounts belong to no unit. */
export const UNIT_KIND_OF_ROLE: Partial<Record<Role, string>> = { village: 'village', staff: 'staff' };

export const DISPLAY_NAME_MAX_CHARS = 100;

/** A display name trimmed and checked: 1–100 characters, no control or direction marks. */
export function checkedDisplayName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new AccountRefused('DISPLAY_NAME_EMPTY', '请填写名称');
  if ([...trimmed].length > DISPLAY_NAME_MAX_CHARS) throw new AccountRefused('DISPLAY_NAME_TOO_LONG', `名称超过 ${DISPLAY_NAME_MAX_CHARS} 个字符，请改短`);
  if (UNFIT_MARK.test(trimmed)) throw new AccountRefused('DISPLAY_NAME_INVALID', '名称含有换行、制表符、看不见的字符或改变文字方向的控制字符，请删去');
  // 系统 names the product's own work in every list of who did what: no person may read as it.
  if (trimmed === SYSTEM_NAME) throw new AccountRefused('DISPLAY_NAME_RESERVED', `“${SYSTEM_NAME}”用于标明系统自动完成的操作，不能作为账号名称`);
  return trimmed;
}

export async function addUser(db: Db, u: NewUser, by: string): Promise<{ username: string; password: string }> {
  if (!USERNAME_PATTERN.test(u.username)) throw new AccountRefused('USERNAME_INVALID', '用户名只能由 2—64 个字母、数字、下划线、点或连字符组成');
  if (!Object.hasOwn(ROLES, u.role)) throw new AccountRefused('ROLE_INVALID', `角色应为 ${Object.values(ROLES).join('、')} 之一`);
  const kind = UNIT_KIND_OF_ROLE[u.role];
  if (kind && !u.unitId) throw new AccountRefused('UNIT_REQUIRED', '村和工作人员账号须指定所属单位');
  if (!kind && u.unitId) throw new AccountRefused('UNIT_NOT_ALLOWED', '管理员和乡镇领导账号不属于某个单位');
  const displayName = checkedDisplayName(u.displayName ?? u.username);
  if (u.unitId) {
    const unit = await getUnit(db, u.unitId);
    if (!unit) throw new AccountRefused('UNIT_NOT_FOUND', '没有这个单位');
    if (unit.kind !== kind) throw new AccountRefused('UNIT_KIND', `${ROLES[u.role]}账号须属于一个${kind === 'village' ? '村' : '工作人员'}，“${unit.name}”不是`);
    if (unit.disabled_at) throw new AccountRefused('UNIT_DISABLED', `“${unit.name}”已停用，不能为它新增账号`);
  }
  // Names differing only in case would share one login count, and read alike in the audit log.
  const taken = await userByFoldedName(db, u.username);
  if (taken) throw new AccountRefused('USERNAME_TAKEN', `用户名 “${taken.username}” 已存在（用户名不区分大小写）`);
  const password = u.password ?? generatePassword();
  const problem = passwordProblem(password);
  if (problem) throw new AccountRefused(`PASSWORD_${problem}`, PASSWORD_MESSAGES[problem]);
  const hash = await hashPassword(password);
  const at = new Date().toISOString();
  await db.transaction(async (tx) => {
    // Checked again inside the writing transaction: a second add of the same name at once finds the first.
    if (await userByFoldedName(tx, u.username)) throw new AccountRefused('USERNAME_TAKEN', `用户名 “${u.username}” 已存在（用户名不区分大小写）`);
    await insertUser(tx, {
      username: u.username, display_name: displayName, role: u.role, unit_id: u.unitId ?? null,
      password_hash: hash, created_at: at, password_changed_at: at,
    });
    await appendAudit(tx, { at, actor: by, action: 'account.add', subject: u.username, detail: JSON.stringify({ role: u.role, unit: u.unitId ?? null }), unit_id: u.unitId ?? null });
  });
  return { username: u.username, password };
}

async function existing(db: Tx, username: string): Promise<UserRow> {
  const user = await userByName(db, username);
  if (!user) throw new AccountRefused('USER_NOT_FOUND', `没有用户 “${username}”`);
  return user;
}

/** A new password for the account (generated unless given), returned once; its live sessions end. */
export async function resetPassword(db: Db, username: string, by: string, password?: string): Promise<string> {
  const next = password ?? generatePassword();
  const problem = passwordProblem(next);
  if (problem) throw new AccountRefused(`PASSWORD_${problem}`, PASSWORD_MESSAGES[problem]);
  const hash = await hashPassword(next);
  await db.transaction(async (tx) => {
    const user = await existing(tx, username);
    const at = new Date().toISOString();
    await updateUser(tx, username, { password_hash: hash, password_changed_at: at });
    await bumpSessionEpoch(tx, username);
    // A new password ends the account's lock (登录失败次数过多): whoever locked it by guessing, its owner signs in at once.
    await clearThrottle(tx, accountKey(username));
    await appendAudit(tx, { at, actor: by, action: 'account.reset', subject: username, detail: null, unit_id: user.unit_id });
  });
  return next;
}

/** Changes the name people read for the account (王秘书), not the name it logs in with. */
export async function renameUser(db: Db, username: string, displayName: string, by: string): Promise<void> {
  const name = checkedDisplayName(displayName);
  await db.transaction(async (tx) => {
    const user = await existing(tx, username);
    if (user.display_name === name) return;
    await updateUser(tx, username, { display_name: name });
    await appendAudit(tx, {
      at: new Date().toISOString(), actor: by, action: 'account.rename', subject: username,
      detail: JSON.stringify({ from: user.display_name, to: name }), unit_id: user.unit_id,
    });
  });
}

/**
 * Disables or enables an account. Disabling ends its live sessions. An admin cannot disable
 * their own account, nor the last enabled admin account (no one could then manage accounts).
 */
export async function setDisabled(db: Db, username: string, disabled: boolean, by: string): Promise<void> {
  await db.transaction(async (tx) => {
    const user = await existing(tx, username);
    if (disabled && user.username === by) throw new AccountRefused('SELF', '不能停用自己正在使用的账号');
    if (disabled && user.role === 'admin' && !user.disabled && (await enabledAdminCount(tx)) <= 1) {
      throw new AccountRefused('LAST_ADMIN', '这是最后一个启用的管理员账号，停用后将无人能管理账号；请先新增另一个管理员');
    }
    if (user.disabled === disabled) return;
    await updateUser(tx, username, { disabled });
    await bumpSessionEpoch(tx, username);
    await appendAudit(tx, { at: new Date().toISOString(), actor: by, action: disabled ? 'account.disable' : 'account.enable', subject: username, detail: null, unit_id: user.unit_id });
  });
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
  // An account of a disabled unit (a village merged away, a staff member who left) cannot log in while it is disabled.
  const usable = user && !user.disabled && withinCap && !(user.unit_id && (await unitDisabled(db, user.unit_id))) ? user : undefined;
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
