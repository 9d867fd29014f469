import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
import { likeContaining } from '../../src/db/like.js';
import { upsertUnits } from '../../src/db/queries/units.js';
import { usersPage } from '../../src/db/queries/users.js';
import { quoted, unitTyped } from '../../src/services/choices.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

/** A unit typed where a list would be too long: by number first, then by a name only one unit has. */
onEachBackend('a unit typed by name or number', (backend) => {
  let db: Db;
  const at = '2026-01-01T00:00:00Z';
  const unit = (id: string, name: string, kind = 'village', disabled_at: string | null = null) => ({ id, name, kind, parent_id: null, role: null, created_at: at, disabled_at });
  before(async () => {
    db = await openStore(await backend.fresh('none'));
    // Two villages named 新村; a unit whose name is another's number; a disabled 旧村; a staff member 新村 would not be.
    await upsertUnits(db, [unit('x1', '新村'), unit('x2', '新村'), unit('x3', 'x1'), unit('x4', '旧村', 'village', at), unit('s1', '张三', 'staff')]);
  });
  after(async () => { await db?.destroy(); });

  const any = () => true;
  it('takes a number as that unit, even where another unit is named like it', async () => {
    expect(await unitTyped(db, 'x1', any)).to.deep.nested.include({ 'unit.id': 'x1' });
    expect(await unitTyped(db, 'x2', any)).to.deep.nested.include({ 'unit.id': 'x2' });
  });

  it('takes a name only one accepted unit has, and says so of a name several have or none', async () => {
    expect(await unitTyped(db, '张三', any)).to.deep.nested.include({ 'unit.id': 's1' });
    expect(await unitTyped(db, '新村', any)).to.deep.equal({ none: 'several' });
    expect(await unitTyped(db, '无此村', any)).to.deep.equal({ none: 'unknown' });
    expect(await unitTyped(db, '', any)).to.deep.equal({ none: 'unknown' });
  });

  it('looks only among the units accepted', async () => {
    const enabledVillage = (u: { kind: string; disabled_at?: string | null }) => u.kind === 'village' && !u.disabled_at;
    expect(await unitTyped(db, '旧村', enabledVillage)).to.deep.equal({ none: 'unknown' });
    expect(await unitTyped(db, '张三', enabledVillage)).to.deep.equal({ none: 'unknown' });
    expect(await unitTyped(db, '旧村', any)).to.deep.nested.include({ 'unit.id': 'x4' });
  });

  it('finds accounts by part of a name with LIKE’s own characters taken as typed', async () => {
    await db('users').insert(['a%b', 'a_c', 'abc'].map((username) => ({
      username, display_name: username, role: 'leader', unit_id: null, password_hash: 'x', disabled: false, session_epoch: 0, created_at: at, password_changed_at: at,
    })));
    expect((await usersPage(db, '%', 10, 0)).rows.map((u) => u.username)).to.deep.equal(['a%b']);
    expect((await usersPage(db, '_', 10, 0)).rows.map((u) => u.username)).to.deep.equal(['a_c']);
    expect(await usersPage(db, 'a', 2, 0)).to.deep.include({ total: 3 });
  });
});

describe('text quoted back in a message, and a LIKE pattern', () => {
  it('quotes typed text without marks that turn or hide it, cut to its length', () => {
    expect(quoted('\u202e村\u200b名\u0007')).to.equal('村名');
    expect(quoted('一二三四五', 3)).to.equal('一二三…');
  });

  it('makes LIKE’s own characters plain', () => {
    expect(likeContaining('50%_a\\b')).to.equal('%50\\%\\_a\\\\b%');
  });
});
