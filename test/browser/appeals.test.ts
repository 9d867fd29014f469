import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launch, lowContrast, overflow, SCREENSHOTS, shot, pageAs } from '../support/browser.js';
import { PDF } from '../support/appeals.js';
import { startApp, type TestApp } from '../support/web.js';
import { tempDir } from '../support/temp.js';

/**
 * Issue 19, point 2 in the browser: a village files an appeal with a PDF on a 390 px phone, the
 * leader answers it; every appeal page at 1366 and 390 px without sideways scroll, and printed.
 */
describe('appeals in the browser: a village files with a PDF, the leader answers (issue 19, point 2)', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  const tmp = tempDir('appraisal-appeal-');
  const evidence = path.join(tmp, '计生合同补签证明.pdf');

  before(async () => {
    app = await startApp();
    browser = await launch();
    writeFileSync(evidence, PDF);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const open = (user: string, width: 390 | 1366): Promise<Page> => pageAs(browser, app.url, user, width);

  /** Both widths, no sideways scroll, readable marks, a screenshot of each and a print. */
  async function look(user: string, url: string, name: string): Promise<void> {
    for (const width of [1366, 390] as const) {
      const page = await open(user, width);
      await page.goto(app.url + url);
      expect(await overflow(page), `${url} at ${width}px scrolls sideways`).to.equal(0);
      expect(await lowContrast(page, 'main h1, main h2, main p, main td, main label, main .badge'), `${url} at ${width}px`).to.deep.equal([]);
      await shot(page, `appeals-${name}-${width}`);
      await page.screenshot({ path: path.join(SCREENSHOTS, `appeals-${name}-${width}-top.png`) });
      if (width === 1366) await page.pdf({ path: path.join(SCREENSHOTS, `appeals-${name}.pdf`), format: 'A4', printBackground: true });
    }
  }

  /** Unfolds, by their headings as a person would, the folded groups around a clause, then ticks it. */
  async function choose(page: Page, selector: string): Promise<void> {
    const folded = await page.locator(selector).evaluate((el) => {
      const out: number[] = [];
      const all = [...document.querySelectorAll('details.pick-group')];
      for (let d = el.closest('details'); d; d = d.parentElement?.closest('details') ?? null) if (!(d as HTMLDetailsElement).open) out.unshift(all.indexOf(d));
      return out;
    });
    for (const k of folded) await page.locator('details.pick-group > summary').nth(k).click();
    await page.check(selector);
  }

  it('lets a village file an appeal with a PDF from its scorecard’s link on a phone', async () => {
    const page = await open('v01', 390);
    await page.goto(`${app.url}/units/v01/appeals?run=1`);
    expect(await overflow(page)).to.equal(0);
    await shot(page, 'appeals-village-form-390');
    // Submitted empty: told what is missing, nothing filed.
    await Promise.all([page.waitForNavigation(), page.click('button.primary')]);
    expect(await page.textContent('p.error')).to.contain('请至少选择一项有异议的考核条款或数据');
    await choose(page, 'input[name=clause][value="birth-rate"]');
    await page.click('details.pick-inputs > summary');
    await page.check('input[name=input][value="births"]');
    await page.fill('textarea[name=reason]', '本村计生合同已于11月补签，出生数应为7人，见所附证明。');
    await page.setInputFiles('input[name=files]', evidence);
    await Promise.all([page.waitForNavigation(), page.click('button.primary')]);
    expect(new URL(page.url()).pathname).to.equal('/units/v01/appeals');
    expect(await page.textContent('p.flash')).to.contain('已提交第1号申诉（附材料 1 个）');
    const line = (await page.textContent('article.appeal-line'))!;
    expect(line).to.contain('待答复').and.to.contain('计生合同补签证明.pdf').and.to.contain('1.人口出生率控制在8‰以下');
    expect(await overflow(page)).to.equal(0);
    await shot(page, 'appeals-village-filed-390');
  });

  it('shows the leader the open appeal and its evidence, and 采纳 leads to the entry form saying what to fix', async () => {
    const page = await open('leader', 1366);
    await page.goto(`${app.url}/appeals`);
    expect(await page.textContent('main')).to.contain('待答复（1）');
    await Promise.all([page.waitForNavigation(), page.click('a[href="/appeals/1"] >> nth=0')]);
    expect(await page.textContent('table.appeal-items')).to.contain('1.人口出生率控制在8‰以下');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('ul.evidence a')]);
    expect(download.suggestedFilename()).to.equal('计生合同补签证明.pdf');
    await page.check('input[name=step][value=accept]');
    await page.fill('textarea[name=text]', '经核实，补签合同有效。');
    await Promise.all([page.waitForNavigation(), page.click('button.primary')]);
    expect(new URL(page.url()).pathname).to.equal('/entry/2023/village/v01');
    expect(await page.textContent('p.flash')).to.contain('已采纳第1号申诉（枫林村：1.人口出生率控制在8‰以下');
  });

  it('shows the village the answer', async () => {
    const page = await open('v01', 390);
    await page.goto(`${app.url}/units/v01/appeals`);
    const line = (await page.textContent('article.appeal-line'))!;
    expect(line).to.contain('已采纳').and.to.contain('经核实，补签合同有效。');
  });

  it('fits every appeal page on a phone and a wide screen, and prints them', async () => {
    // A second appeal, left open, so that the lists hold both states and the answer form is shown.
    const page = await open('v01', 1366);
    await page.goto(`${app.url}/units/v01/appeals?run=1`);
    // A group where nothing was lost is folded: unfolded by its heading, its clauses can be chosen.
    const id = await page.locator('details.pick-group:not([open]) input[name=clause]').first().getAttribute('value');
    expect(await page.locator(`input[name=clause][value="${id}"]`).isVisible()).to.equal(false);
    await choose(page, `input[name=clause][value="${id}"]`);
    await page.fill('textarea[name=reason]', '第二项有异议：'.padEnd(300, '很长的理由'));
    await Promise.all([page.waitForNavigation(), page.click('button.primary')]);
    await look('v01', '/units/v01/appeals?run=1', 'village');
    await look('leader', '/units/v01/appeals', 'village-as-leader');
    await look('leader', '/appeals', 'list');
    await look('leader', '/appeals/1', 'answered');
    await look('leader', '/appeals/2', 'open');
    await look('s01', '/staff/s01/appeals', 'staff');
  });
});
