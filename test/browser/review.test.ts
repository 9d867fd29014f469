import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { reportHeading } from '../../src/services/report.js';
import { launch, lowContrast, overflow, shot, signIn } from '../support/browser.js';
import { signedIn, startApp, type TestApp } from '../support/web.js';

/**
 * A review of every page as a village cadre reads it on a 390 px phone and a township prints it
 * (issue 18): headings as a township titles them, no rule-file identifiers or bare hashes, a word
 * said once, large sums grouped, every mark readable.
 */
describe('the pages as a village cadre and a township read them (issue 18, review)', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    app = await startApp();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  async function phone(user: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 900 }, isMobile: true, locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, app.url, user);
    return page;
  }

  describe('the ranking', () => {
    it('is headed as the results of the appraisal, not by the name of its rule set (…细则)', async () => {
      const page = await phone('leader');
      await page.goto(`${app.url}/runs/1`);
      expect((await page.textContent('h1'))?.trim()).to.equal('2023年度村级人口和计划生育工作千分考核结果');
      await page.context().close();
    });

    it('names the hash of its rule version 校验值, as long as the rule pages show it', async () => {
      const page = await phone('leader');
      await page.goto(`${app.url}/runs/1`);
      expect(await page.textContent('header.doc .meta')).to.match(/规则版本 2024\.2（校验值 [0-9a-f]{8}）/);
      await page.context().close();
    });
  });

  describe('the exports', () => {
    it('give the same 校验值 of the rule version as the ranking page shows', async () => {
      const page = await phone('leader');
      await page.goto(`${app.url}/runs/1`);
      const shown = /校验值 ([0-9a-f]+)/.exec((await page.textContent('header.doc .meta')) ?? '')![1];
      await page.context().close();
      const client = await signedIn(app.url, 'leader');
      const res = await client.request('GET', '/runs/1/export.xlsx');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(await res.arrayBuffer());
      const rows: string[] = [];
      book.getWorksheet('说明')!.eachRow((row) => rows.push(row.values ? (row.values as unknown[]).slice(1).join('：') : ''));
      expect(rows).to.include(`规则版本：2024.2（校验值 ${shown}）`);
      for (const path of ['/report/export.csv', '/runs/1/export.csv']) {
        const text = await (await client.request('GET', path)).text();
        expect(text, path).not.to.match(/校验值[ ：:,]*[0-9a-f]{8}(?![0-9a-f])/);
      }
    });
  });

  describe('the statistics report', () => {
    it('is headed as the township titles it, and names its hash 校验值', async () => {
      const page = await phone('leader');
      await page.goto(`${app.url}/report`);
      expect((await page.textContent('h1'))?.trim()).to.equal('2024年度村级人口和计划生育工作千分考核统计分析');
      expect(await page.textContent('.meta')).to.match(/版本 2024\.2（校验值 [0-9a-f]{8}）/);
      await page.context().close();
    });

    it('heads a rule set that appraises nothing by its own title, an appraisal by what it appraises', () => {
      expect(reportHeading('2024年上半年', '人口与计划生育半年形势分析（统计报表）')).to.equal('2024年上半年人口与计划生育半年形势分析（统计报表） · 统计分析');
      expect(reportHeading('2024年度', '村级计生专干、组宣管员年度工作考核细则（双线考核）')).to.equal('2024年度村级计生专干、组宣管员年度工作考核统计分析');
    });

    it('shows each change on last year, up and down, readable on every row colour (contrast ≥ 4.5)', async () => {
      const page = await phone('leader');
      await page.goto(`${app.url}/report`);
      expect(await page.locator('.report-tree .change.down').count()).to.be.greaterThan(0);
      expect(await lowContrast(page, '.report-page .change')).to.deep.equal([]);
      await shot(page, 'review-report-390');
      await page.context().close();
    });
  });

  describe('the scorecard of a vetoed village', () => {
    it('says 一票否决 once on a veto whose title says it already, and gives the full marks with their unit', async () => {
      const page = await phone('v09');
      await page.goto(`${app.url}/units/v09?run=1`);
      const vetoes = await page.locator('p.veto').allTextContents();
      expect(vetoes.length).to.be.greaterThan(0);
      for (const line of vetoes) expect(line.match(/一票否决/g)?.length, line).to.equal(1);
      expect(await page.textContent('.summary')).to.contain('满分 1000分');
      expect(await overflow(page)).to.equal(0);
      await page.context().close();
    });
  });

  describe('the staff a village scorecard lists', () => {
    it('give each sanction its reason, as the staff ranking does (排名最后，通报批评，限期整改)', async () => {
      const page = await phone('v09');
      await page.goto(`${app.url}/units/v09?run=1`);
      const row = page.locator('section:has(h2:text("本村工作人员考核结果")) tr', { hasText: '周小红' });
      expect(await row.locator('.badge').allTextContents()).to.deep.equal(['排名最后，通报批评，限期整改']);
      expect(await overflow(page)).to.equal(0);
      await page.context().close();
    });
  });

  describe('the entry form', () => {
    it('writes a large limit with its thousands grouped (0～10,000,000元)', async () => {
      const page = await phone('leader');
      await page.goto(`${app.url}/entry/2024/village/v09`);
      const text = await page.textContent('form.entry-form');
      expect(text).to.contain('数值，0～10,000,000元');
      expect(text).not.to.match(/\d{6,}/);
      await page.context().close();
    });
  });

  describe('the page not found', () => {
    it('does not say its heading twice, and tells a village what to do', async () => {
      const page = await phone('v01');
      await page.goto(`${app.url}/runs`);
      const text = (await page.textContent('.error-page'))!;
      expect(text.match(/找不到/g)?.length, text).to.equal(1);
      expect(text).to.contain('请从上方菜单进入');
      await page.goto(`${app.url}/units/no-such-unit`);
      expect(await page.textContent('.error-page')).to.contain('请从上方菜单进入');
      await page.context().close();
    });
  });

  describe('the comparison of rule versions', () => {
    it('names its sides as its lists do (旧版本, 新版本) with their 校验值, and says when there is only one version', async () => {
      const page = await phone('leader');
      await page.goto(`${app.url}/rules/village-annual/diff`);
      const meta = await page.textContent('.rule-diff > .meta');
      expect(meta).to.match(/^旧版本：2024\.2（校验值 [0-9a-f]{8}，.+ 导入）\s新版本：2024\.2（校验值 [0-9a-f]{8}，/);
      expect(meta).not.to.match(/左|右/);
      expect(await page.textContent('.rule-diff > .hint')).to.contain('只有一个版本');
      expect(await overflow(page)).to.equal(0);
      await page.context().close();
    });
  });

  describe('the rule editor', () => {
    it('shows the rule set by its title, never its file identifier; the preview names its period in words and says an unchanged ranking in a sentence', async () => {
      const page = await phone('admin');
      await page.goto(`${app.url}/rules/village-annual/edit`);
      expect(await page.textContent('.rule-edit > .meta')).not.to.contain('village-annual');
      await Promise.all([page.waitForNavigation(), page.click('form.editor button[type=submit]')]);
      const meta = await page.textContent('section.preview .meta');
      expect(meta).to.match(/以第\d+号考核（\d{4}年度，.+，规则版本 2024\.2，校验值 [0-9a-f]{8}）/);
      // An unchanged ranking is said in a sentence, not as the only row of a ten-column table.
      expect(await page.locator('section.preview table').count()).to.equal(0);
      expect(await page.textContent('section.preview .unchanged')).to.match(/^18个单位的排名、总分、等级、否决与奖惩均无变化。$/);
      expect(await page.textContent('.rule-edit > .meta')).to.match(/现行版本 2024\.2（校验值 [0-9a-f]{8}，/);
      await shot(page, 'review-rule-preview-390');
      await page.context().close();
    });

    it('previews an edit that moves units on a phone without sideways scroll', async () => {
      const page = await phone('admin');
      await page.goto(`${app.url}/rules/village-annual/edit`);
      const source = await page.inputValue('#source');
      const edited = source.replace('"when": "outOfPolicyBirths > 0"', '"when": "outOfPolicyBirths > 5"');
      expect(edited).not.to.equal(source);
      await page.fill('#source', edited);
      await Promise.all([page.waitForNavigation(), page.click('form.editor button[type=submit]')]);
      expect(await page.locator('section.preview table.preview-table tbody tr').count()).to.be.greaterThan(0);
      expect(await overflow(page)).to.equal(0);
      await shot(page, 'review-rule-preview-moves-390');
      await page.context().close();
    });
  });
});
