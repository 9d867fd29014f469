import { expect } from 'chai';
import type { Db } from '../../../src/db/connection.js';
import { parentsOfKind, unitNames, unitsByIds, unitsWithAncestors, upsertUnits, type UnitRow } from '../../../src/db/queries/units.js';
import { openStore } from '../../../src/services/store.js';
import { onEachBackend } from '../../support/backends.js';

/** A page reads the units it names and those above them, never the whole tree (a county holds tens of thousands). */

const AT = '2026-01-01T00:00:00Z';
const unit = (id: string, parent: string | null, kind = 'village'): UnitRow => ({ id, name: `名${id}`, kind, parent_id: parent, role: null, created_at: AT });

onEachBackend('units read by id', (backend) => {
  let db: Db;
  before(async () => {
    db = await openStore(await backend.fresh('none'));
    const villages = Array.from({ length: 12_000 }, (_, i) => unit(`v${i}`, i % 2 ? 't1' : 't2'));
    await upsertUnits(db, [unit('c', null, 'county'), unit('t1', 'c', 'township'), unit('t2', 'c', 'township'), unit('t3', null, 'township'), ...villages,
      unit('s1', 'v1', 'staff')]);
  });
  after(async () => { await db?.destroy(); });

  it('gives the units asked for that the record has, each once, whatever the number of ids', async () => {
    const ids = [...Array.from({ length: 12_000 }, (_, i) => `v${i}`), 'v3', 'gone', null, undefined];
    const found = await unitsByIds(db, ids);
    expect(found).to.have.length(12_000);
    expect(new Set(found.map((u) => u.id)).size).to.equal(12_000);
  });

  it('gives names by id, and none for an id not on record', async () => {
    const names = await unitNames(db, ['t1', 'v7', 'nowhere']);
    expect([...names.entries()]).to.have.deep.members([['t1', '名t1'], ['v7', '名v7']]);
  });

  it('gives the name of each of more ids than one query may name', async () => {
    const names = await unitNames(db, [...Array.from({ length: 12_000 }, (_, i) => `v${i}`), 'v5', null]);
    expect(names.size).to.equal(12_000);
    expect(names.get('v11999')).to.equal('名v11999');
  });

  it('gives the parents of a kind’s enabled units by name, at most as many as asked, and how many there are', async () => {
    expect(await parentsOfKind(db, 'village', 10)).to.deep.include({ total: 2 });
    expect((await parentsOfKind(db, 'village', 1)).rows.map((u) => u.id)).to.deep.equal(['t1']);
    expect((await parentsOfKind(db, 'staff', 10)).rows.map((u) => u.id)).to.deep.equal(['v1']);
    // A township whose only village is disabled is no longer one to choose; enabled again, it is.
    await upsertUnits(db, [unit('t4', 'c', 'township'), unit('w1', 't4')]);
    expect((await parentsOfKind(db, 'village', 10)).rows.map((u) => u.id)).to.deep.equal(['t1', 't2', 't4']);
    await db('units').where({ id: 'w1' }).update({ disabled_at: AT });
    expect((await parentsOfKind(db, 'village', 10)).rows.map((u) => u.id)).to.deep.equal(['t1', 't2']);
    await db('units').where({ id: 'w1' }).update({ disabled_at: null });
    expect(await parentsOfKind(db, 'village', 10)).to.deep.include({ total: 3 });
  });

  it('gives a unit with every unit above it, and no sibling', async () => {
    expect((await unitsWithAncestors(db, ['s1'])).map((u) => u.id).sort()).to.deep.equal(['c', 's1', 't1', 'v1']);
    expect((await unitsWithAncestors(db, ['v2', 'v4', 't3'])).map((u) => u.id).sort()).to.deep.equal(['c', 't2', 't3', 'v2', 'v4']);
    expect(await unitsWithAncestors(db, [null, 'gone'])).to.deep.equal([]);
  });

  it('ends on a tree that loops', async () => {
    await upsertUnits(db, [unit('x1', 'x2', 'township'), unit('x2', 'x1', 'township')]);
    expect((await unitsWithAncestors(db, ['x1'])).map((u) => u.id).sort()).to.deep.equal(['x1', 'x2']);
  });
});
