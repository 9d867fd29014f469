import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/connection.js';
import type { UnitRow } from '../../src/db/queries/units.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { appraisalSubject, documentDate, issuerName, issuingUnit, MAX_NOTICE_UNITS, noticeDocument, resultNotice, runNotice } from '../../src/services/notice.js';
import { parseCsvData } from '../../src/io/data-file.js';
import { syntheticVillagesCsv } from '../support/synthetic.js';
import { createRun, publishRun } from '../../src/services/runs.js';
import { scorecardOf } from '../../src/services/scorecards.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

/** The 通报 of a run and the 告知单 of a scorecard: their words, made from the run and the unit tree. */

const at = '2024-01-01T00:00:00.000Z';
const row = (id: string, name: string, kind: string, parent_id: string | null): UnitRow => ({ id, name, kind, parent_id, role: null, created_at: at });
const TREE = [
  row('hetang', '荷塘区', 'county', null), row('fenglin', '枫林镇', 'township', 'hetang'), row('cn', '城南街道', 'township', 'hetang'),
  row('v01', '枫林村', 'village', 'fenglin'), row('v02', '双塘村', 'village', 'fenglin'), row('c01', '南门社区', 'village', 'cn'),
  row('s01', '李秀兰', 'staff', 'v01'), row('loop', '环', 'township', 'loop'),
];

describe('the words of a notice', () => {
  it('names the appraisal by its rule set’s title, without 细则 and what follows it', () => {
    expect(appraisalSubject('村级人口和计划生育工作千分考核细则')).to.equal('村级人口和计划生育工作千分考核');
    expect(appraisalSubject('村级计生专干、组宣管员年度工作考核细则（双线考核）')).to.equal('村级计生专干、组宣管员年度工作考核');
    expect(appraisalSubject('安全生产目标管理办法')).to.equal('安全生产目标管理考核');
  });

  it('signs as the township’s government, or the street office', () => {
    expect(['枫林镇', '石桥乡', '荷塘区', '城南街道', '枫林村'].map((name) => issuerName({ name }))).to.deep.equal(
      ['枫林镇人民政府', '石桥乡人民政府', '荷塘区人民政府', '城南街道办事处', '枫林村']);
  });

  it('is issued by the nearest unit above all the ranked units', () => {
    expect(issuingUnit(TREE, ['fenglin', 'fenglin'])?.id).to.equal('fenglin');
    expect(issuingUnit(TREE, ['fenglin', 'cn'])?.id, 'two townships: their district').to.equal('hetang');
    expect(issuingUnit(TREE, ['v01'])?.id, 'staff serve villages: the township issues').to.equal('fenglin');
  });

  it('has no issuer when the tree does not hold one, and does not loop on a cycle', () => {
    expect(issuingUnit(TREE, ['t00001'])).to.equal(undefined);
    expect(issuingUnit(TREE, [null])).to.equal(undefined);
    expect(issuingUnit(TREE, [])).to.equal(undefined);
    expect(issuingUnit(TREE, ['loop'])?.id).to.equal('loop');
  });

  it('dates a notice as a 公文 does, in China Standard Time', () => {
    expect(documentDate('2024-12-01T16:30:00.000Z')).to.equal('2024年12月2日');
    expect(documentDate('not a date')).to.equal('');
  });
});

async function importDemo(db: Db, periodId: string, file: string): Promise<void> {
  const bytes = readFileSync(path.join(DEMO_DIR, file));
  await importInputs(db, { periodId, table: parseDataBytes(bytes, file), fileBytes: bytes, by: 'test' });
}

