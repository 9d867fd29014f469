import { expect } from 'chai';
import type { Db } from '../../../src/db/connection.js';
import { liveSessionWithAccount } from '../../../src/db/queries/sessions.js';
import { userByName } from '../../../src/db/queries/users.js';
import { addUser } from '../../../src/services/accounts.js';
import { openStore } from '../../../src/services/store.js';
import { onEachBackend } from '../../support/backends.js';

/** A session and its account read together, as each page reads them. */

onEachBackend('a live session read with its account', (backend) => {
  let db: Db;
  const soon = () => new Date(Date.now() + 60_000).toISOString();
  const session = (sid: string, sess: Record<string, unknown>, expired = soon()) =>
    db('sessions').insert({ sid, sess: JSON.stringify({ cookie: { originalMaxAge: 60_000 }, ...sess }), expired });

  before(async () => {
    db = await openStore(await backend.fresh('none'));
    await addUser(db, { username: 'clerk', role: 'leader', displayName: '镇办事员', password: 'clerk-测试口令-2024' }, 'test');
  });
  after(async () => { await db?.destroy(); });

  it('reads the session’s data and the account it names, as that account is now', async () => {
    const clerk = (await userByName(db, 'clerk'))!;
    await session('with-account', { userId: clerk.id, epoch: 0, flash: '已保存' });
    const read = (await liveSessionWithAccount(db, 'with-account'))!;
    expect(read.sess).to.deep.include({ userId: clerk.id, epoch: 0, flash: '已保存' });
    expect(read.user).to.deep.equal(clerk);
    expect(read.user!.disabled).to.equal(false);
  });

  it('reads a session without an account, or naming one that is gone, with no account', async () => {
    await session('signed-out', {});
    await session('account-gone', { userId: 987654 });
    expect((await liveSessionWithAccount(db, 'signed-out'))!.user).to.equal(undefined);
    const gone = (await liveSessionWithAccount(db, 'account-gone'))!;
    expect(gone.sess).to.deep.include({ userId: 987654 });
    expect(gone.user).to.equal(undefined);
  });

  it('reads nothing of an expired session, or of one never made', async () => {
    const clerk = (await userByName(db, 'clerk'))!;
    await session('expired', { userId: clerk.id }, new Date(Date.now() - 1000).toISOString());
    expect(await liveSessionWithAccount(db, 'expired')).to.equal(undefined);
    expect(await liveSessionWithAccount(db, 'never-made')).to.equal(undefined);
  });
});
