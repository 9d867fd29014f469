import { listUnits } from '../../db/queries/units.js';
import type { Role } from '../../db/queries/users.js';
import { AccountRefused, addUser, listUsers, resetPassword, ROLES, setDisabled } from '../../services/accounts.js';
import { EXIT } from '../exit.js';
import { textTable } from '../text-table.js';
import { withStore } from '../with-store.js';

/** `appraisal user add|reset|disable|enable|list`: accounts from the command line. */

async function refusing(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (e) {
    if (!(e instanceof AccountRefused)) throw e;
    process.stderr.write(`[${e.code}] ${e.message}\n`);
    return EXIT.refused;
  }
}

export function userAddCommand(username: string, opts: { role: Role; unit?: string; name?: string; by: string }): Promise<number> {
  return withStore((db) => refusing(async () => {
    const { password } = await addUser(db, { username, role: opts.role, unitId: opts.unit ?? null, displayName: opts.name }, opts.by);
    process.stdout.write(`已创建${ROLES[opts.role]}账号 ${username}，初始密码：${password}\n（密码只显示这一次，数据库中只保存其哈希）\n`);
    return EXIT.ok;
  }));
}

export function userResetCommand(username: string, opts: { by: string }): Promise<number> {
  return withStore((db) => refusing(async () => {
    const password = await resetPassword(db, username, opts.by);
    process.stdout.write(`已重置 ${username} 的密码：${password}\n该账号所有已登录的会话已失效\n`);
    return EXIT.ok;
  }));
}

export function userDisableCommand(username: string, opts: { by: string; enable?: boolean }): Promise<number> {
  return withStore((db) => refusing(async () => {
    await setDisabled(db, username, !opts.enable, opts.by);
    process.stdout.write(opts.enable ? `已启用 ${username}\n` : `已停用 ${username}，其所有会话已结束\n`);
    return EXIT.ok;
  }));
}

export function userListCommand(): Promise<number> {
  return withStore(async (db) => {
    const [users, units] = await Promise.all([listUsers(db), listUnits(db)]);
    const unitName = new Map(units.map((u) => [u.id, u.name]));
    process.stdout.write(textTable(['用户名', '名称', '角色', '所属单位', '状态'],
      users.map((u) => [u.username, u.display_name, ROLES[u.role], u.unit_id ? `${unitName.get(u.unit_id) ?? ''}（${u.unit_id}）` : '', u.disabled ? '已停用' : '正常'])));
    return EXIT.ok;
  });
}
