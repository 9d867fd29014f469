import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launch, lowContrast, narrowColumns, overflow, pageAs, SCREENSHOTS, shot } from '../support/browser.js';
import { startApp, type TestApp } from '../support/web.js';
import { allAssessments } from '../../src/services/assessments.js';
import { createRun } from '../../src/services/runs.js';

/**
 * Assessments in the browser (issue 20, point 2): the admin adds 安全生产专项考核 for villages;
 * it appears in the managers' menu and in the entry page's list. The pages fit a 390 px phone
 * and print on A4.
 */

const WIDTHS = [1366, 390];

describe('assessments in the browser (issue 20, point 2)', function () {
  this.timeout(240_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    app = await startApp();
    browser = await launch();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  /** Screenshot and print PDF of the page as it stands; at 390 px nothing scrolls sideways and no column is squeezed. */
  async function record(page: Page, name: string): Promise<void> {
    const width = page.viewportSize()!.width;
    await shot(page, `assessments-${name}-${width}`);
    if (width === 390) {
      expect(await overflow(page), `${name} at 390 px`).to.equal(0);
      expect(await narrowColumns(page), `${name} at 390 px`).to.deep.equal([]);
    }
    expect(await lowContrast(page, 'td, th, dd, dt, .badge, .hint, label, h1, h2, p, header.site nav a'), name).to.deep.equal([]);
    await page.emulateMedia({ media: 'print' });
    writeFileSync(path.join(SCREENSHOTS, `assessments-${name}-${width}.pdf`), await page.pdf({ format: 'A4', printBackground: true }));
    await page.emulateMedia({ media: 'screen' });
  }

  const menu = (page: Page) => page.$$eval('header.site nav.assessments a', (as) => as.map((a) => a.textContent?.trim()));

  it('lets the admin add 安全生产专项考核, which then appears in the menu and the entry page’s list (1366 px)', async () => {
    const page = await pageAs(browser, app.url, 'admin', 1366);
    await page.goto(`${app.url}/admin/assessments`);
    expect(await menu(page)).to.deep.equal(['村级千分考核', '双线考核（工作人员）', '村级党建工作专项考核', '村级安全生产专项考核', '村级年度综合考核']);
    await record(page, 'list-before');
    await page.fill('input[name=title]', '安全生产专项考核');
    await page.selectOption('select[name=unitKind]', 'village');
    // The shipped village rule set, chosen by its title.
    await page.selectOption('select[name=ruleset]', { label: '村级人口和计划生育工作千分考核细则' });
    await Promise.all([page.waitForNavigation(), page.click('form.stacked button[type=submit]')]);
    expect(await page.textContent('.flash')).to.contain('已新增考核“安全生产专项考核”');
    expect(await menu(page)).to.deep.equal(['村级千分考核', '双线考核（工作人员）', '村级党建工作专项考核', '村级安全生产专项考核', '村级年度综合考核', '安全生产专项考核']);
    await record(page, 'list-after');

    await Promise.all([page.waitForNavigation(), page.click('header.site nav.assessments a:text-is("安全生产专项考核")')]);
    expect(await page.textContent('h1')).to.equal('安全生产专项考核 · 考核与排名');
    await record(page, 'runs');

    await page.goto(`${app.url}/entry`);
    const options = await page.$$eval('select[name=track] option', (os) => os.map((o) => o.textContent?.trim()));
    expect(options).to.deep.equal(['村级千分考核', '双线考核（工作人员）', '村级党建工作专项考核', '村级安全生产专项考核', '村级年度综合考核', '安全生产专项考核']);
    await page.selectOption('select[name=track]', { label: '安全生产专项考核' });
    await Promise.all([page.waitForNavigation(), page.click('form.entry-choose button[type=submit]')]);
    expect(await page.textContent('p.meta')).to.contain('安全生产专项考核');
    await record(page, 'entry');
    await page.context().close();
  });

  it('scores the new assessment: its scorecard names it and links to the unit’s other assessments; statistics offer it', async () => {
    const added = (await allAssessments(app.db)).find((a) => a.title === '安全生产专项考核')!;
    for (const r of await app.db('inputs').where({ period_id: '2024', track: 'village' })) await app.db('inputs').insert({ ...r, track: added.id });
    const run = await createRun(app.db, { periodId: '2024', track: added.id, by: 'leader' });
    for (const width of WIDTHS) {
      const page = await pageAs(browser, app.url, 'leader', width);
      await page.goto(`${app.url}/units/v01?run=${run.id}`);
      expect(await page.textContent('header.doc p.meta')).to.match(/^安全生产专项考核 · /);
      expect(await page.textContent('p.other-assessments')).to.equal('其他考核：村级千分考核 · 村级党建工作专项考核 · 村级安全生产专项考核 · 村级年度综合考核');
      await record(page, 'scorecard');
      await page.goto(`${app.url}/report`);
      expect(await page.$$eval('select[name=assessment] option', (os) => os.map((o) => o.textContent?.trim()))).to.deep.equal(['村级千分考核', '村级党建工作专项考核', '村级安全生产专项考核', '村级年度综合考核', '安全生产专项考核']);
      await record(page, 'report');
      await page.context().close();
    }
  });

  for (const width of WIDTHS) {
    it(`shows the assessments list, an assessment’s page and the leader’s menu on one screen width at ${width} px`, async () => {
      const admin = await pageAs(browser, app.url, 'admin', width);
      await admin.goto(`${app.url}/admin/assessments`);
      await record(admin, 'list');
      await admin.click('table.assessments a:text-is("安全生产专项考核")');
      await admin.waitForLoadState();
      expect(await admin.textContent('h1')).to.equal('安全生产专项考核');
      await record(admin, 'one');
      await admin.context().close();

      const leader = await pageAs(browser, app.url, 'leader', width);
      expect(await menu(leader)).to.include('安全生产专项考核');
      await record(leader, 'leader-home');
      await leader.goto(`${app.url}/entry`);
      await record(leader, 'leader-entry');
      await leader.context().close();
    });
  }
});
