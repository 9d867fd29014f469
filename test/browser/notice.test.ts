import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parseCsvData } from '../../src/io/data-file.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun } from '../../src/services/runs.js';
import { launch, overflow, SCREENSHOTS, shot, signIn } from '../support/browser.js';
import { syntheticVillagesCsv } from '../support/synthetic.js';
import { startApp, type TestApp } from '../support/web.js';
import { unzip } from '../support/zip.js';

/**
 * The township's 通报 (issue 18, item 4): the ranking page prints as it, on A4 landscape, one
 * line per unit, its table header on every page; the same notice downloads as a Word document;
 * a scorecard prints as the village's 考核结果告知单. The PDFs are read back with poppler's
 * pdfinfo and pdftotext (Debian's poppler-utils).
 */

interface Printed { pages: number; width: number; height: number; text: string; pageTexts: string[] }

/** The page printed as the print dialog would (the CSS page size wins), saved under artifacts/, and read back. */
async function printed(page: Page, name: string): Promise<Printed> {
  await page.emulateMedia({ media: 'print' });
  const file = path.join(SCREENSHOTS, `${name}.pdf`);
  writeFileSync(file, await page.pdf({ preferCSSPageSize: true, printBackground: true }));
  let info: string;
  try {
    info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  } catch (e) {
    throw new Error(`pdfinfo could not read ${file} (install Debian's poppler-utils, as .ci/run does): ${(e as Error).message}`);
  }
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info)!;
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  const pageTexts = text.split('\f').slice(0, -1);
  return { pages: Number(/Pages:\s+(\d+)/.exec(info)![1]), width: Number(size[1]), height: Number(size[2]), text, pageTexts };
}

/** What a printed notice must never show: rule-file identifiers, hashes, unit ids, English placeholders. */
function expectNoIdentifiers(text: string, sha: string): void {
  for (const raw of ['village-annual', 'staff-annual', sha.slice(0, 8), 'fenglin', 'hetang', 'undefined', 'NaN', 'null']) {
    expect(text, `printed text shows “${raw}”`).not.to.contain(raw);
  }
  expect(text).not.to.match(/\bv\d{2,}\b/);
}

