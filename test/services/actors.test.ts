import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
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
    const actor = await actorNames(db);
    expect(actor('clerk')).to.equal('王秘书');
    expect(actor(SYSTEM_ACTOR)).to.equal('系统');
    expect(actor('gone')).to.equal('gone');
    expect(actor(null)).to.equal('');
  });
});
