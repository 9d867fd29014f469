import { expect } from 'chai';
import type { Db } from '../../../src/db/connection.js';
import { listRuns, unitWithRuns } from '../../../src/db/queries/runs.js';
import { getUnit, listUnits, upsertUnits } from '../../../src/db/queries/units.js';
import { openStore } from '../../../src/services/store.js';
import { onEachBackend } from '../../support/backends.js';

/** A scorecard's first read: the unit and every run on record, in one query. */

onEachBackend('a unit read with every run on record', (backend) => {
  let demo: Db, empty: Db;
  before(async () => {
    demo = await openStore(await backend.fresh('demo'));
  });
  after(async () => { await demo?.destroy(); await empty?.destroy(); });

  it('gives the unit as it is and the runs newest first, as reading them apart does', async () => {
    const [village] = await listUnits(demo, 'village');
    const found = (await unitWithRuns(demo, village.id))!;
    expect(found.unit).to.deep.equal(await getUnit(demo, village.id));
    expect(found.runs).to.deep.equal(await listRuns(demo));
    expect(found.runs.length).to.be.greaterThan(0);
  });

  it('gives nothing for a unit not on record', async () => {
    expect(await unitWithRuns(demo, 'no-such-unit')).to.equal(undefined);
  });

  it('gives a unit with no runs yet an empty list', async () => {
    empty = await openStore(await backend.fresh('none'));
    await upsertUnits(empty, [{ id: 'v9', name: '新村', kind: 'village', parent_id: null, role: null, created_at: '2026-01-01T00:00:00Z' }]);
    expect(await unitWithRuns(empty, 'v9')).to.deep.equal({ unit: await getUnit(empty, 'v9'), runs: [] });
  });
});
