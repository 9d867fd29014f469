import { expect } from 'chai';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { countInputs, inputOf } from '../../src/db/queries/inputs.js';
import { localDate } from '../../src/local-time.js';
import { inputTemplate } from '../../src/services/templates.js';
import { launch, overflow, SCREENSHOTS, shot, signIn } from '../support/browser.js';
import { startApp, type TestApp } from '../support/web.js';
import { tempDir } from '../support/temp.js';

/** A template's round trip through the pages, as a township does it: download, fill in with Excel, upload; then a bad cell, and its report. */

async function sheetOf(file: string): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return wb.worksheets[0];
}

describe('import templates in a real browser (Debian chromium)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  before(async () => {
    app = await startApp();
    browser = await launch();
    dir = tempDir('templates-');
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    page = await context.newPage();
    await signIn(page, app.url, 'leader');
  });
  afterEach(async () => { await context?.close(); });

  /** Chooses a period and track on the entry page from its lists, as a person does, and downloads that template. */
  async function downloadTemplate(period: string, format: 'xlsx' | 'csv'): Promise<{ file: string; name: string }> {
    await page.goto(`${app.url}/entry`);
    await page.selectOption('.entry-choose select[name=period]', period);
    await page.selectOption('.entry-choose select[name=track]', 'village');
    await Promise.all([page.waitForNavigation(), page.click('.entry-choose button[type=submit]')]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`.entry-files a[data-template=${format}]`)]);
    const file = path.join(dir, `${period}.${format}`);
    await download.saveAs(file);
    return { file, name: download.suggestedFilename() };
  }

  async function uploadFile(period: string, file: string): Promise<void> {
    await page.goto(`${app.url}/entry/upload?period=${period}&track=village`);
    await page.selectOption('form.entry-upload select[name=period]', period);
    await page.selectOption('form.entry-upload select[name=track]', 'village');
    await page.setInputFiles('input[type=file]', file);
    // A period with a published result (the demo's 2023) asks to confirm first (issue 19, point 4).
    if (await page.locator('input[name=confirmPublished]').count()) await page.check('input[name=confirmPublished]');
    await Promise.all([page.waitForNavigation(), page.click('form.entry-upload button[type=submit]')]);
  }

  it('offers every period and track on the entry forms from a list, in words, never as a box to type in', async () => {
    for (const url of ['/entry', '/entry/upload']) {
      await page.goto(`${app.url}${url}`);
      expect(await page.locator('input[name=period], input[name=track]').count(), url).to.equal(0);
      const periods = await page.locator('select[name=period] option').allTextContents();
      expect(periods, url).to.include.members(['2024年度', `${localDate(Date.now()).slice(0, 4)}年上半年`]);
      expect(periods.some((p) => /^\d{4}$|H\d|Q\d/.test(p)), url).to.equal(false);
      expect(await page.locator('select[name=track] option').allTextContents(), url).to.deep.equal(['村级千分考核', '双线考核（工作人员）', '村级党建工作专项考核', '村级安全生产专项考核', '村级年度综合考核']);
    }
  });

  it('downloads the XLSX template through the page, filled in with Excel it uploads through the form and is imported', async () => {
    const { file, name } = await downloadTemplate('2023', 'xlsx');
    expect(name).to.equal('2023年度村级千分考核数据录入模板.xlsx');
    const sheet = await sheetOf(file);
    expect(sheet.getCell('A3').value).to.equal('枫林村');
    // Filled in as a township would: the demo's 2024 figures, typed into the input cells only.
    const figures = (await inputTemplate(app.db, '2024', 'village', 'test')).rows;
    figures.forEach((r, k) => r.slice(2).forEach((v, c) => { if (v !== null) sheet.getCell(k + 3, c + 3).value = v; }));
    await sheet.workbook.xlsx.writeFile(file);

    await uploadFile('2023', file);
    expect(new URL(page.url()).pathname).to.equal('/entry');
    expect(await page.textContent('.flash')).to.contain('已从 2023.xlsx 导入 18 个单位2023年度的数据');
    expect(await page.locator('[data-entered="18"]').count()).to.equal(1);
    expect(await countInputs(app.db, '2023', 'village')).to.equal(18);
    const [was, is] = await Promise.all([inputOf(app.db, '2024', 'village', 'v07'), inputOf(app.db, '2023', 'village', 'v07')]);
    expect(JSON.parse(is!.input_values)).to.deep.equal(JSON.parse(was!.input_values));
    await shot(page, 'templates-imported-1366');
  });

  it('reports a bad cell of a filled-in template by its unit and its cell (F6), imports nothing, and the report downloads as a workbook', async () => {
    const { file } = await downloadTemplate('2024', 'xlsx'); // the 2024 figures already in it
    const sheet = await sheetOf(file);
    const headers = (sheet.getRow(1).values as unknown[]).map(String);
    const births = headers.indexOf('出生人数'); // column E
    expect(sheet.getCell(6, 1).value).to.be.a('string');
    const unit = String(sheet.getCell(6, 1).value);
    sheet.getCell(6, births).value = 9999; // past its 500: Excel's validation would stop a person typing it, not a program writing it
    await sheet.workbook.xlsx.writeFile(file);
    const before = await inputOf(app.db, '2024', 'village', String(sheet.getCell(6, 2).value));

    await uploadFile('2024', file);
    const problem = page.locator('.entry-report tr.problem');
    expect(await problem.count()).to.equal(1);
    const cell = `${String.fromCharCode(64 + births)}6`;
    expect(await problem.locator('td').allTextContents()).to.deep.equal([unit, cell, '出生人数', (await problem.locator('td').nth(3).textContent())!]);
    expect(cell).to.equal('E6');
    expect(await page.textContent('.entry-report .error')).to.contain('未导入任何数据');
    expect(await inputOf(app.db, '2024', 'village', String(sheet.getCell(6, 2).value))).to.deep.equal(before);
    await shot(page, 'templates-report-1366');
    await page.pdf({ path: path.join(SCREENSHOTS, 'templates-report.pdf'), format: 'A4' });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[data-report]')]);
    expect(download.suggestedFilename()).to.equal('2024-错误报告.xlsx');
    const saved = path.join(dir, 'report.xlsx');
    await download.saveAs(saved);
    const report = await sheetOf(saved);
    expect(report.getRow(1).values).to.deep.equal([undefined, '单位', '单元格', '列', '问题']);
    expect((report.getRow(2).values as unknown[]).slice(1, 4)).to.deep.equal([unit, 'E6', '出生人数']);
    expect(String(report.getCell('D2').value)).to.contain('500');

    await page.setViewportSize({ width: 390, height: 844 });
    await uploadFile('2024', file);
    expect(await overflow(page)).to.equal(0);
    await shot(page, 'templates-report-390');
  });

  it('downloads the CSV template with a BOM, the units by name and the note row, which uploads unchanged', async () => {
    const { file, name } = await downloadTemplate('2024', 'csv');
    expect(name).to.equal('2024年度村级千分考核数据录入模板.csv');
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').split('\r\n');
    expect(lines[0]).to.match(/^\uFEFF单位名称,单位编号,总人口,/);
    expect(lines[1]).to.match(/^填写说明（本行不导入）：2024年度/);
    expect(lines[2]).to.match(/^枫林村,v01,\d+/);
    await uploadFile('2024', file);
    expect(await page.textContent('.flash')).to.contain('导入 18 个单位');
  });

  it('fits the entry and upload pages, with their template links, on a 390 px phone and prints them', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [url, name] of [['/entry?period=2024&track=village', 'entry'], ['/entry/upload?period=2024&track=village', 'upload']]) {
      await page.goto(`${app.url}${url}`);
      expect(await page.locator('a[data-template=xlsx]').count(), url).to.equal(1);
      expect(await overflow(page), url).to.equal(0);
      await shot(page, `templates-${name}-390`);
      await page.setViewportSize({ width: 1366, height: 900 });
      await shot(page, `templates-${name}-1366`);
      await page.pdf({ path: path.join(SCREENSHOTS, `templates-${name}.pdf`), format: 'A4' });
      await page.setViewportSize({ width: 390, height: 844 });
    }
  });
});
