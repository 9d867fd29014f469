import { expect } from 'chai';
import type { Knex } from 'knex';
import { inTransaction, type Db } from '../../src/db/connection.js';
import { chunkSize, insertMany, rowWriter } from '../../src/db/chunks.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

/**
 * Rows written a part at a time (a run's results, a slice at a time): every row lands once
 * in its order, a part the database refuses takes the transaction's writes with it, and on
 * SQLite a part of the same size as the one before runs the statement already prepared.
 */
onEachBackend('rows written in parts', (backend) => {
  let db: Db;
  type Row = { k: number; label: string | null };
  const rows = (from: number, count: number): Row[] => Array.from({ length: count }, (_, i) => ({ k: from + i, label: (from + i) % 3 ? `第${from + i}行` : null }));

  before(async () => {
    db = await openStore(await backend.fresh('none'));
    await db.schema.createTable('scratch_rows', (t) => {
      t.integer('k').primary();
      t.string('label');
    });
  });
  beforeEach(async () => { await db('scratch_rows').delete(); });
  after(async () => { await db?.destroy(); });

  const stored = async () => (await db('scratch_rows').orderBy('k')).map((r: Row) => ({ k: Number(r.k), label: r.label }));

  it('writes every row of every part once, whatever the parts\' sizes, empty parts included', async () => {
    await inTransaction(db, async (tx) => {
      const writer = rowWriter<Row>(tx, 'scratch_rows');
      try {
        for (const [from, count] of [[0, 3], [3, 3], [6, 0], [6, 2], [8, 3]]) await writer.write(rows(from, count));
      } finally {
        await writer.close();
      }
    });
    expect(await stored()).to.deep.equal(rows(0, 11));
  });

  it('writes a part larger than one statement may bind in several statements, reporting each', async () => {
    const many = rows(0, chunkSize(2) * 2 + 5);
    const done: number[] = [];
    await inTransaction(db, (tx) => insertMany(tx, 'scratch_rows', many, { progress: (n) => done.push(n) }));
    expect(done).to.deep.equal([chunkSize(2), chunkSize(2) * 2, many.length]);
    expect(await stored()).to.deep.equal(many);
  });

  it('fails with the database\'s refusal of a part, and the transaction keeps none of the parts', async () => {
    let closed = false;
    const failure = await inTransaction(db, async (tx) => {
      const writer = rowWriter<Row>(tx, 'scratch_rows');
      try {
        await writer.write(rows(0, 3));
        await writer.write([...rows(3, 2), { k: 1, label: 'again' }]);
      } finally {
        await writer.close();
        closed = true;
      }
    }).then(() => undefined, (e: Error) => e);
    expect(failure?.message).to.match(/UNIQUE|unique|duplicate/);
    expect(closed).to.equal(true);
    expect(await stored()).to.deep.equal([]);
  });

  if (backend.name === 'SQLite') {
    it('prepares one statement for all parts of the same size, another when the size changes, and lets each go', async () => {
      const prepared: string[] = [];
      let finalized = 0;
      await inTransaction(db, async (tx) => {
        const conn = (await (tx as unknown as { client: { acquireConnection(): Promise<SqliteConn> } }).client.acquireConnection());
        const prepare = conn.prepare;
        conn.prepare = function (this: SqliteConn, sql: string, cb: (err: Error | null) => void) {
          prepared.push(sql);
          const st = prepare.call(this, sql, cb);
          const finalize = st.finalize;
          st.finalize = function (this: typeof st, done: () => void) { finalized++; return finalize.call(this, done); };
          return st;
        };
        try {
          const writer = rowWriter<Row>(tx as Knex.Transaction, 'scratch_rows');
          try {
            for (const from of [0, 4, 8, 12]) await writer.write(rows(from, 4));
            await writer.write(rows(16, 1));
          } finally {
            await writer.close();
          }
        } finally {
          conn.prepare = prepare;
        }
      });
      expect(prepared).to.have.length(2);
      expect(prepared[0].match(/\(\?,\?\)/g)).to.have.length(4);
      expect(prepared[1].match(/\(\?,\?\)/g)).to.have.length(1);
      expect(finalized).to.equal(2);
      expect(await stored()).to.deep.equal(rows(0, 17));
    });
  }
});

type SqliteConn = {
  prepare(sql: string, cb: (err: Error | null) => void): { finalize(done: () => void): unknown };
};
