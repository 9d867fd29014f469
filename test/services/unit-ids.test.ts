import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { listUnits } from '../../src/db/queries/units.js';
import { DataInvalid } from '../../src/engine/index.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { openStore } from '../../src/services/store.js';
import type { Db } from '../../src/db/connection.js';
import { onEachBackend } from '../support/backends.js';

/**
 * Issue 17, item 7: the unit ids the record refuses at import, each at its row and column
 * (no link can carry `.` or `..`, no page shows a control character, the id column holds
 * 64 characters), while any other text — a/b, x?y=1, 50%, <b>, 村 一 — is a welcome id.
 */

const csvCell = (s: string) => (/[",\r\n\t]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The demo villages with some ids and parents changed (row numbers as a spreadsheet's: v01 is row 2). */
function villages(changes: Record<string, { id?: string; parent?: string; name?: string }>): Buffer {
  const rows = parse(readFileSync(path.join(DEMO_DIR, 'villages-2024.csv')), { bom: true }) as string[][];
  const [header] = rows;
  const id = header.indexOf('id'), parent = header.indexOf('parent'), name = header.indexOf('name');
  for (const row of rows.slice(1)) {
    const change = changes[row[id]];
    if (change?.parent !== undefined) row[parent] = change.parent;
    if (change?.name !== undefined) row[name] = change.name;
    if (change?.id !== undefined) row[id] = change.id;
  }
  return Buffer.from(rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n');
}

const importVillages = async (db: Db, bytes: Buffer) =>
  importInputs(db, { periodId: '2027', track: 'village', table: parseDataBytes(bytes, 'villages.csv'), fileBytes: bytes, by: 'test' });

onEachBackend('unit ids at import (issue 17, item 7)', function (backend) {
  this.timeout(60_000);
  let db: Db;
  before(async () => { db = await openStore(await backend.fresh('demo')); });
  after(async () => { await db?.destroy(); });

  it('refuses ., .., a control character and more than 64 characters, in id and parent, each at its row and column, and writes nothing', async () => {
    const before = (await listUnits(db)).length;
    const bytes = villages({
      v01: { id: '.' }, v02: { id: '..' }, v03: { id: 'a\tb' }, v04: { id: '村'.repeat(65) }, v05: { parent: '..' },
      v07: { id: 'ok', parent: 'p\nq' },
    });
    const err = await importVillages(db, bytes).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(DataInvalid);
    const found = (err as DataInvalid).problems.filter((p) => p.code.startsWith('UNIT_ID')).map((p) => ({ row: p.row, column: p.column, code: p.code }));
    expect(found).to.deep.equal([
      { row: 2, column: 'id', code: 'UNIT_ID_INVALID' },
      { row: 3, column: 'id', code: 'UNIT_ID_INVALID' },
      { row: 4, column: 'id', code: 'UNIT_ID_INVALID' },
      { row: 5, column: 'id', code: 'UNIT_ID_TOO_LONG' },
      { row: 6, column: 'parent', code: 'UNIT_ID_INVALID' },
      { row: 8, column: 'parent', code: 'UNIT_ID_INVALID' },
    ]);
    for (const p of (err as DataInvalid).problems) expect(p.file).to.equal('villages.csv');
    expect((await listUnits(db)).length).to.equal(before);
  });

  it('refuses a NUL in an id already as the file is read, at its row and column (CONTROL_CHARACTER), and writes nothing', async () => {
    const before = (await listUnits(db)).length;
    const err = await importVillages(db, villages({ v06: { id: 'x\u0000y' } })).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(DataInvalid);
    expect((err as DataInvalid).problems.map((p) => [p.row, p.column, p.code])).to.deep.equal([[7, 'id', 'CONTROL_CHARACTER']]);
    expect((await listUnits(db)).length).to.equal(before);
  });

  it('reports a refused id together with the other bad cells of the file', async () => {
    const rows = villages({ v01: { id: '..' } }).toString('utf8').replace(/^(v02,[^,]*,[^,]*,)\d+/m, '$1多少');
    const err = await importVillages(db, Buffer.from(rows)).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(DataInvalid);
    expect((err as DataInvalid).problems.map((p) => [p.row, p.column, p.code])).to.deep.equal([[2, 'id', 'UNIT_ID_INVALID'], [3, 'population', 'NOT_A_NUMBER']]);
  });

  it('refuses a unit name over 100 characters at its row, takes one of exactly 100, and writes nothing of a refused file', async () => {
    const rows = parse(readFileSync(path.join(DEMO_DIR, 'villages-2024.csv')), { bom: true }) as string[][];
    const name = rows[0].indexOf('name');
    rows[2][name] = '村'.repeat(101);
    const text = (r: string[][]) => Buffer.from(r.map((x) => x.map(csvCell).join(',')).join('\n') + '\n');
    const err = await importVillages(db, text(rows)).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(DataInvalid);
    expect((err as DataInvalid).problems.map((p) => [p.row, p.column, p.code])).to.deep.equal([[3, 'name', 'UNIT_NAME_TOO_LONG']]);
    rows[2][name] = '村'.repeat(100);
    expect((await importVillages(db, text(rows))).rows).to.equal(18);
  });

  it('keeps any other text as an id: a/b, x?y=1, 50%, <b>, 村 一, v01#2, .., within a word, and 64 characters', async () => {
    const ids = { v01: 'a/b', v02: 'x?y=1', v03: '50%', v04: '<b>', v05: '村 一', v06: 'v01#2', v07: 'a..b', v08: '村'.repeat(64), v09: '...' };
    // New units (their names new too: two 枫林村 under one township are refused, unit-changes.ts).
    const result = await importVillages(db, villages(Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, { id, name: `新${k}村` }]))));
    expect(result.rows).to.equal(18);
    const stored = new Set((await listUnits(db)).map((u) => u.id));
    for (const id of Object.values(ids)) expect(stored.has(id), id).to.equal(true);
  });
});
