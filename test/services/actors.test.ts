import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
import { insertMany } from '../../src/db/chunks.js';
import { addUser } from '../../src/services/accounts.js';
import { actorNames, SYSTEM_ACTOR } from '../../src/services/actors.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

onEachBackend('who did it, as people read it', (backend) => {
  let db: Db;
  before(async () => { db = await openStore(await backend.fresh('none')); });
  after(async () => { await db?.destroy(); });

  it('names an account by its display name, the product’s own work as 系统, and a removed account by the name it was recorded under', async () => {
    await addUser(db, { username: 'clerk', displayName: '王秘书', role: 'leader' }, SYSTEM_ACTOR);
    const actor = await actorNames(db, ['clerk', SYSTEM_ACTOR, 'gone', null]);
    expect(actor('clerk')).to.equal('王秘书');
    expect(actor(SYSTEM_ACTOR)).to.equal('系统');
    expect(actor('gone')).to.equal('gone');
    expect(actor(null)).to.equal('');
  });

  it('reads only the accounts a page names, however many there are (a province has one a village)', async () => {
    const at = new Date().toISOString();
    const many = Array.from({ length: 6001 }, (_, k) => ({
      username: `v${k}`, display_name: `第${k}村文书`, role: 'village', unit_id: null, password_hash: 'x', disabled: false, session_epoch: 0, created_at: at, password_changed_at: at,
    }));
    await insertMany(db, 'users', many);
    const asked = many.filter((_, k) => k % 2 === 0).map((u) => u.username);
    const actor = await actorNames(db, [...asked, 'clerk', undefined, '']);
    expect(asked.map((u) => actor(u))).to.deep.equal(many.filter((_, k) => k % 2 === 0).map((u) => u.display_name));
    expect(actor('clerk')).to.equal('王秘书');
    // One the page did not name is named as an account the record does not have: by its account name.
    expect(actor('v1')).to.equal('v1');
  });
});
