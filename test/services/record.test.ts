import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import type { Db } from '../../src/db/connection.js';
import { DataInvalid } from '../../src/engine/index.js';
import { countInputs, inputOf } from '../../src/db/queries/inputs.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { compareRuns, createRun, publishRun, runResults, RunRefused, verifyRun, withExplanations } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { DEMO_DIR } from '../../src/paths.js';
import { onEachBackend } from '../support/backends.js';

const demoFile = (name: string) => {
  const bytes = readFileSync(path.join(DEMO_DIR, name));
  return { table: parseDataBytes(bytes, name), fileBytes: bytes };
};

async function refusal(work: Promise<unknown>): Promise<string> {
  try { await work; } catch (e) { return (e as { code?: string }).code ?? String(e); }
  return 'not refused';
}

onEachBackend('the appraisal record', (backend) => {
  let config: Config;
  let db: Db;
  before(async () => {
    config = await backend.fresh('none');
    db = await openStore(config);
  });
  after(async () => { await db?.destroy(); });

  it('migrates a new database and opens it again without migrating twice', async () => {
    const again = await openStore(config);
    const migrations = await again('knex_migrations').select('name');
    await again.destroy();
    expect(migrations.map((m: { name: string }) => m.name)).to.deep.equal(['0001-appraisal-record', '0002-accounts', '0003-appraisal-year', '0004-assessments', '0005-events', '0006-run-sources', '0007-collection', '0008-shared-files', '0009-counts-kept', '0010-accounts-by-unit']);
  });

  it('imports the shipped rule files as versions, once', async () => {
    const rows = await db('rule_versions').select('ruleset_id');
    expect(rows.map((r: { ruleset_id: string }) => r.ruleset_id).sort()).to.include.members(['staff-annual', 'village-annual']);
    const again = await openStore(config);
    expect((await again('rule_versions').count({ n: '*' }).first())!.n).to.equal((await db('rule_versions').count({ n: '*' }).first())!.n);
    await again.destroy();
  });

  it('imports a period whole, recording who entered it and when', async () => {
    const result = await importInputs(db, { periodId: '2023', ...demoFile('villages-2023.csv'), by: 'clerk' });
    expect(result.rows).to.equal(18);
    expect(await countInputs(db, '2023', 'village')).to.equal(18);
    const row = await inputOf(db, '2023', 'village', 'v01');
    expect(row).to.include({ entered_by: 'clerk', name: '枫林村', parent_id: 'fenglin' });
    expect(JSON.parse(row!.input_values).births).to.be.a('number');
    const [entry] = await auditEntries(db, { action: 'inputs.import' });
    expect(entry).to.include({ actor: 'clerk', subject: '2023/village' });
  });

  it('imports nothing when any cell is bad, and reports every bad cell', async () => {
    const text = readFileSync(path.join(DEMO_DIR, 'villages-2024.csv'), 'utf8').split('\n');
    text[3] = text[3].replace(/^(v\d+,[^,]+,[^,]+,)\d+/, '$1abc'); // population of row 4
    text[7] = text[7].replace(/^(v\d+,[^,]+,[^,]+,)\d+/, '$1-5');  // population of row 8
    const bytes = Buffer.from(text.join('\n'));
    const error = await importInputs(db, { periodId: '2024', table: parseDataBytes(bytes, 'bad.csv'), fileBytes: bytes, by: 'clerk' }).catch((e) => e);
    expect(error).to.be.instanceOf(DataInvalid);
    expect((error as DataInvalid).problems.map((p) => [p.row, p.column, p.code])).to.deep.equal([[4, 'population', 'NOT_A_NUMBER'], [8, 'population', 'OUT_OF_RANGE']]);
    expect(await countInputs(db, '2024', 'village')).to.equal(0);
    expect(await db('periods').where({ id: '2024' }).first()).to.equal(undefined);
  });

  it('runs an appraisal as a draft pinned to a rule version and a snapshot, with every result stored', async () => {
    const run = await createRun(db, { periodId: '2023', by: 'leader' });
    expect(run).to.include({ status: 'draft', unit_count: 18, track: 'village' });
    const { units, parents } = await runResults(db, run.id);
    expect(units).to.have.length(18);
    expect(units[17].vetoed).to.equal(true);
    const [explained] = await withExplanations(db, run, units.slice(0, 1));
    expect(explained.explanations!['birth-rate']).to.contain('人口出生率');
    expect(parents.find((p) => p.id === 'fenglin')!.sanctions).to.not.be.empty;
  });

  it('publishes a draft once; a published run never changes, not even by hand', async () => {
    const run = await createRun(db, { periodId: '2023', by: 'leader' });
    const other = await createRun(db, { periodId: '2023', by: 'leader' });
    const { run: published } = await publishRun(db, run.id, 'leader');
    expect(published).to.include({ status: 'published', published_by: 'leader' });
    expect(await refusal(publishRun(db, run.id, 'leader'))).to.equal('NOT_A_DRAFT');
    expect(await refusal(publishRun(db, other.id, 'leader'))).to.equal('PERIOD_ALREADY_PUBLISHED');
    const tamper = (q: Promise<unknown>) => q.then(() => 'changed', (e: Error) => e.message);
    expect(await tamper(db('results').where({ run_id: run.id }).update({ total: 1000 }))).to.contain('never change');
    expect(await tamper(db('results').where({ run_id: run.id }).delete())).to.contain('never change');
    expect(await tamper(db('runs').where({ id: run.id }).update({ results_sha256: 'x' }))).to.contain('never changes');
    expect(await tamper(db('audit_log').update({ actor: 'x' }))).to.contain('append-only');
    expect(await tamper(db('rule_versions').delete())).to.contain('never changes');
    expect((await verifyRun(db, run.id)).identical).to.equal(true);
  });

  it('corrects a published run with a new run that supersedes it, and says what changed', async () => {
    const [published] = await db('runs').where({ period_id: '2023', status: 'published' });
    // The vetoed village's policy-external birth was a data error: corrected, it is no longer vetoed.
    const text = readFileSync(path.join(DEMO_DIR, 'villages-2023.csv'), 'utf8');
    const lines = text.split('\n');
    const header = lines[0].split(',');
    const k = lines.findIndex((l) => l.startsWith('v09,'));
    const cells = lines[k].split(',');
    for (const col of ['outOfPolicyBirths', 'outOfPolicyMulti', 'multiBirths']) cells[header.indexOf(col)] = '0';
    cells[header.indexOf('births')] = String(Number(cells[header.indexOf('births')]) - 1);
    const boys = header.indexOf('boys');
    cells[boys] = String(Number(cells[boys]) - 1);
    lines[k] = cells.join(',');
    const bytes = Buffer.from(lines.join('\n'));
    await importInputs(db, { periodId: '2023', table: parseDataBytes(bytes, 'fix.csv'), fileBytes: bytes, by: 'clerk' });

    const correction = await createRun(db, { periodId: '2023', by: 'leader', corrects: published.id, note: '黄泥坳村数据更正' });
    const { superseded } = await publishRun(db, correction.id, 'leader');
    expect(superseded).to.include({ id: published.id, status: 'superseded' });
    const changes = await compareRuns(db, published.id, correction.id);
    const v09 = changes.find((c) => c.unitId === 'v09')!;
    expect(v09.changes).to.include('撤销一票否决');
    expect(v09.before!.vetoed).to.equal(true);
    expect(v09.after!.vetoed).to.equal(false);
    expect((await verifyRun(db, published.id)).identical).to.equal(true);
    expect((await verifyRun(db, correction.id)).identical).to.equal(true);
  });

  it('refuses to correct a run that is not published', async () => {
    const draft = await createRun(db, { periodId: '2023', by: 'leader' });
    expect(await refusal(createRun(db, { periodId: '2023', by: 'leader', corrects: draft.id }))).to.equal('NOT_CORRECTABLE');
  });

  it('finds a stored result that differs from its recomputation', async () => {
    const draft = await createRun(db, { periodId: '2023', by: 'leader' });
    await db('results').where({ run_id: draft.id, unit_id: 'v01' }).update({ total: 12.5 });
    const report = await verifyRun(db, draft.id);
    expect(report.identical).to.equal(false);
    expect(report.sealIntact).to.equal(false);
    expect(report.differences).to.deep.include({ unitId: 'v01', field: 'total', stored: 12.5, recomputed: report.differences[0].recomputed });
  });

  it('refuses a run of a period that has no data', async () => {
    expect(await refusal(createRun(db, { periodId: '1999', by: 'leader' }))).to.equal('PERIOD_NOT_FOUND');
    expect(await refusal(createRun(db, { periodId: '2023', track: 'staff', by: 'leader' }))).to.equal('NO_INPUTS');
  });

  it('seeds the demo township on first start, with 2023 published and 2024 in draft', async () => {
    const demo = await openStore(await backend.fresh('demo'));
    try {
      const runs = await demo('runs').select('period_id', 'track', 'status').orderBy('id');
      expect(runs).to.deep.equal([
        { period_id: '2023', track: 'village', status: 'published' },
        { period_id: '2024', track: 'village', status: 'draft' },
        { period_id: '2023', track: 'staff', status: 'published' },
        { period_id: '2024', track: 'staff', status: 'draft' },
        // The 党建 and 安全生产 专项考核 and the 综合考核 (issue 20, point 6), after runs 1–4.
        { period_id: '2023', track: 'a3', status: 'published' },
        { period_id: '2023', track: 'a4', status: 'published' },
        { period_id: '2023', track: 'a5', status: 'published' },
        { period_id: '2024', track: 'a3', status: 'draft' },
        { period_id: '2024', track: 'a4', status: 'draft' },
        { period_id: '2024', track: 'a5', status: 'draft' },
      ]);
    } finally {
      await demo.destroy();
    }
  });

  it('is refused with a clear error when the run does not exist', async () => {
    expect(await refusal(publishRun(db, 9999, 'leader'))).to.equal('RUN_NOT_FOUND');
    expect(await refusal(verifyRun(db, 9999))).to.equal('RUN_NOT_FOUND');
    expect(RunRefused).to.be.a('function');
  });
});
