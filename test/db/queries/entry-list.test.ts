import { expect } from 'chai';
import type { Db } from '../../../src/db/connection.js';
import { entryList } from '../../../src/db/queries/inputs.js';
import { boardRows } from '../../../src/db/queries/reports.js';
import { openStore } from '../../../src/services/store.js';
import { onEachBackend } from '../../support/backends.js';

/** The paged lists a province needs (the entry list, the board): a page at a time, filtered in SQL, never the whole tree read. */
onEachBackend('paged lists of units: the entry list and the board', (backend) => {
  let db: Db;
  before(async () => { db = await openStore(await backend.fresh('demo')); });
  after(async () => { await db?.destroy(); });

  it('pages the entry list by unit id and counts what matches and what is entered', async () => {
    const first = await entryList(db, '2024', 'village', 'village', { limit: 5, offset: 0 });
    expect(first).to.include({ total: 18, entered: 18 });
    expect(first.rows.map((r) => r.unit_id)).to.deep.equal(['v01', 'v02', 'v03', 'v04', 'v05']);
    const last = await entryList(db, '2024', 'village', 'village', { limit: 5, offset: 15 });
    expect(last.rows.map((r) => r.unit_id)).to.deep.equal(['v16', 'v17', 'v18']);
    expect(first.rows[0]).to.include({ unit_name: '枫林村', parent_id: 'fenglin', report_id: null });
    expect(first.rows[0].batch_id).to.be.a('number');
  });

  it('filters by township, by part of a name or id, and by whether entered; LIKE’s own characters are taken as typed', async () => {
    expect((await entryList(db, '2024', 'village', 'village', { search: '枫林', limit: 50, offset: 0 })).rows.map((r) => r.unit_name)).to.deep.equal(['枫林村', '枫林社区']);
    expect((await entryList(db, '2024', 'village', 'village', { parentId: 'fenglin', limit: 50, offset: 0 })).total).to.equal(18);
    expect((await entryList(db, '2024', 'village', 'village', { parentId: 'nowhere', limit: 50, offset: 0 })).total).to.equal(0);
    expect((await entryList(db, '2031', 'village', 'village', { entered: false, limit: 50, offset: 0 })).total).to.equal(18);
    expect((await entryList(db, '2024', 'village', 'village', { entered: false, limit: 50, offset: 0 })).total).to.equal(0);
    for (const search of ['%', '_', '\\']) expect((await entryList(db, '2024', 'village', 'village', { search, limit: 50, offset: 0 })).total, search).to.equal(0);
  });

  it('filters the board by state and name the same way', async () => {
    const { rows, total } = await boardRows(db, '2024', { kind: 'village', states: ['submitted'], limit: 50, offset: 0 });
    expect(total).to.equal(3);
    expect(rows.map((r) => r.unit_id)).to.deep.equal(['v02', 'v04', 'v11']);
    expect((await boardRows(db, '2024', { kind: 'village', search: '%', limit: 50, offset: 0 })).total).to.equal(0);
    expect((await boardRows(db, '2024', { kind: 'village', states: ['none'], limit: 50, offset: 0 })).total).to.equal(10);
  });
});
