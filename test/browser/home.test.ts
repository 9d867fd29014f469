import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { appendAudit } from '../../src/db/queries/audit.js';
import { userByName } from '../../src/db/queries/users.js';
import { notify } from '../../src/services/inbox.js';
import { launch, lowContrast, overflow, SCREENSHOTS, shot, signIn } from '../support/browser.js';
import { startApp, type TestApp } from '../support/web.js';

/**
 * The home pages, the inbox and the audit trail in a browser (issue 19, points 6–8): at 1366 px
 * and on a 390 px phone with no sideways scroll and every mark readable, and printed on A4.
 * Screenshots and PDFs go to artifacts/screenshots/ (home-*), to be looked at.
 */
describe('home pages, inbox and audit trail in the browser (issue 19, points 6–8)', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    app = await startApp();
    browser = await launch();
    // An appeal on the village 公示 (the leader's home shows it), a message for the village, an entry of a hostile name.
    await app.db('appeals').insert({
      run_id: 1, unit_id: 'v01', items: JSON.stringify([{ kind: 'clause', id: 'x' }]), reason: '出生率数据有误', status: 'open',
      filed_by: 'v01', filed_at: new Date().toISOString(),
    });
    const v01 = (await userByName(app.db, 'v01'))!;
    await app.db.transaction(async (tx) => {
      await notify(tx, { userIds: [v01.id] }, { kind: 'review.started', title: '公示开始：2023年度村级千分考核结果，截止12月9日', link: '/units/v01?run=1' });
      await notify(tx, { userIds: [v01.id] }, { kind: 'appeal.answered', title: `申诉已答复：<script>alert(1)</script>${'很长的说明'.repeat(40)}`, link: '/units/v01/appeals' });
    });
    await appendAudit(app.db, { at: new Date().toISOString(), actor: 'leader', action: 'inputs.entry', subject: '2024/village/v01', detail: '{}', unit_id: 'v01' });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  async function open(user: string, width: number, url: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, isMobile: width < 500, locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, app.url, user);
    await page.goto(`${app.url}${url}`);
    return page;
  }

  /** Screenshots at 1366 and 390 px (no sideways scroll on the phone, readable marks) and the page printed on A4. */
  async function look(user: string, url: string, name: string, check: (page: Page) => Promise<void>): Promise<void> {
    for (const width of [1366, 390]) {
      const page = await open(user, width, url);
      await check(page);
      expect(await overflow(page), `${name} at ${width} px scrolls sideways`).to.equal(0);
      expect(await lowContrast(page, 'main *, header.site *'), `${name} at ${width} px`).to.deep.equal([]);
      await shot(page, `home-${name}-${width}`);
      if (width === 1366) {
        await page.emulateMedia({ media: 'print' });
        writeFileSync(path.join(SCREENSHOTS, `home-${name}.pdf`), await page.pdf({ format: 'A4', printBackground: true }));
      }
      await page.context().close();
    }
  }

  it('shows the leader the periods at a glance, the next step linked, and open appeals', async () => {
    await look('leader', '/', 'leader', async (page) => {
      expect((await page.textContent('h1'))?.trim()).to.equal('首页');
      expect(await page.textContent('.alert')).to.contain('尚有1件申诉未答复');
      const next = await page.locator('article.glance p.next').allTextContents();
      expect(next.join('|')).to.contain('核对草稿第2号并发布公示').and.contain('答复申诉（1件未答复）');
      expect(await page.locator('header.site nav a[href="/audit"]').textContent()).to.equal('审计记录');
    });
  });

  it('shows the village its result, rank and appeals, and 消息 with its unread count', async () => {
    await look('v01', '/', 'village', async (page) => {
      expect(await page.textContent('.my-result')).to.match(/第\d+名/).and.contain('分');
      expect(await page.textContent('.my-appeals')).to.contain('1件待答复');
      expect(await page.locator('header.site nav a[href="/inbox"]').getAttribute('aria-label')).to.equal('消息，2条未读');
    });
  });

  it('lists the village’s messages, unread first, the hostile one as text, and marks one read', async () => {
    await look('v01', '/inbox', 'inbox', async (page) => {
      expect(await page.locator('ul.inbox li.unread').count()).to.equal(2);
      expect(await page.locator('ul.inbox li').first().textContent()).to.contain('<script>alert(1)</script>');
    });
    const page = await open('v01', 390, '/inbox');
    await Promise.all([page.waitForNavigation(), page.locator('ul.inbox li.unread form.mark button').first().click()]);
    expect(await page.locator('ul.inbox li.unread').count()).to.equal(1);
    expect(await page.locator('header.site nav a[href="/inbox"] .unread').textContent()).to.equal('1');
    await page.context().close();
  });

  it('shows a village with a hostile name of 100 characters its home as text, on a phone without sideways scroll', async () => {
    const name = `<script>alert(1)</script>{{x}}\u202e${'长'.repeat(68)}`;
    await app.db('units').where({ id: 'v09' }).update({ name });
    const page = await open('v09', 390, '/');
    expect(await page.textContent('main')).to.contain(name);
    expect(await overflow(page)).to.equal(0);
    await shot(page, 'home-village-hostile-390');
    await page.goto(`${app.url}/inbox`);
    expect(await overflow(page)).to.equal(0);
    await page.context().close();
    const audit = await open('leader', 390, '/audit?unit=v09');
    expect(await overflow(audit)).to.equal(0);
    await audit.context().close();
  });

  it('filters the audit trail by unit and action in its form', async () => {
    await look('leader', '/audit?unit=v01', 'audit', async (page) => {
      expect(await page.textContent('p.meta')).to.contain('单位：枫林村');
      expect(await page.locator('table.audit tbody tr').count()).to.be.greaterThan(0);
    });
    const page = await open('admin', 1366, '/audit');
    await page.selectOption('select[name=action]', { label: '录入数据' });
    await Promise.all([page.waitForNavigation(), page.click('form.audit-filter button[type=submit]')]);
    expect(page.url()).to.contain('action=entry');
    expect(await page.locator('table.audit td.what').allTextContents()).to.deep.equal(['录入数据']);
    await page.context().close();
  });
});