onEachBackend('the 通报 of a stored run', (backend) => {
  let db: Db;
  before(async () => { db = await openStore(await backend.fresh('demo')); });
  after(async () => { await db?.destroy(); });

  it('tells the 2023 ranking of the demo township: title, issuer, opening, one row per village, sanctions with reasons', async () => {
    const run = (await db('runs').where({ period_id: '2023', track: 'village' }).first())!;
    const notice = await runNotice(db, run, null, '2030-01-01T00:00:00.000Z');
    expect(notice.title).to.equal('关于2023年度村级人口和计划生育工作千分考核结果的通报');
    expect(notice.fileName).to.equal('关于2023年度村级人口和计划生育工作千分考核结果的通报.docx');
    expect(notice.issuer).to.equal('枫林镇人民政府');
    expect(notice.status).to.equal('');
    expect(notice.signedOn, 'a published run is dated the day it was published').to.equal(documentDate(run.published_at));
    expect(notice.opening).to.equal('根据《村级人口和计划生育工作千分考核细则》（2024.2版），对18个村（社区）2023年度工作进行了考核。现将考核结果通报如下：');
    expect(notice.rows).to.have.length(18);
    expect(notice.rows.find((r) => r.name === '长冲村')!.remarks).to.deep.equal(['倒数第二名，通报批评']);
    expect(notice.rows.find((r) => r.name === '黄泥坳村')!.remarks).to.deep.equal(['排名最后，一票否决']);
    expect(notice.rows[0]).to.include({ rank: 1, name: '新桥村', total: '999.5' });
    expect(notice.sections.map((s) => s.heading)).to.deep.equal(['二、奖惩情况', '三、一票否决', '四、连带责任']);
    expect(notice.sections[1].text).to.match(/^黄泥坳村：.*有政策外生育的村实行一票否决。$/);
    expect(notice.sections[2].text).to.equal('枫林镇：通报批评、黄牌警告（所属黄泥坳村被一票否决）。');
    expect(JSON.stringify(notice)).not.to.match(/village-annual|fenglin|"v\d\d"|undefined|NaN/);
  });

  it('says a draft is a draft, dated the day it is printed', async () => {
    const run = (await db('runs').where({ period_id: '2024', track: 'village' }).first())!;
    const notice = await runNotice(db, run, null, '2030-01-01T00:00:00.000Z');
    expect(notice.status).to.equal('（草稿，未经发布）');
    expect(notice.signedOn).to.equal('2030年1月1日');
    expect(notice.rows.find((r) => r.name === '马家冲村')!.remarks).to.deep.equal(['倒数第二名，通报批评']);
  });

  it('counts staff as people, issued by the township of the villages they serve', async () => {
    const run = (await db('runs').where({ period_id: '2023', track: 'staff' }).first())!;
    const notice = await runNotice(db, run, null);
    expect(notice.opening).to.contain('对26名工作人员2023年度工作进行了考核');
    expect(notice.issuer).to.equal('枫林镇人民政府');
    expect(notice.rows.filter((r) => r.remarks.includes('第一名，评为优秀计生干部，予以表彰奖励'))).to.have.length.greaterThan(0);
  });

  it('tells a village its result in its 告知单', async () => {
    const card = (await scorecardOf(db, 'v06', { runId: 1, withDrafts: false }))!;
    const told = await resultNotice(db, card);
    expect(told.addressee).to.equal('长冲村：');
    expect(told.issuer).to.equal('枫林镇人民政府');
    expect(told.opening).to.match(/^根据《村级人口和计划生育工作千分考核细则》（2024\.2版），你村2023年度考核结果如下：总分691\.9分（满分1000分），在18个村（社区）中排名第17名，等级为“合格”；倒数第二名，通报批评。/);
  });

  it('gives a village’s scorecard the reason of its sanction', async () => {
    await importDemo(db, '2031', 'villages-2024.csv');
    const run = await createRun(db, { periodId: '2031', by: 'test' });
    await publishRun(db, run.id, 'test');
    const card = (await scorecardOf(db, 'v01', { runId: run.id, withDrafts: false }))!;
    expect(card.result.sanctions).to.deep.equal([{ outcome: 'commendation', label: '表彰', reason: '第一名' }]);
  });

  it('refuses a Word notice of more units than one notice holds, and writes it township by township', async () => {
    const csv = syntheticVillagesCsv(MAX_NOTICE_UNITS + 1, { townships: 50 });
    await importInputs(db, { periodId: '2032', table: parseCsvData(csv, 'v.csv'), fileBytes: Buffer.from(csv), by: 'test' });
    const run = await createRun(db, { periodId: '2032', by: 'test' });
    let refused: unknown;
    try { await noticeDocument(db, run, null); } catch (e) { refused = e; }
    expect(refused).to.have.property('code', 'NOTICE_TOO_LARGE');
    const { bytes, fileName } = await noticeDocument(db, run, 't00001');
    expect(bytes.subarray(0, 2).toString()).to.equal('PK');
    expect(fileName).to.equal('关于2032年度村级人口和计划生育工作千分考核结果的通报.docx');
  });
});
