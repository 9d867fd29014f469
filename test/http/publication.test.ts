import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inputOf } from '../../src/db/queries/inputs.js';
import { getRun, markPublished } from '../../src/db/queries/runs.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { dateInWords, defaultReviewUntil } from '../../src/services/review-period.js';
import { createRun, runResults } from '../../src/services/runs.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';

/** The text a reader sees: tags left out. */
const seen = (html: string) => html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');

/** Markup as the browser reads it: Handlebars escapes = inside attributes. */
const unescape = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

/** A village's row of the demo's 2023 file, as the entry form posts it. */
function row2023(unitId: string): Record<string, string> {
  const row = parseDataBytes(readFileSync(path.join(DEMO_DIR, 'villages-2023.csv')), 'villages-2023.csv').rows.find((r) => r.cells.id === unitId)!;
  const { id: _id, name: _name, parent: _parent, ...inputs } = row.cells as Record<string, string>;
  return inputs;
}

/** The demo: run 1 the villages' 2023 (under 公示), 2 their 2024 draft, 3 the staff's 2023 (under 公示), 4 their 2024 draft. */
describe('publication pages: 发布, 公示, 定稿, 作废 (issue 19, points 1 and 4)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let leader: Client;
  let village: Client;

  before(async () => {
    app = await startApp();
    leader = await signedIn(app.url, 'leader');
    village = await signedIn(app.url, 'v01');
  });
  after(async () => { await app?.close(); });

  describe('the ranking a village may see', () => {
    it('gives the village its scope’s published ranking: names, ranks, totals, its own row marked', async () => {
      const { status, text } = await village.get('/units/v01/ranking?run=1');
      expect(status).to.equal(200);
      expect(text).to.contain('<tr class="own" aria-current="true">');
      expect(seen(text)).to.contain('枫林村 （本单位）');
      expect((text.match(/<tr class="(own)?( vetoed)?"/g) ?? []).length).to.equal(18);
      expect(seen(text)).not.to.match(/\bv\d\d\b/);
    });

    it('tells another unit’s veto as 一票否决, never its clause', async () => {
      const vetoed = (await runResults(app.db, 1)).units.find((u) => u.vetoed && u.id !== 'v01')!;
      const { text } = await village.get('/units/v01/ranking?run=1');
      const nameCell = /<td class="name">([\s\S]*?)<\/td>/.exec(text.split('<tr').find((r) => r.includes(`>${vetoed.name}`))!)![1];
      expect(seen(nameCell).match(/一票否决/g)).to.have.length(1); // said once, by its sanction or on its own
      for (const v of vetoed.vetoes) expect(text).not.to.contain(v.title);
      // The vetoed unit itself reads its clause.
      const own = await leader.get(`/units/${vetoed.id}/ranking?run=1`);
      expect(own.text).to.contain(`否决原因：${vetoed.vetoes[0].title}`);
    });

    it('answers 404 for a draft, for a run of another track, and for another village', async () => {
      expect((await village.get('/units/v01/ranking?run=2')).status).to.equal(404);
      expect((await village.get('/units/v01/ranking?run=3')).status).to.equal(404);
      expect((await village.get('/units/v02/ranking?run=1')).status).to.equal(404);
      expect((await leader.get('/staff/s01/ranking?run=4')).status).to.equal(404);
    });

    it('answers 404 for a discarded run', async () => {
      const run = await createRun(app.db, { periodId: '2024', track: 'staff', by: 'leader' });
      await leader.get(`/runs/${run.id}`);
      expect((await leader.post(`/runs/${run.id}/discard`)).headers.get('location')).to.equal('/runs');
      expect((await getRun(app.db, run.id))!.status).to.equal('discarded');
      expect((await leader.get(`/staff/s01/ranking?run=${run.id}`)).status).to.equal(404);
    });
  });

  describe('the 公示 banner of a scorecard', () => {
    it('tells the village the deadline in Beijing time and the way to appeal', async () => {
      const run = (await getRun(app.db, 1))!;
      const text = unescape((await village.get('/units/v01')).text);
      expect(seen(text)).to.contain(`公示中，截止${dateInWords(run.review_until!)}（北京时间）；如有异议，可在截止前申诉`);
      expect(text).to.contain('href="/units/v01/appeals?run=1"');
      expect(text).to.contain('href="/units/v01/ranking?run=1"');
    });

    it('gives a leader reading the card no appeal button: appeals are the unit’s own', async () => {
      const { text } = await leader.get('/units/v01?run=1');
      expect(text).to.contain('class="review-banner review no-print"');
      expect(text).not.to.contain('/appeals?run=');
    });

    it('says nothing of 公示 on a draft', async () => {
      expect((await leader.get('/units/v01?run=2')).text).not.to.contain('review-banner');
    });
  });

  describe('publishing', () => {
    it('confirms what becomes public: sanctions with their reason, vetoes with their clause, and the deadline in words', async () => {
      const { status, text } = await leader.get('/runs/2/publish');
      expect(status).to.equal(200);
      const words = seen(text);
      expect(words).to.contain('发布后将公开的内容');
      expect(words).to.match(/倒数第二名，通报批评|排名最后/);
      expect(words).to.contain('否决原因：');
      expect(text).to.contain(`<input type="date" name="until" value="${defaultReviewUntil()}"`);
      expect(words).to.contain(`即${dateInWords(defaultReviewUntil())}`);
      expect(words).not.to.match(/\bv\d\d\b|village-annual/);
    });

    it('refuses a deadline before today on the same page, naming the field, and publishes nothing', async () => {
      await leader.get('/runs/2/publish');
      const res = await leader.post('/runs/2/publish', { until: '2020-01-01' });
      expect(res.status).to.equal(422);
      expect(seen(await res.text())).to.contain('公示截止日期应为今天或以后的日期');
      expect((await getRun(app.db, 2))!.status).to.equal('draft');
    });

    it('publishes with the deadline set, and the run’s page then shows 公示中 with 定稿 refused and why', async () => {
      await leader.get('/runs/2/publish');
      const until = defaultReviewUntil();
      const res = await leader.post('/runs/2/publish', { until });
      expect(res.status).to.equal(303);
      expect(res.headers.get('location')).to.equal('/runs/2');
      expect((await getRun(app.db, 2))!).to.include({ status: 'published', review_until: until });
      const { text } = await leader.get('/runs/2');
      expect(seen(text)).to.match(new RegExp(`公示中，截止${dateInWords(until)}，还剩\\d+天`));
      expect(text).to.match(/<button type="button" disabled>定稿<\/button> <small class="why">公示截止后（.+起）才能定稿<\/small>/);
      expect(text).to.contain('href="/runs/2/correct"');
      expect(text).not.to.contain('/runs/2/publish');
    });

    it('refuses 定稿 during 公示, saying why, and the run stays under 公示', async () => {
      await leader.get('/runs/2');
      await leader.post('/runs/2/finalize');
      expect((await getRun(app.db, 2))!.status).to.equal('published');
      expect(seen((await leader.get('/runs/2')).text)).to.match(/公示截止后（.+起）才能定稿/);
    });

    it('finalizes a run whose 公示 is over, and the village’s banner then says 已定稿', async () => {
      const run = await createRun(app.db, { periodId: '2024', track: 'staff', by: 'leader' });
      await markPublished(app.db, run.id, 'leader', new Date().toISOString(), '2024-12-09'); // a 公示 long over
      const page = await leader.get(`/runs/${run.id}`);
      expect(seen(page.text)).to.contain('公示期满（2024年12月9日截止）');
      const res = await leader.post(`/runs/${run.id}/finalize`);
      expect(res.status).to.equal(303);
      expect((await getRun(app.db, run.id))!.status).to.equal('final');
      expect(seen((await leader.get(`/runs/${run.id}`)).text)).to.match(/已定稿（\d{4}年\d+月\d+日）/);
      const runs = seen((await leader.get('/runs')).text);
      expect(runs).to.contain('已定稿');
      expect(seen((await leader.get(`/staff/s01?run=${run.id}`)).text)).to.match(/已定稿（\d{4}年\d+月\d+日）：本结果不再改变/);
    });

    it('refuses to discard a run that is not a draft', async () => {
      await leader.get('/runs/1');
      const res = await leader.post('/runs/1/discard');
      expect(res.headers.get('location')).to.equal('/runs/1');
      expect((await getRun(app.db, 1))!.status).to.equal('published');
    });
  });

  describe('changing data after publication (point 4)', () => {
    it('warns on the entry form of a published period and saves nothing until the warning is confirmed', async () => {
      const before = await inputOf(app.db, '2023', 'village', 'v01');
      const form = await leader.get('/entry/2023/village/v01');
      expect(seen(form.text)).to.match(/本期考核结果已于\d{4}年\d+月\d+日发布（公示中），修改数据不会改变已发布的结果；如需改变结果，请在保存后发起更正/);
      const refused = await leader.post('/entry/2023/village/v01', row2023('v01'));
      expect(refused.status).to.equal(422);
      expect(seen(await refused.text())).to.contain('未保存：请先勾选下面的确认框');
      expect(await inputOf(app.db, '2023', 'village', 'v01')).to.deep.equal(before);
      expect(seen((await leader.get('/runs/1')).text)).not.to.contain('发布后数据已修改');
    });

    it('saves once confirmed, and the run’s page then says the data changed after publication, with the way to 更正', async () => {
      await leader.get('/entry/2023/village/v01');
      const saved = await leader.post('/entry/2023/village/v01', { ...row2023('v01'), confirmPublished: '1' });
      expect(saved.status).to.equal(303);
      const { text } = await leader.get('/runs/1');
      expect(seen(text)).to.match(/发布后数据已修改（.+于\d{4}-\d{2}-\d{2} \d{2}:\d{2}修改了枫林村的数据）/);
      expect(text).to.contain('<a href="/runs/1/correct">发起更正</a>');
    });

    it('asks an upload into a published period to confirm first', async () => {
      const page = await leader.get('/entry/upload?period=2023&track=village');
      expect(page.text).to.contain('name="confirmPublished"');
      const form = new FormData();
      form.append('_csrf', leader.token);
      form.append('period', '2023');
      form.append('track', 'village');
      form.append('file', new Blob([readFileSync(path.join(DEMO_DIR, 'villages-2023.csv'))]), 'villages-2023.csv');
      const res = await fetch(`${app.url}/entry/upload`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: leader.cookie } });
      expect(res.status).to.equal(422);
      expect(seen(await res.text())).to.contain('未保存：请先勾选下面的确认框');
    });
  });
});
