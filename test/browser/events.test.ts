import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { eventsOf } from '../../src/db/queries/events.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun, publishRun, verifyRun } from '../../src/services/runs.js';
import { launch, narrowColumns, overflow, pageAs, SCREENSHOTS, shot } from '../support/browser.js';
import { assessmentOfRuleSet } from '../../src/services/assessments.js';
import { startApp, type TestApp } from '../support/web.js';
import { tempDir } from '../support/temp.js';

/**
 * The events ledger (事件台账) of the demo's 安全生产专项考核 (rules/village-safety.json: 安全生产事故 by level,
 * 督查发现问题 by points) as a township keeps it: the leader records an event on the wide page,
 * imports a sheet (a bad one first, reported cell by cell), withdraws one; the run counts the rest,
 * and the village sees them, with their dates and notes, on its scorecard on a phone.
 */
describe('the events ledger in a real browser (Debian chromium)', function () {
  this.timeout(180_000);
  const PERIOD = '2025';
  let app: TestApp;
  let browser: Browser;
  let dir: string;
  let wide: Page;
  let safety: string;
  before(async () => {
    app = await startApp();
    safety = (await assessmentOfRuleSet(app.db, 'village-safety'))!.id;
    const bytes = readFileSync(path.join(DEMO_DIR, 'safety-2024.csv'));
    await importInputs(app.db, { periodId: PERIOD, track: safety, table: parseDataBytes(bytes, 'safety-2024.csv'), fileBytes: bytes, by: 'test' });
    browser = await launch();
    dir = tempDir('events-');
    wide = await pageAs(browser, app.url, 'leader', 1366);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lets the leader record an event from lists on the 1366 px page, and lists it with its note escaped', async () => {
    await wide.goto(`${app.url}/`);
    await Promise.all([wide.waitForNavigation(), wide.click('header.site nav a:text("事件台账")')]);
    await wide.selectOption('.events-choose select[name=period]', PERIOD);
    await Promise.all([wide.waitForNavigation(), wide.click('.events-choose button[type=submit]')]);
    await wide.click('details.event-add summary');
    await wide.selectOption('.event-form select[name=unit]', { label: '枫林村（枫林镇）' });
    expect(await wide.locator('.event-form select[name=input] option').allTextContents()).to.deep.equal(['请选择', '督查发现问题', '安全生产事故']);
    await wide.selectOption('.event-form select[name=input]', { label: '安全生产事故' });
    await wide.selectOption('.event-form select[name=level]', '较大');
    await wide.fill('.event-form input[name=date]', '2025-05-03');
    await wide.fill('.event-form textarea[name=note]', '<script>alert(1)</script>村办厂房起火');
    // A photo of the scene goes with it, into the one file storage (issue 21, point 3).
    const photo = path.join(dir, '现场照片.png');
    writeFileSync(photo, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64'));
    await wide.setInputFiles('.event-form input[name=files]', photo);
    await Promise.all([wide.waitForNavigation(), wide.click('.event-form button[type=submit]')]);
    expect(await wide.locator('.flash').textContent()).to.contain('已记录一起事件');
    const row = wide.locator('tr.event').first();
    expect(await row.locator('td').allTextContents()).to.include.members(['枫林村', '安全生产事故', '较大，10分', '2025年5月3日']);
    expect(await row.locator('td.note').textContent()).to.contain('<script>alert(1)</script>村办厂房起火').and.to.contain('材料：现场照片.png');
    const download = await wide.request.get(`${app.url}${await row.locator('td.note a').getAttribute('href')}`);
    expect(download.headers()['content-disposition']).to.match(/^attachment;/);
    expect(await overflow(wide)).to.equal(0);
  });

  it('reports every bad row of an imported sheet at its cell and keeps nothing, then imports the corrected sheet whole', async () => {
    const header = '单位,台账,等级,分值,日期,说明';
    const bad = path.join(dir, 'bad.csv'), good = path.join(dir, '台账.csv');
    writeFileSync(bad, [header, '白石村,安全生产事故,特大,,2025-06-01,', '没有这个村,安全生产事故,一般,,2025-06-01,', '白石村,安全生产事故,,3,2025-06-31,'].join('\n'));
    writeFileSync(good, [header, '白石村,督查发现问题,,3,2025-06-30,仓库消防通道堵塞', 'v01,安全生产事故,一般,,2025-07-01,'].join('\n'));
    await wide.goto(`${app.url}/events?period=${PERIOD}`);
    await Promise.all([wide.waitForNavigation(), wide.click('a:text("导入事件台账")')]);
    await wide.setInputFiles('form.entry-upload input[type=file]', bad);
    await Promise.all([wide.waitForNavigation(), wide.click('form.entry-upload button[type=submit]')]);
    // 特大 is no level; no such village; 安全生产事故 is counted by level, not points; 6月31日 is no date.
    expect(await wide.locator('tr.problem td.cell').allTextContents()).to.deep.equal(['C2', 'A3', 'D4', 'E4']);
    expect((await eventsOf(app.db, PERIOD)).length).to.equal(1);
    await shot(wide, 'events-import-report-1366');
    await wide.setInputFiles('form.entry-upload input[type=file]', good);
    await Promise.all([wide.waitForNavigation(), wide.click('form.entry-upload button[type=submit]')]);
    expect(await wide.locator('.flash').textContent()).to.contain('已从 台账.csv 导入2025年度的 2 起事件');
    expect(await wide.locator('tr.event').count()).to.equal(3);
  });

  it('withdraws an event only once it is confirmed; it stays in the ledger, marked, and is no longer counted', async () => {
    await wide.goto(`${app.url}/events?period=${PERIOD}&unit=v01`);
    expect(await wide.locator('tr.event').count()).to.equal(2);
    await Promise.all([wide.waitForNavigation(), wide.locator('tr.event', { hasText: '一般' }).locator('a:text("修改或撤回")').click()]);
    await wide.locator('.event-withdraw input[name=confirm]').check();
    await Promise.all([wide.waitForNavigation(), wide.click('.event-withdraw button[type=submit]')]);
    expect(await wide.locator('tr.event.withdrawn').count()).to.equal(1);
    expect(await wide.locator('[data-standing]').getAttribute('data-standing')).to.equal('2');
    await wide.goto(`${app.url}/events?period=${PERIOD}`);
    await shot(wide, 'events-ledger-1366');
    await wide.emulateMedia({ media: 'print' });
    writeFileSync(path.join(SCREENSHOTS, 'events-ledger.pdf'), await wide.pdf({ format: 'A4', printBackground: true }));
    await wide.emulateMedia({ media: 'screen' });
  });

  it('fits the ledger on a 390 px phone', async () => {
    const phone = await pageAs(browser, app.url, 'leader', 390);
    await phone.goto(`${app.url}/events?period=${PERIOD}`);
    await phone.click('details.event-add summary');
    expect(await overflow(phone)).to.equal(0);
    expect(await narrowColumns(phone)).to.deep.equal([]);
    await shot(phone, 'events-ledger-390');
    const [href] = await phone.locator('tr.event:not(.withdrawn) td:last-child a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')));
    await phone.goto(`${app.url}${href}`);
    expect(await overflow(phone)).to.equal(0);
    await shot(phone, 'events-edit-390');
  });

  it('shows a village the events its published result counted, with their dates and notes, on its scorecard at 390 px', async () => {
    const run = await createRun(app.db, { periodId: PERIOD, track: safety, by: 'leader' });
    await publishRun(app.db, run.id, 'leader');
    expect((await verifyRun(app.db, run.id)).identical).to.equal(true);
    const phone = await pageAs(browser, app.url, 'v01', 390);
    await phone.goto(`${app.url}/units/v01?run=${run.id}`);
    const section = phone.locator('section.card-events');
    expect(await section.locator('h2').textContent()).to.equal('事件台账：安全生产事故（1起）');
    expect(await section.locator('li').allTextContents()).to.deep.equal(['2025年5月3日 较大，10分<script>alert(1)</script>村办厂房起火']);
    expect(await overflow(phone)).to.equal(0);
    await shot(phone, 'events-scorecard-390');
    await phone.emulateMedia({ media: 'print' });
    writeFileSync(path.join(SCREENSHOTS, 'events-scorecard.pdf'), await phone.pdf({ format: 'A4', printBackground: true }));
  });
});
