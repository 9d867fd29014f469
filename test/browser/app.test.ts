import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch, lowContrast, narrowColumns, overflow, shot, signIn } from '../support/browser.js';
import { startApp, type TestApp } from '../support/web.js';

/** Every page of every role, as each signs in: the ranking and cards of run 1, forms, reports, rules, an error. */
const EVERY_PAGE = [
  ['leader', ['/runs', '/runs/1', '/units/v09?run=1', '/entry', '/entry/upload', '/entry/2024/village/v09', '/report', '/rules', '/rules/village-annual/v/latest', '/rules/village-annual/diff', '/no-such-page']],
  ['admin', ['/rules/village-annual/edit']],
  ['v09', ['/units/v09']],
  ['s01', ['/staff/s01']],
] as const;

describe('the application in a real browser (Debian chromium)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  before(async () => {
    app = await startApp();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
  });
  afterEach(async () => { await context?.close(); });

  // Every role lands on its home page (首页, issue 19 point 8): the leader's state of the period, the village's result.
  const landings: Array<[string, string, RegExp]> = [
    ['admin', '/', /首页/],
    ['leader', '/', /首页/],
    ['v01', '/', /首页/],
    ['s01', '/', /首页/],
  ];
  for (const [user, landing, heading] of landings) {
    it(`signs ${user} in through the form and lands on ${landing}`, async () => {
      await signIn(page, app.url, user);
      expect(new URL(page.url()).pathname).to.equal(landing);
      expect(await page.textContent('h1')).to.match(heading);
      await shot(page, `landing-${user}`);
    });
  }

  it('lets a leader run the 2024 appraisal, review the draft and publish it', async () => {
    await signIn(page, app.url, 'leader');
    await page.goto(`${app.url}/runs`);
    await page.selectOption('select[name=period]', '2024');
    await page.selectOption('select[name=track]', 'village');
    await Promise.all([page.waitForNavigation(), page.click('text=记分并生成草稿')]);
    expect(await page.textContent('.flash')).to.contain('草稿');
    expect(await page.textContent('.badge.status')).to.contain('草稿');
    const rows = await page.locator('table.ranking-table tbody tr').count();
    expect(rows).to.equal(18);
    expect(await page.locator('table.ranking-table .badge.veto').count()).to.be.greaterThan(0);
    expect(await page.locator('figure.chart svg').count()).to.equal(1);
    // 发布 leads to the page that confirms what becomes public and sets the 公示 deadline (issue 19).
    await Promise.all([page.waitForNavigation(), page.click('a:has-text("发布（开始公示）")')]);
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("发布（开始公示）")')]);
    expect(await page.textContent('.flash')).to.contain('已发布');
    expect(await page.locator('text=发布（开始公示）').count()).to.equal(0);
    await shot(page, 'ranking-published');
  });

  it('shows a village its scorecard: clauses, the figure behind each, its rank and the gap to the village above', async () => {
    await signIn(page, app.url, 'v01');
    await page.goto(`${app.url}/units/v01`);
    const clauses = await page.locator('table.clauses tbody tr').count();
    expect(clauses).to.be.greaterThan(20);
    expect(await page.textContent('table.clauses')).to.contain('人口出生率');
    expect(await page.textContent('.summary')).to.match(/排名/);
    await shot(page, 'scorecard-v01');
  });

  it('lets an administrator edit a rule and read what the change does before saving it', async () => {
    await signIn(page, app.url, 'admin');
    await page.goto(`${app.url}/rules/village-annual/edit`);
    const source = await page.inputValue('textarea[name=source]');
    const edited = source.replace('"target": 8,', '"target": 6,');
    expect(edited, 'the birth-rate target is in the shipped rules').to.not.equal(source);
    await page.fill('textarea[name=source]', edited);
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("预览")')]);
    expect(await page.textContent('main')).to.contain('修改后的影响');
    expect(await page.locator('table.preview-table tbody tr').count()).to.be.greaterThan(0);
    await shot(page, 'rule-preview');
  });

  it('gives every badge and every coloured mark a contrast of at least 4.5:1 (WCAG AA), 一票否决 above all', async () => {
    const marks = '.badge, .veto, .liability, .meta, .hint, small, .flash, .error';
    for (const [user, paths] of EVERY_PAGE) {
      await signIn(page, app.url, user);
      for (const path of paths) {
        await page.goto(`${app.url}${path}`);
        expect(await lowContrast(page, marks), `${user} ${path}`).to.deep.equal([]);
        await shot(page, `desk-${user}-${path.replace(/[^\w]+/g, '_')}`);
      }
      await context.clearCookies();
    }
    await signIn(page, app.url, 'leader');
    await page.goto(`${app.url}/runs/1`);
    expect(await page.locator('.badge.veto').count(), 'a veto is shown').to.be.greaterThan(0);
  });

  it('fits a 390 px phone on every page of every role: nothing scrolls sideways, no text column under four characters', async () => {
    await context.close();
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    page = await context.newPage();
    const wide: string[] = [];
    for (const [user, paths] of EVERY_PAGE) {
      await signIn(page, app.url, user);
      for (const path of paths) {
        await page.goto(`${app.url}${path}`);
        const over = await overflow(page);
        if (over > 1) wide.push(`${user} ${path}: ${over} px too wide`);
        for (const cell of await narrowColumns(page)) wide.push(`${user} ${path}: a column too narrow for ${cell}`);
        await shot(page, `phone-${user}-${path.replace(/[^\w]+/g, '_')}`);
      }
      await context.clearCookies();
    }
    expect(wide).to.deep.equal([]);
  });

  it('shows times in China Standard Time: a run made at 16:05 UTC on New Year’s Eve reads 2025-01-01 00:05', async () => {
    const draft = (await app.db('runs').where({ status: 'draft' }).orderBy('id').first()).id as number;
    await app.db('runs').where({ id: draft }).update({ created_at: '2024-12-31T16:05:00.000Z' });
    await signIn(page, app.url, 'leader');
    await page.goto(`${app.url}/runs`);
    const row = page.locator('tr', { has: page.locator('a', { hasText: new RegExp(`^第${draft}号$`) }) });
    expect(await row.textContent()).to.contain('2025-01-01 00:05').and.not.to.contain('2024-12-31');
  });

  it('prints the ranking as a clean document: no navigation, no forms', async () => {
    await signIn(page, app.url, 'leader');
    await page.goto(`${app.url}/runs/1`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.site').isVisible()).to.equal(false);
    expect(await page.locator('.toolbar').isVisible()).to.equal(false);
    // One title printed: the township's 通报 (the screen's heading stays on screen).
    expect(await page.locator('h1:visible').allTextContents()).to.deep.equal(['关于2023年度村级人口和计划生育工作千分考核结果的通报']);
    // Printed, every badge is black on white paper: 一票否决 too (its white screen text must not print).
    expect(await lowContrast(page, '.badge'), 'badges in print').to.deep.equal([]);
    expect(await page.locator('.badge.veto').count()).to.be.greaterThan(0);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).to.equal('%PDF');
  });
});
