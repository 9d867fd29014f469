import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { auditEntries } from '../../src/db/queries/audit.js';
import { launch, lowContrast, narrowColumns, overflow, SCREENSHOTS, shot } from '../support/browser.js';
import { PASSWORDS, startApp, type TestApp } from '../support/web.js';

/**
 * Accounts, units and backups in the browser, as the administrator uses them (issue 19,
 * point 5): add a village account and log in with it, reset a password, disable a unit, and
 * download a backup; every admin page fits a 390 px phone and prints on A4.
 */

const WIDTHS = [1366, 390];

describe('accounts, units and backups in the browser (issue 19, point 5)', function () {
  this.timeout(240_000);
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

  async function open(width: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, isMobile: width < 700, locale: 'zh-CN', acceptDownloads: true });
    return context.newPage();
  }

  async function logIn(page: Page, username: string, password: string): Promise<void> {
    await page.goto(`${app.url}/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForNavigation(), page.click('section.login button[type=submit]')]);
  }

  /** Screenshot and print PDF of the page as it stands; at 390 px nothing scrolls sideways and no column is squeezed. */
  async function record(page: Page, name: string): Promise<void> {
    const width = page.viewportSize()!.width;
    await shot(page, `admin-${name}-${width}`);
    if (width === 390) {
      expect(await overflow(page), `${name} at 390 px`).to.equal(0);
      expect(await narrowColumns(page), `${name} at 390 px`).to.deep.equal([]);
    }
    expect(await lowContrast(page, 'td, th, dd, dt, .badge, .hint, label, h1, h2, p'), name).to.deep.equal([]);
    await page.emulateMedia({ media: 'print' });
    writeFileSync(path.join(SCREENSHOTS, `admin-${name}-${width}.pdf`), await page.pdf({ format: 'A4', printBackground: true }));
    await page.emulateMedia({ media: 'screen' });
  }

  it('tells a user who forgot the password to ask the administrator, naming no command', async () => {
    const page = await open(390);
    await page.goto(`${app.url}/login`);
    const text = await page.textContent('section.login');
    expect(text).to.contain('忘记密码请联系管理员');
    expect(text).to.not.match(/npx|appraisal|user reset/);
    await page.context().close();
  });

  it('shows the admin the 账号, 单位 and 备份 menu items, and the leader none of them', async () => {
    for (const [user, expected] of [['admin', true], ['leader', false]] as const) {
      const page = await open(1366);
      await logIn(page, user, PASSWORDS[user]);
      const labels = await page.$$eval('header.site nav a', (as) => as.map((a) => a.textContent?.trim()));
      for (const label of ['账号', '单位', '备份']) expect(labels.includes(label), `${user} ${label}`).to.equal(expected);
      await page.context().close();
    }
  });

  for (const width of WIDTHS) {
    it(`adds a village account bound to its village at ${width} px, whose password, shown once, logs in to that village's scorecard`, async () => {
      const page = await open(width);
      await logIn(page, 'admin', PASSWORDS.admin);
      await page.goto(`${app.url}/admin/accounts`);
      await record(page, 'accounts');
      const username = `taohua${width}`;
      await page.fill('input[name=username]', username);
      await page.fill('input[name=displayName]', `桃花村<script>alert(1)</script>{{x}}`);
      await page.selectOption('select[name=role]', 'village');
      await page.selectOption('select[name=villageUnit]', { label: '桃花村（枫林镇）' });
      await Promise.all([page.waitForNavigation(), page.click('form[method="post"][action="/admin/accounts"] button[type=submit]')]);
      const password = (await page.textContent('section.secret .credential >> nth=1'))!.trim();
      expect(password.length).to.be.at.least(10);
      expect(page.url()).to.not.contain(password);
      expect(await page.$$('main script')).to.have.length(0);
      expect(await page.textContent('table.accounts')).to.contain('桃花村<script>alert(1)</script>{{x}}');
      await record(page, 'account-added');
      // Read again, the page no longer holds it.
      await page.goto(`${app.url}/admin/accounts`);
      expect(await page.content()).to.not.contain(password);
      await page.context().close();

      const village = await open(width);
      await logIn(village, username, password);
      // Every role lands on its home page (首页), which names the account's unit.
      expect(new URL(village.url()).pathname).to.equal('/');
      expect(await village.textContent('main')).to.contain('桃花村');
      await village.context().close();
      const [entry] = await auditEntries(app.db, { action: 'account.add', limit: 1 });
      expect(entry).to.include({ actor: 'admin', subject: username, unit_id: 'v03' });
    });
  }

  it('resets a password: the new one is shown once on a page that is not kept, the old one no longer logs in', async () => {
    const page = await open(390);
    await logIn(page, 'admin', PASSWORDS.admin);
    await page.goto(`${app.url}/admin/accounts/v09`);
    // The account's role, not the signed-in admin's.
    expect((await page.textContent('dl.facts dt:text-is("角色") + dd'))?.trim()).to.equal('村');
    expect((await page.textContent('dl.facts dt:text-is("所属单位") + dd'))?.trim()).to.equal('黄泥坳村');
    await record(page, 'account');
    const [response] = await Promise.all([page.waitForNavigation(), page.click('form[action$="/reset"] button')]);
    expect(response!.headers()['cache-control']).to.equal('no-store');
    const password = (await page.textContent('section.secret .credential'))!.trim();
    expect(page.url()).to.not.contain(password);
    await record(page, 'account-reset');
    await page.context().close();

    const old = await open(390);
    await logIn(old, 'v09', PASSWORDS.v09);
    expect(await old.textContent('section.login')).to.contain('用户名或密码不正确');
    await logIn(old, 'v09', password);
    expect(new URL(old.url()).pathname).to.equal('/');
    await old.context().close();
    // The tests' other pages sign in with the known password again.
    const { resetPassword } = await import('../../src/services/accounts.js');
    await resetPassword(app.db, 'v09', 'test', PASSWORDS.v09);
  });

  it('refuses to disable the admin’s own account, saying why', async () => {
    const page = await open(1366);
    await logIn(page, 'admin', PASSWORDS.admin);
    await page.goto(`${app.url}/admin/accounts/admin`);
    expect(await page.$$('form[action$="/disable"]')).to.have.length(0);
    expect(await page.textContent('main')).to.contain('不能停用自己正在使用的账号');
    await page.context().close();
  });

  for (const width of WIDTHS) {
    it(`shows the unit tree by name at ${width} px and refuses a bad unit id with the reason beside the form`, async () => {
      const page = await open(width);
      await logIn(page, 'admin', PASSWORDS.admin);
      await page.goto(`${app.url}/admin/units`);
      const rows = await page.$$eval('table.unit-tree td.title', (tds) => tds.map((td) => td.textContent?.trim()));
      expect(rows.slice(0, 3)).to.deep.equal(['荷塘区', '枫林镇', '枫林村']);
      await record(page, 'units');
      await page.fill('input[name=id]', '..');
      await page.fill('input[name=name]', '新村');
      await page.selectOption('select[name=parent]', { label: '　枫林镇' });
      await Promise.all([page.waitForNavigation(), page.click('form[method="post"][action="/admin/units"] button[type=submit]')]);
      expect(await page.textContent('p.error')).to.contain('单位编号不能是');
      expect(await page.inputValue('input[name=name]')).to.equal('新村');
      await page.context().close();
    });
  }

  it('disables a village: it leaves the entry list, its account cannot log in, its page says so; enabled, all is back', async () => {
    const page = await open(390);
    await logIn(page, 'admin', PASSWORDS.admin);
    await page.goto(`${app.url}/admin/units`);
    await Promise.all([page.waitForNavigation(), page.click('table.unit-tree a:text-is("黄泥坳村")')]);
    // Whom disabling it keeps out.
    expect(await page.textContent('ul.accounts')).to.contain('黄泥坳村村支两委（v09）');
    await record(page, 'unit');
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/disable"] button')]);
    expect(await page.textContent('.flash')).to.contain('已停用');
    expect(await page.textContent('dl.facts')).to.contain('已停用');
    await record(page, 'unit-disabled');
    await page.goto(`${app.url}/entry?period=2024&track=village`);
    expect(await page.textContent('main')).to.not.contain('黄泥坳村');
    const village = await open(390);
    await logIn(village, 'v09', PASSWORDS.v09);
    expect(await village.textContent('section.login')).to.contain('用户名或密码不正确');
    await page.goto(`${app.url}/admin/units/v09`);
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/enable"] button')]);
    await logIn(village, 'v09', PASSWORDS.v09);
    expect(new URL(village.url()).pathname).to.equal('/');
    await village.context().close();
    await page.context().close();
  });

  for (const width of WIDTHS) {
    it(`downloads a backup named by the time in China Standard Time at ${width} px, written to the audit log`, async () => {
      const page = await open(width);
      await logIn(page, 'admin', PASSWORDS.admin);
      await page.goto(`${app.url}/admin/backup`);
      await record(page, 'backup');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href="/admin/backup/download"]')]);
      expect(download.suggestedFilename()).to.match(/^千分考核备份-\d{4}-\d{2}-\d{2}-\d{4}\.sqlite$/);
      const file = await download.path();
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(file).subarray(0, 15).toString('latin1')).to.equal('SQLite format 3');
      const [entry] = await auditEntries(app.db, { action: 'backup.download', limit: 1 });
      expect(entry).to.include({ actor: 'admin', subject: download.suggestedFilename() });
      await page.context().close();
    });
  }
});
