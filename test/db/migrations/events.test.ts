import { expect } from 'chai';
import * as events from '../../../src/db/migrations/0005-events.js';
import type { Db } from '../../../src/db/connection.js';
import { openStore } from '../../../src/services/store.js';
import { onEachBackend } from '../../support/backends.js';

/** Migration 0005 (the events ledger): safe to run twice, and an event is never deleted. */
onEachBackend('migration 0005, the events ledger', (backend) => {
  let db: Db;
  before(async () => { db = await openStore(await backend.fresh('none')); });
  after(async () => { await db?.destroy(); });

  const row = { period_id: '2024', unit_id: 'v01', input: 'accidents', level: '较大', points: null, happened_on: '2024-05-03', note: '', recorded_by: 'leader', recorded_at: '2024-05-04T01:00:00.000Z' };

  it('runs a second time without changing what is there', async () => {
    await db('events').insert(row);
    await events.up(db);
    expect(await db('events').count({ n: '*' }).first().then((r) => Number(r!.n))).to.equal(1);
  });

  it('refuses to delete an event: it is withdrawn, never deleted', async () => {
    const error = await db('events').where({ unit_id: 'v01' }).delete().then(() => null, (e: Error) => e);
    expect(error?.message).to.contain('never deleted');
    expect(await db('events').count({ n: '*' }).first().then((r) => Number(r!.n))).to.equal(1);
  });
});
