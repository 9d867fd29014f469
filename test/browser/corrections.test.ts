import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { latestRuleVersion } from '../../src/db/queries/rule-versions.js';
import { getRun } from '../../src/db/queries/runs.js';
import { loadRuleSet } from '../../src/engine/index.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { ruleSchema, sha256 } from '../../src/io/rule-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { createCorrection } from '../../src/services/corrections.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { saveRuleVersion } from '../../src/services/rule-versions.js';
import { withLabel } from '../../src/services/version-labels.js';
import { launch, lowContrast, overflow, SCREENSHOTS, shot, pageAs } from '../support/browser.js';
import { startApp, type TestApp } from '../support/web.js';

/**
 * 更正 in the browser (issue 19, point 3): a leader corrects the published 2023 ranking with
 * a data fix and a newer rule version, sees what changed by the data and by the rules,
 * publishes it; 黄泥坳村 sees on a phone that its result was corrected and can still open
 * the old one, marked 已更正. Every page touched is shot at 1366 and 390 px and printed.
 */
describe('correcting a published ranking in the browser', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  let correction = 0;
  const published = 1;

  const open = (user: string, width: 390 | 1366): Promise<Page> => pageAs(browser, app.url, user, width);

  /** The page at both widths (shot, and nothing to scroll sideways on the phone) and printed on A4. */
  async function record(user: string, url: string, name: string): Promise<void> {
    for (const width of [1366, 390] as const) {
      const page = await open(user, width);
      await page.goto(app.url + url);
      await shot(page, `corrections-${name}-${width}`);
      if (width === 390) {
        expect(await overflow(page), `${name} at 390 px`).to.equal(0);
        expect(await lowContrast(page, '.correction-note p, p.corrected, section.correction p, section.correction td'), name).to.deep.equal([]);
        await page.emulateMedia({ media: 'print' });
        writeFileSync(path.join(SCREENSHOTS, `corrections-${name}.pdf`), await page.pdf({ format: 'A4', printBackground: true }));
      }
      await page.context().close();
    }
  }

  before(async () => {
    app = await startApp();
    browser = await launch();
    // What the leader found: 黄泥坳村 (v09)'s policy-external birth was a data error (entered again), and the
    // birth-rate target of the rules was lowered from 8‰ to 6‰ (a new version, 2024.2).
    const lines = readFileSync(path.join(DEMO_DIR, 'villages-2023.csv'), 'utf8').split('\n');
    const header = lines[0].split(',');
    const k = lines.findIndex((l) => l.startsWith('v09,'));
    const cells = lines[k].split(',');
    for (const col of ['outOfPolicyBirths', 'outOfPolicyMulti', 'multiBirths']) cells[header.indexOf(col)] = '0';
    for (const col of ['births', 'boys']) cells[header.indexOf(col)] = String(Number(cells[header.indexOf(col)]) - 1);
    lines[k] = cells.join(',');
    const fileBytes = Buffer.from(lines.join('\n'));
    await importInputs(app.db, { periodId: '2023', track: 'village', by: 'admin', table: parseDataBytes(fileBytes, 'fix.csv'), fileBytes });
    const shipped = (await latestRuleVersion(app.db, 'village-annual'))!;
    const source = withLabel(shipped.source.replace('"target": 8,', '"target": 6,'), '2024.3');
    const { ruleset, warnings } = loadRuleSet(source, 'stricter.json', ruleSchema());
    const bytes = Buffer.from(source, 'utf8');
    await saveRuleVersion(app.db, { file: 'stricter.json', bytes, sha256: sha256(bytes), ruleset, warnings }, 'admin');
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('corrects the published run from its page with a reason and the newer rule version, and shows both parts of what changed', async () => {
    const page = await open('leader', 1366);
    await page.goto(`${app.url}/runs/${published}`);
    await Promise.all([page.waitForNavigation(), page.locator(`a[href="/runs/${published}/correct"]`).first().click()]);
    expect(page.url()).to.equal(`${app.url}/runs/${published}/correct`);
    expect(await page.locator('#rules option:checked').textContent()).to.contain(`2024.2`).and.to.contain(`第${published}号考核所用版本`);
    await page.fill('#reason', '黄泥坳村政策外生育系录入错误，经核实更正；出生率目标按新细则调整');
    await page.selectOption('#rules', { label: (await page.locator('#rules option', { hasText: '2024.3' }).textContent())!.trim() });
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("生成更正草稿")')]);
    correction = Number(/\/runs\/(\d+)$/.exec(page.url())![1]);
    expect(correction).to.be.greaterThan(published);
    const part = page.locator('section.correction');
    expect(await part.locator('h2').textContent()).to.equal(`本次为对第${published}号考核的更正`);
    expect(await part.locator('p.rules-used').textContent()).to.match(new RegExp(`所用规则版本：2024\\.3（.+），不是第${published}号考核所用的版本 2024\\.2`));
    const [byData, byRules] = [part.locator('table.correction-changes').nth(0), part.locator('table.correction-changes').nth(1)];
    expect(await byData.locator('tbody tr', { hasText: '黄泥坳村' }).textContent()).to.contain('撤销一票否决');
    expect(await byRules.locator('tbody tr').count()).to.be.greaterThan(0);
    expect(await byRules.textContent()).not.to.contain('撤销一票否决');
    await page.context().close();
  });

  it('publishes the correction, after which the corrected run says so and links to it', async () => {
    const page = await open('leader', 1366);
    await page.goto(`${app.url}/runs/${correction}`);
    // Publishing is the publication pages' (a button today, a confirming page later).
    const button = page.locator(`form[action="/runs/${correction}/publish"] button`);
    if (await button.count()) {
      await Promise.all([page.waitForNavigation(), button.click()]);
    } else {
      await page.goto(`${app.url}/runs/${correction}/publish`);
      await Promise.all([page.waitForNavigation(), page.click(`form[action="/runs/${correction}/publish"] button[type=submit]`)]);
    }
    expect((await getRun(app.db, correction))!.status).to.equal('published');
    await page.goto(`${app.url}/runs/${published}`);
    expect(await page.textContent('p.corrected')).to.contain(`本次考核结果已更正，见第${correction}号考核`);
    await Promise.all([page.waitForNavigation(), page.click(`p.corrected a`)]);
    expect(page.url()).to.equal(`${app.url}/runs/${correction}`);
    await page.context().close();
  });

  it('tells 黄泥坳村 on its phone that its result was corrected, and lets it open the old result, marked 已更正', async () => {
    const page = await open('v09', 390);
    await page.goto(`${app.url}/units/v09`);
    expect(await page.textContent('.correction-note')).to.match(/本村结果已于\d{4}年\d{1,2}月\d{1,2}日更正：原第18名，不合格（一票否决）；现第\d+名/);
    expect(await overflow(page)).to.equal(0);
    await page.selectOption('select[name=run]', String(published));
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("查看")')]);
    expect(await page.textContent('p.corrected')).to.contain(`本结果已更正，以第${correction}号考核的结果为准`);
    expect(await page.textContent('header.doc .meta')).to.contain('已更正');
    expect(await overflow(page)).to.equal(0);
    await Promise.all([page.waitForNavigation(), page.click('p.corrected a')]);
    expect(page.url()).to.equal(`${app.url}/units/v09?run=${correction}`);
    await page.context().close();
  });

  it('says in the rule editor’s preview that an edit which kept its label is given the next one', async () => {
    for (const width of [1366, 390] as const) {
      const page = await open('admin', width);
      await page.goto(`${app.url}/rules/village-annual/edit`);
      const source = await page.inputValue('#source');
      await page.fill('#source', source.replace('"target": 6,', '"target": 7,'));
      await Promise.all([page.waitForNavigation(), page.click('button:has-text("预览")')]);
      expect(await page.textContent('p.relabelled')).to.contain('版本号未修改：已由 2024.3 改为 2024.4');
      await shot(page, `corrections-rule-preview-${width}`);
      if (width === 390) expect(await overflow(page)).to.equal(0);
      await page.context().close();
    }
  });

  it('fits every page it touched on a phone and prints it on A4', async () => {
    await record('leader', `/runs/${published}/correct`, 'form-refused');
    await record('leader', `/runs/${correction}/correct`, 'form');
    await record('leader', `/runs/${correction}`, 'correction');
    // Sorted or filtered, the ranking prints as found (not as the 通报): the correction's part with it.
    await record('leader', `/runs/${correction}?grade=${encodeURIComponent('合格')}`, 'correction-found');
    await record('leader', `/runs/${published}`, 'corrected');
    await record('leader', '/runs', 'runs');
    await record('v09', '/units/v09', 'scorecard-correction');
    await record('v09', `/units/v09?run=${published}`, 'scorecard-corrected');
    await record('admin', '/rules/village-annual/edit', 'rule-editor');
    // A hostile reason: markup, a right-to-left mark and 460 letters with no place to break.
    const hostile = await createCorrection(app.db, { runId: correction, reason: `<script>alert(1)</script>\u202e{{x}}${'W'.repeat(460)}`, by: 'leader' });
    await record('leader', `/runs/${hostile.id}`, 'correction-hostile-reason');
  });
});
