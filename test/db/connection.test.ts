import { expect } from 'chai';
import type { Knex } from 'knex';
import { inTransaction, pageRead, type Db } from '../../src/db/connection.js';
import { openStore } from '../../src/services/store.js';
import { BACKENDS, onEachBackend } from '../support/backends.js';

/** The reads every page makes (pageRead): on SQLite, through read-only connections beside the writer, their SQL made once. */

const sessionsIn = pageRead((db, first: string, second: string) => db('sessions').select('sid', 'sess').whereIn('sid', [first, second]).orderBy('sid', 'desc'));
const sessionNamed = pageRead((db, sid: string) => db('sessions').select('sid').where('sid', sid));
const sessionsLike = pageRead((db, pattern: string) => db('sessions').select('sid').where('sid', 'like', pattern).orderBy('sid'));

onEachBackend('reads made by every page', (backend) => {
  let db: Db;
  const note = (sid: string) => ({ sid, sess: JSON.stringify({ n: sid }), expired: new Date(Date.now() + 60_000).toISOString() });

  before(async () => { db = await openStore(await backend.fresh('none')); });
  after(async () => { await db?.destroy(); });

  it('gives the same rows as the query builder, bindings and all, whatever the values', async () => {
    await db('sessions').insert([note('a'), note('b'), note('c'), note("it's"), note('d?')]);
    const query = (first: string, second: string) => db('sessions').select('sid', 'sess').whereIn('sid', [first, second]).orderBy('sid', 'desc');
    expect(await sessionsIn(db, 'a', 'c')).to.deep.equal(await query('a', 'c'));
    expect((await sessionsIn(db, 'a', 'c')).map((r) => r.sid)).to.deep.equal(['c', 'a']);
    expect((await sessionsIn(db, 'b', "it's")).map((r) => r.sid)).to.deep.equal(["it's", 'b']);
    expect((await sessionsIn(db, 'd?', 'none')).map((r) => r.sid)).to.deep.equal(['d?']);
  });

  it('sees what was committed just before, and a transaction sees its own writes', async () => {
    await db('sessions').insert(note('fresh'));
    expect(await sessionNamed(db, 'fresh')).to.have.length(1);
    await inTransaction(db, async (tx) => {
      await tx('sessions').insert(note('in-tx'));
      expect(await sessionNamed(tx, 'in-tx')).to.have.length(1);
    });
  });

  it('sees each write made since its last read, by the same query or another', async () => {
    for (let k = 0; k < 6; k++) {
      expect(await sessionsLike(db, 'again-%')).to.have.length(k);
      await db('sessions').insert(note(`again-${k}`));
      expect(await sessionNamed(db, `again-${k}`), `again-${k}`).to.have.length(1);
    }
  });

  it('answers fifty reads at once, each with its own rows', async () => {
    const sids = Array.from({ length: 50 }, (_, k) => `many-${k}`);
    await db('sessions').insert(sids.map(note));
    const read = await Promise.all(sids.map((sid) => sessionNamed(db, sid)));
    expect(read.map((rows) => rows.map((r) => r.sid))).to.deep.equal(sids.map((sid) => [sid]));
  });

  it('sees a write in every one of fifty reads at once made after it, after fifty made before it', async () => {
    const burst = () => Promise.all(Array.from({ length: 50 }, () => sessionsLike(db, 'burst-%')));
    expect((await burst()).map((rows) => rows.length)).to.deep.equal(Array(50).fill(0));
    await db('sessions').insert(note('burst-1'));
    expect((await burst()).map((rows) => rows.length)).to.deep.equal(Array(50).fill(1));
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
      const failing = pageRead((db, pattern: string) => db('sessions').select('sid', db.raw("json_extract(sess, '$.a') as a")).where('sid', 'like', pattern).orderBy('sid'));
      for (let k = 0; k < 3; k++) {
        let error: Error | undefined;
        try { await failing(db, 'fail-%'); } catch (e) { error = e as Error; }
        expect(error?.message, `try ${k}`).to.match(/malformed JSON/i);
        await db('sessions').insert({ sid: `after-${k}`, sess: '{}', expired: stamp });
        const seen = await sessionsLike(db, 'after-%');
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
      const writing = pageRead((db, sid: string) => db('sessions').insert({ sid, sess: '{}', expired: new Date().toISOString() }) as unknown as Knex.QueryBuilder);
      try { await writing(db, 'x'); } catch (e) { error = e as Error; }
      expect(error?.message).to.match(/readonly|read-only|query_only/i);
      expect(await db('sessions').where('sid', 'x')).to.have.length(0);
    } finally {
      await db.destroy();
    }
  });

  it('refuse a read whose argument would shape the query instead of being bound to it', async () => {
    const db = await openStore(await sqlite.fresh('none'));
    try {
      const shaped = pageRead((db, column: string) => db('sessions').select(column));
      let error: Error | undefined;
      try { await shaped(db, 'sid'); } catch (e) { error = e as Error; }
      expect(error?.message).to.match(/argument 0 is not a value bound/);
    } finally {
      await db.destroy();
    }
  });

  it('close with the database', async () => {
    const db = await openStore(await sqlite.fresh('none'));
    await sessionNamed(db, 'any');
    await db.destroy();
    let error: Error | undefined;
    try { await sessionNamed(db, 'any'); } catch (e) { error = e as Error; }
    expect(error).to.be.instanceOf(Error);
  });
});
