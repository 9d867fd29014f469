import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRuleSet } from '../../src/engine/index.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { ruleSchema, sha256 } from '../../src/io/rule-file.js';
import { DEMO_DIR, ROOT } from '../../src/paths.js';
import { saveRuleVersion } from '../../src/services/rule-versions.js';
import { Client, signedIn, startApp, type TestApp } from '../support/web.js';

/** The statistics report page (统计分析): the unit tree with sums, the change on last year, the chart, the exports. */

function demoSum(year: string, column: string): number {
  const table = parseDataBytes(readFileSync(path.join(DEMO_DIR, `villages-${year}.csv`)), 'v.csv');
  return table.rows.reduce((s, r) => s + Number(r.cells[column]), 0);
}

const rate = (year: string) => Number((demoSum(year, 'births') / demoSum(year, 'population') * 1000).toFixed(2));

/** The markup of one unit's row (a <summary> for a parent, a <div> for a leaf), from its name to the row's end. */
function rowOf(html: string, id: string): string {
  const at = html.indexOf(`data-unit="${id}"`);
  expect(at, `a row for ${id}`).to.be.greaterThan(-1);
  const start = html.lastIndexOf('class="report-row', at);
  const end = html.indexOf('\n', at);
  return html.slice(start, end);
}

/** The cells of a row: value and change text, in column order. */
function cellsOf(row: string): Array<{ value: string; change?: { direction: string; text: string } }> {
  return [...row.matchAll(/<span class="value">([^<]*)<\/span>(?:<span class="change (\w+)" title="[^"]*">([^<]*)<\/span>)?/g)]
    .map((m) => ({ value: m[1], ...(m[2] ? { change: { direction: m[2], text: m[3] } } : {}) }));
}

describe('the statistics report page', function () {
  this.timeout(60_000);
  let app: TestApp;
  let leader: Client;
  let page: string;

  before(async () => {
    app = await startApp();
    leader = await signedIn(app.url, 'leader');
    const res = await leader.get('/report?period=2024&rules=village-annual');
    expect(res.status).to.equal(200);
    page = res.text;
  });
  after(async () => { await app?.close(); });

  it('is titled with the period and the rule set version, and offers the exports', () => {
    expect(page).to.contain('<h1>2024年度村级人口和计划生育工作千分考核统计分析</h1>');
    expect(page).to.contain('版本 2024.2');
    expect(page).to.contain('与2023年度相比');
    expect(page).to.contain('href="/report/export.xlsx?period=2024&amp;rules=village-annual"');
    expect(page).to.contain('href="/report/export.csv?');
    expect(page).not.to.contain('<script');
  });

  it('shows the villages under the township and the county as a tree that folds without script, open for print', () => {
    expect(page.match(/<details class="report-node" open>/g)).to.have.length(2);
    expect(rowOf(page, 'hetang')).to.match(/^class="report-row parent level-0"><span class="unit" data-unit="hetang">荷塘区<\/span>/);
    expect(rowOf(page, 'fenglin')).to.match(/^class="report-row parent level-1"><span class="unit" data-unit="fenglin">枫林镇<\/span>/);
    expect(rowOf(page, 'v01')).to.match(/^class="report-row leaf level-2"><span class="unit" data-unit="v01">枫林村<\/span>/);
    expect(page.indexOf('荷塘区')).to.be.lessThan(page.indexOf('枫林镇</span>'));
  });

  it('gives the parents the sums of their villages and a rate computed from the sums', () => {
    // Default columns: 总人口, 总户数, 出生人数, then every metric, 人口出生率 first.
    expect(page).to.match(/<span class="cell input">总人口（人）<\/span><span class="cell input">总户数（户）<\/span><span class="cell input">出生人数（人）<\/span><span class="cell metric">人口出生率（‰）<\/span>/);
    for (const id of ['hetang', 'fenglin']) {
      const cells = cellsOf(rowOf(page, id));
      expect(cells[0].value).to.equal(String(demoSum('2024', 'population')));
      expect(cells[2].value).to.equal(String(demoSum('2024', 'births')));
      expect(cells[3].value).to.equal(rate('2024').toFixed(2));
    }
  });

  it('shows the change on the same period last year with its direction: red ↑ up, green ↓ down', () => {
    const cells = cellsOf(rowOf(page, 'hetang'));
    const births = demoSum('2024', 'births') - demoSum('2023', 'births');
    const birthRate = Number((rate('2024') - rate('2023')).toFixed(2));
    const expected = (d: number, text: string) => (d > 0 ? { direction: 'up', text: `↑+${text}` } : { direction: 'down', text: `↓-${text}` });
    expect(births).not.to.equal(0);
    expect(cells[2].change).to.deep.equal(expected(births, String(Math.abs(births))));
    expect(cells[3].change).to.deep.equal(expected(birthRate, Math.abs(birthRate).toFixed(2)));
    expect(page).to.contain('<span class="change up" title="比去年同期上升">↑+');
    expect(page).to.contain('<span class="change down" title="比去年同期下降">↓-');
  });

  it('has no change column for the first year of data', async () => {
    const { status, text } = await leader.get('/report?period=2023&rules=village-annual');
    expect(status).to.equal(200);
    expect(text).to.contain('无去年同期数据，不作比较');
    expect(text).not.to.contain('class="change up"');
    expect(cellsOf(rowOf(text, 'hetang'))[0]).to.deep.equal({ value: String(demoSum('2023', 'population')) });
  });

  it('draws the chart of a chosen metric by village on the server', async () => {
    expect(page).to.match(/<figure class="chart report-chart">\s*<svg/);
    expect(page).to.contain('2024年度 各单位人口出生率（‰）');
    expect(page, 'no inline style for the CSP to refuse').not.to.match(/ style="|<style/);
    const { text } = await leader.get('/report?period=2024&rules=village-annual&metric=secondShare');
    expect(text).to.contain('2024年度 各单位出生二孩率（%）');
    expect(text).to.contain('<option value="secondShare" selected>');
  });

  it('shows the inputs chosen, or none', async () => {
    const { text } = await leader.get('/report?period=2024&rules=village-annual&inputs=&inputs=contraDue');
    expect(text).to.match(/<span class="unit">单位<\/span><span class="cell input">长效节育措施应落实数（人）<\/span><span class="cell metric">/);
    const none = await leader.get('/report?period=2024&rules=village-annual&inputs=');
    expect(none.text).to.match(/<span class="unit">单位<\/span><span class="cell metric">人口出生率/);
  });

  it('exports the same rows as XLSX, with sums and changes', async () => {
    const res = await leader.request('GET', '/report/export.xlsx?period=2024&rules=village-annual');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.contain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const sheet = workbook.getWorksheet('统计分析')!;
    expect(sheet.getCell('A1').value).to.equal('2024年度村级人口和计划生育工作千分考核统计分析');
    expect(sheet.rowCount).to.equal(1 + 1 + 20);
    const header = (sheet.getRow(2).values as unknown[]).slice(1);
    const column = (title: string) => header.indexOf(title) + 1;
    expect(column('人口出生率（‰）')).to.be.greaterThan(0);
    expect(sheet.getColumn(column('人口出生率（‰）')).numFmt, 'a rate at its two decimals').to.equal('0.00');
    expect(sheet.getColumn(1).width, 'the unit column is wide enough for its names').to.be.at.least(8);
    expect(sheet.views[0]).to.include({ state: 'frozen', ySplit: 2 });
    const township = sheet.getRow(4);
    expect(township.getCell(1).value).to.equal('枫林镇');
    expect(township.getCell(2).value).to.equal('荷塘区');
    expect(township.getCell(column('总人口（人）')).value).to.equal(demoSum('2024', 'population'));
    expect(township.getCell(column('人口出生率（‰）')).value).to.equal(rate('2024'));
    expect(township.getCell(column('出生人数（人）比去年同期')).value).to.equal(demoSum('2024', 'births') - demoSum('2023', 'births'));
    const about = workbook.getWorksheet('说明')!;
    const aboutText = JSON.stringify(about.getSheetValues());
    expect(aboutText).to.contain('2024年度').and.to.contain('村级人口和计划生育工作千分考核细则');
    expect(aboutText, 'no rule-file identifier').to.not.contain('village-annual');
  });

  it('exports the same rows as CSV', async () => {
    const res = await leader.request('GET', '/report/export.csv?period=2024&rules=village-annual');
    expect(res.status).to.equal(200);
    const text = await res.text();
    const lines = text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).to.have.length(21);
    expect(lines[0]).to.match(/^单位,上级单位,层级,总人口（人）/);
    expect(lines[1]).to.match(/^荷塘区,,1,/);
    expect(lines[2]).to.match(/^枫林镇,荷塘区,2,/);
  });

  it('says so when a period has no data for the rule set, and answers 404 for what does not exist', async () => {
    const empty = await leader.get('/report?rules=half-year-analysis');
    expect(empty.status).to.equal(200);
    expect(empty.text).to.contain('还没有任何考核期录入了');
    for (const url of ['/report?rules=nope', '/report?rules=staff-annual', '/report?period=abc', '/report/export.xlsx?period=2022', '/report/export.pdf']) {
      expect((await leader.get(url)).status, url).to.equal(404);
    }
  });

  it('lists the problems when the stored rows fail the chosen version’s checks', async () => {
    const source = readFileSync(path.join(ROOT, 'rules', 'village-annual.json'), 'utf8')
      .replace('"id": "village-annual"', '"id": "village-never"')
      .replace('"checks": [', '"checks": [\n    {"id": "never", "when": "population < 0", "message": "测试用的检查"},');
    const bytes = Buffer.from(source, 'utf8');
    await saveRuleVersion(app.db, { file: 'village-never', sha256: sha256(bytes), bytes, ...loadRuleSet(source, 'village-never', ruleSchema()) }, 'test');
    const { status, text } = await leader.get('/report?period=2024&rules=village-never');
    expect(status).to.equal(422);
    expect(text).to.contain('共 18 处问题').and.to.contain('测试用的检查');
    expect((await leader.get('/report/export.xlsx?period=2024&rules=village-never')).status).to.equal(422);
  });

  it('says in one sentence, by the inputs’ labels, that an assessment’s data lacks the rule set’s inputs, never the record’s codes', async () => {
    // Found by an outside attack: the 计生 细则 over the 党建 data listed 45 lines like “2024/a3 第1行“population”：…”.
    const party = (await app.db('assessments').where({ ruleset_id: 'village-party' }).first()) as { id: string; title: string };
    const { status, text } = await leader.get(`/report?period=2024&rules=village-annual&assessment=${party.id}`);
    expect(status).to.equal(422);
    expect(text).to.match(new RegExp(`${party.title}的数据中没有本细则要用的 \\d+ 项指标（总人口、`));
    expect(text).not.to.contain(`2024/${party.id}`).and.not.to.contain('“population”');
  });

  it('is for the township: the admin sees it and has it in the menu, a village account gets 404', async () => {
    const admin = await signedIn(app.url, 'admin');
    const { status, text } = await admin.get('/report');
    expect(status).to.equal(200);
    expect(text).to.contain('<a href="/report">统计分析</a>');
    const village = await signedIn(app.url, 'v01');
    for (const url of ['/report', '/report?period=2024&rules=village-annual', '/report/export.xlsx?period=2024', '/report/export.csv']) {
      expect((await village.get(url)).status, url).to.equal(404);
    }
    expect((await village.get('/')).text).not.to.contain('href="/report"');
  });
});
