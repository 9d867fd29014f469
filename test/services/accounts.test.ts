import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { addUser, login, PER_ACCOUNT, PER_ADDRESS, renameUser, resetPassword, setDisabled, userByName, type LoginResult, type PasswordCheck } from '../../src/services/accounts.js';
import { addUnit, setUnitDisabled } from '../../src/services/unit-records.js';
import { accountKey, addressKey } from '../../src/services/login-keys.js';
import { dummyHash, hashPassword, passwordMatches } from '../../src/services/passwords.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

/**
 * Login throttling and the cost of a login (issue 17): the limits hold however many
 * attempts arrive at once, and every checked attempt costs one argon2 verification,
 * whether or not the account exists. The checks are counted by wrapping the real
 * verifier, never by timing.
 */

const PASSWORD = 'clerk-测试口令-2024';

/** The real verifier, counting its calls and what it was given. */
function counting(): PasswordCheck & { calls: Array<{ hash: string; password: string }> } {
  const calls: Array<{ hash: string; password: string }> = [];
  const check = async (hash: string, password: string) => {
    calls.push({ hash, password });
    return passwordMatches(hash, password);
  };
  return Object.assign(check, { calls });
}

onEachBackend('login throttling and the cost of a login', (backend) => {
  let db: Db;
  // Each test its own accounts and addresses, so that no count is carried from one test to the next.
  let n = 0;
  const fresh = async (prefix = 'clerk') => {
    const username = `${prefix}${++n}`;
    await addUser(db, { username, role: 'leader', password: PASSWORD }, 'test');
    return username;
  };
  const throttle = async (key: string) => db('login_throttle').where({ key }).first();

  before(async () => { db = await openStore(await backend.fresh('none')); });
  after(async () => { await db?.destroy(); });

  it('refuses a new account whose name differs from another only in case, since both would share one login count', async () => {
    const username = await fresh('Clerk');
    for (const other of [username.toLowerCase(), username.toUpperCase()]) {
      let code = 'accepted';
      try {
        await addUser(db, { username: other, role: 'leader', password: PASSWORD }, 'test');
      } catch (e) {
        code = (e as { code?: string }).code ?? String(e);
      }
      expect(code, other).to.equal('USERNAME_TAKEN');
    }
  });

  it('checks at most five of 100 simultaneous guesses at one account from 100 addresses, and refuses the right password after them', async () => {
    const username = await fresh();
    const check = counting();
    const guesses = Array.from({ length: 99 }, (_, k) => login(db, username, `wrong-guess-${k}`, `10.1.${k}.1`, { check }));
    // The right password, sent last of the hundred: its attempt is past the limit.
    guesses.push(login(db, username, PASSWORD, '10.1.200.1', { check }));
    const results = await Promise.all(guesses);
    expect(check.calls.length).to.be.at.most(PER_ACCOUNT.max);
    expect(results.filter((r) => r.ok)).to.have.length(0);
    expect(results.filter((r) => !r.ok && r.code === 'BAD_CREDENTIALS')).to.have.length(check.calls.length);
    expect(results[99]).to.deep.include({ ok: false, code: 'LOCKED' });
    const row = await throttle(accountKey(username));
    expect(row.failures, 'the count is the true number of attempts').to.equal(100);
    expect(row.locked_until).to.be.a('string');
    expect(await login(db, username, PASSWORD, '10.1.201.1', { check })).to.deep.include({ ok: false, code: 'LOCKED' });
    expect(check.calls.length).to.be.at.most(PER_ACCOUNT.max);
  });

  it('checks at most twenty of 100 simultaneous guesses from one address at 100 accounts', async () => {
    const known = await fresh('known');
    const check = counting();
    const guesses = Array.from({ length: 99 }, (_, k) => login(db, `someone${k}`, `wrong-guess-${k}`, '10.2.0.1', { check }));
    guesses.push(login(db, known, PASSWORD, '10.2.0.1', { check }));
    const results = await Promise.all(guesses);
    expect(check.calls.length).to.be.at.most(PER_ADDRESS.max);
    expect(results.filter((r) => r.ok)).to.have.length(0);
    expect(results[99]).to.deep.include({ ok: false, code: 'LOCKED' });
    expect((await throttle(addressKey('10.2.0.1'))).failures).to.equal(100);
    // The same address written as IPv6 is the same address.
    expect(await login(db, known, PASSWORD, '::ffff:10.2.0.1', { check })).to.deep.include({ ok: false, code: 'LOCKED' });
    expect(check.calls.length).to.be.at.most(PER_ADDRESS.max);
  });

  it('keeps both limits when 100 guesses at one account come at once from one address', async () => {
    const username = await fresh();
    const check = counting();
    const results = await Promise.all(Array.from({ length: 100 }, (_, k) => login(db, username, `wrong-guess-${k}`, '10.3.0.1', { check })));
    expect(check.calls.length).to.be.at.most(PER_ACCOUNT.max);
    expect(results.filter((r) => !r.ok && r.code === 'LOCKED')).to.have.length(100 - check.calls.length);
  });

  it('counts a name however it is spelled (case, width, spaces around it) against the one account', async () => {
    const username = await fresh('Clerk');
    const check = counting();
    const spellings = [username.toLowerCase(), username.toUpperCase(), ` ${username}\t`, `\u3000${username}`, username.replace(/[A-Za-z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))];
    for (const [k, spelling] of spellings.entries()) {
      expect(await login(db, spelling, `wrong-guess-${k}`, `10.4.${k}.1`, { check })).to.deep.include({ ok: false });
    }
    expect(await login(db, username, PASSWORD, '10.4.9.1', { check })).to.deep.include({ ok: false, code: 'LOCKED' });
    expect(check.calls.length).to.equal(PER_ACCOUNT.max);
  });

  it('counts every address of one IPv6 /64 network as one address', async () => {
    const check = counting();
    for (let k = 0; k < PER_ADDRESS.max; k++) await login(db, `v6-nobody${k}`, 'wrong-guess', `2001:db8:17:1::${(k + 1).toString(16)}`, { check });
    expect(await login(db, 'v6-nobody', 'wrong-guess', '2001:db8:17:1:ffff:ffff:ffff:fffe', { check })).to.deep.include({ ok: false, code: 'LOCKED' });
    expect(check.calls.length).to.equal(PER_ADDRESS.max);
    expect((await login(db, 'v6-nobody', 'wrong-guess', '2001:db8:17:2::1', { check })).ok, 'the next network').to.equal(false);
    expect(check.calls.length).to.equal(PER_ADDRESS.max + 1);
  });

  it('opens a lock once it is over, with a new window and a true count', async () => {
    const username = await fresh();
    const t0 = Date.now();
    for (let k = 0; k < PER_ACCOUNT.max + 3; k++) await login(db, username, `wrong-guess-${k}`, '10.5.0.1', { now: t0 });
    const locked = await login(db, username, PASSWORD, '10.5.0.2', { now: t0 + PER_ACCOUNT.lockMs - 1000 });
    expect(locked).to.deep.include({ ok: false, code: 'LOCKED' });
    expect((locked as { until: number }).until).to.equal(t0 + PER_ACCOUNT.lockMs);
    const after = t0 + PER_ACCOUNT.lockMs + 1000;
    expect(await login(db, username, 'wrong-again', '10.5.0.3', { now: after })).to.deep.include({ ok: false, code: 'BAD_CREDENTIALS' });
    const row = await throttle(accountKey(username));
    expect(row.failures).to.equal(1);
    expect(row.window_start).to.equal(new Date(after).toISOString());
    expect((await login(db, username, PASSWORD, '10.5.0.3', { now: after + 1000 })).ok).to.equal(true);
  });

  it('ends an account’s lock when its password is reset: someone who guessed it locked keeps its owner out no longer', async () => {
    // Found by an outside attack: six wrong guesses every 15 minutes kept the only administrator out, a reset or not.
    const username = await fresh();
    for (let k = 0; k < PER_ACCOUNT.max + 1; k++) await login(db, username, `wrong-guess-${k}`, `10.12.${k}.1`);
    expect(await login(db, username, PASSWORD, '10.12.9.1')).to.deep.include({ ok: false, code: 'LOCKED' });
    const next = await resetPassword(db, username, 'admin');
    expect(await throttle(accountKey(username))).to.equal(undefined);
    expect((await login(db, username, next, '10.12.9.2')).ok).to.equal(true);
  });

  it('clears the account’s count at a success and gives the address its attempt back, lock and all', async () => {
    const username = await fresh();
    await login(db, username, 'wrong-guess', '10.6.0.1');
    expect((await throttle(accountKey(username))).failures).to.equal(1);
    for (let k = 0; k < PER_ADDRESS.max - 2; k++) await login(db, `back-nobody${k}`, 'wrong-guess', '10.6.0.1');
    // The 20th attempt from the address sets its lock; being a success, it gives it back.
    expect((await login(db, username, PASSWORD, '10.6.0.1')).ok).to.equal(true);
    expect(await throttle(accountKey(username))).to.equal(undefined);
    const address = await throttle(addressKey('10.6.0.1'));
    expect(address.failures).to.equal(PER_ADDRESS.max - 1);
    expect(address.locked_until).to.equal(null);
    expect(await login(db, 'back-nobody', 'wrong-guess', '10.6.0.1')).to.deep.include({ ok: false, code: 'BAD_CREDENTIALS' });
    expect(await login(db, username, PASSWORD, '10.6.0.1')).to.deep.include({ ok: false, code: 'LOCKED' });
  });

  it('removes the counts of made-up names and addresses once their window is over, but never a lock still running', async () => {
    const window = PER_ACCOUNT.windowMs;
    const t = Date.now() + 3 * window; // later than any moment an earlier test pretended
    await login(db, 'made-up-name', 'wrong-guess', '10.11.0.1', { now: t });
    for (let k = 0; k < PER_ACCOUNT.max; k++) await login(db, 'made-up-locked', 'wrong-guess', '10.11.0.2', { now: t + (k * window) / 2 / PER_ACCOUNT.max });
    await login(db, 'made-up-later', 'wrong-guess', '10.11.0.3', { now: t + window + 1000 });
    expect(await throttle(accountKey('made-up-name'))).to.equal(undefined);
    expect(await throttle(addressKey('10.11.0.1'))).to.equal(undefined);
    expect(await throttle(accountKey('made-up-locked')), 'its lock runs on').to.include({ failures: PER_ACCOUNT.max });
    expect(await throttle(accountKey('made-up-later'))).to.include({ failures: 1 });
  });

  it('checks an unknown, a disabled and an impossible name with one argon2 verification, like a wrong password', async () => {
    const username = await fresh();
    const disabled = await fresh();
    await setDisabled(db, disabled, true, 'test');
    const dummy = await dummyHash();
    const cases: Array<[string, string, string]> = [
      [username, 'wrong-password', 'a wrong password'],
      ['no-such-clerk', PASSWORD, 'an unknown name'],
      [disabled, PASSWORD, 'a disabled account with its right password'],
      ['名字'.repeat(5000) + '\u0000', PASSWORD, 'a name no account can have'],
    ];
    for (const [k, [name, password, what]] of cases.entries()) {
      const check = counting();
      const result: LoginResult = await login(db, name, password, `10.7.${k}.1`, { check });
      expect(result, what).to.deep.equal({ ok: false, code: 'BAD_CREDENTIALS' });
      expect(check.calls, what).to.have.length(1);
      if (k > 0) expect(check.calls[0].hash, what).to.equal(dummy);
    }
    // The dummy hash is made with the parameters of every other: only its salt and digest differ.
    const params = (hash: string) => hash.split('$').slice(0, 4).join('$');
    expect(params(dummy)).to.equal(params(await hashPassword('any-other-password')));
    expect(params(dummy)).to.match(/^\$argon2id\$v=19\$m=\d+/);
  });

  it('keeps an impossible name short in the throttle table and the audit log', async () => {
    const name = 'x'.repeat(100_000) + '\u0000\n';
    expect(await login(db, name, 'wrong-guess', '10.8.0.1')).to.deep.include({ ok: false, code: 'BAD_CREDENTIALS' });
    expect(accountKey(name).length).to.be.at.most(64);
    expect(await throttle(accountKey(name))).to.include({ failures: 1 });
    const [entry] = await auditEntries(db, { action: 'login.fail', limit: 1 });
    expect([...entry.actor].length).to.be.at.most(64);
    expect(entry.actor).to.not.match(/[\u0000-\u001f]/);
  });

  it('refuses a password over the cap without giving it to argon2, at the cost of one verification', async () => {
    const username = await fresh();
    const check = counting();
    const result = await login(db, username, PASSWORD + 'x'.repeat(2_000_000), '10.9.0.1', { check });
    expect(result).to.deep.include({ ok: false, code: 'BAD_CREDENTIALS' });
    expect(check.calls).to.have.length(1);
    expect(check.calls[0].password.length).to.be.at.most(1024);
    expect((await throttle(accountKey(username))).failures).to.equal(1);
  });
});

