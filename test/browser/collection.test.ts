import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { getReport } from '../../src/db/queries/reports.js';
import { createRun, runResults } from '../../src/services/runs.js';
import { launch, overflow, pageAs, SCREENSHOTS, shot } from '../support/browser.js';
import { startApp, type TestApp } from '../support/web.js';
import { tempDir } from '../support/temp.js';

/**
 * Issue 21 in the browser: the leader opens the 党建 reporting, 枫林村 reports from a 390 px phone with
 * a photo, the township returns one field, the village corrects and submits again, the township
 * approves, a run scores the approved figures and the board turns green. Every page at 1366 and 390 px
 * without sideways scroll, screenshotted and printed.
 */
describe('data collection in the browser: report, return, correct, approve (issue 21)', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  const tmp = tempDir('appraisal-report-');
  const photo = path.join(tmp, '组织生活会.png');
  const fake = path.join(tmp, '评议照片.png');
  const PARTY = 'a3', SAFETY = 'a4'; // the demo's 党建 and 安全生产 专项考核 (its 安全生产 reporting closed two days ago)

  before(async () => {
    app = await startApp();
    browser = await launch();
    // A real picture (1×1 PNG): the review page shows it as an image from the product's own origin.
    writeFileSync(photo, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64'));
    writeFileSync(fake, '<html><script>alert(1)</script></html>');
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const open = (user: string, width: 390 | 1366): Promise<Page> => pageAs(browser, app.url, user, width);

  async function look(user: string, url: string, name: string): Promise<void> {
    for (const width of [1366, 390] as const) {
      const page = await open(user, width);
      await page.goto(app.url + url);
      expect(await overflow(page), `${url} at ${width}px scrolls sideways`).to.equal(0);
      await shot(page, `collection-${name}-${width}`);
      if (width === 1366) await page.pdf({ path: path.join(SCREENSHOTS, `collection-${name}.pdf`), format: 'A4', printBackground: true });
      await page.context().close();
    }
  }

  async function post(page: Page, selector: string): Promise<void> {
    await Promise.all([page.waitForNavigation(), page.click(selector)]);
  }

  const FIGURES: Record<string, string> = {
    memberMeetings: '5', committeeMeetings: '11', groupMeetings: '11', partyLectures: '5', themeDays: '9', newMembers: '1', activists: '2',
  };
  const CHOICES: Record<string, string> = { heldLifeMeeting: '是', heldMemberReview: '是', affairsPublished: '是', duesOnTime: '是' };

  it('shows the demo’s board on the first visit: counts by state, and the villages late for 安全生产 in red, reminded at once', async () => {
    const page = await open('leader', 1366);
    await page.goto(`${app.url}/collection?period=2024&assessment=${PARTY}`);
    expect(await page.textContent('.window-panel')).to.contain('填报已开启');
    const counts = await page.$$eval('[data-count]', (els) => els.map((e) => [e.getAttribute('data-count'), e.textContent]));
    expect(counts).to.deep.equal([['none', '10'], ['draft', '1'], ['returned', '1'], ['submitted', '3'], ['approved', '3']]);
    await page.goto(`${app.url}/collection?period=2024&assessment=${SAFETY}`);
    expect(await page.textContent('[data-count="late"]')).to.equal('12');
    expect(await page.locator('tr.overdue').count()).to.equal(12);
    expect(await page.getAttribute('tr[data-unit=v06]', 'class')).not.to.contain('overdue');
    await post(page, '.window-panel form[action="/collection/remind"] button');
    expect(await page.textContent('p.flash')).to.contain('已提醒12个尚未提交的单位');
    // 石门村 is given five more working days: no longer late.
    await page.click('tr[data-unit=v08] details.reopen summary');
    await post(page, 'tr[data-unit=v08] details.reopen button');
    expect(await page.textContent('p.flash')).to.contain('已为石门村开放补报');
    expect(await page.getAttribute('tr[data-unit=v08]', 'class')).not.to.contain('overdue');
    expect(await page.textContent('[data-count="late"]')).to.equal('11');
  });

  it('refuses a village’s file that is not what it says, keeping nothing, then takes its report with a photo on a phone', async () => {
    const page = await open('v01', 390);
    await page.goto(`${app.url}/reporting`);
    expect(await page.textContent('h1')).to.equal('2024年度数据填报');
    expect(await overflow(page)).to.equal(0);
    // Only its own figures: no inspector's grade.
    expect(await page.locator('#in-siteGrade').count()).to.equal(0);
    for (const [name, value] of Object.entries(FIGURES)) await page.fill(`#in-${name}`, value);
    for (const [name, value] of Object.entries(CHOICES)) await page.selectOption(`#in-${name}`, value);
    await page.setInputFiles('input[name="file:heldLifeMeeting"]', photo);
    await page.setInputFiles('input[name="file:heldMemberReview"]', fake);
    await post(page, 'button[value=submit]');
    expect(await page.textContent('[data-field=heldMemberReview] .field-error')).to.contain('不是 JPEG、PNG 图片或 PDF 文档');
    expect(await getReport(app.db, '2024', 'v01')).to.equal(undefined);
    // The 安全生产 figures are past their deadline: shown, not asked.
    expect(await page.locator('#in-drills').count()).to.equal(0);
    expect(await page.textContent('.report-windows li.overdue')).to.contain('村级安全生产专项考核');
    await shot(page, 'collection-village-refused-390');
    await page.setInputFiles('input[name="file:heldLifeMeeting"]', photo);
    await page.setInputFiles('input[name="file:heldMemberReview"]', photo);
    await post(page, 'button[value=submit]');
    expect(await page.textContent('p.flash')).to.contain('已提交');
    expect(await page.getAttribute('.report-status [data-state]', 'data-state')).to.equal('submitted');
    expect(await overflow(page)).to.equal(0);
  });

  it('lets the township return one field with a comment, and the village sees it and corrects', async () => {
    const leader = await open('leader', 1366);
    await leader.goto(`${app.url}/collection/review?period=2024`);
    // Oldest first: the demo's three, then 枫林村's.
    expect(await leader.locator('table.queue-table tr[data-unit]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-unit')))).to.deep.equal(['v02', 'v04', 'v11', 'v01']);
    await post(leader, 'table.queue-table tr[data-unit=v01] a');
    expect(await leader.textContent('h1')).to.contain('枫林村');
    const thumb = leader.locator('tr[data-field=heldLifeMeeting] img.evidence-thumb');
    await thumb.evaluate((img) => (img as HTMLImageElement).decode());
    expect(await thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth)).to.equal(1);
    await leader.fill('input[name="note:themeDays"]', '主题党日台账记载12次，请核对');
    await post(leader, 'form.review-form button[type=submit]');
    expect(await leader.textContent('p.flash')).to.contain('退回');

    const village = await open('v01', 390);
    await village.goto(`${app.url}/reporting/2024`);
    expect(await village.textContent('[data-note=themeDays]')).to.contain('主题党日台账记载12次');
    await shot(village, 'collection-village-returned-390');
    await village.fill('#in-themeDays', '12');
    await post(village, 'button[value=submit]');
    expect(await village.textContent('p.flash')).to.contain('已提交');
  });

  it('approves: a run scores the approved figures, and the board turns green', async () => {
    const leader = await open('leader', 1366);
    const report = (await getReport(app.db, '2024', 'v01'))!;
    await leader.goto(`${app.url}/reports/${report.id}`);
    await shot(leader, 'collection-review-1366');
    await post(leader, `form[action="/reports/${report.id}/approve"] button`);
    expect(await leader.textContent('p.flash')).to.contain('已审核通过');
    const run = await createRun(app.db, { periodId: '2024', track: PARTY, by: 'leader' });
    const v01 = (await runResults(app.db, run.id)).units.find((u) => u.id === 'v01')!;
    expect(v01.inputs).to.include({ themeDays: 12, activists: 2 });
    await leader.goto(`${app.url}/collection?period=2024&assessment=${PARTY}`);
    expect(await leader.getAttribute('tr[data-unit=v01]', 'data-state')).to.equal('approved');
    expect(await leader.textContent('[data-count="approved"]')).to.equal('4');
    // The entry form keeps each value's history: who reported it, from which report, who approved it.
    await leader.goto(`${app.url}/entry/2024/${PARTY}/v01`);
    const history = (await leader.textContent('ul.input-history'))!;
    expect(history).to.contain('单位填报').and.to.contain('审核通过').and.to.contain('开展主题党日活动次数');
  });

  it('shows every collection page at 1366 and 390 px without sideways scroll, and prints them', async () => {
    await look('leader', `/collection?period=2024&assessment=${PARTY}`, 'board');
    await look('leader', '/collection/review?period=2024', 'queue');
    await look('leader', `/reports/${(await getReport(app.db, '2024', 'v01'))!.id}`, 'review');
    await look('v01', '/reporting/2024', 'village-form');
    await look('leader', `/entry/2024/${PARTY}/v01`, 'entry-history');
    await look('v09', '/reporting/2024', 'village-blank');
    await look('s01', '/reporting', 'staff-none');
  });
});
