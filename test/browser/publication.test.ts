import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { markPublished } from '../../src/db/queries/runs.js';
import { dateInWords, defaultReviewUntil } from '../../src/services/review-period.js';
import { launch, lowContrast, overflow, SCREENSHOTS, shot, signIn } from '../support/browser.js';
import { startApp, type TestApp } from '../support/web.js';

/**
 * 发布 → 公示 → 定稿 in the browser (issue 19, point 1): the leader confirms what becomes public and
 * publishes, the village reads its banner and the ranking it may see on a phone, a run past its
 * 公示 is finalized; each page at 1366 and 390 px, and printed.
 * The demo: run 2 the villages' 2024 draft, run 4 the staff's.
 */
describe('publication in the browser (issue 19, point 1)', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const DESKTOP = { width: 1366, height: 900 }, PHONE = { width: 390, height: 900 };

  before(async () => {
    app = await startApp();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });
  afterEach(async () => { await context?.close(); });

  async function open(user: string, viewport: { width: number; height: number }): Promise<void> {
    context = await browser.newContext({ viewport, isMobile: viewport.width < 500, locale: 'zh-CN' });
    page = await context.newPage();
    await signIn(page, app.url, user);
  }

  /** The page at both widths (no sideways scroll on the phone) and printed on A4. */
  async function record(url: string, name: string, user: string): Promise<void> {
    for (const [viewport, suffix] of [[DESKTOP, '1366'], [PHONE, '390']] as const) {
      await open(user, viewport);
      await page.goto(`${app.url}${url}`);
      expect(await overflow(page), `${name} at ${suffix}`).to.equal(0);
      await shot(page, `publication-${name}-${suffix}`);
      if (suffix === '1366') writeFileSync(path.join(SCREENSHOTS, `publication-${name}.pdf`), await page.pdf({ format: 'A4', printBackground: true }));
      await context.close();
    }
  }

  it('leads from a draft to the page that confirms what becomes public, and publishes with the deadline set', async () => {
    await open('leader', DESKTOP);
    await page.goto(`${app.url}/runs/2`);
    expect(await page.textContent('.run-state .state-line')).to.contain('草稿');
    await Promise.all([page.waitForNavigation(), page.click('.run-state a:has-text("发布（开始公示）")')]);
    expect(new URL(page.url()).pathname).to.equal('/runs/2/publish');
    expect(await page.inputValue('input[name=until]')).to.equal(defaultReviewUntil());
    expect(await page.locator('.publish-confirm ul.public-list li').count()).to.be.greaterThan(1);
    expect(await lowContrast(page, '.publish-confirm h3, .publish-confirm li, .publish-confirm .hint, .badge')).to.deep.equal([]);
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("发布（开始公示）")')]);
    expect(new URL(page.url()).pathname).to.equal('/runs/2');
    expect(await page.textContent('.flash')).to.contain(`公示开始，截止${dateInWords(defaultReviewUntil())}`);
    expect(await page.textContent('.run-state .state-line')).to.match(/公示中，截止.+，(还剩\d+天|今天截止)/);
    expect(await page.locator('.run-state button[disabled]:has-text("定稿")').count()).to.equal(1);
    expect(await lowContrast(page, '.run-state .why, .run-state .badge')).to.deep.equal([]);
  });

  it('prints and fits the confirmation page (of a draft) and the run’s page under 公示', async () => {
    await record('/runs/4/publish', 'confirm', 'leader');
    await record('/runs/2', 'ranking-review', 'leader');
    await record('/runs', 'runs', 'leader');
  });

  it('shows the village its 公示 banner on a 390 px phone, and the ranking it may see', async () => {
    await open('v01', PHONE);
    await page.goto(`${app.url}/units/v01`);
    const banner = await page.textContent('.review-banner');
    expect(banner).to.contain(`公示中，截止${dateInWords(defaultReviewUntil())}（北京时间）；如有异议，可在截止前申诉`);
    expect(await overflow(page)).to.equal(0);
    expect(await lowContrast(page, '.review-banner p, .review-banner a')).to.deep.equal([]);
    await Promise.all([page.waitForNavigation(), page.click('.review-banner a:has-text("查看本次排名")')]);
    expect(new URL(page.url()).pathname).to.equal('/units/v01/ranking');
    expect(await page.locator('table.seen-ranking tbody tr').count()).to.equal(18);
    expect(await page.textContent('table.seen-ranking tr.own')).to.contain('枫林村');
    expect(await overflow(page)).to.equal(0);
    await context.close();
    await record('/units/v01?run=2', 'scorecard-banner', 'v01');
    await record('/units/v01/ranking?run=2', 'village-ranking', 'v01');
  });

  it('finalizes a run past its 公示 from its page, and the staff member’s banner then says 已定稿', async () => {
    await markPublished(app.db, 4, 'leader', new Date().toISOString(), '2024-12-09'); // a 公示 long over
    await open('leader', DESKTOP);
    await page.goto(`${app.url}/runs/4`);
    expect(await page.textContent('.run-state .state-line')).to.contain('公示期满（2024年12月9日截止）');
    await Promise.all([page.waitForNavigation(), page.click('.run-state button:has-text("定稿")')]);
    expect(await page.textContent('.flash')).to.contain('第4号考核已定稿');
    expect(await page.textContent('.run-state .state-line')).to.match(/已定稿（\d{4}年\d+月\d+日）/);
    await context.close();
    await record('/runs/4', 'ranking-final', 'leader');
    await record('/staff/s01?run=4', 'staff-final', 's01');
  });

  it('warns on the entry form of a published period, fitting a phone', async () => {
    await record('/entry/2023/village/v01', 'entry-warning', 'leader');
    await open('leader', PHONE);
    await page.goto(`${app.url}/entry/2023/village/v01`);
    expect(await page.textContent('.published-warning')).to.contain('修改数据不会改变已发布的结果');
    expect(await lowContrast(page, '.published-warning p, .published-warning span')).to.deep.equal([]);
  });
});