/** What an account change is refused with (its code), or 'accepted'. */
async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

onEachBackend('accounts kept by the admin (issue 19, point 5)', (backend) => {
  let db: Db;
  const unit = (id: string, name: string, kind: string, parent: string | null) => addUnit(db, { id, name, kind, parentId: parent }, 'admin');
  before(async () => {
    db = await openStore(await backend.fresh('none'));
    await addUser(db, { username: 'admin', role: 'admin', password: PASSWORD }, 'test');
    await unit('town', '枫林镇', 'township', null);
    await unit('v01', '枫林村', 'village', 'town');
    await unit('v02', '双塘村', 'village', 'town');
    await unit('s01', '李秀兰', 'staff', 'v01');
  });
  after(async () => { await db?.destroy(); });

  it('binds a village account to a village and a staff account to a staff member, and writes account.add with the unit', async () => {
    await addUser(db, { username: 'cun01', role: 'village', unitId: 'v01', displayName: '枫林村村支两委' }, 'admin');
    await addUser(db, { username: 'li', role: 'staff', unitId: 's01' }, 'admin');
    expect(await userByName(db, 'cun01')).to.include({ unit_id: 'v01', display_name: '枫林村村支两委', role: 'village' });
    const [entry] = await auditEntries(db, { action: 'account.add', limit: 1 });
    expect(entry).to.include({ actor: 'admin', subject: 'li', unit_id: 's01' });
  });

  it('refuses a unit of the wrong kind, a missing or unknown unit, and a unit for an admin or leader', async () => {
    expect(await refusal(addUser(db, { username: 'x1', role: 'village', unitId: 's01' }, 'admin'))).to.equal('UNIT_KIND');
    expect(await refusal(addUser(db, { username: 'x2', role: 'staff', unitId: 'v01' }, 'admin'))).to.equal('UNIT_KIND');
    expect(await refusal(addUser(db, { username: 'x3', role: 'village' }, 'admin'))).to.equal('UNIT_REQUIRED');
    expect(await refusal(addUser(db, { username: 'x4', role: 'village', unitId: 'v99' }, 'admin'))).to.equal('UNIT_NOT_FOUND');
    expect(await refusal(addUser(db, { username: 'x5', role: 'leader', unitId: 'v01' }, 'admin'))).to.equal('UNIT_NOT_ALLOWED');
    expect(await refusal(addUser(db, { username: 'x6', role: 'mayor' as never }, 'admin'))).to.equal('ROLE_INVALID');
    expect(await refusal(addUser(db, { username: 'x7', role: 'leader', displayName: 'toString' }, 'admin'))).to.equal('accepted');
    expect(await refusal(addUser(db, { username: 'x8', role: 'constructor' as never }, 'admin'))).to.equal('ROLE_INVALID');
  });

  it('keeps a hostile display name as text, takes 100 characters and refuses 101, control characters and direction marks', async () => {
    const hostile = '<script>alert(1)</script>{{x}}';
    await addUser(db, { username: 'h1', role: 'leader', displayName: hostile }, 'admin');
    expect((await userByName(db, 'h1'))!.display_name).to.equal(hostile);
    expect(await refusal(renameUser(db, 'h1', '名'.repeat(100), 'admin'))).to.equal('accepted');
    expect(await refusal(renameUser(db, 'h1', '名'.repeat(101), 'admin'))).to.equal('DISPLAY_NAME_TOO_LONG');
    expect(await refusal(renameUser(db, 'h1', '王\u202e秘书', 'admin'))).to.equal('DISPLAY_NAME_INVALID');
    expect(await refusal(renameUser(db, 'h1', '王\n秘书', 'admin'))).to.equal('DISPLAY_NAME_INVALID');
    expect(await refusal(renameUser(db, 'h1', ' 系统 ', 'admin')), 'the name of the product’s own work').to.equal('DISPLAY_NAME_RESERVED');
    expect(await refusal(renameUser(db, 'h1', '   ', 'admin'))).to.equal('DISPLAY_NAME_EMPTY');
    expect(await refusal(renameUser(db, 'nobody', '王秘书', 'admin'))).to.equal('USER_NOT_FOUND');
    expect((await userByName(db, 'h1'))!.display_name).to.equal('名'.repeat(100));
  });

  it('renames an account and writes account.rename with the old and new names', async () => {
    await renameUser(db, 'cun01', '枫林村委会', 'admin');
    const [entry] = await auditEntries(db, { action: 'account.rename', limit: 1 });
    expect(entry).to.include({ subject: 'cun01', unit_id: 'v01' });
    expect(JSON.parse(entry.detail!)).to.deep.equal({ from: '枫林村村支两委', to: '枫林村委会' });
  });

  it('resets a password: the new one logs in, the old one no longer does, live sessions end, and the audit entry holds no password', async () => {
    await addUser(db, { username: 'r1', role: 'leader', password: PASSWORD }, 'admin');
    const epoch = (await userByName(db, 'r1'))!.session_epoch;
    const fresh = await resetPassword(db, 'r1', 'admin');
    expect(fresh).to.not.equal(PASSWORD);
    expect((await userByName(db, 'r1'))!.session_epoch).to.equal(epoch + 1);
    expect((await login(db, 'r1', PASSWORD, '10.9.0.1')).ok).to.equal(false);
    expect((await login(db, 'r1', fresh, '10.9.0.1')).ok).to.equal(true);
    const [entry] = await auditEntries(db, { action: 'account.reset', limit: 1 });
    expect(entry.subject).to.equal('r1');
    expect(JSON.stringify(entry)).to.not.contain(fresh);
    expect(await refusal(resetPassword(db, 'nobody', 'admin'))).to.equal('USER_NOT_FOUND');
  });

  it('refuses an admin disabling their own account, and the last enabled admin', async () => {
    expect(await refusal(setDisabled(db, 'admin', true, 'admin'))).to.equal('SELF');
    expect(await refusal(setDisabled(db, 'admin', true, 'someone-else'))).to.equal('LAST_ADMIN');
    await addUser(db, { username: 'admin2', role: 'admin', password: PASSWORD }, 'admin');
    expect(await refusal(setDisabled(db, 'admin2', true, 'admin'))).to.equal('accepted');
    // admin2 disabled: admin is the last one again.
    expect(await refusal(setDisabled(db, 'admin', true, 'admin2'))).to.equal('LAST_ADMIN');
    expect((await userByName(db, 'admin'))!.disabled).to.equal(false);
  });

  it('leaves one admin enabled when the last two disable each other at the same moment', async () => {
    if (!(await userByName(db, 'admin2'))) await addUser(db, { username: 'admin2', role: 'admin', password: PASSWORD }, 'admin');
    await setDisabled(db, 'admin2', false, 'admin');
    // On PostgreSQL a connection for each, open beforehand: the two transactions then truly overlap.
    await Promise.all([1, 2, 3, 4].map(() => db.transaction(async (tx) => { await tx('users').select('id').limit(1); await new Promise((r) => setTimeout(r, 50)); })));
    const outcomes = await Promise.all([refusal(setDisabled(db, 'admin', true, 'admin2')), refusal(setDisabled(db, 'admin2', true, 'admin'))]);
    expect(outcomes.sort()).to.deep.equal(['LAST_ADMIN', 'accepted']);
    const admins = await Promise.all(['admin', 'admin2'].map(async (name) => (await userByName(db, name))!.disabled));
    expect(admins.filter((disabled) => !disabled)).to.have.length(1);
    // The tests below act as admin: it is enabled again if it was the one disabled.
    if ((await userByName(db, 'admin'))!.disabled) await setDisabled(db, 'admin', false, 'admin2');
  });

  it('disables an account (its sessions end, it cannot log in) and enables it again, writing both', async () => {
    await addUser(db, { username: 'd1', role: 'village', unitId: 'v02', password: PASSWORD }, 'admin');
    const epoch = (await userByName(db, 'd1'))!.session_epoch;
    await setDisabled(db, 'd1', true, 'admin');
    expect((await userByName(db, 'd1'))!.session_epoch).to.equal(epoch + 1);
    expect((await login(db, 'd1', PASSWORD, '10.9.0.2')).ok).to.equal(false);
    await setDisabled(db, 'd1', false, 'admin');
    expect((await login(db, 'd1', PASSWORD, '10.9.0.2')).ok).to.equal(true);
    const actions = (await auditEntries(db, { limit: 10 })).filter((e) => e.subject === 'd1').map((e) => `${e.action} ${e.unit_id}`);
    expect(actions).to.include.members(['account.disable v02', 'account.enable v02']);
  });

  it('refuses the login of an account whose unit is disabled, ends its sessions, and lets it in once the unit is enabled', async () => {
    await addUser(db, { username: 'u1', role: 'village', unitId: 'v02', password: PASSWORD }, 'admin');
    const epoch = (await userByName(db, 'u1'))!.session_epoch;
    await setUnitDisabled(db, 'v02', true, 'admin');
    expect((await userByName(db, 'u1'))!.session_epoch).to.equal(epoch + 1);
    expect((await login(db, 'u1', PASSWORD, '10.9.0.3')).ok).to.equal(false);
    expect(await refusal(addUser(db, { username: 'u2', role: 'village', unitId: 'v02' }, 'admin'))).to.equal('UNIT_DISABLED');
    await setUnitDisabled(db, 'v02', false, 'admin');
    expect((await login(db, 'u1', PASSWORD, '10.9.0.3')).ok).to.equal(true);
  });
});
