import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/connection.js';
import { DataInvalid } from '../../src/engine/index.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { DEMO_DIR } from '../../src/paths.js';
import { onEachBackend } from '../support/backends.js';

/** A staff run (双线考核) reads its villages' results; a staff member whose village has none is named, all at once. */
onEachBackend('a staff run linked to its villages', (backend) => {
  let db: Db;
  const load = (file: string, edit: (text: string) => string = (t) => t) => {
    const bytes = Buffer.from(edit(readFileSync(path.join(DEMO_DIR, file), 'utf8')));
    return { table: parseDataBytes(bytes, file), fileBytes: bytes };
  };
  before(async () => {
    db = await openStore(await backend.fresh('none'));
    await importInputs(db, { periodId: '2031', track: 'village', by: 't', ...load('villages-2023.csv') });
    await createRun(db, { periodId: '2031', track: 'village', by: 't' });
  });
  after(async () => { await db?.destroy(); });

  it('refuses to score staff serving villages without results, naming every such row', async () => {
    // Two staff members moved to villages the village run never scored.
    const moved = (text: string) => text.replace(/^(s01,[^,]*),v01,/m, '$1,v98,').replace(/^(s02,[^,]*),v02,/m, '$1,v99,');
    await importInputs(db, { periodId: '2031', track: 'staff', by: 't', ...load('staff-2023.csv', moved) });
    const refused = await createRun(db, { periodId: '2031', track: 'staff', by: 't' }).then(() => null, (e: unknown) => e);
    expect(refused).to.be.instanceOf(DataInvalid);
    const problems = (refused as DataInvalid).problems.filter((p) => p.code === 'SOURCE_MISSING');
    // Rows of the run's snapshot, in unit order (g01…g08 first): s01 and s02 are its 10th and 11th rows.
    expect(problems.map((p) => ({ file: p.file, row: p.row, column: p.column }))).to.deep.equal([
      { file: 'snapshot 2031/staff', row: 10, column: 'parent' }, { file: 'snapshot 2031/staff', row: 11, column: 'parent' },
    ]);
    expect(problems.map((p) => p.message).join('\n')).to.match(/v98[\s\S]*v99/);
  });

  it('scores the staff once every village they serve has results', async () => {
    await importInputs(db, { periodId: '2031', track: 'staff', by: 't', replace: true, ...load('staff-2023.csv') });
    const run = await createRun(db, { periodId: '2031', track: 'staff', by: 't' });
    expect(run.unit_count).to.equal(26);
  });
});
