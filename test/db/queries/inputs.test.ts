import { expect } from 'chai';
import type { Db } from '../../../src/db/connection.js';
import { ensurePeriod } from '../../../src/db/queries/periods.js';
import { pinnedInputPages, upsertInputs, type InputRow } from '../../../src/db/queries/inputs.js';
import { openStore } from '../../../src/services/store.js';
import { onEachBackend } from '../../support/backends.js';

/**
 * What a run pins, read in parts: the parts joined are one JSON document of every unit in
 * id order, each unit's inputs exactly as stored, whatever the page and part sizes.
 */
onEachBackend('the inputs a run pins', (backend) => {
  let db: Db;
  const rows: InputRow[] = Array.from({ length: 23 }, (_, k) => ({
    period_id: '2031', track: 'village', unit_id: `v${String(k).padStart(3, '0')}`,
    name: k % 5 === 0 ? null : `第${k}村 "引号" \\ 斜杠`, parent_id: k % 2 ? 't1' : null,
    input_values: JSON.stringify({ population: 1000 + k, grade: k % 3 ? '好' : null, note: 'a},{"id":"x' }),
    batch_id: null, entered_by: 'test', entered_at: '2031-01-01T00:00:00Z',
  }));
  const expected = rows.map((r) => ({ id: r.unit_id, name: r.name, parent: r.parent_id, inputs: JSON.parse(r.input_values) }));

  before(async () => {
    db = await openStore(await backend.fresh('none'));
    for (const id of ['2030', '2031']) await ensurePeriod(db, { id, title: `${id}年度`, kind: 'year' }, '2031-01-01T00:00:00Z');
    await upsertInputs(db, [...rows].reverse());
    await upsertInputs(db, [{ ...rows[0], unit_id: 's001', track: 'staff' }, { ...rows[0], period_id: '2030' }]);
  });
  after(async () => { await db?.destroy(); });

  async function read(page: number, part: number) {
    const parts: Array<{ text: string; count: number }> = [];
    for await (const p of pinnedInputPages(db, '2031', 'village', page, part)) parts.push({ text: p.json.toString('utf8'), count: p.count });
    return parts;
  }

  for (const [page, part] of [[1000, 50], [10, 4], [23, 23], [5, 1], [7, 100]]) {
    it(`gives every unit of the period and track once, in id order, in pages of ${page} and parts of ${part}`, async () => {
      const parts = await read(page, part);
      for (const p of parts) {
        expect(p.count).to.be.at.most(Math.min(page, part));
        expect(JSON.parse(p.text)).to.have.length(p.count);
      }
      const joined = `[${parts.map((p) => p.text.slice(1, -1)).join(',')}]`;
      expect(JSON.parse(joined)).to.deep.equal(expected);
    });
  }

  it('gives nothing for a period with no inputs', async () => {
    const parts: unknown[] = [];
    for await (const p of pinnedInputPages(db, '2029', 'village', 10, 5)) parts.push(p);
    expect(parts).to.deep.equal([]);
  });
});
