import { expect } from 'chai';
import { getReport } from '../../src/db/queries/reports.js';
import { PDF, postMultipart } from '../support/appeals.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';

/**
 * Data collection through the web application (issue 21, point 8): what a village may post to its own report, and what
 * it may not — another's report, a figure past its deadline, an inspector's grade, a file that is not what it says —
 * with nothing of a refused submission kept; the township's review answered in words.
 */
describe('data collection through the web application (issue 21)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let v01: Client, leader: Client;
  before(async () => {
    app = await startApp();
    v01 = await signedIn(app.url, 'v01');
    leader = await signedIn(app.url, 'leader');
  });
  after(async () => { await app?.close(); });

  it('takes a village’s figures for its own report only: another unit named, an inspector’s grade or a figure past its deadline is not taken', async () => {
    const v02Before = await getReport(app.db, '2024', 'v02');
    await v01.get('/reporting/2024');
    const res = await postMultipart(v01, '/reporting/2024', [
      ['step', 'save'], ['unit', 'v02'], ['unitId', 'v02'], ['memberMeetings', '6'], ['siteGrade', '好'], ['hazardsFound', '3'], ['__proto__', 'x'],
    ]);
    expect(res.status).to.equal(303);
    const mine = (await getReport(app.db, '2024', 'v01'))!;
    // 党建 is open: its figure taken; 安全生产 closed two days ago (the demo): its figure not; the township's grade never.
    expect(JSON.parse(mine.report_values)).to.deep.equal({ memberMeetings: '6' });
    expect(await getReport(app.db, '2024', 'v02')).to.deep.equal(v02Before);
  });

  it('refuses a file that only calls itself a PDF, with the reason beside its figure, keeping nothing of the submission', async () => {
    const before = (await getReport(app.db, '2024', 'v01'))!;
    await v01.get('/reporting/2024');
    const res = await postMultipart(v01, '/reporting/2024', [['step', 'submit'], ['memberMeetings', '9']],
      [{ name: '会议记录.pdf', bytes: Buffer.from('<html><script>alert(1)</script></html>'), type: 'application/pdf', field: 'file:heldLifeMeeting' }]);
    expect(res.status).to.equal(422);
    const text = await res.text();
    expect(text).to.contain('提交未成功').and.to.contain('不是 JPEG、PNG 图片或 PDF 文档').and.not.to.contain('<script>alert');
    expect(await getReport(app.db, '2024', 'v01')).to.deep.equal(before);
  });

  it('takes a real PDF as the figure’s file, served back to the village as an attachment only', async () => {
    await v01.get('/reporting/2024');
    const res = await postMultipart(v01, '/reporting/2024', [['step', 'save']], [{ name: '组织生活会记录.pdf', bytes: PDF, type: 'application/pdf', field: 'file:heldLifeMeeting' }]);
    expect(res.status).to.equal(303);
    const page = await v01.get('/reporting/2024');
    const href = /href="(\/reporting\/2024\/files\/\d+)"/.exec(page.text)![1];
    const file = await v01.request('GET', href);
    expect(file.headers.get('content-disposition')).to.match(/^attachment;/);
    expect(file.headers.get('content-type')).to.equal('application/pdf');
    expect(file.headers.get('x-content-type-options')).to.equal('nosniff');
  });

  it('answers a return without a comment with the reason, and a second answer of the same report as already answered', async () => {
    const report = (await getReport(app.db, '2024', 'v02'))!; // the demo's, submitted
    await leader.get(`/reports/${report.id}`);
    const bare = await leader.post(`/reports/${report.id}/return`, { comment: '   ' });
    expect(bare.status).to.equal(400);
    expect(await bare.text()).to.contain('退回时请至少对一项数据或整份报送写明意见');
    await leader.get(`/reports/${report.id}`);
    expect((await leader.post(`/reports/${report.id}/approve`, {})).status).to.equal(303);
    await leader.get(`/reports/${report.id}`);
    const again = await leader.post(`/reports/${report.id}/approve`, {});
    expect(again.status).to.equal(409);
    expect(await again.text()).to.contain('这份报送已被审核或退回');
  });

  it('takes the period’s statistics sheet: a bad cell reported at its cell with nothing imported, then the sheet whole into every assessment naming its figures', async () => {
    const csv = (rows: string) => ({ name: '统计表.csv', bytes: Buffer.from(`单位编号,总人口,召开支部党员大会次数\n${rows}`, 'utf8'), type: 'text/csv', field: 'file' });
    await leader.get('/entry/statistics?period=2024&kind=village');
    const bad = await postMultipart(leader, '/entry/statistics', [['period', '2024'], ['kind', 'village']], [csv('v03,很多,4\n')]);
    expect(bad.status).to.equal(422);
    const text = await bad.text();
    expect(text).to.contain('未导入任何数据').and.to.contain('桃花村').and.to.contain('data-cell="B2"');
    await leader.get('/entry/statistics?period=2024&kind=village');
    const good = await postMultipart(leader, '/entry/statistics', [['period', '2024'], ['kind', 'village']], [csv('v03,1999,4\n')]);
    expect(good.status).to.equal(303);
    const flash = (await leader.get(good.headers.get('location')!)).text;
    expect(flash).to.contain('导入 1 个单位2024年度的数据，计入：村级千分考核、村级党建工作专项考核');
  });

  it('refuses a deadline in the past when opening reporting, saying why on the board', async () => {
    await leader.get('/collection?period=2024&assessment=a3');
    const res = await leader.post('/collection/open', { period: '2024', assessment: 'a3', deadline: '2020-01-01' });
    expect(res.status).to.equal(400);
    expect(await res.text()).to.contain('截止日期不能早于今天');
  });
});
