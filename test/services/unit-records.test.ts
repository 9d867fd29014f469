import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { resultsOf } from '../../src/db/queries/results.js';
import { getUnit, listEnabledUnits } from '../../src/db/queries/units.js';
import { createRun, listRuns, verifyRun } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { inputTemplate } from '../../src/services/templates.js';
import { addUnit, moveUnit, renameUnit, setUnitDisabled, unitTree } from '../../src/services/unit-records.js';
import { onEachBackend } from '../support/backends.js';

/**
 * The unit tree kept by hand (issue 19, point 5): what is refused (a bad id, a cycle, a name
 * too long or taken), what is written to the audit log, and what stays as it was: runs
 * keep their snapshot and the names their results were given.
 */

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

onEachBackend('units kept by the admin (issue 19, point 5)', function (backend) {
  this.timeout(120_000);
  let db: Db;
  before(async () => { db = await openStore(await backend.fresh('demo')); });
  after(async () => { await db?.destroy(); });

  it('adds a village under the township and writes unit.add with its id', async () => {
    const row = await addUnit(db, { id: 'v19', name: '  青石岭村 ', kind: 'village', parentId: 'fenglin' }, 'admin');
    expect(row).to.include({ id: 'v19', name: '青石岭村', parent_id: 'fenglin', kind: 'village' });
    const [entry] = await auditEntries(db, { action: 'unit.add', limit: 1 });
    expect(entry).to.include({ actor: 'admin', subject: 'v19', unit_id: 'v19' });
  });

  const refusals: Array<[string, { id: string; name: string; kind: string; parentId: string | null }, string]> = [
    ['an id no link can carry', { id: '..', name: '甲村', kind: 'village', parentId: 'fenglin' }, 'UNIT_ID_INVALID'],
    ['an id with a line break', { id: 'a\nb', name: '甲村', kind: 'village', parentId: 'fenglin' }, 'UNIT_ID_INVALID'],
    ['an id of 65 characters', { id: 'x'.repeat(65), name: '甲村', kind: 'village', parentId: 'fenglin' }, 'UNIT_ID_TOO_LONG'],
    ['an empty id', { id: '  ', name: '甲村', kind: 'village', parentId: 'fenglin' }, 'UNIT_ID_EMPTY'],
    ['an id already used', { id: 'v01', name: '甲村', kind: 'village', parentId: 'fenglin' }, 'UNIT_ID_TAKEN'],
    ['a name of 101 characters', { id: 'n1', name: '村'.repeat(101), kind: 'village', parentId: 'fenglin' }, 'UNIT_NAME_TOO_LONG'],
    ['a name with a direction mark', { id: 'n2', name: '甲\u202e村', kind: 'village', parentId: 'fenglin' }, 'UNIT_NAME_INVALID'],
    ['a name a sibling has', { id: 'n3', name: '枫林村', kind: 'village', parentId: 'fenglin' }, 'UNIT_NAME_TAKEN'],
    ['an unknown kind', { id: 'n4', name: '甲村', kind: '__proto__', parentId: 'fenglin' }, 'UNIT_KIND_INVALID'],
    ['an unknown parent', { id: 'n5', name: '甲村', kind: 'village', parentId: 'nowhere' }, 'PARENT_NOT_FOUND'],
    ['a staff member as parent', { id: 'n6', name: '甲村', kind: 'village', parentId: 's01' }, 'PARENT_IS_LEAF'],
    ['a village without a parent', { id: 'n7', name: '甲村', kind: 'village', parentId: null }, 'PARENT_REQUIRED'],
  ];
  for (const [what, unit, code] of refusals) {
    it(`refuses ${what} (${code}) and adds nothing`, async () => {
      expect(await refusal(addUnit(db, unit, 'admin'))).to.equal(code);
      if (unit.id.trim() && unit.id !== 'v01') expect(await getUnit(db, unit.id.trim())).to.equal(undefined);
    });
  }

  it('keeps a hostile name as text and takes one of 100 characters', async () => {
    await addUnit(db, { id: 'h1', name: '<script>alert(1)</script>{{x}}', kind: 'village', parentId: 'fenglin' }, 'admin');
    expect((await getUnit(db, 'h1'))!.name).to.equal('<script>alert(1)</script>{{x}}');
    await renameUnit(db, 'h1', '村'.repeat(100), 'admin');
    expect((await getUnit(db, 'h1'))!.name).to.equal('村'.repeat(100));
  });

  it('renames a unit, writing unit.rename, while the results of a run keep the name they had', async () => {
    const [published] = (await listRuns(db, { periodId: '2023', track: 'village' })).filter((r) => r.status === 'published');
    await renameUnit(db, 'v02', '双塘社区', 'admin');
    expect((await getUnit(db, 'v02'))!.name).to.equal('双塘社区');
    const [result] = await resultsOf(db, published.id, { unitId: 'v02' });
    expect(result.name).to.equal('双塘村');
    expect(await refusal(renameUnit(db, 'v02', '枫林村', 'admin'))).to.equal('UNIT_NAME_TAKEN');
    const [entry] = await auditEntries(db, { action: 'unit.rename', limit: 1 });
    expect(entry).to.include({ subject: 'v02', unit_id: 'v02' });
    expect(JSON.parse(entry.detail!)).to.deep.equal({ from: '双塘村', to: '双塘社区' });
  });

  it('moves a unit under another parent and refuses a move under itself or its own staff (a cycle)', async () => {
    await addUnit(db, { id: 'town2', name: '新镇', kind: 'township', parentId: 'hetang' }, 'admin');
    await moveUnit(db, 'v19', 'town2', 'admin');
    expect((await getUnit(db, 'v19'))!.parent_id).to.equal('town2');
    const [entry] = await auditEntries(db, { action: 'unit.move', limit: 1 });
    expect(JSON.parse(entry.detail!)).to.deep.equal({ from: 'fenglin', to: 'town2' });
    expect(await refusal(moveUnit(db, 'town2', 'v19', 'admin'))).to.equal('UNIT_CYCLE');
    expect(await refusal(moveUnit(db, 'town2', 'town2', 'admin'))).to.equal('UNIT_CYCLE');
    expect(await refusal(moveUnit(db, 'hetang', 'v19', 'admin'))).to.equal('UNIT_CYCLE');
    expect(await refusal(moveUnit(db, 'v19', 's01', 'admin'))).to.equal('PARENT_IS_LEAF');
    expect(await refusal(moveUnit(db, 'v19', '', 'admin'))).to.equal('PARENT_REQUIRED');
    expect((await getUnit(db, 'town2'))!.parent_id).to.equal('hetang');
    const tree = await unitTree(db);
    expect(tree.find((n) => n.unit.id === 'v19')!.depth).to.equal(tree.find((n) => n.unit.id === 'town2')!.depth + 1);
  });

  it('disables only a village or a staff member', async () => {
    expect(await refusal(setUnitDisabled(db, 'fenglin', true, 'admin'))).to.equal('UNIT_NOT_DISABLEABLE');
    expect(await refusal(setUnitDisabled(db, 'nowhere', true, 'admin'))).to.equal('UNIT_NOT_FOUND');
  });

  it('leaves a disabled village out of the entry list, the template and a new run, while every earlier run still verifies', async () => {
    const before = await listRuns(db, { periodId: '2024', track: 'village' });
    await setUnitDisabled(db, 'v03', true, 'admin');
    expect((await listEnabledUnits(db, 'village')).map((u) => u.id)).to.not.include('v03');
    const template = await inputTemplate(db, '2024', 'village', 'admin');
    expect(JSON.stringify(template)).to.not.contain('"v03"');
    const run = await createRun(db, { periodId: '2024', track: 'village', by: 'admin' });
    expect(run.unit_count).to.equal(before[0].unit_count - 1);
    expect((await resultsOf(db, run.id)).map((r) => r.unit_id)).to.not.include('v03');
    for (const r of before) {
      expect((await resultsOf(db, r.id)).map((x) => x.unit_id)).to.include('v03');
      expect((await verifyRun(db, r.id)).identical, `run ${r.id}`).to.equal(true);
    }
    const [entry] = await auditEntries(db, { action: 'unit.disable', limit: 1 });
    expect(entry).to.include({ subject: 'v03', unit_id: 'v03' });
    await setUnitDisabled(db, 'v03', false, 'admin');
    const again = await createRun(db, { periodId: '2024', track: 'village', by: 'admin' });
    expect(again.unit_count).to.equal(before[0].unit_count);
  });
});
