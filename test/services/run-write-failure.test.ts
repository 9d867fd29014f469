import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
import { parseCsvData } from '../../src/io/data-file.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { BACKENDS } from '../support/backends.js';
import { syntheticVillagesCsv } from '../support/synthetic.js';

/**
 * A run writes its results a slice at a time, making the next slice while the last is written.
 * A write that fails, early or late, ends the run with its error and stores nothing of it.
 */
describe('a run whose results cannot all be written', () => {
  const sqlite = BACKENDS.find((b) => b.name === 'SQLite')!;
  let db: Db;
  beforeEach(async () => {
    db = await openStore(await sqlite.fresh('none'));
    const csv = syntheticVillagesCsv(1200);
    await importInputs(db, { periodId: '2031', table: parseCsvData(csv, 'v.csv'), fileBytes: Buffer.from(csv), by: 't' });
  });
  afterEach(async () => { await db?.destroy(); });

  for (const position of [0, 300, 1199]) {
    it(`fails with the database's error and stores no run when the result at position ${position} is refused`, async () => {
      await db.raw(`CREATE TRIGGER refuse_one BEFORE INSERT ON results WHEN NEW.position = ${position} BEGIN SELECT RAISE(ABORT, '磁盘拒绝写入'); END`);
      // The failed write is answered where the run awaits it, never left as a rejection nobody handles
      // (Node ends the process on one). Whether it lands in that window here is the database thread's
      // timing; overlapped-writes.test.ts makes it land there every time.
      const unhandled: unknown[] = [];
      const record = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', record);
      let error: Error | undefined;
      try { await createRun(db, { periodId: '2031', by: 't' }); } catch (e) { error = e as Error; }
      await new Promise((resolve) => setImmediate(resolve));
      process.off('unhandledRejection', record);
      expect(unhandled, 'rejections nobody handled').to.deep.equal([]);
      expect(error?.message).to.match(/磁盘拒绝写入/);
      expect(await db('runs').count({ n: '*' })).to.deep.equal([{ n: 0 }]);
      expect(await db('results').count({ n: '*' })).to.deep.equal([{ n: 0 }]);
      // The database takes the next run once the cause is gone.
      await db.raw('DROP TRIGGER refuse_one');
      const run = await createRun(db, { periodId: '2031', by: 't' });
      expect(run.unit_count).to.equal(1200);
    });
  }
});
