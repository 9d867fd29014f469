import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
import { listRuns } from '../../src/db/queries/runs.js';
import { listAssessments } from '../../src/services/assessments.js';
import { createRun, publishRun, RunRefused, runResults, verifyRun } from '../../src/services/runs.js';
import { sourceRunOf, sourcesOfRun } from '../../src/services/sources.js';
import { openStore } from '../../src/services/store.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { onEachBackend } from '../support/backends.js';

/**
 * Sources in the record (issue 20, point 3): the demo's 村级年度综合考核 reads the 计生, 党建 and 安全生产
 * results of its period; a run keeps which run each source was and pins the values it read.
 */
onEachBackend('a composite run and its sources', (backend) => {
  let db: Db;
  let composite: string, party: string;
  const runOf = async (track: string, period: string) => sourceRunOf(await listRuns(db, { periodId: period, track }))!;

  before(async () => {
    db = await openStore(await backend.fresh('demo'));
    const all = await listAssessments(db);
    composite = all.find((a) => a.ruleset_id === 'village-composite')!.id;
    party = all.find((a) => a.ruleset_id === 'village-party')!.id;
  });
  after(async () => { await db?.destroy(); });

  it('reads each source from the run of its assessment in the period, and says which, as it was when read', async () => {
    const run = await runOf(composite, '2024');
    const lines = await sourcesOfRun(db, run);
    expect(lines.map((l) => l.label)).to.deep.equal(['计划生育专项考核', '党建工作专项考核', '安全生产专项考核']);
    expect(lines[0].runId).to.equal((await runOf('village', '2024')).id);
    expect(lines.map((l) => l.readAs)).to.deep.equal(['草稿', '草稿', '草稿']);
    expect(lines.every((l) => l.changed === null), 'nothing has changed since').to.equal(true);
    expect(lines[0].what).to.equal('2024年度村级千分考核');
  });

  it('pins the values it read in its snapshot: each unit’s total is the weighted sum of what the sources gave it', async () => {
    const run = await runOf(composite, '2024');
    const [fp, partyRun] = [await runOf('village', '2024'), await runOf(party, '2024')];
    const v01 = (await runResults(db, run.id)).units.find((u) => u.id === 'v01')!;
    const fpV01 = (await runResults(db, fp.id)).units.find((u) => u.id === 'v01')!;
    const partyV01 = (await runResults(db, partyRun.id)).units.find((u) => u.id === 'v01')!;
    expect(v01.inputs?.['fp.total']).to.equal(fpV01.total);
    expect(v01.inputs?.['party.total']).to.equal(partyV01.total);
    expect(v01.scores['family-planning']).to.equal(Math.round(fpV01.total / 1000 * 100 * 0.4 * 10) / 10);
  });

  it('verifies from its snapshot alone, after a source has changed', async () => {
    const run = await runOf(composite, '2024');
    await createRun(db, { periodId: '2024', track: party, by: 't' }); // a newer draft of 党建
    const report = await verifyRun(db, run.id);
    expect(report.differences).to.deep.equal([]);
    expect(report.identical).to.equal(true);
  });

  it('says when a source has a newer result than the one it read, and which', async () => {
    const run = await runOf(composite, '2024');
    const newer = await runOf(party, '2024');
    const line = (await sourcesOfRun(db, run)).find((l) => l.label === '党建工作专项考核')!;
    expect(line.changed).to.deep.equal({ runId: newer.id, text: `现有第${newer.id}号（草稿）` });
  });

  it('says when the result it read has been corrected since, with the correction', async () => {
    const run = await runOf(composite, '2023');
    const fp = await runOf('village', '2023');
    expect(fp.status).to.equal('published');
    const correction = await createRun(db, { periodId: '2023', track: 'village', by: 't', corrects: fp.id, note: '更正数据' });
    await publishRun(db, correction.id, 't');
    const line = (await sourcesOfRun(db, run)).find((l) => l.label === '计划生育专项考核')!;
    expect(line.readAs).to.equal('公示中');
    expect(line.changed).to.deep.equal({ runId: correction.id, text: `所读第${fp.id}号已更正，现为第${correction.id}号（公示中）` });
    expect((await verifyRun(db, run.id)).identical).to.equal(true);
  });

  it('refuses a run whose required source has no result in the period, naming the assessment to score first', async () => {
    const bytes = Buffer.from('id,name,parent,dailyWork\nv01,枫林村,fenglin,8\n');
    await importInputs(db, { periodId: '2022', track: composite, table: parseDataBytes(bytes, 'c.csv'), fileBytes: bytes, by: 't' });
    const refused = await createRun(db, { periodId: '2022', track: composite, by: 't' }).then(() => null, (e: unknown) => e);
    expect(refused).to.be.instanceOf(RunRefused);
    expect((refused as RunRefused).code).to.equal('SOURCE_RUN_MISSING');
    expect((refused as RunRefused).message).to.contain('2022年度村级千分考核');
  });
});
