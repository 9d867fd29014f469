import { expect } from 'chai';
import { inTransaction, readAll, type Db } from '../../src/db/connection.js';
import { openStore } from '../../src/services/store.js';
import { BACKENDS, onEachBackend } from '../support/backends.js';

/** The reads every page makes (readAll): on SQLite, through read-only connections beside the writer. */

onEachBackend('reads made by every page', (backend) => {
  let db: Db;
  const note = (sid: string) => ({ sid, sess: JSON.stringify({ n: sid }), expired: new Date(Date.now() + 60_000).toISOString() });

  before(async () => { db = await openStore(await backend.fresh('none')); });
  after(async () => { await db?.destroy(); });

  it('gives the same rows as the query builder, bindings and all', async () => {
    await db('sessions').insert([note('a'), note('b'), note('c')]);
    const query = () => db('sessions').select('sid', 'sess').whereIn('sid', ['a', 'c']).orderBy('sid', 'desc');
    expect(await readAll(db, query())).to.deep.equal(await query());
    expect((await readAll(db, query())).map((r) => r.sid)).to.deep.equal(['c', 'a']);
  });

  it('sees what was committed just before, and a transaction sees its own writes', async () => {
    await db('sessions').insert(note('fresh'));
    expect(await readAll(db, db('sessions').where('sid', 'fresh'))).to.have.length(1);
    await inTransaction(db, async (tx) => {
      await tx('sessions').insert(note('in-tx'));
      expect(await readAll(tx, tx('sessions').where('sid', 'in-tx'))).to.have.length(1);
    });
  });

  it('sees each write made since its last read, by the same query or another', async () => {
    const count = async () => (await readAll(db, db('sessions').select('sid').where('sid', 'like', 'again-%'))).length;
    const one = async (sid: string) => readAll(db, db('sessions').select('sid').where('sid', sid));
    for (let k = 0; k < 6; k++) {
      expect(await count()).to.equal(k);
      await db('sessions').insert(note(`again-${k}`));
      expect(await one(`again-${k}`), `again-${k}`).to.have.length(1);
    }
  });

  it('answers fifty reads at once, each with its own rows', async () => {
    const sids = Array.from({ length: 50 }, (_, k) => `many-${k}`);
    await db('sessions').insert(sids.map(note));
    const read = await Promise.all(sids.map((sid) => readAll(db, db('sessions').select('sid').where('sid', sid))));
    expect(read.map((rows) => rows.map((r) => r.sid))).to.deep.equal(sids.map((sid) => [sid]));
  });
});

describe('the reading connections of a SQLite database', () => {
  const sqlite = BACKENDS.find((b) => b.name === 'SQLite')!;

  it('give the error of a read that fails part way, and see the writes made after it', async () => {
    const db = await openStore(await sqlite.fresh('none'));
    try {
      const stamp = new Date().toISOString();
      await db('sessions').insert([{ sid: 'fail-1', sess: '{"a":1}', expired: stamp }, { sid: 'fail-2', sess: 'not json', expired: stamp }]);
      // The first row reads; the second fails while the statement steps.
      const failing = () => readAll(db, db('sessions').select('sid', db.raw("json_extract(sess, '$.a') as a")).where('sid', 'like', 'fail-%').orderBy('sid'));
      for (let k = 0; k < 3; k++) {
        let error: Error | undefined;
        try { await failing(); } catch (e) { error = e as Error; }
        expect(error?.message, `try ${k}`).to.match(/malformed JSON/i);
        await db('sessions').insert({ sid: `after-${k}`, sess: '{}', expired: stamp });
        const seen = await readAll(db, db('sessions').select('sid').where('sid', 'like', 'after-%'));
        expect(seen, `try ${k}`).to.have.length(k + 1);
      }
    } finally {
      await db.destroy();
    }
  });

  it('refuse to write, so that no write ever competes with the writing connection', async () => {
    const db = await openStore(await sqlite.fresh('none'));
    try {
      let error: Error | undefined;
      try { await readAll(db, db('sessions').insert({ sid: 'x', sess: '{}', expired: new Date().toISOString() })); } catch (e) { error = e as Error; }
      expect(error?.message).to.match(/readonly|read-only|query_only/i);
      expect(await db('sessions').where('sid', 'x')).to.have.length(0);
    } finally {
      await db.destroy();
    }
  });

  it('close with the database', async () => {
    const db = await openStore(await sqlite.fresh('none'));
    await readAll(db, db('sessions'));
    await db.destroy();
    let error: Error | undefined;
    try { await readAll(db, db('sessions')); } catch (e) { error = e as Error; }
    expect(error).to.be.instanceOf(Error);
  });
});