describe('the 通报 and the 告知单 as printed and downloaded', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let bigRun: number;
  before(async () => {
    app = await startApp();
    browser = await launch();
    // 60 villages of the demo township in a year of their own: a notice of two pages.
    const csv = syntheticVillagesCsv(60, { parent: 'fenglin', seed: 7 });
    await importInputs(app.db, { periodId: '2030', table: parseCsvData(csv, 'villages-2030.csv'), fileBytes: Buffer.from(csv), by: 'test' });
    bigRun = (await createRun(app.db, { periodId: '2030', track: 'village', by: 'test' })).id;
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    await signIn(page, app.url, 'leader');
  });
  afterEach(async () => { await context?.close(); });

  async function ruleSha(runId: number): Promise<string> {
    const row = await app.db('runs').where({ id: runId }).first('rule_sha256');
    return String(row.rule_sha256);
  }

  it('prints the ranking of 18 villages as the township’s 通报 on one landscape A4 page', async () => {
    await page.goto(`${app.url}/runs/1`);
    await shot(page, 'notice-ranking-1366');
    const pdf = await printed(page, 'notice-18');
    expect(await page.locator('table.ranking-table').isVisible(), 'the screen table').to.equal(false);
    expect(await page.locator('figure.chart').isVisible(), 'the chart').to.equal(false);
    expect(await page.locator('section.notice').isVisible()).to.equal(true);
    expect(pdf.pages).to.equal(1);
    expect(pdf.width, 'landscape').to.be.greaterThan(pdf.height);
    expect(Math.round(pdf.width)).to.be.within(840, 843);
    expect(pdf.text).to.contain('关于2023年度村级人口和计划生育工作千分考核结果的通报');
    expect(pdf.text).to.contain('枫林镇人民政府');
    expect(pdf.text).to.match(/根据《村级人口和计划生育工作千分考核细则》（2024\.2版），对18个村（社区）2023年度工作进行了考核/);
    expect(pdf.text).to.contain('倒数第二名，通报批评');
    expect(pdf.text).to.contain('有政策外生育的村实行一票否决');
    expect(pdf.text).to.contain('连带责任');
    // Every village on a line of its own, its name whole: not a character per line.
    for (const name of ['黄泥坳村', '马家冲村', '荷叶塘村', '枫林社区', '新民社区']) {
      expect(pdf.text.split('\n').filter((l) => l.includes(name) && /\d+\.\d/.test(l)), name).to.have.length(1);
    }
    expectNoIdentifiers(pdf.text, await ruleSha(1));
  });

  it('prints a ranking sorted, filtered or searched as found, not as the 通报', async () => {
    await page.goto(`${app.url}/runs/1?grade=${encodeURIComponent('优秀')}`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('section.notice').count()).to.equal(0);
    expect(await page.locator('table.ranking-table').isVisible()).to.equal(true);
  });

  it('prints the staff ranking (five groups) within the page’s width, each sanction with its reason', async () => {
    const staffRun = (await app.db('runs').where({ period_id: '2023', track: 'staff' }).first('id')).id as number;
    await page.goto(`${app.url}/runs/${staffRun}`);
    const pdf = await printed(page, 'notice-staff');
    expect(await page.evaluate(() => {
      const table = document.querySelector('section.notice table')!;
      return table.scrollWidth - table.parentElement!.clientWidth;
    }), 'the table is wider than the page by').to.be.at.most(0);
    expect(pdf.width).to.be.greaterThan(pdf.height);
    expect(pdf.text).to.contain('对26名工作人员2023年度工作进行了考核');
    expect(pdf.text).to.match(/第一名，评为优秀计生干部/);
    expectNoIdentifiers(pdf.text, await ruleSha(staffRun));
  });

  it('prints 60 units on two landscape pages, the table header repeated on the second', async () => {
    await page.goto(`${app.url}/runs/${bigRun}`);
    const pdf = await printed(page, 'notice-60');
    expect(pdf.pages).to.equal(2);
    expect(pdf.width).to.be.greaterThan(pdf.height);
    for (const text of pdf.pageTexts) expect(text).to.match(/名次\s+单位\s+总分/);
    const names = new Set([...pdf.text.matchAll(/第(\d+)村/g)].map((m) => m[1]));
    expect(names.size, 'units printed').to.equal(60);
    expect(pdf.text).to.contain('对60个村（社区）2030年度工作进行了考核');
    expect(pdf.text).to.contain('（草稿，未经发布）');
    expectNoIdentifiers(pdf.text, await ruleSha(bigRun));
  });

  it('says on screen why each sanction falls where it does: in the ranking table and on the scorecard', async () => {
    await page.goto(`${app.url}/runs/1`);
    const badges = await page.locator('table.ranking-table .badge').allTextContents();
    expect(badges).to.include.members(['第一名，表彰', '倒数第二名，通报批评', '排名最后，一票否决']);
    await page.goto(`${app.url}/units/v06?run=1`);
    expect(await page.textContent('.badge.criticism')).to.equal('倒数第二名，通报批评');
  });

  it('downloads the 通报 as a Word document: landscape, its title, every row, the header row repeated', async () => {
    await page.goto(`${app.url}/runs/1`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=下载通报（Word）')]);
    expect(download.suggestedFilename()).to.equal('关于2023年度村级人口和计划生育工作千分考核结果的通报.docx');
    const res = await page.request.get(`${app.url}/runs/1/notice.docx`);
    expect(res.status()).to.equal(200);
    expect(res.headers()['content-type']).to.equal('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const files = unzip(await res.body());
    expect([...files.keys()]).to.include.members(['[Content_Types].xml', 'word/document.xml']);
    const xml = files.get('word/document.xml')!.toString('utf8');
    // Well-formed XML, as Word and WPS demand: parsed by the browser's own parser.
    expect(await page.evaluate((x) => new DOMParser().parseFromString(x, 'application/xml').getElementsByTagName('parsererror').length, xml)).to.equal(0);
    expect(xml).to.contain('w:orient="landscape"');
    expect(xml).to.contain('关于2023年度村级人口和计划生育工作千分考核结果的通报');
    expect(xml).to.contain('枫林镇人民政府');
    expect(xml).to.contain('<w:tblHeader/>');
    expect(xml.match(/<w:tr>|<w:tr /g)).to.have.length(19);
    for (const name of ['枫林村', '黄泥坳村', '竹山村']) expect(xml).to.contain(name);
    expect(xml).to.contain('倒数第二名，通报批评');
    expectNoIdentifiers(xml.replace(/<[^>]*>/g, ' '), await ruleSha(1));
  });

  it('prints a scorecard as the village’s 考核结果告知单, signed by the township', async () => {
    await page.goto(`${app.url}/units/v09?run=1`);
    await shot(page, 'notice-scorecard-1366');
    const pdf = await printed(page, 'notice-scorecard');
    expect(await page.locator('header.doc').isVisible()).to.equal(false);
    expect(pdf.text).to.contain('考核结果告知单');
    expect(pdf.text).to.contain('黄泥坳村：');
    expect(pdf.text).to.contain('枫林镇人民政府');
    expectNoIdentifiers(pdf.text, await ruleSha(1));
  });

  it('fits a 390 px phone with the new button and the reasons', async () => {
    await context.close();
    context = await browser.newContext({ viewport: { width: 390, height: 800 }, locale: 'zh-CN', isMobile: true });
    page = await context.newPage();
    await signIn(page, app.url, 'leader');
    for (const [url, name] of [['/runs/1', 'notice-phone-ranking'], ['/units/v06?run=1', 'notice-phone-scorecard']]) {
      await page.goto(`${app.url}${url}`);
      await shot(page, name);
      expect(await overflow(page), url).to.be.at.most(1);
    }
  });
});
