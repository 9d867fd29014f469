import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { listRuns, publishRun } from '../../src/services/runs.js';
import { launch, lowContrast, overflow, SCREENSHOTS, shot, signIn } from '../support/browser.js';
import { startApp, type TestApp } from '../support/web.js';

/**
 * Finding a village (issue 18, item 9): the ranking sorted by any column, filtered by grade
 * and by sanction, searched by name; the statistics report's unit column in view while its
 * figures scroll sideways; the scorecard's trend of total and rank, drawn as SVG.
 */

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };
const byPinyin = new Intl.Collator('zh-CN', { numeric: true, sensitivity: 'base' }).compare;

describe('finding a village: the ranking sorted, filtered and searched, the report and the trend (Debian chromium)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let village: number;

  before(async () => {
    app = await startApp();
    browser = await launch();
    village = (await listRuns(app.db)).find((r) => r.track === 'village' && r.status === 'published')!.id;
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });
  async function open(viewport: { width: number; height: number }, user = 'leader'): Promise<void> {
    await context?.close();
    context = await browser.newContext({ viewport, locale: 'zh-CN', ...(viewport.width < 500 ? { isMobile: true, hasTouch: true } : {}) });
    page = await context.newPage();
    await signIn(page, app.url, user);
  }
  afterEach(async () => { await context?.close(); context = undefined as unknown as BrowserContext; });

  const column = (n: number) => page.locator(`table.ranking-table tbody tr td:nth-child(${n})`).allTextContents();
  const names = () => page.locator('table.ranking-table tbody td a[data-unit]').allTextContents();
  const totals = async () => (await page.locator('table.ranking-table tbody td.total').allTextContents()).map(Number);
  async function clickHeader(text: string): Promise<void> {
    await Promise.all([page.waitForNavigation(), page.locator('table.ranking-table thead th a', { hasText: text }).first().click()]);
  }
  async function pdfPages(name: string): Promise<void> {
    writeFileSync(path.join(SCREENSHOTS, `${name}.pdf`), await page.pdf({ format: 'A4', printBackground: true }));
  }

  it('sorts the ranking by total when its header is clicked, highest first, then lowest first on a second click', async () => {
    await open(DESKTOP);
    await page.goto(`${app.url}/runs/${village}`);
    expect(await page.getAttribute('th[data-sort=rank]', 'aria-sort')).to.equal('ascending');
    expect(await page.locator('caption.found').count(), 'the ranking as it stands needs no note').to.equal(0);
    const ranked = await names();
    await clickHeader('总分');
    expect(new URL(page.url()).searchParams.get('sort')).to.equal('total');
    expect(await page.getAttribute('th[data-sort=total]', 'aria-sort')).to.equal('descending');
    expect(await page.getAttribute('th[data-sort=rank]', 'aria-sort')).to.equal(null);
    expect(await page.textContent('caption.found'), 'the page says how it is sorted').to.contain('按总分降序排列');
    const high = await totals();
    expect(high).to.have.length(18);
    expect(high).to.deep.equal([...high].sort((a, b) => b - a));
    await clickHeader('总分');
    expect(await page.getAttribute('th[data-sort=total]', 'aria-sort')).to.equal('ascending');
    const low = await totals();
    expect(low).to.deep.equal([...high].reverse());
    expect(await names(), 'the order changed').not.to.deep.equal(ranked);
    await shot(page, 'finding-sorted-by-total');
  });

  it('sorts names in the order of their pinyin (白石村 before 枫林村 before 双塘村), not of their code points', async () => {
    await open(DESKTOP);
    await page.goto(`${app.url}/runs/${village}`);
    await clickHeader('单位');
    const sorted = await names();
    expect(sorted).to.have.length(18);
    expect(sorted).to.deep.equal([...sorted].sort(byPinyin));
    expect(sorted, 'code point order is another').not.to.deep.equal([...sorted].sort());
    expect(sorted.indexOf('白石村')).to.be.lessThan(sorted.indexOf('枫林村'));
    expect(sorted.indexOf('枫林村')).to.be.lessThan(sorted.indexOf('双塘村'));
    await clickHeader('单位');
    expect(await names()).to.deep.equal([...sorted].reverse());
  });

  it('sorts by every column: each group’s score, the grade and the sanction', async () => {
    await open(DESKTOP);
    await page.goto(`${app.url}/runs/${village}`);
    const headers = await page.locator('table.ranking-table thead th').evaluateAll((ths) => ths.map((th) => [th.getAttribute('data-sort'), th.querySelector('a') !== null]));
    expect(headers.length).to.be.greaterThan(6);
    expect(headers.every(([key, link]) => key && link), 'every header is a link that sorts').to.equal(true);
    const groups = await page.locator('table.ranking-table thead th.group').count();
    expect(groups).to.be.greaterThan(1);
    for (let g = 1; g <= groups; g++) {
      await page.goto(`${app.url}/runs/${village}`);
      await Promise.all([page.waitForNavigation(), page.locator(`th[data-sort=g${g}] a`).click()]);
      const scores = (await column(3 + g)).map(Number);
      expect(scores, `group ${g}`).to.deep.equal([...scores].sort((a, b) => b - a));
      expect(await lowContrast(page, 'th small, th .arrow, caption'), 'the sorted header reads as well as the others').to.deep.equal([]);
    }
    await page.goto(`${app.url}/runs/${village}`);
    await clickHeader('奖惩');
    const rows = await page.locator('table.ranking-table tbody tr').evaluateAll((trs) => trs.map((tr) => (tr.querySelector('.badge.commendation') ? 0 : tr.classList.contains('vetoed') ? 3 : tr.querySelector('.badge.criticism') ? 2 : 1)));
    expect(rows).to.deep.equal([...rows].sort((a, b) => a - b));
    expect(rows[0]).to.equal(0);
    expect(rows[rows.length - 1]).to.equal(3);
    await clickHeader('等级');
    const grades = await column(4 + groups);
    expect(grades[0]).to.equal('优秀');
    expect(grades[grades.length - 1]).to.contain('一票否决');
  });

  it('filters by grade and by sanction, says what it shows, and keeps the filter while sorting', async () => {
    await open(DESKTOP);
    await page.goto(`${app.url}/runs/${village}`);
    await page.selectOption('select[name=grade]', '优秀');
    await Promise.all([page.waitForNavigation(), page.click('form.finder button[type=submit]')]);
    const grades = await column(4 + await page.locator('table.ranking-table thead th.group').count());
    expect(grades.length).to.be.within(1, 17);
    expect(new Set(grades)).to.deep.equal(new Set(['优秀']));
    expect(await page.textContent('caption.found')).to.contain(`等级 优秀 · 找到 ${grades.length} 个（共 18 个）`);
    expect(await page.$eval('select[name=grade]', (s: HTMLSelectElement) => s.value)).to.equal('优秀');
    await clickHeader('总分');
    expect(await page.locator('table.ranking-table tbody tr').count(), 'the header keeps the filter').to.equal(grades.length);

    await page.goto(`${app.url}/runs/${village}`);
    await page.selectOption('select[name=sanction]', 'veto');
    await Promise.all([page.waitForNavigation(), page.click('form.finder button[type=submit]')]);
    const vetoed = page.locator('table.ranking-table tbody tr');
    expect(await vetoed.count()).to.be.greaterThan(0);
    expect(await page.locator('table.ranking-table tbody tr:not(.vetoed)').count()).to.equal(0);
    expect(await page.textContent('caption.found')).to.contain('奖惩 一票否决');
    await shot(page, 'finding-vetoed');

    await page.goto(`${app.url}/runs/${village}?sanction=commendation`);
    const commended = await page.locator('table.ranking-table tbody tr').count();
    expect(commended).to.be.greaterThan(0);
    expect(await page.locator('table.ranking-table tbody tr .badge.commendation').count()).to.equal(commended);
    await page.goto(`${app.url}/runs/${village}?sanction=none`);
    expect(await page.locator('table.ranking-table tbody .badge').count()).to.equal(0);
    expect(await page.locator('table.ranking-table tbody tr').count()).to.be.within(1, 17);
  });

  it('finds villages by part of their name, and says so plainly when none is found', async () => {
    await open(DESKTOP);
    await page.goto(`${app.url}/runs/${village}`);
    await page.fill('input[name=q]', '枫林');
    await Promise.all([page.waitForNavigation(), page.press('input[name=q]', 'Enter')]);
    expect((await names()).sort(byPinyin)).to.deep.equal(['枫林村', '枫林社区']);
    expect(await page.inputValue('input[name=q]')).to.equal('枫林');
    expect(await page.textContent('figure.chart figcaption')).to.contain('筛选出的');
    expect(await page.locator('figure.chart svg text', { hasText: '双塘村' }).count(), 'the chart shows what was found').to.equal(0);
    await shot(page, 'finding-search');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('caption.found').isVisible(), 'the print says it is filtered').to.equal(true);
    await pdfPages('finding-search-print');
    await page.emulateMedia({ media: 'screen' });

    await page.goto(`${app.url}/runs/${village}?q=${encodeURIComponent('"><script>alert(1)</script>无此村')}`);
    expect(await page.textContent('table.ranking-table tbody')).to.contain('没有符合条件的单位');
    expect(await page.locator('figure.chart').count()).to.equal(0);
    expect(await page.locator('main script').count()).to.equal(0);
    expect(await page.inputValue('input[name=q]')).to.equal('"><script>alert(1)</script>无此村');
  });

  it('fits the ranking and its finding controls on a 390 px phone, and sorts there by a column the phone hides', async () => {
    await open(PHONE);
    await page.goto(`${app.url}/runs/${village}`);
    expect(await overflow(page)).to.be.at.most(1);
    expect(await page.locator('th[data-sort=g1]').isVisible(), 'group columns are hidden on a phone').to.equal(false);
    await page.selectOption('select[name=sort]', 'g1');
    await page.selectOption('select[name=dir]', 'desc');
    await page.fill('input[name=q]', '村');
    await Promise.all([page.waitForNavigation(), page.click('form.finder button[type=submit]')]);
    expect(new URL(page.url()).searchParams.get('sort')).to.equal('g1');
    expect(await page.getAttribute('th[data-sort=g1]', 'aria-sort')).to.equal('descending');
    expect(await page.textContent('caption.found')).to.match(/名称含“村” · 找到 16 个（共 18 个）\s+· 按.+降序排列/);
    expect(await overflow(page)).to.be.at.most(1);
    await shot(page, 'finding-phone-ranking');
  });

  for (const viewport of [PHONE, DESKTOP]) {
    it(`keeps the statistics report’s unit column in view when its figures scroll sideways (${viewport.width} px)`, async () => {
      await open(viewport);
      await page.goto(`${app.url}/report`);
      const tree = page.locator('.report-tree');
      const room = await tree.evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(room, 'the figures are wider than the screen').to.be.greaterThan(0);
      await tree.evaluate((el) => { el.scrollIntoView(); el.scrollLeft = el.scrollWidth; });
      expect(await tree.evaluate((el) => el.scrollLeft)).to.be.greaterThan(0);
      const seen = await page.evaluate(() => {
        const box = document.querySelector('.report-tree')!.getBoundingClientRect();
        return [...document.querySelectorAll('.report-tree .report-row')].slice(0, 6).filter((row) => row.getBoundingClientRect().bottom < innerHeight).map((row) => {
          const unit = row.querySelector('.unit')!.getBoundingClientRect();
          const atPoint = document.elementFromPoint(unit.left + 4, unit.top + unit.height / 2);
          return { left: Math.round(unit.left - box.left), topmost: !!atPoint && row.querySelector('.unit')!.contains(atPoint), text: row.querySelector('.unit')!.textContent };
        });
      });
      for (const s of seen) {
        expect(s.left, `${s.text} stays at the left edge`).to.equal(0);
        expect(s.topmost, `${s.text} is not covered by the figures`).to.equal(true);
      }
      expect(seen.length).to.be.greaterThan(3);
      expect(seen[0].text).to.equal('单位');
      expect(await overflow(page), 'the page itself does not scroll sideways').to.be.at.most(1);
      await shot(page, `finding-report-scrolled-${viewport.width}`);
    });
  }

  it('prints the statistics report with its unit column where it belongs', async () => {
    await open(DESKTOP);
    await page.goto(`${app.url}/report`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.$eval('.report-tree .report-row .unit', (el) => getComputedStyle(el).position)).to.equal('static');
    await pdfPages('finding-report-print');
  });

  describe('the scorecard’s trend, once 2024 is published', () => {
    before(async () => {
      const draft = (await listRuns(app.db)).find((r) => r.track === 'village' && r.status === 'draft')!;
      await publishRun(app.db, draft.id, 'test');
    });

    it('draws total and rank over the periods as SVG, the totals at the rule set’s precision', async () => {
      await open(DESKTOP, 'v01');
      await page.goto(`${app.url}/units/v01`);
      const trend = page.locator('section:has(h2:text("历年情况"))');
      const rows = await trend.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
      expect(rows.map((r) => r[0])).to.deep.equal(['2023年度', '2024年度']);
      const chart = trend.locator('figure.trend-chart svg');
      expect(await chart.count()).to.equal(1);
      const labels = await chart.locator('text').allTextContents();
      for (const [period, total, rank] of rows) {
        expect(total).to.match(/^\d+\.\d$/);
        expect(labels, `${period} total`).to.include(total);
        expect(labels, `${period} rank`).to.include(`第${rank}名`);
        expect(labels).to.include(period);
      }
      expect(await page.locator('main script').count()).to.equal(0);
      await shot(page, 'finding-trend');
      await pdfPages('finding-trend-print');
    });

    it('says 一票否决 once in the trend of a vetoed village', async () => {
      await open(DESKTOP);
      await page.goto(`${app.url}/runs/${village}?sanction=veto`);
      const href = await page.locator('table.ranking-table tbody td a[data-unit]').first().getAttribute('href');
      await page.goto(`${app.url}${href}`);
      const grades = await page.locator('section:has(h2:text("历年情况")) tbody td:nth-child(4)').allTextContents();
      expect(grades.some((g) => g.includes('一票否决'))).to.equal(true);
      for (const g of grades) expect(g.split('一票否决').length - 1, g).to.be.at.most(1);
    });

    it('fits the scorecard and its trend chart on a 390 px phone', async () => {
      await open(PHONE, 'v01');
      await page.goto(`${app.url}/units/v01`);
      const chart = page.locator('figure.trend-chart svg');
      expect(await chart.count()).to.equal(1);
      const width = await chart.evaluate((el) => el.getBoundingClientRect().width);
      expect(width).to.be.within(100, 390);
      expect(await overflow(page)).to.be.at.most(1);
      await shot(page, 'finding-phone-trend');
    });
  });
});
